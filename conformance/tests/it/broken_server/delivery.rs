//! Servers that lose, invent, reorder or repeat messages, skip numbers or
//! get pages and discontinuities wrong: caught by the checks of that rule
//! and by the run-wide history checks.

use super::fake::{Breakage, DELIVERY, NUMBERING, caught, run_broken};
use momento_http_conformance::report::Outcome;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_loses_messages_is_caught_by_the_run_wide_delivery_check() {
    let r = run_broken(
        Breakage::Loss,
        &[
            "subscribe.subscribers-agree",
            "subscribe.numbering.plus-one",
            DELIVERY,
        ],
    )
    .await;
    caught(&r, DELIVERY, &["lost:"]);
    caught(&r, "subscribe.subscribers-agree", &["lost:"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_delivers_unpublished_messages_is_caught_as_phantom() {
    let r = run_broken(
        Breakage::Phantom,
        &["subscribe.subscribers-agree", DELIVERY],
    )
    .await;
    caught(&r, DELIVERY, &["phantom:"]);
    caught(&r, "subscribe.subscribers-agree", &["phantom:"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_numbering_against_publish_order_is_caught() {
    let r = run_broken(
        Breakage::Reorder,
        &["subscribe.subscribers-agree", DELIVERY],
    )
    .await;
    caught(&r, "subscribe.subscribers-agree", &["publish order:"]);
    caught(&r, DELIVERY, &["publish order:"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_repeats_a_message_is_caught_as_duplicate() {
    let r = run_broken(
        Breakage::Repeat,
        &["subscribe.numbering.plus-one", DELIVERY],
    )
    .await;
    caught(&r, DELIVERY, &["duplicate:"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_skips_numbers_fails_plus_one_and_the_numbering_check() {
    let r = run_broken(
        Breakage::SkippedNumbers,
        &["subscribe.numbering.plus-one", NUMBERING, DELIVERY],
    )
    .await;
    caught(&r, "subscribe.numbering.plus-one", &["previous one + 1"]);
    caught(&r, NUMBERING, &["gap:"]);
    assert_eq!(
        r[DELIVERY].outcome,
        Outcome::Pass,
        "nothing was lost: {:?}",
        r[DELIVERY]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_page_served_silently_is_caught() {
    let r = run_broken(
        Breakage::SilentStalePage,
        &["subscribe.discontinuity.stale-page", NUMBERING],
    )
    .await;
    caught(
        &r,
        "subscribe.discontinuity.stale-page",
        &["a discontinuity first"],
    );
    // A page change without its discontinuity is a page rule (I).
    caught(&r, NUMBERING, &["page change:"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_discontinuity_without_its_page_is_caught() {
    let r = run_broken(
        Breakage::DiscontinuityWithoutPage,
        &[
            "subscribe.discontinuity.future-number",
            "subscribe.discontinuity.next-item-carries-new",
            NUMBERING,
        ],
    )
    .await;
    caught(
        &r,
        "subscribe.discontinuity.future-number",
        &["new_sequence_page"],
    );
    caught(
        &r,
        "subscribe.discontinuity.next-item-carries-new",
        &["page"],
    );
    assert_eq!(
        r["subscribe.discontinuity.next-item-carries-new"].outcome,
        Outcome::Fail
    );
    // The number was right, the page missing: a page rule (I).
    caught(&r, NUMBERING, &["discontinuity mismatch:"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_discontinuity_with_the_wrong_last_is_caught() {
    let r = run_broken(
        Breakage::WrongLast,
        &["subscribe.discontinuity.future-number", NUMBERING],
    )
    .await;
    caught(
        &r,
        "subscribe.discontinuity.future-number",
        &["last_topic_sequence"],
    );
    // `last` as the subscriber's position is inferred (I).
    caught(&r, NUMBERING, &["wrong last:"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fake_without_breakage_passes_what_the_broken_ones_fail() {
    // So each failure above is the breakage's, not the fake's.
    let ids = [
        "subscribe.subscribers-agree",
        "subscribe.numbering.plus-one",
        "subscribe.long-poll.waits-for-publish",
        "subscribe.discontinuity.stale-page",
        "subscribe.discontinuity.future-number",
        "subscribe.discontinuity.next-item-carries-new",
        DELIVERY,
        NUMBERING,
    ];
    let r = run_broken(Breakage::None, &ids).await;
    for id in ids {
        assert_eq!(r[id].outcome, Outcome::Pass, "{id}: {:?}", r[id]);
    }
}
