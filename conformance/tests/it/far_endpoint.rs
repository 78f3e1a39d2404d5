//! Correct servers the docs allow, far away or slow: the emulator behind a
//! proxy that adds a round trip of 150 ms, or makes every new connection
//! take 500 ms, or with an empty long poll that ends after 1 s. Every check
//! that waits on a long poll passes each, run as a user runs the suite
//! (the documented pacing, an endpoint over real sockets).
//!
//! Cost: about 18 s for the three, run together (the run-wide checks wait for the
//! others; each long poll is a round trip or more).

use crate::support::delay_proxy::{self, Distance};
use crate::support::run::run_checks;
use momento_http_conformance::report::Outcome;
use momento_http_conformance::target::{Pacing, Target};
use std::time::Duration;

/// The checks that publish into a waiting poll or time one.
const LONG_POLL_CHECKS: &[&str] = &[
    "publish.form-content-type.stored-as-text",
    "subscribe.batch.200",
    "subscribe.item.sequence-page",
    "subscribe.text.round-trip",
    "subscribe.binary.base64",
    "subscribe.binary.standard-padded",
    "subscribe.numbering.starts-at-0-or-1",
    "subscribe.numbering.starts-at-1",
    "subscribe.numbering.plus-one",
    "subscribe.subscribers-agree",
    "subscribe.long-poll.waits-for-publish",
    "subscribe.empty-batch-after-wait",
    "subscribe.resume.inclusive",
    "subscribe.sequence-zero.from-now",
    "subscribe.discontinuity.next-item-carries-new",
    "subscribe.history.delivery",
    "subscribe.history.numbering",
];

/// Run [`LONG_POLL_CHECKS`] against the emulator (empty waits of
/// `empty_wait`) behind `distance`; every one must pass.
async fn passes_through(distance: Distance, empty_wait: Duration) {
    let emulator = momento_http_emulator::Emulator::builder()
        .cache("far")
        .long_poll_wait(empty_wait)
        .start()
        .await
        .expect("the emulator starts");
    let url = delay_proxy::start(emulator.local_addr(), distance).await;
    let target = Target::endpoint(&url, &emulator.api_key(), "far", Pacing::DOCUMENTED).await;
    let results = run_checks(target, LONG_POLL_CHECKS, Duration::from_secs(60)).await;
    let failed: Vec<String> = results
        .values()
        .filter(|r| r.outcome != Outcome::Pass)
        .map(|r| format!("{} ({:?}): {}", r.id, r.outcome, r.detail))
        .collect();
    assert!(failed.is_empty(), "{distance:?}:\n{}", failed.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_correct_server_150_ms_away_passes_every_long_poll_check() {
    let distance = Distance {
        one_way: Duration::from_millis(75),
        ..Distance::default()
    };
    passes_through(distance, Duration::from_secs(3)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_correct_server_whose_new_connections_take_500_ms_passes_every_long_poll_check() {
    let distance = Distance {
        new_connection: Duration::from_millis(500),
        ..Distance::default()
    };
    passes_through(distance, Duration::from_secs(3)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_correct_server_whose_empty_wait_ends_after_1_s_passes_every_long_poll_check() {
    passes_through(Distance::default(), Duration::from_secs(1)).await;
}
