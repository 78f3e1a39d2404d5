//! Subscription behaviour against scripted servers: poll-again answers,
//! retries, terminal errors, synthesised discontinuities, cursors, binary values.

use std::time::{Duration, Instant};

use crate::common;
use crate::common::{bounded, client};
use futures::StreamExt as _;
use momento_http::{AuthPlacement, Cursor, Error, TopicEvent, TopicValue};
use serde_json::{Value, json};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Mounts `responses` to be answered once each, in order.
async fn script(server: &MockServer, responses: Vec<ResponseTemplate>) {
    for response in responses {
        Mock::given(method("GET"))
            .respond_with(response)
            .up_to_n_times(1)
            .mount(server)
            .await;
    }
}

fn batch(items: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({ "items": items }))
}

fn item(n: u64, page: u64, text: &str) -> Value {
    json!({"item": {"topic_sequence_number": n, "sequence_page": page, "value": {"text": text}}})
}

/// The (sequence_number, sequence_page) each poll sent.
async fn polls(server: &MockServer) -> Vec<(String, String)> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| {
            let get = |k: &str| {
                r.url
                    .query_pairs()
                    .find(|(key, _)| key == k)
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default()
            };
            (get("sequence_number"), get("sequence_page"))
        })
        .collect()
}

fn text(event: &TopicEvent) -> Option<&str> {
    match event {
        TopicEvent::Item {
            value: TopicValue::Text(t),
            ..
        } => Some(t),
        _ => None,
    }
}

#[tokio::test]
async fn empty_batches_and_poll_again_statuses_just_poll_again() {
    let server = MockServer::start().await;
    script(
        &server,
        vec![
            batch(json!([])),
            ResponseTemplate::new(204),
            ResponseTemplate::new(408),
            ResponseTemplate::new(504).set_body_string("gateway timeout"),
            batch(json!([item(1, 5, "first")])),
        ],
    )
    .await;
    let client = client(&server, AuthPlacement::Header);
    let mut sub = client.subscribe("c", "t").messages();
    let event = bounded(sub.next()).await.unwrap().unwrap();
    assert_eq!(text(&event), Some("first"));
    assert_eq!(polls(&server).await.len(), 5);
    assert_eq!(sub.retries(), 0, "poll-again answers are not failures");
}

#[tokio::test]
async fn a_poll_without_a_complete_answer_in_time_is_a_lost_connection_then_restored() {
    let server = MockServer::start().await;
    script(
        &server,
        vec![
            batch(json!([item(1, 1, "late")])).set_delay(Duration::from_secs(3)),
            batch(json!([item(1, 1, "on time")])),
        ],
    )
    .await;
    let client = momento_http::TopicClient::builder()
        .api_key(&common::v1_key(&server.uri()))
        .poll_timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let sub = client.subscribe("c", "t");
    let events: Vec<TopicEvent> = bounded(sub.take(3).map(Result::unwrap).collect()).await;
    match &events[0] {
        TopicEvent::ConnectionLost {
            error, failures: 1, ..
        } => assert!(error.is_timeout(), "{error}"),
        other => panic!("expected ConnectionLost, got {other:?}"),
    }
    assert!(matches!(
        events[1],
        TopicEvent::ConnectionRestored { failures: 1, .. }
    ));
    assert_eq!(text(&events[2]), Some("on time"));
}

#[tokio::test]
async fn cursor_follows_each_event_and_is_sent_on_the_next_poll() {
    let server = MockServer::start().await;
    script(
        &server,
        vec![
            batch(json!([item(4, 7, "a"), item(5, 7, "b")])),
            batch(json!([
                {"discontinuity": {"last_topic_sequence": 5, "new_topic_sequence": 10, "new_sequence_page": 8}},
                item(10, 8, "c")
            ])),
        ],
    )
    .await;
    let client = client(&server, AuthPlacement::Header);
    let mut sub = client.subscribe("c", "t");
    assert_eq!(sub.cursor(), Cursor::default());
    let mut cursors = Vec::new();
    for _ in 0..4 {
        bounded(sub.next()).await.unwrap().unwrap();
        let c = sub.cursor();
        cursors.push((c.sequence_number, c.sequence_page));
    }
    assert_eq!(cursors, vec![(5, 7), (6, 7), (10, 8), (11, 8)]);
    assert_eq!(
        polls(&server).await,
        vec![("0".into(), "0".into()), ("6".into(), "7".into())]
    );
}

#[tokio::test]
async fn subscribe_from_a_saved_cursor_sends_it() {
    let server = MockServer::start().await;
    script(&server, vec![batch(json!([item(42, 3, "resumed")]))]).await;
    let client = client(&server, AuthPlacement::Header);
    let cursor = Cursor {
        sequence_number: 42,
        sequence_page: 3,
    };
    let mut sub = client.subscribe_from("c", "t", cursor);
    bounded(sub.next()).await.unwrap().unwrap();
    assert_eq!(polls(&server).await, vec![("42".into(), "3".into())]);
}

