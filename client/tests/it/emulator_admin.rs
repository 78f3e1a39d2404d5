//! EmulatorAdmin against wiremock: each operation's method, path and body as
//! openapi/emulator-admin.yaml pins them, the typed results, and errors that
//! say what to do. (emulator/tests/it/admin_client.rs drives the real emulator.)

use std::time::Duration;

use crate::common::bounded;
use momento_http::admin_wire::{
    DeliveryOutcome, FaultAction, FaultOperation, FaultRequest, MintTokenRequest, PostUrl,
    TokenRole, Webhook, WebhookId,
};
use momento_http::{EmulatorAdmin, Error};
use serde_json::json;
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn id() -> WebhookId {
    WebhookId {
        cache_name: "cache".into(),
        webhook_name: "orders hook".into(),
    }
}

/// Answers `verb path` (with `body`, when given) by `response`, exactly once.
async fn expect(
    server: &MockServer,
    verb: &str,
    at: &str,
    body: Option<serde_json::Value>,
    response: ResponseTemplate,
) {
    let mock = Mock::given(method(verb)).and(path(at));
    let mock = match body {
        Some(b) => mock.and(body_json(b)),
        None => mock,
    };
    mock.respond_with(response).expect(1).mount(server).await;
}

#[tokio::test]
async fn cache_and_health_operations_use_the_specs_paths() {
    let server = MockServer::start().await;
    let ok = json!({"status": "ok"});
    expect(
        &server,
        "GET",
        "/_emulator/health",
        None,
        ResponseTemplate::new(200).set_body_json(ok),
    )
    .await;
    let spec = "openapi: 3.0.3\n";
    expect(
        &server,
        "GET",
        "/_emulator/openapi.yaml",
        None,
        ResponseTemplate::new(200).set_body_string(spec),
    )
    .await;
    let caches = json!({"caches": ["a", "b"]});
    expect(
        &server,
        "GET",
        "/_emulator/caches",
        None,
        ResponseTemplate::new(200).set_body_json(caches),
    )
    .await;
    expect(
        &server,
        "PUT",
        "/_emulator/caches/a%20b",
        None,
        ResponseTemplate::new(204),
    )
    .await;
    expect(
        &server,
        "DELETE",
        "/_emulator/caches/a",
        None,
        ResponseTemplate::new(204),
    )
    .await;

    let admin = EmulatorAdmin::new(&server.uri()).unwrap();
    assert_eq!(bounded(admin.health()).await.unwrap().status, "ok");
    assert_eq!(bounded(admin.get_openapi()).await.unwrap(), spec);
    assert_eq!(bounded(admin.list_caches()).await.unwrap(), ["a", "b"]);
    bounded(admin.create_cache("a b")).await.unwrap();
    bounded(admin.delete_cache("a")).await.unwrap();
}

#[tokio::test]
async fn tokens_topics_waits_and_faults_send_the_specs_bodies() {
    let server = MockServer::start().await;
    let minted = json!({"api_key": "k", "token_id": "t1", "expires_at": 5});
    expect(
        &server,
        "POST",
        "/_emulator/tokens",
        Some(json!({"role": "publish", "ttl_seconds": 60, "caches": ["c"], "token_id": "t1"})),
        ResponseTemplate::new(200).set_body_json(minted),
    )
    .await;
    let state = json!({"sequence_page": 7, "next_sequence_number": 3, "buffered": 2,
                       "first_buffered": 1, "waiting_subscribers": 0});
    expect(
        &server,
        "GET",
        "/_emulator/caches/c/topics/t%2Fx",
        None,
        ResponseTemplate::new(200).set_body_json(&state),
    )
    .await;
    expect(
        &server,
        "POST",
        "/_emulator/caches/c/topics/t/reset",
        None,
        ResponseTemplate::new(200).set_body_json(&state),
    )
    .await;
    expect(
        &server,
        "POST",
        "/_emulator/caches/c/topics/t/evict",
        Some(json!({"count": 2})),
        ResponseTemplate::new(200).set_body_json(&state),
    )
    .await;
    expect(
        &server,
        "PUT",
        "/_emulator/config/long-poll-wait",
        Some(json!({"millis": 1500})),
        ResponseTemplate::new(204),
    )
    .await;
    expect(
        &server,
        "POST",
        "/_emulator/faults",
        Some(json!({"operation": "subscribe", "topic": "t", "count": 2, "action": {"delay_ms": 300}})),
        ResponseTemplate::new(204),
    )
    .await;
    expect(
        &server,
        "DELETE",
        "/_emulator/faults",
        None,
        ResponseTemplate::new(204),
    )
    .await;

    let admin = EmulatorAdmin::new(&server.uri()).unwrap();
    let token = bounded(admin.mint_token(&MintTokenRequest {
        caches: vec!["c".into()],
        topics: vec![],
        role: TokenRole::Publish,
        ttl_seconds: 60,
        token_id: Some("t1".into()),
    }))
    .await
    .unwrap();
    assert_eq!((token.token_id.as_str(), token.expires_at), ("t1", 5));
    let inspected = bounded(admin.inspect_topic("c", "t/x")).await.unwrap();
    assert_eq!(
        (
            inspected.sequence_page,
            inspected.next_sequence_number,
            inspected.first_buffered
        ),
        (7, 3, Some(1))
    );
    assert_eq!(
        bounded(admin.reset_topic("c", "t")).await.unwrap().buffered,
        2
    );
    bounded(admin.evict_messages("c", "t", 2)).await.unwrap();
    bounded(admin.set_long_poll_wait(Duration::from_millis(1500)))
        .await
        .unwrap();
    bounded(admin.inject_fault(&FaultRequest {
        operation: FaultOperation::Subscribe,
        cache: None,
        topic: Some("t".into()),
        count: 2.try_into().unwrap(),
        action: FaultAction {
            delay_ms: Some(300),
            ..FaultAction::default()
        },
    }))
    .await
    .unwrap();
    bounded(admin.clear_faults()).await.unwrap();
}

