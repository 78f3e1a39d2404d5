//! The client's wire behaviour, pinned with wiremock: every documented
//! status × operation, malformed bodies, discontinuity shapes and cursors,
//! Retry-After, and the exact request per operation × auth placement.

use futures::StreamExt;
use momento_http::{
    AuthPlacement, Cursor, Error, RetryPolicy, TopicClient, TopicEvent, TopicValue,
};
use momento_http_emulator::{TokenSpec, mint_offline};
use serde_json::json;
use std::time::{Duration, Instant};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client(server: &MockServer, placement: AuthPlacement) -> TopicClient {
    let key = mint_offline(
        "test-secret",
        &server.uri(),
        &TokenSpec::full_access(Duration::from_secs(3600)),
    );
    TopicClient::builder()
        .api_key(&key)
        .auth_placement(placement)
        .poll_timeout(Duration::from_secs(5))
        .retry_policy(
            RetryPolicy::default()
                .initial_backoff(Duration::from_millis(10))
                .max_backoff(Duration::from_millis(20))
                .max_retries(Some(2)),
        )
        .build()
        .expect("client builds")
}

fn error_body(status: u16, detail: &str) -> serde_json::Value {
    json!({"status": status, "title": "x", "detail": detail})
}

#[tokio::test]
async fn publish_maps_every_documented_status_and_keeps_the_detail() {
    for status in [400u16, 401, 403, 404, 429, 500] {
        for json_body in [true, false] {
            let server = MockServer::start().await;
            let detail = format!("detail for {status}");
            let resp = if json_body {
                ResponseTemplate::new(status).set_body_json(error_body(status, &detail))
            } else {
                ResponseTemplate::new(status).set_body_string(detail.clone())
            };
            Mock::given(method("POST"))
                .and(path("/topics/c/t"))
                .respond_with(resp)
                .named(format!("publish answers {status}"))
                .expect(1)
                .mount(&server)
                .await;
            let err = client(&server, AuthPlacement::Header)
                .publish("c", "t", "hello")
                .await
                .expect_err("an error status is an error");
            assert_eq!(err.status(), Some(status), "{err:?}");
            assert!(
                err.detail().is_some_and(|d| d.contains(&detail)),
                "status {status} (json {json_body}): detail lost in {err:?}"
            );
            let variant_ok = match status {
                400 => matches!(err, Error::BadRequest { .. }),
                401 => matches!(err, Error::Unauthorized { .. }),
                403 => matches!(err, Error::Forbidden { .. }),
                404 => matches!(err, Error::NotFound { .. }),
                429 => matches!(err, Error::TooManyRequests { .. }),
                _ => matches!(err, Error::Server { .. }),
            };
            assert!(variant_ok, "status {status} gave {err:?}");
        }
    }
}

#[tokio::test]
async fn publish_204_is_success() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/topics/c/t"))
        .respond_with(ResponseTemplate::new(204))
        .named("publish answers 204")
        .expect(1)
        .mount(&server)
        .await;
    client(&server, AuthPlacement::Header)
        .publish("c", "t", "hello")
        .await
        .expect("204 is success");
}

#[tokio::test]
async fn a_429_carries_retry_after() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "7")
                .set_body_json(error_body(429, "slow down")),
        )
        .named("publish answers 429 with Retry-After 7")
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server, AuthPlacement::Header)
        .publish("c", "t", "x")
        .await
        .unwrap_err();
    match err {
        Error::TooManyRequests { retry_after, .. } => {
            assert_eq!(retry_after, Some(Duration::from_secs(7)))
        }
        other => panic!("{other:?}"),
    }
}

async fn first_event(server: &MockServer) -> Option<Result<TopicEvent, Error>> {
    let mut sub = client(server, AuthPlacement::Header)
        .subscribe("c", "t")
        .messages();
    tokio::time::timeout(Duration::from_secs(10), sub.next())
        .await
        .expect("bounded")
}

