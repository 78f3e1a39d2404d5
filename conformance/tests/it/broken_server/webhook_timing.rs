//! The webhook allowance tested from below (docs/api.md §6: a receiver has
//! 5 s to answer): an emulator that gives receivers 1 s hangs up on one
//! that answers after 4 s, and the check judging what the receiver saw
//! fails it; the checks above the allowance still pass it (the emulator
//! with the documented 5 s passes all three: the map's unbroken
//! `Faulty(None)`).

use crate::support::run::run_checks;
use momento_http_conformance::report::{CheckResult, Outcome};
use momento_http_conformance::target::{Pacing, Target};
use std::collections::HashMap;
use std::time::Duration;

const WITHIN: &str = "webhook.receiver-answering-in-4s.waited-for";
const TIMING: &[&str] = &[
    WITHIN,
    "webhook.receiver-500.not-retried",
    "webhook.slow-receiver.not-retried",
];

/// Run `ids` against an emulator giving webhook receivers `timeout`.
pub async fn run_with_timeout(timeout: Duration, ids: &[&str]) -> HashMap<String, CheckResult> {
    let emulator = momento_http_emulator::Emulator::builder()
        .cache("hooks")
        .webhook_timeout(timeout)
        .start()
        .await
        .expect("the emulator starts");
    let target = Target::endpoint(
        &emulator.base_url(),
        &emulator.api_key(),
        "hooks",
        Pacing::UNPACED,
    )
    .await;
    assert!(target.has_admin(), "the webhook checks need the admin API");
    run_checks(target, ids, Duration::from_secs(60)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_giving_receivers_1_s_fails_the_check_from_below() {
    let short = run_with_timeout(Duration::from_secs(1), TIMING).await;
    let within = &short[WITHIN];
    assert_eq!(within.outcome, Outcome::Fail, "{within:?}");
    assert!(within.detail.contains("hung up on"), "{}", within.detail);
    for id in &TIMING[1..] {
        assert_eq!(short[*id].outcome, Outcome::Pass, "{id}: {:?}", short[*id]);
    }
}
