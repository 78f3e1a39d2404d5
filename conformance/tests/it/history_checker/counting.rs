//! A range of k numbers excuses at most k messages; a publish without an
//! answer may be absent, but arrives once and in order if at all.

use super::*;
use momento_http_conformance::history::DEFAULT_PUBLISHER;
use momento_http_conformance::report::Evidence;

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
    // {1 → 4} holds 2 and 3: two of m2, m3, m4. The third is lost, a
    // delivery failure (D), and the only one.
    let h = history(5, vec![item(1, 7, "m1"), disc(1, 4, 7), item(4, 7, "m5")]);
    assert_eq!(lost(&h).len(), 1, "{:?}", h.check());
    let d: Vec<_> = h
        .check()
        .into_iter()
        .filter(|v| v.evidence() == Evidence::D)
        .collect();
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].kind(), "lost");
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
