//! Connections lost under the suite's own subscribers: named with their
//! duration in a failure, a failure when they never come back, and no
//! failure of a correct server when nothing was missed.

use super::fake::{Breakage, Outage, caught, run_broken_with};
use momento_http_conformance::report::Outcome;
use std::time::Duration;

const PLUS_ONE: &str = "subscribe.numbering.plus-one";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_lost_for_a_while_is_named_with_its_duration_in_the_failure() {
    // The check's second poll (after its first answer) loses its connection
    // for 600 ms; the server also skips numbers, so the check fails, and its
    // detail says what the subscriber lost and for how long.
    let outage = Outage::new(2, Duration::from_millis(600));
    let r = run_broken_with(Breakage::SkippedNumbers, Some(outage), &[PLUS_ONE]).await;
    caught(
        &r,
        PLUS_ONE,
        &[
            "previous one + 1",
            "a subscriber waiting for #2 on page 77 lost its connection",
            "restored after",
            "failed polls",
        ],
    );
    let detail = &r[PLUS_ONE].detail;
    let away = detail
        .split("restored after ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or_else(|| panic!("no duration in: {detail}"));
    let millis = if let Some(ms) = away.strip_suffix("ms") {
        ms.parse::<f64>().unwrap()
    } else {
        away.strip_suffix('s').unwrap().parse::<f64>().unwrap() * 1000.0
    };
    assert!(millis >= 500.0, "away at least the outage: {detail}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_that_never_comes_back_fails_the_check_instead_of_hanging() {
    let started = std::time::Instant::now();
    let outage = Outage::new(2, Duration::from_secs(3600));
    let r = run_broken_with(Breakage::None, Some(outage), &[PLUS_ONE]).await;
    assert_eq!(r[PLUS_ONE].outcome, Outcome::Fail, "{:?}", r[PLUS_ONE]);
    caught(
        &r,
        PLUS_ONE,
        &[
            "connection is restored within",
            "a subscriber waiting for #2 on page 77 lost its connection",
            "not restored after",
            "failed polls",
        ],
    );
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "it gave up within its budget: {:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_restored_before_anything_was_missed_does_not_fail_a_correct_server() {
    // What the subscriber waited for arrives after the outage: the check
    // judges delivery, which was complete.
    let outage = Outage::new(2, Duration::from_millis(300));
    let r = run_broken_with(Breakage::None, Some(outage), &[PLUS_ONE]).await;
    assert_eq!(r[PLUS_ONE].outcome, Outcome::Pass, "{:?}", r[PLUS_ONE]);
}
