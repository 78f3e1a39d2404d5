//! Random schedules of publishes, resets, evictions and subscribes with
//! random starting cursors, under the profiles' numbering, batch sizes and
//! resume rules; the invariants of docs/api.md §4 must hold.
use super::*;
use crate::profile::Profile;
use momento_http::wire;
use proptest::prelude::*;
use std::collections::HashSet;

#[derive(Clone, Debug)]
enum Op {
    Publish(u8),
    Reset,
    Evict(u8),
    Poll(usize),
    Join { seq: u8, page: u8 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (1u8..4).prop_map(Op::Publish),
        1 => Just(Op::Reset),
        1 => (1u8..4).prop_map(Op::Evict),
        4 => (0usize..4).prop_map(Op::Poll),
        1 => (0u8..12, 0u8..4).prop_map(|(seq, page)| Op::Join { seq, page }),
    ]
}

/// Each profile that changes what a poll finds, or none.
fn behaviour() -> impl Strategy<Value = Behaviour> {
    let first = prop_oneof![Just(Profile::NumberFrom0), Just(Profile::NumberFrom1)];
    let batch = prop_oneof![
        Just(Profile::OneItemPerAnswer),
        Just(Profile::HundredItemsPerAnswer)
    ];
    let future = prop_oneof![Just(Profile::FutureToNext), Just(Profile::FutureToOldest)];
    (first, batch, future).prop_map(|(a, b, c)| Behaviour::of(&[a, b, c]).unwrap())
}

struct Sub {
    seq: u64,
    page: u64,
    seen: HashSet<(u64, u64)>,
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]
    #[test]
    fn numbering_has_no_silent_gaps_or_duplicates(
        behaviour in behaviour(),
        ops in proptest::collection::vec(op(), 1..60),
    ) {
        let topics = Topics::new(&["c".to_string()], 5, None, None, behaviour);
        let mut subs: Vec<Sub> = Vec::new();
        for op in ops {
            match op {
                Op::Publish(k) => for _ in 0..k {
                    topics.publish("c", "t", &Value::Text("x".into())).unwrap();
                },
                Op::Reset => { topics.reset("c", "t").unwrap(); }
                Op::Evict(k) => { topics.evict("c", "t", u64::from(k)).unwrap(); }
                Op::Join { seq, page } => {
                    let current = topics.inspect("c", "t").unwrap().page;
                    let page = match page { 0 => 0, 1 => current, 2 => current.saturating_sub(1), _ => current + 5 };
                    subs.push(Sub { seq: u64::from(seq), page, seen: HashSet::new() });
                }
                Op::Poll(i) => {
                    let Some(sub) = subs.get_mut(i) else { continue };
                    let pos = topics.resolve("c", "t", sub.seq, sub.page).unwrap();
                    let info = topics.inspect("c", "t").unwrap();
                    let resumable = pos.page == info.page
                        && pos.seq >= info.first_buffered.unwrap_or(info.next_seq)
                        && pos.seq <= info.next_seq;
                    let Fetch::Ready(elements) = topics.poll("c", "t", pos) else {
                        prop_assert!(resumable, "waited although a discontinuity was due");
                        sub.seq = pos.seq;
                        sub.page = pos.page;
                        continue;
                    };
                    let mut expected = pos;
                    for (k, e) in elements.iter().enumerate() {
                        match serde_json::from_slice::<wire::SubscribeElement>(e).unwrap() {
                            wire::SubscribeElement::Discontinuity(d) => {
                                prop_assert_eq!(k, 0, "a discontinuity comes first");
                                prop_assert!(!resumable, "discontinuity although {:?} was resumable", pos);
                                prop_assert_eq!(d.last_topic_sequence, pos.seq.saturating_sub(1));
                                expected = Position { seq: d.new_topic_sequence, page: d.new_sequence_page.unwrap() };
                            }
                            wire::SubscribeElement::Item(item) => {
                                prop_assert_eq!(item.sequence_page, Some(expected.page));
                                prop_assert_eq!(item.topic_sequence_number, expected.seq, "gap without a discontinuity");
                                prop_assert!(sub.seen.insert((expected.page, expected.seq)), "duplicate");
                                expected.seq += 1;
                            }
                        }
                    }
                    let items = elements.iter().filter(|e| e.starts_with(b"{\"item\"")).count();
                    let most = behaviour.batch.items();
                    prop_assert!(items <= most, "{} items in an answer of at most {}", items, most);
                    sub.seq = expected.seq;
                    sub.page = expected.page;
                }
            }
        }
    }
}
