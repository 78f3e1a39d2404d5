//! The parser's rules, case by case, and the promise under any server,
//! judged by the independent oracle in `oracle.rs`.

use proptest::prelude::*;

use super::oracle::{Message, Step, check_delivery};
use super::*;

fn item(n: u64, page: Option<u64>) -> wire::SubscribeElement {
    wire::SubscribeElement::Item(wire::TopicItem {
        publisher_id: None,
        sequence_page: page,
        topic_sequence_number: n,
        value: wire::TopicValue::Text(format!("m{n}")),
    })
}

fn disc(last: u64, new: u64, page: Option<u64>) -> wire::SubscribeElement {
    wire::SubscribeElement::Discontinuity(wire::Discontinuity {
        last_topic_sequence: last,
        new_topic_sequence: new,
        new_sequence_page: page,
    })
}

/// Feeds `batches` from `start`, as the subscription does; returns the
/// events and whether the stream ended in error.
fn run(start: Cursor, batches: Vec<Vec<wire::SubscribeElement>>) -> (Vec<TopicEvent>, bool) {
    let mut position = Position::new(start);
    let mut events = Vec::new();
    for batch in batches {
        let ended = position.absorb("c", "t", batch).is_err();
        events.extend(position.pending.drain(..).map(|(e, _)| e));
        if ended {
            return (events, true);
        }
    }
    (events, false)
}

fn numbers(events: &[TopicEvent]) -> Vec<u64> {
    events
        .iter()
        .filter_map(|e| match e {
            TopicEvent::Item {
                sequence_number, ..
            } => Some(*sequence_number),
            _ => None,
        })
        .collect()
}

/// A discontinuity the client synthesised.
fn synthesized(last: u64, new: u64, new_page: u64) -> TopicEvent {
    TopicEvent::Discontinuity {
        last,
        new,
        new_page,
        synthesized: true,
        announced_last: None,
    }
}

#[test]
fn a_discontinuity_reports_the_clients_last_not_the_servers_claim() {
    // Items 1 and 2, then the server claims {last: 4, new: 5}: 3 and 4 are gone.
    let (events, _) = run(
        Cursor::default(),
        vec![vec![
            item(1, Some(7)),
            item(2, Some(7)),
            disc(4, 5, Some(7)),
            item(5, Some(7)),
        ]],
    );
    assert_eq!(
        events[2],
        TopicEvent::Discontinuity {
            last: 2,
            new: 5,
            new_page: 7,
            synthesized: false,
            announced_last: Some(4),
        }
    );
    assert_eq!(numbers(&events), vec![1, 2, 5]);
}

#[test]
fn a_discontinuity_to_zero_never_resets_the_cursor_to_from_now_on() {
    let mut position = Position::new(Cursor::default());
    position
        .absorb(
            "c",
            "t",
            vec![item(1, None), item(2, None), disc(2, 0, None)],
        )
        .unwrap();
    assert_eq!(
        position.cursor,
        Cursor {
            sequence_number: 3,
            sequence_page: 0
        },
        "the next poll asks for 3, not 0"
    );
    // Whatever comes next is still judged against 3: a jump is announced.
    position.absorb("c", "t", vec![item(9, None)]).unwrap();
    let events: Vec<_> = position.pending.drain(..).map(|(e, _)| e).collect();
    assert!(matches!(
        events[2],
        TopicEvent::Discontinuity {
            last: 2,
            new: 9,
            synthesized: true,
            ..
        }
    ));
}

#[test]
fn a_lower_number_without_pages_is_a_new_life_not_a_repeat() {
    // A server that sends no pages restarts the topic: 1 and 2 of its new
    // life must reach the caller, behind an announcement.
    let (events, _) = run(
        Cursor::default(),
        vec![
            vec![item(1, None), item(2, None), item(3, None)],
            vec![item(1, None), item(2, None)],
        ],
    );
    assert_eq!(numbers(&events), vec![1, 2, 3, 1, 2]);
    assert_eq!(events[3], synthesized(3, 1, 0));
}

#[test]
fn a_repeat_on_a_known_page_is_dropped_but_one_without_a_page_is_announced() {
    let (events, _) = run(
        Cursor::default(),
        vec![vec![
            item(1, Some(3)),
            item(2, Some(3)),
            item(1, Some(3)),
            item(2, None),
            item(3, Some(3)),
        ]],
    );
    // The repeat of 1 on page 3 is dropped; 2 without a page may be a topic
    // that started again, so it is told, and so is page 3 coming back.
    assert_eq!(numbers(&events), vec![1, 2, 2, 3]);
    assert_eq!(events[2], synthesized(2, 2, 0));
    assert_eq!(events[4], synthesized(2, 3, 3));
}

/// Items 5 and 6 on page 7, then a restarted topic's 1, 2, 3 without pages:
/// all three reach the caller, behind one announcement.
#[test]
fn a_restarted_topic_without_pages_after_a_known_page_is_told_and_yielded() {
    let (events, _) = run(
        Cursor::default(),
        vec![
            vec![item(5, Some(7)), item(6, Some(7))],
            vec![item(1, None), item(2, None), item(3, Some(0))],
        ],
    );
    assert_eq!(numbers(&events), vec![5, 6, 1, 2, 3]);
    assert_eq!(events[2], synthesized(6, 1, 0));
    assert_eq!(events.len(), 6);
}

