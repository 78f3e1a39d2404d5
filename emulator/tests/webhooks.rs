//! Webhooks end to end: an axum receiver on 127.0.0.1:0 checks body,
//! signature, rotation, deletion and recorded outcomes.

mod common;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use common::*;
use momento_http::webhook::sign as sign_webhook_body;
use momento_http::wire::WebhookEvent;
use momento_http_emulator::WEBHOOK_USER_AGENT;
use reqwest::Method;
use serde_json::json;
use std::time::Duration;
use tokio::sync::mpsc;

async fn receiver(status: StatusCode) -> (String, mpsc::UnboundedReceiver<(HeaderMap, Bytes)>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let tx = tx.clone();
            async move {
                let _ = tx.send((headers, body));
                status
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, rx)
}

async fn next(rx: &mut mpsc::UnboundedReceiver<(HeaderMap, Bytes)>) -> (HeaderMap, Bytes) {
    tokio::time::timeout(BOUND, rx.recv())
        .await
        .expect("delivered")
        .unwrap()
}

#[tokio::test]
async fn signed_delivery_rotation_and_delete() {
    let env = start().await;
    let (url, mut rx) = receiver(StatusCode::NO_CONTENT).await;
    let (s, v) = env
        .admin(
            Method::PUT,
            "caches/c/webhooks/w",
            Some(json!({"topicName": "t", "destination": {"postUrl": url}})),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let secret = v["secretString"].as_str().unwrap().to_string();

    let key = env
        .mint(json!({"role": "publish", "ttl_seconds": 60, "token_id": "pub-1"}))
        .await;
    assert_eq!(env.publish_with(&key, "c", "t", "hello").await, 204);
    let (headers, body) = next(&mut rx).await;
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(headers["user-agent"], WEBHOOK_USER_AGENT);
    assert_eq!(
        headers["momento-signature"],
        sign_webhook_body(&secret, &body).as_str()
    );
    let raw: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(raw.as_object().unwrap().len(), 7);
    let event: WebhookEvent = serde_json::from_slice(&body).unwrap();
    assert_eq!((event.cache.as_str(), event.topic.as_str()), ("c", "t"));
    assert_eq!(event.text, "hello");
    assert_eq!(event.token_id, "pub-1");
    assert_eq!(event.topic_sequence_number, 1);
    assert!(event.publish_timestamp >= event.event_timestamp);

    // Secret endpoints and list.
    let (_, v) = env
        .admin(Method::GET, "caches/c/webhooks/w/secret", None)
        .await;
    assert_eq!(
        v,
        json!({"secret": secret, "webhookName": "w", "cacheName": "c"})
    );
    let (_, v) = env.admin(Method::GET, "caches/c/webhooks", None).await;
    assert_eq!(
        v,
        json!({"webhooks": [{"id": {"cacheName": "c", "webhookName": "w"}, "topicName": "t", "destination": {"postUrl": url}}]})
    );

    // Rotation: the new secret signs, the old one does not.
    let (_, v) = env
        .admin(Method::POST, "caches/c/webhooks/w/rotate-secret", None)
        .await;
    let new_secret = v["secret"].as_str().unwrap().to_string();
    assert_ne!(new_secret, secret);
    env.publish("t", "again").await;
    let (headers, body) = next(&mut rx).await;
    assert_eq!(
        headers["momento-signature"],
        sign_webhook_body(&new_secret, &body).as_str()
    );
    assert_ne!(
        headers["momento-signature"],
        sign_webhook_body(&secret, &body).as_str()
    );

    // Binary messages are skipped and recorded.
    env.http
        .post(env.topic_url("c", "t"))
        .header("authorization", &env.key)
        .header("content-type", "application/octet-stream")
        .body(vec![1u8, 2])
        .send()
        .await
        .unwrap();

    // Delete stops delivery.
    assert_eq!(
        env.admin(Method::DELETE, "caches/c/webhooks/w", None)
            .await
            .0,
        204
    );
    assert_eq!(
        env.admin(Method::DELETE, "caches/c/webhooks/w", None)
            .await
            .0,
        404
    );
    env.publish("t", "gone").await;
    assert!(
        tokio::time::timeout(Duration::from_millis(300), rx.recv())
            .await
            .is_err()
    );

    let (_, v) = env.admin(Method::GET, "deliveries", None).await;
    let outcomes: Vec<&str> = v["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["outcome"].as_str().unwrap())
        .collect();
    // A record is written when the receiver's answer arrives, so order may vary.
    let mut outcomes = outcomes;
    outcomes.sort_unstable();
    assert_eq!(outcomes, vec!["skipped", "success", "success"]);
}

#[tokio::test]
async fn a_failing_receiver_is_recorded_and_not_retried() {
    let env = start().await;
    let (url, mut rx) = receiver(StatusCode::INTERNAL_SERVER_ERROR).await;
    env.admin(
        Method::PUT,
        "caches/c/webhooks/w",
        Some(json!({"topicName": "t", "destination": {"postUrl": url}})),
    )
    .await;
    env.publish("t", "x").await;
    next(&mut rx).await;
    assert!(
        tokio::time::timeout(Duration::from_millis(300), rx.recv())
            .await
            .is_err()
    );
    let (_, v) = env.admin(Method::GET, "deliveries", None).await;
    assert_eq!(v["deliveries"][0]["outcome"], "status");
    assert_eq!(v["deliveries"][0]["status"], 500);
}

#[tokio::test]
async fn webhook_admin_errors() {
    let env = start().await;
    let body = json!({"topicName": "t", "destination": {"postUrl": "http://127.0.0.1:1/x"}});
    assert_eq!(
        env.admin(Method::PUT, "caches/nope/webhooks/w", Some(body.clone()))
            .await
            .0,
        404
    );
    assert_eq!(
        env.admin(Method::GET, "caches/c/webhooks/none/secret", None)
            .await
            .0,
        404
    );
    let long = "w".repeat(129);
    assert_eq!(
        env.admin(
            Method::PUT,
            &format!("caches/c/webhooks/{long}"),
            Some(body)
        )
        .await
        .0,
        400
    );
    let bad = json!({"topicName": "t", "destination": {"postUrl": "not a url"}});
    assert_eq!(
        env.admin(Method::PUT, "caches/c/webhooks/w", Some(bad))
            .await
            .0,
        400
    );
}

#[tokio::test]
async fn a_slow_receiver_is_recorded_as_timeout_and_publish_is_not_delayed() {
    let env = start().await;
    let (tx, mut rx) = mpsc::unbounded_channel::<()>();
    let app = axum::Router::new().route(
        "/slow",
        axum::routing::post(move || {
            let tx = tx.clone();
            async move {
                let _ = tx.send(());
                tokio::time::sleep(Duration::from_secs(6)).await;
                StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/slow", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    env.admin(
        Method::PUT,
        "caches/c/webhooks/w",
        Some(json!({"topicName": "t", "destination": {"postUrl": url}})),
    )
    .await;
    let started = std::time::Instant::now();
    assert_eq!(env.publish("t", "x").await, 204);
    assert!(started.elapsed() < Duration::from_secs(1));
    tokio::time::timeout(BOUND, rx.recv()).await.unwrap();
    let deadline = std::time::Instant::now() + BOUND;
    loop {
        let (_, v) = env.admin(Method::GET, "deliveries", None).await;
        if let Some(d) = v["deliveries"].as_array().and_then(|a| a.first()) {
            assert_eq!(d["outcome"], "timeout");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no delivery record");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Not retried.
    assert!(
        tokio::time::timeout(Duration::from_millis(300), rx.recv())
            .await
            .is_err()
    );
}
