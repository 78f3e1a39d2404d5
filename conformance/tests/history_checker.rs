//! The history checker: each hole an earlier checker had is a named case;
//! histories generated from a model of a correct server (several publishers,
//! discontinuities after losses, page changes after resets, page 0) have no
//! violations; and each kind of fault injected into them is named.

use momento_http_conformance::history::{DEFAULT_PUBLISHER, Event, History, Violation};
use momento_http_conformance::report::Evidence;
use proptest::prelude::*;
use proptest::strategy::ValueTree as _;

fn item(seq: u64, page: u64, payload: &str) -> Event {
    Event::Item {
        seq,
        page,
        payload: payload.into(),
    }
}

fn disc(last: u64, new: u64, new_page: u64) -> Event {
    Event::Discontinuity {
        last,
        new,
        new_page,
    }
}

fn kinds(h: &History) -> Vec<&'static str> {
    h.check().iter().map(|v| v.kind()).collect()
}

/// One subscriber "a" that saw `events`; `m1..=mN` published while it listened.
fn history(published: u64, events: Vec<Event>) -> History {
    let mut h = History::default();
    for i in 1..=published {
        h.published("a", &format!("m{i}"));
    }
    for e in events {
        h.record("a", e);
    }
    h
}

// ---- the holes, one named case each ----

#[test]
fn a_harmless_discontinuity_does_not_switch_off_loss_detection() {
    // {last 0, new 1}, then m1, m2 and m4 numbered 1..3: m3 was never numbered.
    let h = history(
        4,
        vec![
            disc(0, 1, 7),
            item(1, 7, "m1"),
            item(2, 7, "m2"),
            item(3, 7, "m4"),
        ],
    );
    assert_eq!(kinds(&h), ["lost"], "{:?}", h.check());
}

#[test]
fn a_discontinuity_is_judged_against_the_subscribers_own_position() {
    // 1, 2, then {last 4, new 5}, then 5: 3 and 4 are gone, unannounced.
    let h = history(
        5,
        vec![
            item(1, 7, "m1"),
            item(2, 7, "m2"),
            disc(4, 5, 7),
            item(5, 7, "m5"),
        ],
    );
    let found = kinds(&h);
    assert!(found.contains(&"wrong-last"), "{found:?}");
    assert_eq!(
        found.iter().filter(|k| **k == "lost").count(),
        2,
        "m3 and m4: {:?}",
        h.check()
    );
}

#[test]
fn numbers_that_disagree_with_publish_order_are_flagged() {
    // The second message published is numbered 1, the first 2.
    let h = history(2, vec![item(1, 7, "m2"), item(2, 7, "m1")]);
    assert_eq!(kinds(&h), ["publish-order"], "{:?}", h.check());
}

#[test]
fn a_message_nobody_published_is_a_phantom() {
    let h = history(
        2,
        vec![item(1, 7, "m1"), item(2, 7, "forged"), item(3, 7, "m2")],
    );
    assert_eq!(kinds(&h), ["phantom"], "{:?}", h.check());
}

#[test]
fn page_zero_is_a_page_not_a_wildcard() {
    let h = history(
        3,
        vec![item(1, 9, "m1"), item(2, 0, "m2"), item(3, 9, "m3")],
    );
    let found = kinds(&h);
    assert!(found.contains(&"page-change"), "{found:?}");
}

#[test]
fn a_page_change_with_its_discontinuity_is_not_a_violation() {
    let h = history(2, vec![item(1, 1, "m1"), disc(1, 1, 2), item(1, 2, "m2")]);
    assert_eq!(h.check(), vec![]);
}

#[test]
fn a_page_change_without_a_discontinuity_is_flagged() {
    let h = history(2, vec![item(1, 1, "m1"), item(1, 2, "m2")]);
    assert_eq!(kinds(&h), ["page-change"]);
}

#[test]
fn a_discontinuity_without_its_page_is_flagged() {
    let h = history(2, vec![item(4, 1, "m1"), disc(4, 1, 0), item(1, 2, "m2")]);
    assert_eq!(kinds(&h), ["discontinuity-mismatch"], "{:?}", h.check());
}

#[test]
fn the_item_after_a_discontinuity_carries_its_new_number() {
    let h = history(3, vec![item(1, 7, "m1"), disc(1, 3, 7), item(2, 7, "m2")]);
    assert!(kinds(&h).contains(&"discontinuity-mismatch"));
}

