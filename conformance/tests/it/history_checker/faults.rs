//! Faults injected into generated histories, each of which must be named.

use super::gap_faults::{self, GapFault};
use super::model::*;
use super::*;
use proptest::prelude::*;
use proptest::strategy::ValueTree as _;

#[derive(Clone, Copy, Debug)]
pub enum Fault {
    /// A delivered message vanishes from one subscriber's stream.
    Loss,
    /// A message nobody published arrives.
    Phantom,
    /// Two neighbouring messages of one publisher get each other's numbers.
    NumberedAgainstPublishOrder,
    /// A message arrives twice.
    Repeat,
    /// The server skips a number for one subscriber.
    SkippedNumber,
    /// A discontinuity's `last` is not the subscriber's position.
    WrongLast,
    /// A page change (reset) without its discontinuity.
    SilentPageChange,
    /// A page change whose discontinuity omits the new page.
    DiscontinuityWithoutPage,
}

/// Break `h` as `fault` says; `None` when the history has nothing to break
/// that way. Returns the kinds of which at least one must be found.
fn inject(h: &mut History, fault: Fault, at: usize) -> Option<Vec<&'static str>> {
    let sub = h
        .subscribers
        .iter()
        .max_by_key(|(_, evs)| evs.len())?
        .0
        .clone();
    let items: Vec<usize> = h.subscribers[&sub]
        .iter()
        .enumerate()
        .filter(|(_, e)| matches!(e, Event::Item { .. }))
        .map(|(i, _)| i)
        .collect();
    let discs: Vec<usize> = h.subscribers[&sub]
        .iter()
        .enumerate()
        .filter(|(_, e)| matches!(e, Event::Discontinuity { .. }))
        .map(|(i, _)| i)
        .collect();
    let events = h.subscribers.get_mut(&sub)?;
    match fault {
        Fault::Loss => {
            // An item right after one of the same publisher, not the last
            // event: where a message lands among other publishers' numbers,
            // or after the last discontinuity, cannot be known when nobody
            // received it (the checker knows each publisher's order only).
            let publisher = |e: &Event| match e {
                Event::Item { payload, .. } => payload.split('-').next().map(str::to_owned),
                Event::Discontinuity { .. } => None,
            };
            let inner: Vec<usize> = items
                .iter()
                .copied()
                .filter(|&i| {
                    i > 0
                        && i + 1 < events.len()
                        && publisher(&events[i - 1]).is_some()
                        && publisher(&events[i - 1]) == publisher(&events[i])
                })
                .collect();
            let i = *inner.get(at % inner.len().max(1))?;
            events.remove(i);
            Some(vec!["lost", "gap", "wrong-last", "discontinuity-mismatch"])
        }
        Fault::Phantom => {
            let i = at % (events.len() + 1);
            events.insert(i, item(1, 9, "never-published"));
            Some(vec!["phantom"])
        }
        Fault::Repeat => {
            let i = *items.get(at % items.len().max(1))?;
            let e = events[i].clone();
            events.insert(i + 1, e);
            Some(vec!["duplicate"])
        }
        Fault::SkippedNumber => {
            // An item right after another one (its expected number is known).
            let after_item: Vec<usize> = items
                .iter()
                .copied()
                .filter(|&i| i > 0 && matches!(events[i - 1], Event::Item { .. }))
                .collect();
            let i = *after_item.get(at % after_item.len().max(1))?;
            let Event::Item { page, .. } = events[i] else {
                return None;
            };
            // This item and every later one of its page, one number up.
            for e in events.iter_mut().skip(i) {
                if let Event::Item { seq, page: p, .. } = e
                    && *p == page
                {
                    *seq += 1;
                }
            }
            Some(vec!["gap", "discontinuity-mismatch", "divergent-numbering"])
        }
        Fault::WrongLast => {
            // A discontinuity after an item (its position is known).
            let i = *discs
                .iter()
                .filter(|&&d| d > 0)
                .nth(at % discs.len().max(1))?;
            if let Event::Discontinuity { last, .. } = &mut events[i] {
                *last += 1;
            }
            Some(vec!["wrong-last"])
        }
        Fault::SilentPageChange | Fault::DiscontinuityWithoutPage => {
            // A discontinuity that changes the page.
            let mut page_of_prev = None;
            let mut found = None;
            for (i, e) in events.iter().enumerate() {
                match e {
                    Event::Item { page, .. } => page_of_prev = Some(*page),
                    Event::Discontinuity { new_page, .. } => {
                        if page_of_prev.is_some_and(|p| p != *new_page) {
                            found = Some(i);
                            break;
                        }
                    }
                }
            }
            let i = found?;
            if matches!(fault, Fault::SilentPageChange) {
                events.remove(i);
                Some(vec!["page-change"])
            } else {
                if let Event::Discontinuity { new_page, .. } = &mut events[i] {
                    *new_page = page_of_prev.unwrap_or(0);
                }
                Some(vec!["discontinuity-mismatch"])
            }
        }
        Fault::NumberedAgainstPublishOrder => {
            // Two messages of one publisher, adjacent in a subscriber's
            // stream with consecutive numbers: swap their payloads for
            // everyone (the server numbered them the other way round).
            let log = h.publish_log.clone();
            let evs = &h.subscribers[&sub];
            let pair = (0..evs.len().saturating_sub(1)).find_map(|k| {
                let k = (k + at) % (evs.len() - 1);
                match (&evs[k], &evs[k + 1]) {
                    (
                        Event::Item {
                            payload: a, seq: x, ..
                        },
                        Event::Item {
                            payload: b, seq: y, ..
                        },
                    ) if *y == x + 1 && log.values().any(|ps| ps.contains(a) && ps.contains(b)) => {
                        Some((a.clone(), b.clone()))
                    }
                    _ => None,
                }
            })?;
            for evs in h.subscribers.values_mut() {
                for e in evs.iter_mut() {
                    if let Event::Item { payload, .. } = e {
                        if *payload == pair.0 {
                            *payload = pair.1.clone();
                        } else if *payload == pair.1 {
                            *payload = pair.0.clone();
                        }
                    }
                }
            }
            Some(vec!["publish-order"])
        }
    }
}

