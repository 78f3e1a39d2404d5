//! The history checker names every kind of violation it is shown, and
//! finds none in histories that follow the rules.

use momento_http_conformance::history::{Event, History};
use proptest::prelude::*;

/// `subs` subscribers that each saw messages 1..=n on page 9.
fn clean(subs: usize, n: u64) -> History {
    let mut h = History::default();
    for s in 0..subs {
        let name = format!("s{s}");
        for i in 1..=n {
            h.published(&name, &format!("m{i}"));
            h.record(
                &name,
                Event::Item {
                    seq: i,
                    page: 9,
                    payload: format!("m{i}"),
                },
            );
        }
    }
    h
}

#[derive(Clone, Copy, Debug)]
enum Inject {
    Gap,
    Duplicate,
    Reorder,
    Divergent,
    Lost,
}

fn inject(h: &mut History, kind: Inject, at: usize) -> &'static str {
    let events = h.subscribers.get_mut("s0").unwrap();
    let n = events.len();
    match kind {
        Inject::Gap => {
            // Drop one message in the middle from what s0 saw, but keep it published.
            let i = 1 + at % (n - 2);
            events.remove(i);
            "gap"
        }
        Inject::Duplicate => {
            let i = at % n;
            let e = events[i].clone();
            events.insert(i + 1, e);
            "duplicate"
        }
        Inject::Reorder => {
            let i = at % (n - 1);
            events.swap(i, i + 1);
            "reorder"
        }
        Inject::Divergent => {
            // s1 sees one message under another number, shifting every later one too.
            let s1 = h.subscribers.get_mut("s1").unwrap();
            for e in s1.iter_mut() {
                if let Event::Item { seq, .. } = e {
                    *seq += 100;
                }
            }
            "divergent-numbering"
        }
        Inject::Lost => {
            events.pop();
            "lost"
        }
    }
}

proptest! {
    #[test]
    fn clean_histories_have_no_violations(subs in 1usize..4, n in 1u64..30) {
        prop_assert_eq!(clean(subs, n).check(), vec![]);
    }

    #[test]
    fn each_injected_violation_is_named(
        n in 4u64..30,
        at in 0usize..100,
        kind in prop_oneof![
            Just(Inject::Gap), Just(Inject::Duplicate), Just(Inject::Reorder),
            Just(Inject::Divergent), Just(Inject::Lost)
        ],
    ) {
        let mut h = clean(2, n);
        let name = inject(&mut h, kind, at);
        let found = h.check();
        prop_assert!(
            found.iter().any(|v| v.kind() == name),
            "injected {} but found {:?}", name, found
        );
    }
}

#[test]
fn a_page_change_with_a_discontinuity_is_not_a_violation() {
    let mut h = History::default();
    h.record(
        "a",
        Event::Item {
            seq: 1,
            page: 1,
            payload: "x".into(),
        },
    );
    h.record(
        "a",
        Event::Discontinuity {
            last: 1,
            new: 1,
            new_page: 2,
        },
    );
    h.record(
        "a",
        Event::Item {
            seq: 1,
            page: 2,
            payload: "y".into(),
        },
    );
    assert_eq!(h.check(), vec![]);
}

#[test]
fn a_page_change_without_a_discontinuity_is_a_gap() {
    let mut h = History::default();
    h.record(
        "a",
        Event::Item {
            seq: 1,
            page: 1,
            payload: "x".into(),
        },
    );
    h.record(
        "a",
        Event::Item {
            seq: 1,
            page: 2,
            payload: "y".into(),
        },
    );
    assert_eq!(h.check()[0].kind(), "gap");
}
