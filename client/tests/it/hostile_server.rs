//! The client against endpoints that are broken or hostile: each case is
//! bounded in time, the caller is told something, and nothing the client
//! reads grows without limit.

use std::time::{Duration, Instant};

use crate::common;
use crate::common::next_within;
use crate::raw_http::{RawServer, Reply, answer, batch, chunked_head};
use futures::StreamExt as _;
use momento_http::{
    AuthPlacement, Error, MAX_RESPONSE_BYTES, RetryPolicy, Subscription, TopicClient, TopicEvent,
};
use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A client for `url` with short timeouts and quick retries.
fn client_for(url: &str, placement: AuthPlacement) -> TopicClient {
    TopicClient::builder()
        .api_key(&common::v1_key(url))
        .auth_placement(placement)
        .poll_timeout(Duration::from_millis(400))
        .publish_timeout(Duration::from_secs(2))
        .retry_policy(
            RetryPolicy::default()
                .initial_backoff(Duration::from_millis(10))
                .max_backoff(Duration::from_millis(50)),
        )
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_retry_after_of_years_is_capped_and_the_wait_reported() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "999999999"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"items": [
            {"item": {"topic_sequence_number": 1, "sequence_page": 1, "value": {"text": "ok"}}}
        ]})))
        .mount(&server)
        .await;
    let client = TopicClient::builder()
        .api_key(&common::v1_key(&server.uri()))
        .retry_policy(RetryPolicy::default().max_retry_after(Duration::from_millis(300)))
        .build()
        .unwrap();
    let mut sub = client.subscribe("c", "t");
    match next_within(&mut sub, Duration::from_secs(5)).await.unwrap() {
        TopicEvent::ConnectionLost {
            error, retry_in, ..
        } => {
            assert_eq!(retry_in, Duration::from_millis(300), "capped");
            assert_eq!(
                error.retry_after(),
                Some(Duration::from_secs(999_999_999)),
                "what the server asked is kept for the caller to see"
            );
        }
        other => panic!("expected ConnectionLost, got {other:?}"),
    }
    let mut data = sub.messages();
    let item = tokio::time::timeout(Duration::from_secs(5), data.next()).await;
    assert!(
        matches!(item, Ok(Some(Ok(TopicEvent::Item { .. })))),
        "{item:?}"
    );
}

#[tokio::test]
async fn an_endless_subscribe_answer_ends_the_stream_at_the_limit() {
    let server = RawServer::start(|_, _| Reply::Endless(chunked_head())).await;
    let client = TopicClient::builder()
        .api_key(&common::v1_key(&server.url()))
        .poll_timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let mut sub = client.subscribe("c", "t");
    let err = next_within(&mut sub, Duration::from_secs(20))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        Error::ResponseTooLarge {
            limit: MAX_RESPONSE_BYTES
        }
    );
    assert!(err.to_string().contains("limit"), "{err}");
    assert!(
        tokio::time::timeout(Duration::from_secs(5), sub.next())
            .await
            .unwrap()
            .is_none(),
        "terminal: retrying would read the same again"
    );
    // The client stopped reading: what was written is the limit plus what
    // the sockets' buffers hold, not the endless body.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let written = server.written.load(std::sync::atomic::Ordering::Relaxed);
    assert!(
        written < 3 * MAX_RESPONSE_BYTES as u64,
        "{written} bytes written"
    );
    // The whole test process, every test in it included, peaked under 64 MiB.
    if let Some(peak) = peak_memory_kib() {
        eprintln!("peak resident memory: {peak} KiB");
        assert!(peak < 64 * 1024, "peak resident memory {peak} KiB");
    }
}

/// The process's peak resident memory (Linux), in KiB.
fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[tokio::test]
async fn an_answer_announced_over_the_limit_is_refused_before_reading() {
    let announced = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{{\"items\":[",
        300 * 1024 * 1024
    );
    let server = RawServer::start(move |_, _| Reply::Bytes(announced.clone().into_bytes())).await;
    let client = client_for(&server.url(), AuthPlacement::Header);
    let mut sub = client.subscribe("c", "t");
    let err = next_within(&mut sub, Duration::from_secs(5))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ResponseTooLarge { .. }), "{err:?}");
}

#[tokio::test]
async fn an_error_body_is_read_to_a_limit_and_quoted_as_an_excerpt() {
    let huge = "x".repeat(5 * 1024 * 1024);
    let server = RawServer::start(move |_, _| answer(503, &[], &huge)).await;
    let client = client_for(&server.url(), AuthPlacement::Header);
    let err = tokio::time::timeout(Duration::from_secs(10), client.publish("c", "t", "m"))
        .await
        .unwrap()
        .unwrap_err();
    let message = err.to_string();
    assert_eq!(err.status(), Some(503));
    assert!(message.len() < 2048, "{} bytes of message", message.len());
    assert!(message.contains("more bytes not shown"), "{message}");
}

