//! The subscription's response parser never panics and never loses a message
//! silently: from any cursor and any sequence of answers, every item the
//! server sent is yielded or was accounted for (yielded before, or inside a
//! discontinuity the client yielded), and nothing repeats unannounced
//! (`momento_http::fuzzing::check_accounting` states the property).

#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use momento_http::fuzzing::{Step, check_accounting, parse_batch};
use momento_http::{Cursor, wire};

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
    /// One long-poll answer after another.
    bodies: Vec<Body>,
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

fn body_of(items: Vec<wire::SubscribeElement>) -> Vec<u8> {
    serde_json::to_vec(&wire::SubscribeResponse { items }).expect("wire types serialise")
}

fuzz_target!(|input: Input| {
    let start = Cursor {
        sequence_number: input.sequence_number,
        sequence_page: input.sequence_page,
    };
    let mut cursor = start;
    let mut steps: Vec<Step> = Vec::new();
    'answers: for body in input.bodies {
        match body {
            Body::Raw(bytes) => {
                // Anything that parses is judged like any other answer.
                let (events, ended) = parse_batch(cursor, &bytes);
                if let Some((_, after)) = events.last() {
                    cursor = *after;
                }
                // Which element each event came from is unknown here: the
                // stream must still explain itself.
                steps.push((None, events.into_iter().map(|(e, _)| e).collect()));
                if ended.is_some() {
                    break 'answers;
                }
            }
            Body::Elements(elements) => {
                // Element by element, so that every item is judged: what a
                // batch yields is what its elements yield in turn.
                let items: Vec<_> = elements.into_iter().map(to_wire).collect();
                let (whole, whole_ended) = parse_batch(cursor, &body_of(items.clone()));
                let mut one_by_one = Vec::new();
                let mut ended = None;
                for item in items {
                    let sent = match &item {
                        wire::SubscribeElement::Item(i) => {
                            Some((i.topic_sequence_number, i.sequence_page))
                        }
                        wire::SubscribeElement::Discontinuity(_) => None,
                    };
                    let (events, end) = parse_batch(cursor, &body_of(vec![item]));
                    if let Some((_, after)) = events.last() {
                        cursor = *after;
                    }
                    one_by_one.extend(events.iter().cloned());
                    // The element that ended the stream was answered with an error.
                    let sent = if end.is_some() { None } else { sent };
                    steps.push((sent, events.into_iter().map(|(e, _)| e).collect()));
                    if end.is_some() {
                        ended = end;
                        break;
                    }
                }
                assert_eq!(whole, one_by_one, "a batch is its elements in turn");
                assert_eq!(whole_ended.is_some(), ended.is_some());
                if ended.is_some() {
                    break 'answers;
                }
            }
        }
    }
    if let Err(why) = check_accounting(start, &steps) {
        panic!("{why}");
    }
});
