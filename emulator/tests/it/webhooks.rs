//! Webhooks end to end: an axum receiver on 127.0.0.1:0 checks body,
//! signature, rotation, deletion and recorded outcomes.

use crate::common::*;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use momento_http::admin_wire::{
    DeliveryOutcome, MintTokenRequest, PostUrl, TokenRole, Webhook, WebhookId,
};
use momento_http::webhook::sign as sign_webhook_body;
use momento_http::wire::WebhookEvent;
use momento_http_emulator::WEBHOOK_USER_AGENT;
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

/// Webhook `name` of `cache` on topic "t", posting to `url`.
fn webhook(cache: &str, name: &str, url: &str) -> Webhook {
    Webhook {
        id: WebhookId {
            cache_name: cache.into(),
            webhook_name: name.into(),
        },
        topic_name: "t".into(),
        destination: PostUrl {
            post_url: url.into(),
        },
    }
}

/// Every recorded delivery's outcome, sorted (a record is written when the
/// receiver's answer arrives, so their order may vary).
async fn outcomes(env: &Env) -> Vec<DeliveryOutcome> {
    let mut outcomes: Vec<DeliveryOutcome> = env
        .admin
        .list_deliveries()
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.outcome)
        .collect();
    outcomes.sort_unstable();
    outcomes
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
    let hook = webhook("c", "w", &url);
    let secret = env.admin.put_webhook(&hook).await.unwrap();

    let key = env
        .mint(MintTokenRequest {
            token_id: Some("pub-1".into()),
            ..token(TokenRole::Publish, 60)
        })
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
    let got = env.admin.get_webhook_secret(&hook.id).await.unwrap();
    assert_eq!(
        (
            got.secret.as_str(),
            got.webhook_name.as_str(),
            got.cache_name.as_str()
        ),
        (secret.as_str(), "w", "c")
    );
    let listed = env.admin.list_webhooks("c").await.unwrap();
    let listed: Vec<_> = listed
        .iter()
        .map(|h| {
            (
                h.id.cache_name.as_str(),
                h.id.webhook_name.as_str(),
                h.topic_name.as_str(),
                h.destination.post_url.as_str(),
            )
        })
        .collect();
    assert_eq!(listed, [("c", "w", "t", url.as_str())]);

    // Rotation: the new secret signs, the old one does not.
    let new_secret = env
        .admin
        .rotate_webhook_secret(&hook.id)
        .await
        .unwrap()
        .secret;
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
    env.admin.delete_webhook(&hook.id).await.unwrap();
    let err = env.admin.delete_webhook(&hook.id).await.unwrap_err();
    assert_eq!(err.status(), Some(404), "{err}");
    env.publish("t", "gone").await;
    assert!(
        tokio::time::timeout(Duration::from_millis(300), rx.recv())
            .await
            .is_err()
    );

    let mut expected = vec![
        DeliveryOutcome::Skipped,
        DeliveryOutcome::Success,
        DeliveryOutcome::Success,
    ];
    expected.sort_unstable();
    assert_eq!(outcomes(&env).await, expected);
}

#[tokio::test]
async fn a_failing_receiver_is_recorded_and_not_retried() {
    let env = start().await;
    let (url, mut rx) = receiver(StatusCode::INTERNAL_SERVER_ERROR).await;
    env.admin
        .put_webhook(&webhook("c", "w", &url))
        .await
        .unwrap();
    env.publish("t", "x").await;
    next(&mut rx).await;
    assert!(
        tokio::time::timeout(Duration::from_millis(300), rx.recv())
            .await
            .is_err()
    );
    let deliveries = env.admin.list_deliveries().await.unwrap();
    assert_eq!(deliveries[0].outcome, DeliveryOutcome::Status);
    assert_eq!(deliveries[0].status, Some(500));
}

#[tokio::test]
async fn webhook_admin_errors() {
    let env = start().await;
    fn status<T>(r: Result<T, momento_http::Error>) -> Option<u16> {
        r.map(|_| ()).unwrap_err().status()
    }
    let unknown_cache = webhook("nope", "w", "http://127.0.0.1:1/x");
    assert_eq!(
        status(env.admin.put_webhook(&unknown_cache).await),
        Some(404)
    );
    let unknown_hook = webhook("c", "none", "http://127.0.0.1:1/x").id;
    assert_eq!(
        status(env.admin.get_webhook_secret(&unknown_hook).await),
        Some(404)
    );
    let long = webhook("c", &"w".repeat(129), "http://127.0.0.1:1/x");
    assert_eq!(status(env.admin.put_webhook(&long).await), Some(400));
    let bad = webhook("c", "w", "not a url");
    assert_eq!(status(env.admin.put_webhook(&bad).await), Some(400));
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
    env.admin
        .put_webhook(&webhook("c", "w", &url))
        .await
        .unwrap();
    let started = std::time::Instant::now();
    assert_eq!(env.publish("t", "x").await, 204);
    assert!(started.elapsed() < Duration::from_secs(1));
    tokio::time::timeout(BOUND, rx.recv()).await.unwrap();
    let deadline = std::time::Instant::now() + BOUND;
    loop {
        if let Some(d) = env.admin.list_deliveries().await.unwrap().first() {
            assert_eq!(d.outcome, DeliveryOutcome::Timeout);
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
