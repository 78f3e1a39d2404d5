//! The subscription's response parser never panics and never loses a message
//! silently: from any cursor and any sequence of answers, every message the
//! server sent is yielded, or the caller was told it will not arrive, and
//! every claim the events make holds (`momento_http::fuzzing::check_delivery`
//! states the property; it shares no rule with the parser).
//!
//! The answers are drawn from a model the judge understands: messages of
//! topic lives 1 to 4 (life `L` named by page `L` when a page is said), in
//! any order, with any page left out, and discontinuities announcing
//! anything. Raw bodies reach the JSON parser too; they are not judged.

#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use momento_http::fuzzing::{Message, Step, check_delivery, parse_batch};
use momento_http::{Cursor, TopicValue, wire};

#[derive(Arbitrary, Debug)]
enum Element {
    Item {
        life: u8,
        number: u64,
        /// 0: the page said; 1: absent; 2: 0.
        shown: u8,
    },
    Discontinuity {
        last: u64,
        new: u64,
        page: Option<u64>,
    },
}

#[derive(Arbitrary, Debug)]
enum Body {
    /// Well-formed JSON from the model, to reach the sequencing logic.
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

fn value_of(life: u64, number: u64) -> String {
    format!("life {life} #{number}")
}

/// The wire element, and the message it carries when it is an item.
fn to_wire(e: Element) -> (wire::SubscribeElement, Option<Message>) {
    match e {
        Element::Item {
            life,
            number,
            shown,
        } => {
            let life = u64::from(life % 4) + 1;
            let page = match shown % 3 {
                0 => Some(life),
                1 => None,
                _ => Some(0),
            };
            let item = wire::SubscribeElement::Item(wire::TopicItem {
                publisher_id: None,
                sequence_page: page,
                topic_sequence_number: number,
                value: wire::TopicValue::Text(value_of(life, number)),
            });
            let message = Message {
                life,
                number,
                value: TopicValue::Text(value_of(life, number)),
            };
            (item, Some(message))
        }
        Element::Discontinuity { last, new, page } => (
            wire::SubscribeElement::Discontinuity(wire::Discontinuity {
                last_topic_sequence: last,
                new_sequence_page: page,
                new_topic_sequence: new,
            }),
            None,
        ),
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
    let mut judged = true;
    'answers: for body in input.bodies {
        match body {
            Body::Raw(bytes) => {
                let (events, ended) = parse_batch(cursor, &bytes);
                if let Some((_, after)) = events.last() {
                    cursor = *after;
                }
                // What a raw body carried is not known to the judge.
                judged &= events.is_empty() && ended.is_none();
                if ended.is_some() {
                    break 'answers;
                }
            }
            Body::Elements(elements) => {
                // Element by element, so that every item is judged: what a
                // batch yields is what its elements yield in turn.
                let (items, messages): (Vec<_>, Vec<_>) =
                    elements.into_iter().map(to_wire).unzip();
                let (whole, whole_ended) = parse_batch(cursor, &body_of(items.clone()));
                let mut one_by_one = Vec::new();
                let mut ended = None;
                for (item, sent) in items.into_iter().zip(messages) {
                    let (events, end) = parse_batch(cursor, &body_of(vec![item]));
                    if let Some((_, after)) = events.last() {
                        cursor = *after;
                    }
                    one_by_one.extend(events.iter().cloned());
                    steps.push(Step {
                        sent,
                        events,
                        ended: end.is_some(),
                    });
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
    if judged && let Err(why) = check_delivery(start, &steps) {
        panic!("{why}");
    }
});