#[tokio::test]
async fn webhook_operations_send_topic_and_destination_and_return_secrets() {
    let server = MockServer::start().await;
    expect(
        &server,
        "PUT",
        "/_emulator/caches/cache/webhooks/orders%20hook",
        Some(json!({"topicName": "orders", "destination": {"postUrl": "http://127.0.0.1:9/hook"}})),
        ResponseTemplate::new(200).set_body_json(json!({"secretString": "s3cret"})),
    )
    .await;
    let listed = json!({"webhooks": [{"id": {"cacheName": "cache", "webhookName": "orders hook"},
                        "topicName": "orders", "destination": {"postUrl": "http://x/"}}]});
    expect(
        &server,
        "GET",
        "/_emulator/caches/cache/webhooks",
        None,
        ResponseTemplate::new(200).set_body_json(listed),
    )
    .await;
    let secret = json!({"secret": "new", "webhookName": "orders hook", "cacheName": "cache"});
    expect(
        &server,
        "POST",
        "/_emulator/caches/cache/webhooks/orders%20hook/rotate-secret",
        None,
        ResponseTemplate::new(200).set_body_json(&secret),
    )
    .await;
    expect(
        &server,
        "GET",
        "/_emulator/caches/cache/webhooks/orders%20hook/secret",
        None,
        ResponseTemplate::new(200).set_body_json(&secret),
    )
    .await;
    expect(
        &server,
        "DELETE",
        "/_emulator/caches/cache/webhooks/orders%20hook",
        None,
        ResponseTemplate::new(204),
    )
    .await;
    let deliveries = json!({"deliveries": [{"cacheName": "cache", "webhookName": "orders hook",
        "topicName": "orders", "topicSequenceNumber": 4, "outcome": "status", "status": 500,
        "detail": "500 Internal Server Error", "at_ms": 1}]});
    expect(
        &server,
        "GET",
        "/_emulator/deliveries",
        None,
        ResponseTemplate::new(200).set_body_json(deliveries),
    )
    .await;

    let admin = EmulatorAdmin::new(&server.uri()).unwrap();
    let put = bounded(admin.put_webhook(&Webhook {
        id: id(),
        topic_name: "orders".into(),
        destination: PostUrl {
            post_url: "http://127.0.0.1:9/hook".into(),
        },
    }))
    .await
    .unwrap();
    assert_eq!(put, "s3cret");
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
    let deliveries = bounded(admin.list_deliveries()).await.unwrap();
    assert_eq!(deliveries[0].outcome, DeliveryOutcome::Status);
    assert_eq!(
        (deliveries[0].status, deliveries[0].topic_sequence_number),
        (Some(500), 4)
    );
}

#[tokio::test]
async fn the_emulators_errors_keep_their_status_and_detail() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404).set_body_json(
            json!({"status": 404, "title": "Not Found", "detail": "webhook orders hook not found"}),
        ))
        .mount(&server)
        .await;
    // 429 is not in list_caches' responses: the JSON body still makes it the emulator's.
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(429).set_body_json(
            json!({"status": 429, "title": "Too Many Requests", "detail": "at most 3 caches"}),
        ))
        .mount(&server)
        .await;
    let admin = EmulatorAdmin::new(&server.uri()).unwrap();
    let err = bounded(admin.get_webhook_secret(&id())).await.unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err}");
    assert_eq!(err.detail(), Some("webhook orders hook not found"));
    let err = bounded(admin.create_cache("d")).await.unwrap_err();
    assert_eq!(
        (err.status(), err.detail()),
        (Some(429), Some("at most 3 caches"))
    );
}

#[tokio::test]
async fn an_address_that_is_not_the_emulator_is_named_in_the_error() {
    // Momento's service (or any other server) answers /_emulator/ without
    // the admin API's JSON error body.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404).set_body_string("<html>no</html>"))
        .mount(&server)
        .await;
    let admin = EmulatorAdmin::new(&server.uri()).unwrap();
    let err = bounded(admin.list_caches()).await.unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, Error::InvalidResponse { .. }), "{msg}");
    assert!(msg.contains("does not look like the emulator"), "{msg}");
    assert!(msg.contains(&server.uri()), "{msg}");
    assert!(msg.contains("list_caches"), "{msg}");
}

#[tokio::test]
async fn an_emulator_that_is_not_running_is_named_in_the_error() {
    // A loopback port that was free a moment ago: nothing listens there.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let admin = EmulatorAdmin::new(&format!("http://{address}")).unwrap();
    let err = bounded(admin.health()).await.unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, Error::Transport { .. }), "{msg}");
    assert!(msg.contains("is the emulator running there?"), "{msg}");
    assert!(
        msg.contains(&address.to_string()) && msg.contains("health"),
        "{msg}"
    );
}

#[test]
fn the_builder_needs_an_http_base_url() {
    let err = EmulatorAdmin::builder().build().unwrap_err();
    assert!(err.to_string().contains(".base_url("), "{err}");
    let err = EmulatorAdmin::new("not a url").unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err}");
    let admin = EmulatorAdmin::builder()
        .base_url("http://127.0.0.1:8080")
        .timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    assert_eq!(admin.base_url().as_str(), "http://127.0.0.1:8080/");
    assert!(format!("{admin:?}").contains("127.0.0.1:8080"));
}

#[test]
fn the_admin_client_can_move_between_tasks() {
    fn assert_send_sync_clone<T: Send + Sync + Clone + 'static>() {}
    assert_send_sync_clone::<EmulatorAdmin>();
}
