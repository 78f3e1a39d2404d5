//! WebhookAdmin speaks the emulator's admin API with the seed's types.

mod common;

use common::bounded;
use momento_http::Error;
use momento_http::webhook::{PostUrl, Webhook, WebhookAdmin, WebhookId};
use serde_json::json;
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn id() -> WebhookId {
    WebhookId {
        cache_name: "cache".into(),
        webhook_name: "orders hook".into(),
    }
}

#[tokio::test]
async fn put_sends_topic_and_destination_and_returns_the_secret() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/_emulator/caches/cache/webhooks/orders%20hook"))
        .and(body_json(
            json!({"topicName": "orders", "destination": {"postUrl": "http://127.0.0.1:9/hook"}}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"secretString": "s3cret"})))
        .expect(1)
        .mount(&server)
        .await;
    let admin = WebhookAdmin::new(&server.uri()).unwrap();
    let secret = bounded(admin.put_webhook(&Webhook {
        id: id(),
        topic_name: "orders".into(),
        destination: PostUrl {
            post_url: "http://127.0.0.1:9/hook".into(),
        },
    }))
    .await
    .unwrap();
    assert_eq!(secret, "s3cret");
}

#[tokio::test]
async fn list_get_rotate_and_delete() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/_emulator/caches/cache/webhooks"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"webhooks": [
                {"id": {"cacheName": "cache", "webhookName": "orders hook"}, "topicName": "orders",
                 "destination": {"postUrl": "http://x/"}}
            ]})),
        )
        .mount(&server)
        .await;
    let secret = json!({"secret": "new", "webhookName": "orders hook", "cacheName": "cache"});
    Mock::given(method("POST"))
        .and(path(
            "/_emulator/caches/cache/webhooks/orders%20hook/rotate-secret",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(secret.clone()))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(
            "/_emulator/caches/cache/webhooks/orders%20hook/secret",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(secret))
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/_emulator/caches/cache/webhooks/orders%20hook"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let admin = WebhookAdmin::new(&server.uri()).unwrap();
    let hooks = bounded(admin.list_webhooks("cache")).await.unwrap();
    assert_eq!(hooks[0].id.webhook_name, "orders hook");
    assert_eq!(
        bounded(admin.rotate_webhook_secret(&id()))
            .await
            .unwrap()
            .secret,
        "new"
    );
    assert_eq!(
        bounded(admin.get_webhook_secret(&id()))
            .await
            .unwrap()
            .secret,
        "new"
    );
    bounded(admin.delete_webhook(&id())).await.unwrap();
}

#[tokio::test]
async fn unknown_webhooks_are_not_found_with_the_detail() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404).set_body_json(
            json!({"status": 404, "title": "Not Found", "detail": "webhook orders hook not found"}),
        ))
        .mount(&server)
        .await;
    let admin = WebhookAdmin::new(&server.uri()).unwrap();
    let err = bounded(admin.get_webhook_secret(&id())).await.unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err}");
    assert_eq!(err.detail(), Some("webhook orders hook not found"));
}