#[tokio::test]
async fn unannounced_gaps_and_page_changes_become_synthesised_discontinuities() {
    let server = MockServer::start().await;
    script(
        &server,
        vec![batch(json!([
            item(1, 7, "a"),
            item(4, 7, "gap"),
            item(1, 9, "new page")
        ]))],
    )
    .await;
    let client = client(&server, AuthPlacement::Header);
    let sub = client.subscribe("c", "t");
    let events: Vec<TopicEvent> = bounded(sub.take(5).map(Result::unwrap).collect()).await;
    assert_eq!(
        events[1],
        TopicEvent::Discontinuity {
            last: 1,
            new: 4,
            new_page: 7,
            synthesized: true,
            announced_last: None,
        }
    );
    assert_eq!(text(&events[2]), Some("gap"));
    assert_eq!(
        events[3],
        TopicEvent::Discontinuity {
            last: 4,
            new: 1,
            new_page: 9,
            synthesized: true,
            announced_last: None,
        }
    );
    assert_eq!(text(&events[4]), Some("new page"));
}

#[tokio::test]
async fn repeated_and_older_numbers_are_dropped() {
    let server = MockServer::start().await;
    script(
        &server,
        vec![batch(json!([
            item(1, 1, "a"),
            item(1, 1, "again"),
            item(0, 1, "older"),
            item(2, 1, "b")
        ]))],
    )
    .await;
    let client = client(&server, AuthPlacement::Header);
    let sub = client.subscribe("c", "t");
    let events: Vec<TopicEvent> = bounded(sub.take(2).map(Result::unwrap).collect()).await;
    let texts: Vec<_> = events.iter().map(text).collect();
    assert_eq!(texts, vec![Some("a"), Some("b")]);
}

#[tokio::test]
async fn the_last_possible_number_ends_the_stream_with_an_error_not_a_wrap() {
    // After u64::MAX no cursor exists; wrapping to 0 would mean "from now on"
    // and lose messages silently.
    let server = MockServer::start().await;
    script(
        &server,
        vec![batch(json!([item(7, 1, "a"), item(u64::MAX, 1, "last")]))],
    )
    .await;
    let client = client(&server, AuthPlacement::Header);
    let sub = client.subscribe("c", "t");
    let events: Vec<_> = bounded(sub.collect::<Vec<_>>()).await;
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(text(events[0].as_ref().unwrap()), Some("a"));
    match &events[1] {
        Err(Error::InvalidResponse { reason, .. }) => {
            assert!(reason.contains(&u64::MAX.to_string()), "{reason}")
        }
        other => panic!("expected InvalidResponse, got {other:?}"),
    }
}

#[tokio::test]
async fn old_responses_without_pages_are_accepted() {
    let server = MockServer::start().await;
    script(
        &server,
        vec![batch(json!([
            {"item": {"topic_sequence_number": 3, "value": {"text": "seed"}}},
            {"discontinuity": {"last_topic_sequence": 3, "new_topic_sequence": 8}}
        ]))],
    )
    .await;
    let client = client(&server, AuthPlacement::Header);
    let sub = client.subscribe("c", "t");
    let events: Vec<TopicEvent> = bounded(sub.take(2).map(Result::unwrap).collect()).await;
    assert!(matches!(
        events[0],
        TopicEvent::Item {
            sequence_number: 3,
            sequence_page: 0,
            ..
        }
    ));
    assert_eq!(
        events[1],
        TopicEvent::Discontinuity {
            last: 3,
            new: 8,
            new_page: 0,
            synthesized: false,
            announced_last: Some(3),
        }
    );
}

#[tokio::test]
async fn binary_values_accept_every_base64_variant() {
    // 0xfb 0xff 0xfe uses both alphabet-specific characters.
    let variants = ["+//+", "-__-", "+/8=", "-_8", "+/8"];
    let server = MockServer::start().await;
    let items: Vec<Value> = variants
        .iter()
        .enumerate()
        .map(|(i, b)| {
            json!({"item": {"topic_sequence_number": i + 1, "sequence_page": 1, "value": {"binary": b}}})
        })
        .collect();
    script(&server, vec![batch(Value::Array(items))]).await;
    let client = client(&server, AuthPlacement::Header);
    let sub = client.subscribe("c", "t");
    let events: Vec<TopicEvent> = bounded(sub.take(5).map(Result::unwrap).collect()).await;
    let values: Vec<Vec<u8>> = events
        .into_iter()
        .map(|e| match e {
            TopicEvent::Item {
                value: TopicValue::Binary(b),
                ..
            } => b.to_vec(),
            other => panic!("not binary: {other:?}"),
        })
        .collect();
    assert_eq!(values[0], vec![0xfb, 0xff, 0xfe]);
    assert_eq!(values[1], vec![0xfb, 0xff, 0xfe]);
    assert_eq!(values[2], vec![0xfb, 0xff]);
    assert_eq!(values[3], vec![0xfb, 0xff]);
    assert_eq!(values[4], vec![0xfb, 0xff]);
}