/// The same restart announced, `{last 6, new 1}` without a page: reported,
/// and the items after it yielded.
#[test]
fn an_announced_reset_without_a_page_is_reported_and_its_items_yielded() {
    let mut position = Position::new(Cursor::default());
    position
        .absorb(
            "c",
            "t",
            vec![item(5, Some(7)), item(6, Some(7)), disc(6, 1, None)],
        )
        .unwrap();
    position
        .absorb("c", "t", vec![item(1, None), item(2, None)])
        .unwrap();
    let events: Vec<_> = position.pending.drain(..).map(|(e, _)| e).collect();
    assert_eq!(
        events[2],
        TopicEvent::Discontinuity {
            last: 6,
            new: 1,
            new_page: 0,
            synthesized: false,
            announced_last: Some(6),
        }
    );
    assert_eq!(numbers(&events), vec![5, 6, 1, 2]);
    assert_eq!(
        position.cursor,
        Cursor {
            sequence_number: 3,
            sequence_page: 0
        }
    );
}

#[test]
fn no_number_can_follow_the_largest_so_the_stream_ends_with_an_error() {
    let (events, ended) = run(
        Cursor::default(),
        vec![vec![item(u64::MAX - 1, Some(1)), item(u64::MAX, Some(1))]],
    );
    assert!(ended, "the caller is told with an error");
    assert_eq!(numbers(&events), vec![u64::MAX - 1]);
}

/// The value each message of the model is published with.
fn value_of(life: u64, number: u64) -> TopicValue {
    TopicValue::Text(format!("life {life} #{number}"))
}

/// How an element the adversary sends shows a page.
#[derive(Clone, Copy, Debug)]
enum Shown {
    Said,
    Absent,
    Zero,
}

impl Shown {
    fn page(self, page: u64) -> Option<u64> {
        match self {
            Shown::Said => Some(page),
            Shown::Absent => None,
            Shown::Zero => Some(0),
        }
    }
}

/// One element an adversary may send: any published message of lives 1 to
/// 3 (life `L` is page `L`), its page said or not, or any discontinuity.
#[derive(Clone, Debug)]
enum Sent {
    Item {
        life: u64,
        number: u64,
        shown: Shown,
    },
    Discontinuity(wire::Discontinuity),
}

impl Sent {
    fn wire(&self) -> wire::SubscribeElement {
        match self {
            Sent::Item {
                life,
                number,
                shown,
            } => wire::SubscribeElement::Item(wire::TopicItem {
                publisher_id: None,
                sequence_page: shown.page(*life),
                topic_sequence_number: *number,
                value: match value_of(*life, *number) {
                    TopicValue::Text(text) => wire::TopicValue::Text(text),
                    TopicValue::Binary(_) => unreachable!("the model publishes text"),
                },
            }),
            Sent::Discontinuity(d) => wire::SubscribeElement::Discontinuity(d.clone()),
        }
    }

    fn message(&self) -> Option<Message> {
        match self {
            Sent::Item { life, number, .. } => Some(Message {
                life: *life,
                number: *number,
                value: value_of(*life, *number),
            }),
            Sent::Discontinuity(_) => None,
        }
    }
}

fn sent() -> impl Strategy<Value = Sent> {
    let number = prop_oneof![8 => 0u64..12, 1 => Just(u64::MAX - 1), 1 => Just(u64::MAX)];
    let shown = prop_oneof![
        2 => Just(Shown::Said),
        1 => Just(Shown::Absent),
        1 => Just(Shown::Zero)
    ];
    let page = prop_oneof![Just(None), Just(Some(0)), (1u64..=3).prop_map(Some)];
    prop_oneof![
        4 => (1u64..=3, number.clone(), shown)
            .prop_map(|(life, number, shown)| Sent::Item { life, number, shown }),
        1 => (number.clone(), number, page).prop_map(|(last, new, page)| {
            Sent::Discontinuity(wire::Discontinuity {
                last_topic_sequence: last,
                new_topic_sequence: new,
                new_sequence_page: page,
            })
        }),
    ]
}

/// Feeds `batches` element by element (what the client makes of a batch
/// is what it makes of its elements in turn).
fn steps(start: Cursor, batches: &[Vec<Sent>]) -> Vec<Step> {
    let mut position = Position::new(start);
    let mut steps = Vec::new();
    for element in batches.iter().flatten() {
        let ended = position.absorb("c", "t", vec![element.wire()]).is_err();
        steps.push(Step {
            sent: element.message(),
            events: position.pending.drain(..).collect(),
            ended,
        });
        if ended {
            break;
        }
    }
    steps
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// For any answers, however wrong, every message the server sent is
    /// yielded, or the caller was told it will not arrive; and everything
    /// the caller is told holds.
    #[test]
    fn no_message_is_lost_without_the_caller_being_told(
        start_n in prop_oneof![Just(0u64), 1u64..8],
        start_p in 0u64..=3,
        batches in proptest::collection::vec(proptest::collection::vec(sent(), 0..8), 1..5),
    ) {
        let start = Cursor { sequence_number: start_n, sequence_page: start_p };
        let wire_batches = batches.iter().map(|b| b.iter().map(Sent::wire).collect()).collect();
        let (whole, _) = run(start, wire_batches);
        let steps = steps(start, &batches);
        let one_by_one: Vec<TopicEvent> =
            steps.iter().flat_map(|s| s.events.iter().map(|(e, _)| e.clone())).collect();
        prop_assert_eq!(&whole, &one_by_one, "a batch means what its elements mean in turn");
        if let Err(why) = check_delivery(start, &steps) {
            panic!("{why}\nstart {start:?}\nbatches {batches:#?}\nevents {one_by_one:#?}");
        }
    }
}