fn gap_fault() -> impl Strategy<Value = GapFault> {
    prop_oneof![
        Just(GapFault::Understated),
        Just(GapFault::Phantom),
        Just(GapFault::DuplicateAfterGap),
        Just(GapFault::ReorderAcrossPageChange),
        Just(GapFault::MaybeDeliveredTwice),
    ]
}

fn fault() -> impl Strategy<Value = Fault> {
    prop_oneof![
        Just(Fault::Loss),
        Just(Fault::Phantom),
        Just(Fault::NumberedAgainstPublishOrder),
        Just(Fault::Repeat),
        Just(Fault::SkippedNumber),
        Just(Fault::WrongLast),
        Just(Fault::SilentPageChange),
        Just(Fault::DiscontinuityWithoutPage),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn histories_a_correct_server_produces_have_no_violations(s in scenario()) {
        // With the liberties the docs allow: `last` 0, the docs' order.
        let h = generate(&s, true);
        prop_assert_eq!(h.check(), vec![], "{:#?}", h.subscribers);
    }

    #[test]
    fn each_gap_fault_is_named_with_its_evidence(
        s in scenario(), f in gap_fault(), at in 0usize..1000, who in 0usize..4,
    ) {
        let mut h = generate(&s, false);
        let subs: Vec<String> = h.subscribers.keys().cloned().collect();
        let Some(sub) = subs.get(who % subs.len().max(1)) else {
            return Ok(());
        };
        let Some((wanted, evidence)) = gap_faults::inject(&mut h, sub, f, at) else {
            return Ok(());
        };
        let found = h.check();
        prop_assert!(
            found.iter().any(|v| wanted.contains(&v.kind()) && v.evidence() == evidence),
            "injected {:?}, wanted one of {:?} under {:?}, found {:?} in {:#?}",
            f, wanted, evidence, found, h.subscribers
        );
    }

    #[test]
    fn each_injected_fault_is_named(s in scenario(), f in fault(), at in 0usize..1000) {
        let mut h = generate(&s, false);
        // Faults that need what this history lacks (no page change, no
        // discontinuity) are tried on other histories.
        let Some(wanted) = inject(&mut h, f, at) else {
            return Ok(());
        };
        let found = h.check();
        prop_assert!(
            found.iter().any(|v| wanted.contains(&v.kind())),
            "injected {:?}, wanted one of {:?}, found {:?} in {:#?}",
            f, wanted, found, h.subscribers
        );
    }
}

#[test]
fn generated_histories_include_discontinuities_page_changes_and_page_zero() {
    // The generator's coverage, so the property above is not vacuous.
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut discs, mut page_changes, mut page_zero) = (0, 0, 0);
    for _ in 0..300 {
        let s = scenario().new_tree(&mut runner).unwrap().current();
        let h = generate(&s, true);
        for evs in h.subscribers.values() {
            let mut page = None;
            for e in evs {
                match e {
                    Event::Discontinuity { new_page, .. } => {
                        discs += 1;
                        if page.is_some_and(|p| p != *new_page) {
                            page_changes += 1;
                        }
                    }
                    Event::Item { page: p, .. } => {
                        page_zero += usize::from(*p == 0);
                        page = Some(*p);
                    }
                }
            }
        }
    }
    assert!(
        discs > 100 && page_changes > 20 && page_zero > 100,
        "{discs} {page_changes} {page_zero}"
    );
}

#[test]
fn every_gap_fault_and_liberty_occurs_in_generated_histories() {
    // So the gap-fault property and the liberties are not vacuous.
    let faults = [
        GapFault::Understated,
        GapFault::Phantom,
        GapFault::DuplicateAfterGap,
        GapFault::ReorderAcrossPageChange,
        GapFault::MaybeDeliveredTwice,
    ];
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut applied = [0usize; 5];
    let (mut last_zero, mut listed_after) = (0, 0);
    for at in 0..400 {
        let s = scenario().new_tree(&mut runner).unwrap().current();
        let h = generate(&s, false);
        for (f, fault) in faults.iter().enumerate() {
            let hit = h
                .subscribers
                .keys()
                .any(|sub| gap_faults::inject(&mut h.clone(), sub, *fault, at).is_some());
            applied[f] += usize::from(hit);
        }
        for evs in generate(&s, true).subscribers.values() {
            for pair in evs.windows(2) {
                match pair {
                    [_, Event::Discontinuity { last: 0, .. }]
                    | [Event::Discontinuity { last: 0, .. }, _] => last_zero += 1,
                    _ => {}
                }
                if let [Event::Item { .. }, Event::Discontinuity { .. }] = pair {
                    listed_after += 1;
                }
            }
        }
    }
    assert!(applied.iter().all(|&n| n >= 10), "{applied:?}");
    assert!(
        last_zero > 20 && listed_after > 20,
        "{last_zero} {listed_after}"
    );
}