#[tokio::test]
async fn server_errors_are_retried_then_succeed() {
    let server = MockServer::start().await;
    script(
        &server,
        vec![
            ResponseTemplate::new(500).set_body_string("boom"),
            ResponseTemplate::new(503),
            batch(json!([item(1, 1, "ok")])),
        ],
    )
    .await;
    let client = client(&server, AuthPlacement::Header);
    let mut sub = client.subscribe("c", "t");
    assert_eq!(sub.retries(), 0);
    let mut events = Vec::new();
    for _ in 0..4 {
        events.push(bounded(sub.next()).await.unwrap().unwrap());
    }
    let statuses: Vec<_> = events[..2]
        .iter()
        .map(|e| match e {
            TopicEvent::ConnectionLost {
                error, failures, ..
            } => (error.status(), *failures),
            other => panic!("expected ConnectionLost, got {other:?}"),
        })
        .collect();
    assert_eq!(statuses, vec![(Some(500), 1), (Some(503), 2)]);
    assert!(matches!(
        events[2],
        TopicEvent::ConnectionRestored { failures: 2, .. }
    ));
    assert_eq!(text(&events[3]), Some("ok"));
    assert_eq!(sub.retries(), 2, "the 500 and the 503 were retried");
}

#[tokio::test]
async fn too_many_requests_honours_retry_after() {
    let server = MockServer::start().await;
    script(
        &server,
        vec![
            ResponseTemplate::new(429)
                .insert_header("retry-after", "1")
                .set_body_json(
                    json!({"status": 429, "title": "Too Many Requests", "detail": "limit"}),
                ),
            batch(json!([item(1, 1, "ok")])),
        ],
    )
    .await;
    let client = client(&server, AuthPlacement::Header);
    let mut sub = client.subscribe("c", "t");
    let started = Instant::now();
    match bounded(sub.next()).await.unwrap().unwrap() {
        TopicEvent::ConnectionLost { retry_in, .. } => {
            assert_eq!(
                retry_in,
                Duration::from_secs(1),
                "the caller hears the wait"
            )
        }
        other => panic!("expected ConnectionLost, got {other:?}"),
    }
    let mut sub = sub.messages();
    let event = bounded(sub.next()).await.unwrap().unwrap();
    assert_eq!(text(&event), Some("ok"));
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn running_out_of_a_retry_limit_the_caller_set_ends_the_stream() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500))
        .expect(4)
        .mount(&server)
        .await;
    // The test client allows 3 retries; the default retries for ever.
    let client = client(&server, AuthPlacement::Header);
    let mut sub = client.subscribe("c", "t").messages();
    let err = bounded(sub.next()).await.unwrap().unwrap_err();
    assert_eq!(err.status(), Some(500));
    assert!(bounded(sub.next()).await.is_none());
}

#[tokio::test]
async fn documented_client_errors_end_the_stream_with_their_detail() {
    for (status, body, expect_detail) in [
        (
            400,
            ResponseTemplate::new(400).set_body_string("bad sequence"),
            "bad sequence",
        ),
        (
            401,
            ResponseTemplate::new(401).set_body_string("expired"),
            "expired",
        ),
        (
            403,
            ResponseTemplate::new(403),
            "(no detail in the response body)",
        ),
        (
            404,
            ResponseTemplate::new(404).set_body_json(
                json!({"status": 404, "title": "Not Found", "detail": "Cache Not Found"}),
            ),
            "Cache Not Found",
        ),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(body)
            .expect(1)
            .mount(&server)
            .await;
        let client = client(&server, AuthPlacement::Header);
        let mut sub = client.subscribe("c", "t");
        let err = bounded(sub.next()).await.unwrap().unwrap_err();
        assert_eq!(err.status(), Some(status));
        assert_eq!(err.detail(), Some(expect_detail), "{err}");
        assert!(!err.is_retryable());
        assert!(bounded(sub.next()).await.is_none());
    }
}

#[tokio::test]
async fn an_unreadable_body_is_an_invalid_response_with_the_body_kept() {
    let server = MockServer::start().await;
    script(
        &server,
        vec![ResponseTemplate::new(200).set_body_string("not json")],
    )
    .await;
    let client = client(&server, AuthPlacement::Header);
    let mut sub = client.subscribe("c", "t");
    match bounded(sub.next()).await {
        Some(Err(Error::InvalidResponse { body, .. })) => assert_eq!(body, "not json"),
        other => panic!("{other:?}"),
    }
    assert!(bounded(sub.next()).await.is_none());
}
