//! How a subscription meets a poll that fails on the wire, against real
//! sockets: the server's advice never makes it spin, a cut body is a lost
//! connection however it was framed, and silence is reported when the
//! caller asked, not later.

use std::time::{Duration, Instant, SystemTime};

use crate::common;
use crate::common::next_within;
use crate::raw_http::{RawServer, Reply, answer, batch};
use futures::StreamExt as _;
use momento_http::{Error, RetryPolicy, Subscription, TopicClient, TopicEvent};

/// A client for `url` with `policy` and a short poll timeout.
fn client_for(url: &str, policy: RetryPolicy) -> TopicClient {
    TopicClient::builder()
        .api_key(&common::v1_key(url))
        .poll_timeout(Duration::from_secs(2))
        .retry_policy(policy)
        .build()
        .unwrap()
}

/// The `retry_in` of the next `count` events, each of which must be a
/// `ConnectionLost`.
async fn retry_waits(sub: &mut Subscription, count: usize) -> Vec<Duration> {
    let mut waits = Vec::new();
    for _ in 0..count {
        match next_within(sub, Duration::from_secs(10)).await {
            Ok(TopicEvent::ConnectionLost { retry_in, .. }) => waits.push(retry_in),
            other => panic!("expected ConnectionLost, got {other:?}"),
        }
    }
    waits
}

/// `Retry-After: 0`, or a date already past, on every answer: the server
/// asks for less than the policy's own backoff, and gets the backoff.
#[tokio::test]
async fn a_retry_after_shorter_than_the_backoff_never_makes_the_subscription_spin() {
    let past = httpdate::fmt_http_date(SystemTime::now() - Duration::from_secs(3600));
    for (status, advice) in [(503u16, "0".to_owned()), (429, "0".to_owned()), (503, past)] {
        let server = RawServer::start(move |_, _| {
            answer(status, &[("retry-after", advice.as_str())], "busy")
        })
        .await;
        let policy = RetryPolicy::default()
            .initial_backoff(Duration::from_millis(80))
            .max_backoff(Duration::from_millis(80));
        let mut sub = client_for(&server.url(), policy).subscribe("c", "t");
        let began = Instant::now();
        let waits = retry_waits(&mut sub, 4).await;
        // Jitter keeps at least half of the 80 ms backoff.
        assert!(
            waits.iter().all(|w| *w >= Duration::from_millis(40)),
            "{status}: waits {waits:?}"
        );
        // Three waits of at least 40 ms separate the four polls.
        assert!(
            began.elapsed() >= Duration::from_millis(120),
            "{status}: four polls in {:?}",
            began.elapsed()
        );
        assert!(server.request_lines().len() <= 5, "{status}: spun");
    }
}

/// A server asking for longer than the backoff is obeyed.
#[tokio::test]
async fn a_retry_after_longer_than_the_backoff_lengthens_the_wait() {
    let server = RawServer::start(|_, _| answer(503, &[("retry-after", "2")], "busy")).await;
    let policy = RetryPolicy::default().initial_backoff(Duration::from_millis(10));
    let mut sub = client_for(&server.url(), policy).subscribe("c", "t");
    assert_eq!(retry_waits(&mut sub, 1).await, vec![Duration::from_secs(2)]);
}

/// A 200 whose body is `body`, framed by `framing` (a header line, or
/// nothing: then only the close ends it), and the connection closed.
fn cut_answer(framing: &str, body: &str) -> Reply {
    Reply::Bytes(
        format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n{framing}connection: close\r\n\r\n{body}"
        )
        .into_bytes(),
    )
}

/// The first half of a batch's JSON.
const HALF_A_BATCH: &str = r#"{"items":[{"item":{"topic_sequence_number":1,"sequence_pa"#;

/// A connection that drops mid-body is lost, whether or not the answer
/// said how long it was: retried, reported as a lost connection, and the
/// next poll's items arrive.
#[tokio::test]
async fn a_body_cut_mid_json_is_a_lost_connection_with_or_without_a_length() {
    for framing in ["content-length: 500\r\n", ""] {
        let server = RawServer::start(move |i, _| match i {
            0 => cut_answer(framing, HALF_A_BATCH),
            _ => batch(&[(1, 1)]),
        })
        .await;
        let policy = RetryPolicy::default().initial_backoff(Duration::from_millis(10));
        let mut sub = client_for(&server.url(), policy).subscribe("c", "t");
        match next_within(&mut sub, Duration::from_secs(5)).await {
            Ok(TopicEvent::ConnectionLost { error, .. }) => {
                assert!(
                    matches!(error, Error::Transport { .. }),
                    "{framing:?}: {error}"
                );
                assert!(!error.is_timeout(), "{framing:?}: {error}");
            }
            other => panic!("{framing:?}: expected ConnectionLost, got {other:?}"),
        }
        let mut data = sub.messages();
        let item = tokio::time::timeout(Duration::from_secs(5), data.next()).await;
        assert!(
            matches!(
                item,
                Ok(Some(Ok(TopicEvent::Item {
                    sequence_number: 1,
                    ..
                })))
            ),
            "{framing:?}: {item:?}"
        );
    }
}

/// Framed by the close alone, a whole body is a whole answer, and a body
/// that is not JSON at all is still an invalid answer, not a lost connection.
#[tokio::test]
async fn a_close_delimited_body_is_judged_by_its_json() {
    let whole = r#"{"items":[{"item":{"topic_sequence_number":1,"sequence_page":1,"value":{"text":"m1"}}}]}"#;
    let server = RawServer::start(move |_, _| cut_answer("", whole)).await;
    let mut sub = client_for(&server.url(), RetryPolicy::default()).subscribe("c", "t");
    let event = next_within(&mut sub, Duration::from_secs(5)).await;
    assert!(
        matches!(
            event,
            Ok(TopicEvent::Item {
                sequence_number: 1,
                ..
            })
        ),
        "{event:?}"
    );

    let server = RawServer::start(|_, _| cut_answer("", r#"{"items": nope}"#)).await;
    let mut sub = client_for(&server.url(), RetryPolicy::default()).subscribe("c", "t");
    let event = next_within(&mut sub, Duration::from_secs(5)).await;
    assert!(
        matches!(event, Err(Error::InvalidResponse { .. })),
        "{event:?}"
    );
}

/// A caller who waits on `next()` exactly as long as the poll timeout it
/// asked for is told of the silence, not left to its own timer: the
/// subscription's deadline counts from when the poll began, and fires by it.
#[tokio::test]
async fn silence_is_reported_within_the_poll_timeout_the_caller_asked_for() {
    let server = RawServer::start(|_, _| Reply::Hang).await;
    let poll_timeout = Duration::from_millis(300);
    let client = TopicClient::builder()
        .api_key(&common::v1_key(&server.url()))
        .poll_timeout(poll_timeout)
        .build()
        .unwrap();
    // Each subscription's first poll starts at once (no backoff before it).
    for attempt in 1..=3 {
        let mut sub = client.subscribe("c", "t");
        let began = Instant::now();
        match tokio::time::timeout(poll_timeout, sub.next()).await {
            Ok(Some(Ok(TopicEvent::ConnectionLost { error, .. }))) => {
                assert!(error.is_timeout(), "{error}");
                assert!(error.to_string().contains("300ms"), "{error}");
            }
            Err(_) => panic!(
                "attempt {attempt}: nothing reported within the {poll_timeout:?} asked for ({:?})",
                began.elapsed()
            ),
            other => panic!("attempt {attempt}: expected ConnectionLost, got {other:?}"),
        }
    }
}