#[test]
fn a_resume_from_a_known_position_checks_the_first_discontinuity() {
    let mut h = history(1, vec![disc(3, 9, 7), item(9, 7, "m1")]);
    h.start("a", 10, 7);
    assert_eq!(kinds(&h), ["wrong-last"]);
}

#[test]
fn an_uncertain_publish_is_neither_phantom_nor_lost() {
    let mut h = history(1, vec![item(1, 7, "m1"), item(2, 7, "timed-out")]);
    h.maybe_published(DEFAULT_PUBLISHER, "timed-out");
    h.maybe_published(DEFAULT_PUBLISHER, "never-arrived");
    assert_eq!(h.check(), vec![]);
}

#[test]
fn messages_between_two_received_ones_are_expected_without_being_declared() {
    let mut h = History::with_publish_log();
    for m in ["m1", "m2", "m3"] {
        h.publish("p", m);
    }
    h.record("a", item(1, 7, "m1"));
    h.record("a", item(2, 7, "m3"));
    assert_eq!(kinds(&h), ["lost"]);
}

// ---- generated histories ----

#[derive(Clone, Debug)]
enum Op {
    Publish(usize),
    Reset(u64),
}

#[derive(Clone, Debug)]
struct SubPlan {
    join: usize,
    len: usize,
    skip: Vec<bool>,
    resume: bool,
}

#[derive(Clone, Debug)]
struct Msg {
    publisher: usize,
    payload: String,
    page: u64,
    seq: u64,
}

#[derive(Clone, Debug)]
struct Scenario {
    first_page: u64,
    ops: Vec<Op>,
    subs: Vec<SubPlan>,
}

fn scenario() -> impl Strategy<Value = Scenario> {
    let op = prop_oneof![
        8 => (0usize..3).prop_map(Op::Publish),
        1 => (1u64..1000).prop_map(Op::Reset),
    ];
    let sub = (
        0usize..40,
        1usize..40,
        prop::collection::vec(prop::bool::weighted(0.2), 40),
        any::<bool>(),
    )
        .prop_map(|(join, len, skip, resume)| SubPlan {
            join,
            len,
            skip,
            resume,
        });
    (
        prop_oneof![Just(0u64), Just(9), Just(1_748_358_253)],
        prop::collection::vec(op, 4..40),
        prop::collection::vec(sub, 1..4),
    )
        .prop_map(|(first_page, ops, subs)| Scenario {
            first_page,
            ops,
            subs,
        })
}

/// The messages a correct server numbers: +1 per publish, a fresh page and
/// numbering from 1 after a reset.
fn messages(s: &Scenario) -> Vec<Msg> {
    let (mut page, mut next) = (s.first_page, 1u64);
    let mut out = Vec::new();
    for op in &s.ops {
        match op {
            Op::Publish(p) => {
                out.push(Msg {
                    publisher: *p,
                    payload: format!("p{p}-m{}", out.len()),
                    page,
                    seq: next,
                });
                next += 1;
            }
            Op::Reset(k) => {
                page = page + 1 + k;
                next = 1;
            }
        }
    }
    out
}

/// What a correct server shows each subscriber: every message of its window,
/// or a discontinuity from its own position to the next one it delivers.
fn generate(s: &Scenario) -> History {
    let msgs = messages(s);
    let mut h = History::with_publish_log();
    for m in &msgs {
        h.publish(&format!("publisher-{}", m.publisher), &m.payload);
    }
    for (i, plan) in s.subs.iter().enumerate() {
        let name = format!("s{i}");
        let window: Vec<&Msg> = msgs.iter().skip(plan.join).take(plan.len).collect();
        let Some(first) = window.first() else {
            continue;
        };
        let mut pos = None;
        if plan.resume {
            h.start(&name, first.seq, first.page);
            pos = Some((first.page, first.seq - 1));
        }
        let mut skipping = false;
        for (k, m) in window.iter().enumerate() {
            h.expect(&name, &m.payload);
            // Skip only where something is delivered after (a tail skip
            // would be announced on a poll the subscriber never made).
            let skippable = pos.is_some() && k + 1 < window.len();
            if skippable && plan.skip[k % plan.skip.len()] {
                skipping = true;
                continue;
            }
            if let Some((page, seq)) = pos
                && (skipping || page != m.page || m.seq != seq + 1)
            {
                h.record(&name, disc(seq, m.seq, m.page));
            }
            h.record(&name, item(m.seq, m.page, &m.payload));
            pos = Some((m.page, m.seq));
            skipping = false;
        }
    }
    h
}

