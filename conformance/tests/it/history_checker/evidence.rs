//! Delivery (D) is about messages; numbering and page rules are I.

use super::*;
use momento_http_conformance::history::{DEFAULT_PUBLISHER, Violation};
use momento_http_conformance::report::Evidence;

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
