//! Servers whose long poll is not the one the docs describe (docs/api.md
//! §4): one that never waits (no D verdict: the wait's length is C) and
//! one woken by a publish but answering late.

use super::fake::{Breakage, caught, run_broken};
use momento_http_conformance::report::Outcome;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_poll_that_does_not_wait_differs_from_the_choice_and_is_no_d_failure() {
    // The length of an empty wait is undocumented (C): the D check cannot
    // publish into a waiting poll and says so; the C check names the wait.
    let r = run_broken(
        Breakage::NoWait,
        &[
            "subscribe.long-poll.waits-for-publish",
            "subscribe.empty-batch-after-wait",
        ],
    )
    .await;
    let d = &r["subscribe.long-poll.waits-for-publish"];
    assert_eq!(d.outcome, Outcome::Skip, "{d:?}");
    assert!(d.detail.contains("not documented"), "{}", d.detail);
    caught(&r, "subscribe.empty-batch-after-wait", &["waits"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_poll_woken_late_fails_the_long_poll_check() {
    // Woken by the publish, it answers 1.5 s later: the wait is not the
    // long poll the docs describe (answers once a message is there).
    let r = run_broken(
        Breakage::WokenLate,
        &["subscribe.long-poll.waits-for-publish"],
    )
    .await;
    let d = &r["subscribe.long-poll.waits-for-publish"];
    assert_eq!(d.outcome, Outcome::Fail, "{d:?}");
    caught(
        &r,
        "subscribe.long-poll.waits-for-publish",
        &["within 500 ms", "ms after it"],
    );
}