#[derive(Clone, Copy, Debug)]
enum Fault {
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
        let h = generate(&s);
        prop_assert_eq!(h.check(), vec![], "{:#?}", h.subscribers);
    }

    #[test]
    fn each_injected_fault_is_named(s in scenario(), f in fault(), at in 0usize..1000) {
        let mut h = generate(&s);
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
        let h = generate(&s);
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

// ---- counting: a range of k numbers excuses at most k messages ----

/// `subscribers` each saw `events`; `m1..=mN` published while they listened.
fn shared_history(published: u64, subscribers: &[&str], events: &[Event]) -> History {
    let mut h = History::default();
    for sub in subscribers {
        for i in 1..=published {
            h.published(sub, &format!("m{i}"));
        }
        for e in events {
            h.record(sub, e.clone());
        }
    }
    h
}

fn lost(h: &History) -> Vec<String> {
    h.check()
        .into_iter()
        .filter(|v| v.kind() == "lost")
        .map(|v| v.to_string())
        .collect()
}

#[test]
fn ninety_seven_messages_do_not_vanish_behind_a_one_number_gap() {
    // m1, m2, {last 2, new 4}, m100: the gap holds number 3 only, so it
    // excuses one of m3..m99 and the other 96 are lost, for every subscriber.
    let h = shared_history(
        100,
        &["a", "b", "c"],
        &[
            item(1, 7, "m1"),
            item(2, 7, "m2"),
            disc(2, 4, 7),
            item(4, 7, "m100"),
        ],
    );
    let lost = lost(&h);
    assert_eq!(lost.len(), 3 * 96, "{:?}", &lost[..lost.len().min(3)]);
    for sub in ["a", "b", "c"] {
        let of_sub = lost
            .iter()
            .filter(|v| v.starts_with(&format!("lost: {sub} never")))
            .count();
        assert_eq!(of_sub, 96, "{sub}");
    }
}

#[test]
fn a_gap_excuses_no_more_messages_than_it_has_numbers() {
    // {1 → 4} holds 2 and 3: two of m2, m3, m4.
    let h = history(5, vec![item(1, 7, "m1"), disc(1, 4, 7), item(4, 7, "m5")]);
    assert_eq!(lost(&h).len(), 1, "{:?}", h.check());
}

#[test]
fn a_gap_with_a_number_for_each_missing_message_excuses_them_all() {
    let h = history(5, vec![item(1, 7, "m1"), disc(1, 5, 7), item(5, 7, "m5")]);
    assert_eq!(h.check(), vec![]);
}

#[test]
fn numbers_someone_else_received_leave_no_room() {
    // q1 and q2 took numbers 2 and 3 (b received them); p2, which nobody
    // received, cannot be in a's {1 → 4}.
    let mut h = History::with_publish_log();
    for m in ["p1", "p2", "p3"] {
        h.publish("p", m);
    }
    for m in ["q1", "q2"] {
        h.publish("q", m);
    }
    for e in [
        item(1, 7, "p1"),
        item(2, 7, "q1"),
        item(3, 7, "q2"),
        item(4, 7, "p3"),
    ] {
        h.record("b", e);
    }
    for e in [item(1, 7, "p1"), disc(1, 4, 7), item(4, 7, "p3")] {
        h.record("a", e);
    }
    let lost = lost(&h);
    assert_eq!(lost.len(), 2, "a and b both lost p2: {lost:?}");
    assert!(lost.iter().all(|v| v.contains("\"p2\"")), "{lost:?}");
}

// ---- publishes that got no answer: absent, or once and in order ----

/// m1, then `maybe` whose answer never came, then m3, all from one publisher.
fn with_maybe_published(events: Vec<Event>) -> History {
    let mut h = History::default();
    h.published("a", "m1");
    h.maybe_published(DEFAULT_PUBLISHER, "maybe");
    h.published("a", "m3");
    for e in events {
        h.record("a", e);
    }
    h
}

#[test]
fn a_maybe_published_message_may_be_absent_or_arrive_in_its_place() {
    let absent = with_maybe_published(vec![item(1, 7, "m1"), disc(1, 3, 7), item(3, 7, "m3")]);
    assert_eq!(absent.check(), vec![]);
    let present = with_maybe_published(vec![
        item(1, 7, "m1"),
        item(2, 7, "maybe"),
        item(3, 7, "m3"),
    ]);
    assert_eq!(present.check(), vec![]);
}

#[test]
fn a_maybe_published_message_delivered_twice_is_a_duplicate() {
    let h = with_maybe_published(vec![
        item(1, 7, "m1"),
        item(2, 7, "maybe"),
        item(3, 7, "maybe"),
        item(4, 7, "m3"),
    ]);
    assert!(kinds(&h).contains(&"duplicate"), "{:?}", h.check());
}

#[test]
fn a_maybe_published_message_out_of_publish_order_is_flagged() {
    let h = with_maybe_published(vec![
        item(1, 7, "m1"),
        item(2, 7, "m3"),
        item(3, 7, "maybe"),
    ]);
    assert_eq!(kinds(&h), ["publish-order"], "{:?}", h.check());
}

// ---- delivery (D) is about messages; numbering and pages are I ----

fn with_evidence(h: &History, evidence: Evidence) -> Vec<Violation> {
    h.check()
        .into_iter()
        .filter(|v| v.evidence() == evidence)
        .collect()
}

#[test]
fn a_gap_where_nothing_was_lost_is_a_numbering_fault_not_a_delivery_one() {
    // m2, {2 → 10}, m3 numbered 10: seven numbers announced gone, no
    // message to have had them.
    let h = history(
        3,
        vec![
            item(1, 7, "m1"),
            item(2, 7, "m2"),
            disc(2, 10, 7),
            item(10, 7, "m3"),
        ],
    );
    assert_eq!(kinds(&h), ["phantom-gap"], "{:?}", h.check());
    assert_eq!(with_evidence(&h, Evidence::D), vec![]);
}

/// The page of the docs' example answer.
const P: u64 = 1_748_358_253;

/// A subscriber resuming at 101 on page P after m101..m103 were published
/// (and are gone), then m104 published while it listens.
fn docs_example(events: Vec<Event>) -> History {
    let mut h = History::with_publish_log();
    for m in ["m101", "m102", "m103"] {
        h.publish(DEFAULT_PUBLISHER, m);
    }
    h.published("a", "m104");
    h.start("a", 101, P);
    for e in events {
        h.record("a", e);
    }
    h
}

#[test]
fn the_docs_example_answer_passes_in_either_order() {
    // As the docs list it: the item, then the discontinuity announcing it.
    let listed = docs_example(vec![item(104, P, "m104"), disc(100, 104, P)]);
    assert_eq!(listed.check(), vec![]);
    let announced_first = docs_example(vec![disc(100, 104, P), item(104, P, "m104")]);
    assert_eq!(announced_first.check(), vec![]);
}

#[test]
fn a_last_of_zero_means_unknown_and_passes() {
    let h = history(3, vec![item(1, 7, "m1"), disc(0, 3, 7), item(3, 7, "m3")]);
    assert_eq!(h.check(), vec![]);
}

#[test]
fn a_wrong_last_is_a_numbering_fault() {
    let h = history(3, vec![item(1, 7, "m1"), disc(5, 3, 7), item(3, 7, "m3")]);
    let found = h.check();
    assert!(
        found
            .iter()
            .any(|v| v.kind() == "wrong-last" && v.evidence() == Evidence::I),
        "{found:?}"
    );
}

#[test]
fn a_page_change_without_a_discontinuity_where_nothing_was_lost_is_not_a_delivery_failure() {
    let h = history(2, vec![item(1, 1, "m1"), item(1, 2, "m2")]);
    assert_eq!(kinds(&h), ["page-change"]);
    assert_eq!(with_evidence(&h, Evidence::D), vec![]);
}

#[test]
fn an_understated_gap_is_a_delivery_failure() {
    let h = history(5, vec![item(1, 7, "m1"), disc(1, 4, 7), item(4, 7, "m5")]);
    let d = with_evidence(&h, Evidence::D);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].kind(), "lost");
}

#[test]
fn a_resume_from_an_unknown_page_may_have_missed_whole_pages() {
    // b saw pages 0, 2 and 4; a resumed at 2 naming page 0 ("unknown") and
    // was sent to page 4: m3, numbered 1 on page 2, went with its page.
    let mut h = History::with_publish_log();
    for m in ["m1", "m2", "m3", "m4"] {
        h.publish(DEFAULT_PUBLISHER, m);
    }
    for e in [
        item(1, 0, "m1"),
        item(2, 0, "m2"),
        disc(2, 1, 2),
        item(1, 2, "m3"),
        disc(1, 1, 4),
        item(1, 4, "m4"),
    ] {
        h.record("b", e);
    }
    h.start("a", 2, 0);
    for m in ["m2", "m3", "m4"] {
        h.expect("a", m);
    }
    h.record("a", disc(1, 1, 4));
    h.record("a", item(1, 4, "m4"));
    assert_eq!(h.check(), vec![]);
}
