//! The client's waits on an injected clock and timer, with no tokio at all:
//! `futures::executor::block_on` has no timer, so a wait that reached for
//! tokio's would panic here, and one that read the system clock would make
//! the figures below drift.

use std::time::Duration;

use base64::Engine as _;
use futures::executor::block_on;

use super::{Clock as _, ManualClock, Runtime};
use crate::cache::Retry;
use crate::{Error, RetryPolicy, TopicClient};

/// A client whose time is `clock`'s, retrying as `policy` says.
fn client_on(clock: &ManualClock, policy: RetryPolicy) -> TopicClient {
    let key = base64::engine::general_purpose::URL_SAFE
        .encode(r#"{"endpoint":"http://127.0.0.1:9","api_key":"a.e30.c"}"#);
    TopicClient::builder()
        .api_key(&key)
        .clock(clock.clone())
        .sleep(clock.instant_sleep())
        .retry_policy(policy)
        .build()
        .expect("a client with a clock and a timer builds")
}

fn unavailable() -> Error {
    Error::Server {
        status: 503,
        detail: "down".into(),
        retry_after: None,
        during_publish: false,
    }
}

#[test]
fn an_outage_backs_off_on_the_injected_timer_the_same_every_time() {
    let clock = ManualClock::new();
    let policy = RetryPolicy::default()
        .initial_backoff(Duration::from_millis(200))
        .without_jitter();
    let cache = client_on(&clock, policy).cache();
    let mut failures_left = 3;
    let answer = block_on(cache.retrying("cache_get", "c", Retry::Retryable, || {
        let failing = failures_left > 0;
        failures_left -= 1;
        async move { if failing { Err(unavailable()) } else { Ok(7) } }
    }));
    assert_eq!(answer.expect("the fourth try answers"), 7);
    let ms = Duration::from_millis;
    assert_eq!(
        clock.sleeps(),
        [ms(200), ms(400), ms(800)],
        "doubling from 200 ms"
    );
    assert_eq!(clock.monotonic(), ms(1400), "time moved only by the waits");
}

#[test]
fn a_retry_limit_ends_the_outage_after_its_waits() {
    let clock = ManualClock::new();
    let policy = RetryPolicy::default().without_jitter().max_retries(Some(2));
    let cache = client_on(&clock, policy).cache();
    let answer: Result<(), Error> = block_on(cache.retrying(
        "cache_get",
        "c",
        Retry::Retryable,
        || async { Err(unavailable()) },
    ));
    assert!(
        matches!(answer, Err(Error::Server { status: 503, .. })),
        "{answer:?}"
    );
    assert_eq!(clock.sleeps().len(), 2, "two retries, then the error");
}

#[test]
fn a_retry_after_date_counts_from_the_injected_wall_clock() {
    let clock = ManualClock::new();
    let asked = clock.system_now() + Duration::from_secs(30);
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::RETRY_AFTER,
        httpdate::fmt_http_date(asked).parse().unwrap(),
    );
    let err = Error::from_status(429, &headers, b"", false, clock.system_now());
    assert_eq!(err.retry_after(), Some(Duration::from_secs(30)));
}

#[test]
fn a_deadline_is_met_on_the_injected_timer() {
    let clock = ManualClock::new();
    let runtime = Runtime::new(
        std::sync::Arc::new(clock.clone()),
        std::sync::Arc::new(clock.instant_sleep()),
    );
    clock.advance(Duration::from_secs(5));
    let silent =
        block_on(runtime.before(Duration::from_secs(60), futures::future::pending::<()>()));
    assert_eq!(silent, None, "a silent server loses to the deadline");
    assert_eq!(
        clock.monotonic(),
        Duration::from_secs(60),
        "slept until the deadline, not past it"
    );
    let answered = block_on(runtime.before(Duration::from_secs(90), async { 1 }));
    assert_eq!(answered, Some(1));
    assert_eq!(
        clock.sleeps(),
        [Duration::from_secs(55)],
        "a ready answer never waited"
    );
}
