//! A subscription through outages: the caller hears the connection lost and
//! restored, retries go on for as long as the outage lasts, and polling
//! resumes from the cursor, so nothing is lost.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::common;
use crate::raw_http::{RawServer, Reply, answer, batch};
use futures::StreamExt as _;
use momento_http::{Error, RetryPolicy, Subscription, TopicClient, TopicEvent};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client_for(url: &str) -> TopicClient {
    TopicClient::builder()
        .api_key(&common::v1_key(url))
        .poll_timeout(Duration::from_millis(500))
        .connect_timeout(Duration::from_millis(500))
        .retry_policy(
            RetryPolicy::default()
                .initial_backoff(Duration::from_millis(20))
                .max_backoff(Duration::from_millis(100)),
        )
        .build()
        .unwrap()
}

/// Answers items 1 and 2 on page 5 to the first poll, then nothing new.
fn first_life(i: usize, _: &str) -> Reply {
    if i == 0 {
        batch(&[(1, 5), (2, 5)])
    } else {
        batch(&[])
    }
}

/// After the outage: item 3 to a poll that asks for 3.
fn second_life(_: usize, line: &str) -> Reply {
    if line.contains("sequence_number=3&sequence_page=5") {
        batch(&[(3, 5)])
    } else {
        answer(400, &[], "the poll did not resume from the cursor")
    }
}

async fn next(sub: &mut Subscription) -> Result<TopicEvent, Error> {
    tokio::time::timeout(Duration::from_secs(10), sub.next())
        .await
        .expect("the caller is told something in time")
        .expect("the stream goes on")
}

fn number(event: &TopicEvent) -> Option<u64> {
    match event {
        TopicEvent::Item {
            sequence_number, ..
        } => Some(*sequence_number),
        _ => None,
    }
}

#[tokio::test]
async fn an_outage_is_reported_lost_then_restored_and_polling_resumes_from_the_cursor() {
    let server = RawServer::start(first_life).await;
    let client = client_for(&server.url());
    let mut sub = client.subscribe("c", "t");
    assert_eq!(number(&next(&mut sub).await.unwrap()), Some(1));
    assert_eq!(number(&next(&mut sub).await.unwrap()), Some(2));

    // The endpoint goes away: connections are refused.
    let (addr, requests) = server.stop();
    let mut lost = Vec::new();
    while lost.len() < 3 {
        match next(&mut sub).await.unwrap() {
            TopicEvent::ConnectionLost {
                error,
                retry_in,
                failures,
            } => {
                assert!(error.is_retryable(), "{error}");
                assert!(retry_in <= Duration::from_millis(100), "{retry_in:?}");
                lost.push(failures);
            }
            TopicEvent::NoProgress { .. } => {}
            other => panic!("expected ConnectionLost, got {other:?}"),
        }
    }
    assert_eq!(lost, vec![1, 2, 3], "each failure, counted in a row");

    // It comes back.
    let _server = RawServer::restart(addr, requests, second_life).await;
    let restored = loop {
        match next(&mut sub).await.unwrap() {
            TopicEvent::ConnectionRestored { away, failures } => break (away, failures),
            TopicEvent::ConnectionLost { .. } => {}
            other => panic!("expected ConnectionRestored, got {other:?}"),
        }
    };
    assert!(restored.1 >= 3, "{restored:?}");
    assert!(restored.0 >= Duration::from_millis(40), "{restored:?}");
    assert_eq!(
        number(&next(&mut sub).await.unwrap()),
        Some(3),
        "resumed from the cursor"
    );
    assert!(sub.retries() >= 3);
}

#[tokio::test]
async fn a_caller_who_wants_messages_only_loses_nothing_through_an_outage() {
    let server = RawServer::start(first_life).await;
    let client = client_for(&server.url());
    let mut data = client.subscribe("c", "t").messages();
    let mut numbers = Vec::new();
    for _ in 0..2 {
        let event = tokio::time::timeout(Duration::from_secs(10), data.next()).await;
        numbers.push(number(&event.unwrap().unwrap().unwrap()));
    }
    let (addr, requests) = server.stop();
    let back = Arc::new(AtomicBool::new(false));
    let restart = {
        let back = back.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            let server = RawServer::restart(addr, requests, second_life).await;
            back.store(true, Ordering::Relaxed);
            server
        })
    };
    let event = tokio::time::timeout(Duration::from_secs(10), data.next()).await;
    numbers.push(number(&event.unwrap().unwrap().unwrap()));
    assert!(back.load(Ordering::Relaxed));
    assert_eq!(numbers, vec![Some(1), Some(2), Some(3)]);
    assert!(data.retries() >= 1, "the outage was retried, unseen");
    drop(restart.await.unwrap());
}

#[tokio::test]
async fn by_default_retries_go_on_past_any_count() {
    // The old default gave up after 10 failures in a row.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(25)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"items": [
            {"item": {"topic_sequence_number": 1, "sequence_page": 1, "value": {"text": "at last"}}}
        ]})))
        .mount(&server)
        .await;
    let client = TopicClient::builder()
        .api_key(&common::v1_key(&server.uri()))
        .retry_policy(
            RetryPolicy::default()
                .initial_backoff(Duration::from_millis(1))
                .max_backoff(Duration::from_millis(2)),
        )
        .build()
        .unwrap();
    let mut data = client.subscribe("c", "t").messages();
    let event = tokio::time::timeout(Duration::from_secs(10), data.next()).await;
    assert!(
        matches!(event, Ok(Some(Ok(TopicEvent::Item { .. })))),
        "{event:?}"
    );
    assert_eq!(data.retries(), 25);
}

#[tokio::test]
async fn terminal_answers_end_the_stream_after_an_outage() {
    for status in [400u16, 401, 403, 404] {
        let server = RawServer::start(move |i, _| {
            if i < 2 {
                answer(503, &[], "")
            } else {
                answer(status, &[], "no")
            }
        })
        .await;
        let client = client_for(&server.url());
        let mut data = client.subscribe("c", "t").messages();
        let event = tokio::time::timeout(Duration::from_secs(10), data.next()).await;
        let err = event.unwrap().unwrap().unwrap_err();
        assert_eq!(err.status(), Some(status));
        let end = tokio::time::timeout(Duration::from_secs(5), data.next()).await;
        assert!(end.unwrap().is_none(), "{status} ends the stream");
    }
}
