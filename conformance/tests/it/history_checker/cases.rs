//! The holes earlier checkers had, one named case each.

use super::*;
use momento_http_conformance::history::DEFAULT_PUBLISHER;

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

#[test]
fn a_message_is_owed_only_if_published_while_its_subscriber_listened() {
    // a polled from now on, got m1, polled again (its last) and stopped
    // listening: m2 was logged before that last poll went out, m3 after.
    // m0 was logged before it started listening.
    let mut h = History::with_publish_log();
    h.publish(DEFAULT_PUBLISHER, "m0");
    h.expect("a", "m0");
    h.polled("a", true);
    h.publish(DEFAULT_PUBLISHER, "m1");
    h.record("a", item(1, 7, "m1"));
    h.publish(DEFAULT_PUBLISHER, "m2");
    h.polled("a", false);
    h.publish(DEFAULT_PUBLISHER, "m3");
    for m in ["m1", "m2", "m3"] {
        h.expect("a", m);
    }
    // m2 was there when the last poll went out: owed, and lost.
    let found = h.check();
    assert_eq!(kinds(&h), ["lost"], "{found:?}");
    assert!(found[0].to_string().contains("\"m2\""), "{found:?}");
}