#[tokio::test]
async fn subscribe_terminal_statuses_end_the_stream_after_one_error() {
    for status in [400u16, 401, 403, 404] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/topics/c/t"))
            .respond_with(ResponseTemplate::new(status).set_body_json(error_body(status, "nope")))
            .named(format!("subscribe answers {status}, not retried"))
            .expect(1)
            .mount(&server)
            .await;
        let mut sub = client(&server, AuthPlacement::Header).subscribe("c", "t");
        let first = tokio::time::timeout(Duration::from_secs(10), sub.next())
            .await
            .unwrap();
        let err = first.expect("an event").expect_err("an error");
        assert_eq!(err.status(), Some(status));
        let next = tokio::time::timeout(Duration::from_secs(10), sub.next())
            .await
            .unwrap();
        assert!(next.is_none(), "status {status}: the stream ends");
    }
}

fn item_batch(n: u64, text: &str) -> serde_json::Value {
    json!({"items": [{"item": {"topic_sequence_number": n, "sequence_page": 5, "value": {"text": text}}}]})
}

#[tokio::test]
async fn subscribe_retries_429_and_500_then_delivers() {
    for status in [429u16, 500] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(
                ResponseTemplate::new(status)
                    .insert_header("retry-after", "1")
                    .set_body_json(error_body(status, "later")),
            )
            .up_to_n_times(1)
            .with_priority(1)
            .named(format!("first poll answers {status}"))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_json(item_batch(1, "after")))
            .with_priority(2)
            .named("later polls deliver")
            .mount(&server)
            .await;
        let start = Instant::now();
        let ev = first_event(&server).await.unwrap().unwrap();
        assert!(
            matches!(
                ev,
                TopicEvent::Item {
                    sequence_number: 1,
                    ..
                }
            ),
            "{ev:?}"
        );
        if status == 429 {
            assert!(
                start.elapsed() >= Duration::from_millis(900),
                "Retry-After: 1 honoured, waited {:?}",
                start.elapsed()
            );
        }
    }
}