#[tokio::test]
async fn redirects_are_never_followed_and_name_the_location() {
    let elsewhere = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(204))
        .mount(&elsewhere)
        .await;
    for status in [301u16, 302, 307, 308] {
        let location = format!("{}/topics/c/t", elsewhere.uri());
        let server =
            RawServer::start(move |_, _| answer(status, &[("location", location.as_str())], ""))
                .await;
        let client = client_for(&server.url(), AuthPlacement::Query);
        let err = client.publish("c", "t", "m").await.unwrap_err();
        match &err {
            Error::Redirect {
                status: s,
                location,
            } => {
                assert_eq!(*s, status);
                assert!(location.starts_with(&elsewhere.uri()), "{location}");
            }
            other => panic!("{status}: expected Redirect, got {other:?}"),
        }
        assert!(!err.may_have_been_delivered(), "nothing was delivered");
        assert!(err.to_string().contains(&elsewhere.uri()), "{err}");

        let mut sub = client.subscribe("c", "t");
        let err = next_within(&mut sub, Duration::from_secs(5))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Redirect { .. }), "{err:?}");
        assert!(
            next_within_end(&mut sub).await,
            "a redirect ends the subscription"
        );
    }
    let followed = elsewhere.received_requests().await.unwrap();
    assert!(followed.is_empty(), "the token went to {followed:?}");
}

async fn next_within_end(sub: &mut Subscription) -> bool {
    tokio::time::timeout(Duration::from_secs(5), sub.next())
        .await
        .unwrap()
        .is_none()
}

/// Polls `reply` for `run`; returns the requests made and the NoProgress events seen.
async fn spin(reply: impl Fn(usize, &str) -> Reply + Send + Sync + 'static) -> (usize, Vec<u32>) {
    let server = RawServer::start(reply).await;
    let client = client_for(&server.url(), AuthPlacement::Header);
    let mut sub = client.subscribe("c", "t");
    let mut reported = Vec::new();
    let until = Instant::now() + Duration::from_millis(1000);
    while let Ok(Some(event)) = tokio::time::timeout_at(until.into(), sub.next()).await {
        if let Ok(TopicEvent::NoProgress { polls, .. }) = event {
            reported.push(polls);
        }
    }
    (server.request_lines().len(), reported)
}

#[tokio::test]
async fn immediate_answers_without_progress_are_spaced_out_and_reported() {
    type Script = Box<dyn Fn(usize, &str) -> Reply + Send + Sync>;
    let cases: Vec<(&str, Script)> = vec![
        ("204", Box::new(|_, _| answer(204, &[], ""))),
        ("empty batch", Box::new(|_, _| batch(&[]))),
        ("replays", Box::new(|_, _| batch(&[(1, 1), (2, 1)]))),
    ];
    for (name, reply) in cases {
        let (requests, reported) = spin(move |i, l| reply(i, l)).await;
        // Unthrottled, each of these is thousands of requests a second; with
        // spacing from 10 ms doubling to 500 ms, about eight in 1 s.
        assert!(
            (3..=12).contains(&requests),
            "{name}: {requests} requests in 1 s"
        );
        assert_eq!(reported.first(), Some(&3), "{name}: reported {reported:?}");
    }
}

#[tokio::test]
async fn a_server_that_never_answers_is_a_lost_connection_not_a_quiet_topic() {
    let server = RawServer::start(|_, _| Reply::Hang).await;
    let client = client_for(&server.url(), AuthPlacement::Header);
    let mut sub = client.subscribe("c", "t");
    for failures in 1..=2 {
        match next_within(&mut sub, Duration::from_secs(5)).await.unwrap() {
            TopicEvent::ConnectionLost {
                error, failures: f, ..
            } => {
                assert!(error.is_timeout(), "{error}");
                assert_eq!(f, failures);
            }
            other => panic!("expected ConnectionLost, got {other:?}"),
        }
    }
    assert_eq!(sub.retries(), 2, "timeouts are counted");
}

#[tokio::test]
async fn a_server_that_drips_bytes_is_a_lost_connection() {
    let server =
        RawServer::start(|_, _| Reply::Drip(chunked_head(), Duration::from_millis(50))).await;
    let client = client_for(&server.url(), AuthPlacement::Header);
    let mut sub = client.subscribe("c", "t");
    match next_within(&mut sub, Duration::from_secs(5)).await.unwrap() {
        TopicEvent::ConnectionLost { error, .. } => assert!(error.is_timeout(), "{error}"),
        other => panic!("expected ConnectionLost, got {other:?}"),
    }
    assert_eq!(sub.retries(), 1);
}

#[tokio::test]
async fn any_2xx_to_a_publish_is_success() {
    for (status, body) in [(200u16, "ok"), (201, ""), (202, "{}"), (204, "")] {
        let server = RawServer::start(move |_, _| answer(status, &[], body)).await;
        let client = client_for(&server.url(), AuthPlacement::Header);
        let result = client.publish("c", "t", "m").await;
        assert!(result.is_ok(), "{status}: {result:?}");
    }
}

#[tokio::test]
async fn a_subscriptions_503_says_nothing_about_publishes() {
    let server = RawServer::start(|_, _| answer(503, &[], "down for maintenance")).await;
    let client = client_for(&server.url(), AuthPlacement::Header);
    let mut sub = client.subscribe("c", "t");
    match next_within(&mut sub, Duration::from_secs(5)).await.unwrap() {
        TopicEvent::ConnectionLost { error, .. } => {
            let message = error.to_string();
            assert!(message.contains("down for maintenance"), "{message}");
            assert!(!message.contains("publish"), "{message}");
            assert!(!error.may_have_been_delivered());
        }
        other => panic!("expected ConnectionLost, got {other:?}"),
    }
    // A publish's 503 still says it may have been delivered.
    let err = client.publish("c", "t", "m").await.unwrap_err();
    assert!(err.may_have_been_delivered());
    assert!(err.to_string().contains("publish"), "{err}");
}
