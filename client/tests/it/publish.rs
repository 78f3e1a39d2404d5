//! Publish errors: details from JSON and plain-text bodies, no retries, and
//! whether the message may have been delivered.

use crate::common;
use crate::common::{bounded, client};
use momento_http::{AuthPlacement, Error};
use serde_json::json;
use std::time::{Duration, SystemTime};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn publish_answered(response: ResponseTemplate) -> Error {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(response)
        .expect(1)
        .named("publish is sent once, never retried")
        .mount(&server)
        .await;
    let client = client(&server, AuthPlacement::Header);
    bounded(client.publish("c", "t", "x")).await.unwrap_err()
}

#[tokio::test]
async fn plain_text_error_details_are_kept() {
    let err = publish_answered(
        ResponseTemplate::new(400).set_body_string("payload too large: max 4096 bytes"),
    )
    .await;
    assert!(matches!(err, Error::BadRequest { .. }), "{err}");
    assert_eq!(err.detail(), Some("payload too large: max 4096 bytes"));
    assert!(err.to_string().contains("max 4096 bytes"));
}

#[tokio::test]
async fn json_error_details_are_kept() {
    let err =
        publish_answered(ResponseTemplate::new(404).set_body_json(
            json!({"status": 404, "title": "Not Found", "detail": "Cache Not Found"}),
        ))
        .await;
    assert!(matches!(err, Error::NotFound { .. }), "{err}");
    assert_eq!(err.detail(), Some("Cache Not Found"));
    assert!(!err.may_have_been_delivered());
}

#[tokio::test]
async fn server_errors_are_not_retried_and_may_have_been_delivered() {
    let err = publish_answered(ResponseTemplate::new(500).set_body_string("internal")).await;
    assert_eq!(err.status(), Some(500));
    assert!(err.is_retryable());
    assert!(err.may_have_been_delivered());
    let err = publish_answered(ResponseTemplate::new(429).insert_header("retry-after", "3")).await;
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3)));
}

#[tokio::test]
async fn retry_after_may_be_an_http_date_and_nonsense_is_ignored() {
    let in_a_minute = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(60));
    let err =
        publish_answered(ResponseTemplate::new(429).insert_header("retry-after", in_a_minute))
            .await;
    let wait = err.retry_after().expect("an HTTP date is a Retry-After");
    assert!(
        wait > Duration::from_secs(55) && wait <= Duration::from_secs(60),
        "{wait:?}"
    );
    // Too large for a Duration: no advice, and no panic.
    let err =
        publish_answered(ResponseTemplate::new(503).insert_header("retry-after", "1e300")).await;
    assert_eq!(err.status(), Some(503));
    assert_eq!(err.retry_after(), None);
}

#[tokio::test]
async fn undocumented_statuses_keep_the_raw_body() {
    let err = publish_answered(ResponseTemplate::new(418).set_body_string("teapot")).await;
    match err {
        Error::UnexpectedStatus { status: 418, body } => assert!(body.contains("teapot"), "{body}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_refused_connection_was_not_delivered() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let client = momento_http::TopicClient::builder()
        .api_key(&common::v1_key(&format!("http://{addr}")))
        .auth_placement(AuthPlacement::Query)
        .build()
        .unwrap();
    let err = bounded(client.publish("c", "t", "x")).await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err}");
    assert!(!err.may_have_been_delivered(), "{err}");
    assert!(!err.to_string().contains(common::SECRET_JWT), "{err}");
    assert!(
        !err.to_string().contains(client.credential().expose_token()),
        "{err}"
    );
}

#[tokio::test]
async fn a_timed_out_publish_may_have_been_delivered() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(204).set_delay(std::time::Duration::from_secs(2)))
        .mount(&server)
        .await;
    // The client applies the timeout to its own reqwest client and per
    // request to a caller's: both must hold.
    for own_reqwest_client in [true, false] {
        let mut builder = momento_http::TopicClient::builder()
            .api_key(&common::v1_key(&server.uri()))
            .publish_timeout(std::time::Duration::from_millis(100));
        if !own_reqwest_client {
            builder = builder.reqwest_client(
                momento_http::http_client_builder()
                    .expect("rustls accepts ring's defaults")
                    .build()
                    .expect("reqwest client"),
            );
        }
        let client = builder.build().unwrap();
        let err = bounded(client.publish("c", "t", "x")).await.unwrap_err();
        assert!(err.may_have_been_delivered(), "{err}");
    }
}