#[tokio::test]
async fn malformed_bodies_are_invalid_response_errors_with_the_raw_body() {
    let bodies = [
        r#"{"nothing": []}"#,
        r#"{"items": [{}]}"#,
        r#"{"items": [{"item": {"topic_sequence_number": 1, "value": {"text": "a"}}, "discontinuity": {"last_topic_sequence": 0, "new_topic_sequence": 1}}]}"#,
        r#"{"items": [{"item": {"topic_sequence_number": "one", "value": {"text": "a"}}}]}"#,
        r#"not json"#,
    ];
    for body in bodies {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("content-type", "application/json")
                    .set_body_string(body),
            )
            .named("subscribe answers a malformed 200")
            .mount(&server)
            .await;
        let got = first_event(&server).await;
        match got {
            Some(Err(Error::InvalidResponse { body: raw, .. })) => {
                assert!(raw.contains(body), "raw body kept: {raw:?} vs {body:?}")
            }
            other => panic!("{body}: expected InvalidResponse, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn binary_values_decode_from_any_base64_variant() {
    // bytes fb ff fe: standard "+//+", URL-safe "-__-"; [0xfb] padded "+w==" / unpadded "+w".
    for (b64, want) in [
        ("+//+", vec![0xfb, 0xff, 0xfe]),
        ("-__-", vec![0xfb, 0xff, 0xfe]),
        ("+w==", vec![0xfb]),
        ("+w", vec![0xfb]),
        ("-w", vec![0xfb]),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"items": [
                {"item": {"topic_sequence_number": 1, "sequence_page": 2, "value": {"binary": b64}, "extra": true}}
            ]})))
            .named("subscribe answers a binary item")
            .mount(&server)
            .await;
        match first_event(&server).await {
            Some(Ok(TopicEvent::Item {
                value: TopicValue::Binary(b),
                ..
            })) => {
                assert_eq!(b.as_ref(), &want[..], "{b64}")
            }
            other => panic!("{b64}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn the_cursor_follows_discontinuities_with_and_without_page_fields() {
    let cases = [
        (
            json!({"items": [
                {"discontinuity": {"last_topic_sequence": 3, "new_topic_sequence": 10, "new_sequence_page": 9}},
                {"item": {"topic_sequence_number": 10, "sequence_page": 9, "value": {"text": "a"}}}
            ]}),
            Cursor {
                sequence_number: 11,
                sequence_page: 9,
            },
        ),
        (
            // The seeds' older form: no page fields at all.
            json!({"items": [
                {"discontinuity": {"last_topic_sequence": 3, "new_topic_sequence": 10}},
                {"item": {"topic_sequence_number": 10, "value": {"text": "a"}}}
            ]}),
            Cursor {
                sequence_number: 11,
                sequence_page: 0,
            },
        ),
        (
            // Several in one batch, with a page change.
            json!({"items": [
                {"discontinuity": {"last_topic_sequence": 3, "new_topic_sequence": 5, "new_sequence_page": 1}},
                {"item": {"topic_sequence_number": 5, "sequence_page": 1, "value": {"text": "a"}}},
                {"discontinuity": {"last_topic_sequence": 5, "new_topic_sequence": 1, "new_sequence_page": 2}},
                {"item": {"topic_sequence_number": 1, "sequence_page": 2, "value": {"text": "b"}}}
            ]}),
            Cursor {
                sequence_number: 2,
                sequence_page: 2,
            },
        ),
    ];
    for (batch, want) in cases {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_json(batch.clone()))
            .up_to_n_times(1)
            .with_priority(1)
            .named("one batch")
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"items": []}))
                    .set_delay(Duration::from_millis(50)),
            )
            .with_priority(2)
            .named("then empty batches")
            .mount(&server)
            .await;
        let mut sub = client(&server, AuthPlacement::Header).subscribe("c", "t");
        let n = batch["items"].as_array().unwrap().len();
        for _ in 0..n {
            let ev = tokio::time::timeout(Duration::from_secs(5), sub.next())
                .await
                .unwrap()
                .unwrap()
                .unwrap();
            if let TopicEvent::Discontinuity { synthesized, .. } = ev {
                assert!(!synthesized);
            }
        }
        assert_eq!(sub.cursor(), want, "{batch}");
    }
}

/// The request as a stable text: method, path, query and headers that matter,
/// body; the token redacted.
fn render(req: &wiremock::Request, token: &str) -> String {
    let mut out = format!("{} {}", req.method, req.url.path());
    if let Some(q) = req.url.query() {
        out.push('?');
        out.push_str(
            &q.replace(&urlencode(token), "[TOKEN]")
                .replace(token, "[TOKEN]"),
        );
    }
    out.push('\n');
    for name in ["authorization", "content-type"] {
        if let Some(v) = req.headers.get(name) {
            let v = v.to_str().unwrap_or("?").replace(token, "[TOKEN]");
            out.push_str(&format!("{name}: {v}\n"));
        }
    }
    out.push_str(&format!("body: {:?}\n", String::from_utf8_lossy(&req.body)));
    out
}

fn urlencode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

#[tokio::test]
async fn the_exact_request_per_operation_and_auth_placement() {
    let mut out = String::new();
    for placement in [AuthPlacement::Header, AuthPlacement::Query] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(204))
            .named("publish")
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_json(item_batch(1, "x")))
            .named("subscribe")
            .mount(&server)
            .await;
        let c = client(&server, placement);
        let token = c.credential().expose_token().to_owned();
        c.publish("my cache", "tópic/1", "hello").await.unwrap();
        c.publish("my cache", "tópic/1", &b"\x00\x01"[..])
            .await
            .unwrap();
        let mut sub = c.subscribe("my cache", "tópic/1");
        let _ = tokio::time::timeout(Duration::from_secs(5), sub.next()).await;
        drop(sub);
        for req in server
            .received_requests()
            .await
            .unwrap_or_default()
            .iter()
            .take(3)
        {
            out.push_str(&format!("# {placement:?}\n{}\n", render(req, &token)));
        }
    }
    insta::assert_snapshot!(out);
}
