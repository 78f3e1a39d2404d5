//! The subscription's response parser never panics and never skips silently:
//! from any cursor and any body, every jump in numbering it yields is
//! announced by a discontinuity, and each event's cursor is the one the next
//! poll would send.

#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use momento_http::fuzzing::parse_batch;
use momento_http::{Cursor, TopicEvent, wire};

#[derive(Arbitrary, Debug)]
enum Element {
    Item {
        n: u64,
        page: Option<u64>,
        binary: bool,
        value: String,
    },
    Discontinuity {
        last: u64,
        new: u64,
        page: Option<u64>,
    },
}

#[derive(Arbitrary, Debug)]
enum Body {
    /// Well-formed JSON, to reach the sequencing logic.
    Elements(Vec<Element>),
    /// Anything at all, for the JSON parser.
    Raw(Vec<u8>),
}

#[derive(Arbitrary, Debug)]
struct Input {
    sequence_number: u64,
    sequence_page: u64,
    body: Body,
}

fn to_wire(e: Element) -> wire::SubscribeElement {
    match e {
        Element::Item {
            n,
            page,
            binary,
            value,
        } => wire::SubscribeElement::Item(wire::TopicItem {
            publisher_id: None,
            sequence_page: page,
            topic_sequence_number: n,
            value: if binary {
                wire::TopicValue::Binary(value)
            } else {
                wire::TopicValue::Text(value)
            },
        }),
        Element::Discontinuity { last, new, page } => {
            wire::SubscribeElement::Discontinuity(wire::Discontinuity {
                last_topic_sequence: last,
                new_sequence_page: page,
                new_topic_sequence: new,
            })
        }
    }
}

fuzz_target!(|input: Input| {
    let body = match input.body {
        Body::Elements(elements) => serde_json::to_vec(&wire::SubscribeResponse {
            items: elements.into_iter().map(to_wire).collect(),
        })
        .expect("wire types serialise"),
        Body::Raw(bytes) => bytes,
    };
    let start = Cursor {
        sequence_number: input.sequence_number,
        sequence_page: input.sequence_page,
    };
    let (events, _ended) = parse_batch(start, &body);
    let mut expected = start;
    for (event, after) in events {
        match event {
            TopicEvent::Item {
                sequence_number, ..
            } => {
                if expected.sequence_number != 0 {
                    assert_eq!(
                        sequence_number, expected.sequence_number,
                        "an unannounced jump from {expected:?}"
                    );
                    if expected.sequence_page != 0 {
                        assert_eq!(
                            after.sequence_page, expected.sequence_page,
                            "an unannounced page change from {expected:?}"
                        );
                    }
                }
                // u64::MAX has no successor: yielding it would wrap the cursor.
                assert_eq!(
                    Some(after.sequence_number),
                    sequence_number.checked_add(1),
                    "the cursor after {sequence_number}"
                );
            }
            TopicEvent::Discontinuity { new, new_page, .. } => {
                assert_eq!((after.sequence_number, after.sequence_page), (new, new_page));
            }
        }
        expected = after;
    }
});
