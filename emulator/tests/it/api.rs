//! Every documented status, auth placement and scope, limits and fault
//! injection, over real sockets with raw reqwest.

use crate::common::*;
use momento_http::admin_wire::{
    FaultAction, FaultOperation, FaultRequest, MintTokenRequest, TokenRole,
};
use momento_http_emulator::{Emulator, Limits};
use serde_json::Value;
use std::num::NonZeroU32;
use std::time::Duration;

/// A fault on the next `count` requests of `operation`, any cache or topic.
fn fault(operation: FaultOperation, count: u32, action: FaultAction) -> FaultRequest {
    FaultRequest {
        operation,
        cache: None,
        topic: None,
        count: NonZeroU32::new(count).expect("count > 0"),
        action,
    }
}

/// Answer `status` (with no Retry-After).
fn status(status: u16) -> FaultAction {
    FaultAction {
        status: Some(status),
        ..FaultAction::default()
    }
}

async fn error_body(resp: reqwest::Response) -> (u16, Value) {
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string());
    let body: Value = resp.json().await.expect("JSON error body");
    assert_eq!(ct.as_deref(), Some("application/json"));
    assert_eq!(body["status"], status);
    assert!(body["title"].is_string() && body["detail"].is_string());
    (status, body)
}

#[tokio::test]
async fn publish_statuses() {
    let env = start().await;
    assert_eq!(env.publish("t", "hi").await, 204);
    // Query-token form, curl's default content type.
    let resp = env
        .http
        .post(env.topic_url("c", "t"))
        .query(&[("token", &env.key)])
        .header("content-type", "application/x-www-form-urlencoded")
        .body("hello")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    // Too big.
    let resp = env
        .http
        .post(env.topic_url("c", "t"))
        .header("authorization", &env.key)
        .body(vec![b'a'; 4097])
        .send()
        .await
        .unwrap();
    let (s, body) = error_body(resp).await;
    assert_eq!(s, 400);
    assert!(body["detail"].as_str().unwrap().contains("4096"));
    // Invalid UTF-8 as text.
    let resp = env
        .http
        .post(env.topic_url("c", "t"))
        .header("authorization", &env.key)
        .header("content-type", "text/plain")
        .body(vec![0xff, 0xfe])
        .send()
        .await
        .unwrap();
    assert_eq!(error_body(resp).await.0, 400);
    // Binary is fine and comes back as base64.
    let resp = env
        .http
        .post(env.topic_url("c", "t"))
        .header("authorization", &env.key)
        .header("content-type", "application/octet-stream")
        .body(vec![0xff, 0xfe])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let got = env.poll("t", 3, 0).await;
    assert!(matches!(&got[0], El::Item(3, _, v) if v == "b://4="));
    // Unknown cache.
    let resp = env
        .http
        .post(env.topic_url("nope", "t"))
        .header("authorization", &env.key)
        .body("x")
        .send()
        .await
        .unwrap();
    let (s, body) = error_body(resp).await;
    assert_eq!(s, 404);
    assert_eq!(body["title"], "Cache Not Found");
    // Whitespace-only topic name.
    let resp = env
        .http
        .post(env.topic_url("c", "%20"))
        .header("authorization", &env.key)
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(error_body(resp).await.0, 400);
}

#[tokio::test]
async fn subscribe_bad_input_is_400() {
    let env = start().await;
    for q in [
        "sequence_number=-1",
        "sequence_number=abc",
        "sequence_page=1.5",
    ] {
        let resp = env
            .http
            .get(format!("{}?{q}", env.topic_url("c", "t")))
            .header("authorization", &env.key)
            .send()
            .await
            .unwrap();
        let (s, body) = error_body(resp).await;
        assert_eq!(s, 400, "{q}");
        assert!(body["detail"].as_str().unwrap().contains("sequence_"));
    }
}

#[tokio::test]
async fn unknown_routes_and_methods_are_json() {
    let env = start().await;
    let resp = env
        .http
        .get(format!("{}/nope", env.base))
        .send()
        .await
        .unwrap();
    assert_eq!(error_body(resp).await.0, 404);
    let resp = env
        .http
        .delete(env.topic_url("c", "t"))
        .send()
        .await
        .unwrap();
    assert_eq!(error_body(resp).await.0, 405);
}

#[tokio::test]
async fn token_placement() {
    let env = start().await;
    // Both: 400.
    let resp = env
        .http
        .post(env.topic_url("c", "t"))
        .header("authorization", &env.key)
        .query(&[("token", &env.key)])
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(error_body(resp).await.0, 400);
    // None: 401.
    let resp = env
        .http
        .post(env.topic_url("c", "t"))
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(error_body(resp).await.0, 401);
    // Bearer: 401 saying what to do.
    let resp = env
        .http
        .post(env.topic_url("c", "t"))
        .header("authorization", format!("Bearer {}", env.key))
        .body("x")
        .send()
        .await
        .unwrap();
    let (s, body) = error_body(resp).await;
    assert_eq!(s, 401);
    assert!(body["detail"].as_str().unwrap().contains("raw token"));
    // The bare JWT inside the v1 wrapper works too.
    let wrapper = momento_http::codec::V1Key::parse(&env.key).unwrap();
    assert_eq!(wrapper.endpoint(), env.base);
    let jwt = wrapper.expose_api_key();
    assert_eq!(env.publish_with(jwt, "c", "t", "x").await, 204);
    // Forged.
    assert_eq!(env.publish_with("not-a-token", "c", "t", "x").await, 401);
    let other = Emulator::builder().start().await.unwrap();
    assert_eq!(env.publish_with(&other.api_key(), "c", "t", "x").await, 401);
}

#[tokio::test]
async fn token_expiry_and_scope() {
    let env = start().await;
    let expired = env.mint(token(TokenRole::PublishSubscribe, 0)).await;
    assert_eq!(env.publish_with(&expired, "c", "t", "x").await, 401);
    let sub_only = env.mint(token(TokenRole::Subscribe, 60)).await;
    assert_eq!(env.publish_with(&sub_only, "c", "t", "x").await, 403);
    let pub_only = env.mint(token(TokenRole::Publish, 60)).await;
    assert_eq!(env.publish_with(&pub_only, "c", "t", "x").await, 204);
    let resp = env
        .http
        .get(env.topic_url("c", "t"))
        .header("authorization", &pub_only)
        .send()
        .await
        .unwrap();
    assert_eq!(error_body(resp).await.0, 403);
    let cache_d = env
        .mint(MintTokenRequest {
            caches: vec!["d".into()],
            ..token(TokenRole::Publish, 60)
        })
        .await;
    assert_eq!(env.publish_with(&cache_d, "c", "t", "x").await, 403);
    let topic_u = env
        .mint(MintTokenRequest {
            topics: vec!["u".into()],
            ..token(TokenRole::Publish, 60)
        })
        .await;
    assert_eq!(env.publish_with(&topic_u, "c", "t", "x").await, 403);
    assert_eq!(env.publish_with(&topic_u, "c", "u", "x").await, 204);
    // Library minting agrees with the admin API.
    let lib = env.emu.mint_token(&momento_http_emulator::TokenSpec {
        caches: Some(vec!["c".into()]),
        topics: None,
        role: momento_http_emulator::Role::Publish,
        ttl_seconds: 60,
        token_id: Some("me".into()),
    });
    assert_eq!(env.publish_with(&lib, "c", "t", "x").await, 204);
}

#[tokio::test]
async fn limits_answer_429_with_retry_after() {
    let env = start_with(Emulator::builder().documented_limits()).await;
    let mut statuses = Vec::new();
    for _ in 0..25 {
        let resp = env
            .http
            .post(env.topic_url("c", "t"))
            .header("authorization", &env.key)
            .body("x")
            .send()
            .await
            .unwrap();
        if resp.status() == 429 {
            assert!(resp.headers().contains_key("retry-after"));
        }
        statuses.push(resp.status().as_u16());
    }
    assert!(statuses.contains(&429), "{statuses:?}");
    // Caches: 3 at most ("c" exists).
    for name in ["d", "e"] {
        env.admin.create_cache(name).await.unwrap();
    }
    let err = env.admin.create_cache("f").await.unwrap_err();
    assert_eq!(err.status(), Some(429), "{err}");

    let env = start_with(Emulator::builder().limits(Limits {
        concurrent_subscriptions: Some(1),
        ..Limits::default()
    }))
    .await;
    let (_, second) = tokio::join!(env.poll("t", 0, 0), async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        env.http
            .get(env.topic_url("c", "t"))
            .header("authorization", &env.key)
            .send()
            .await
            .unwrap()
    });
    assert_eq!(second.status(), 429);
    assert!(second.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn caches_admin() {
    let env = start().await;
    env.admin.create_cache("x").await.unwrap();
    assert_eq!(env.admin.list_caches().await.unwrap(), ["c", "x"]);
    env.admin.delete_cache("x").await.unwrap();
    let err = env.admin.delete_cache("x").await.unwrap_err();
    assert_eq!(err.status(), Some(404), "{err}");
    assert_eq!(env.admin.health().await.unwrap().status, "ok");
    let spec = env.admin.get_openapi().await.unwrap();
    assert!(spec.contains("operationId: subscribe"));
    env.admin
        .set_long_poll_wait(Duration::from_millis(1000))
        .await
        .unwrap();
    let started = std::time::Instant::now();
    env.poll("t", 0, 0).await;
    // Lower bounds do not flake on a busy machine: the new wait (1 s) applies.
    assert!(started.elapsed() >= Duration::from_millis(900));
}

#[tokio::test]
async fn fault_injection() {
    let env = start().await;
    let inject = |fault: FaultRequest| {
        let admin = env.admin.clone();
        async move { admin.inject_fault(&fault).await }
    };
    let unavailable = FaultAction {
        retry_after_seconds: Some(3),
        ..status(503)
    };
    inject(fault(FaultOperation::Publish, 2, unavailable))
        .await
        .unwrap();
    for _ in 0..2 {
        let resp = env
            .http
            .post(env.topic_url("c", "t"))
            .header("authorization", &env.key)
            .body("x")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.headers()["retry-after"], "3");
        assert_eq!(error_body(resp).await.0, 503);
    }
    assert_eq!(env.publish("t", "x").await, 204);
    // Only the matching topic.
    inject(FaultRequest {
        topic: Some("other".into()),
        ..fault(FaultOperation::Publish, 1, status(500))
    })
    .await
    .unwrap();
    assert_eq!(env.publish("t", "x").await, 204);
    assert_eq!(env.publish("other", "x").await, 500);
    // Drop: a connection error.
    let dropped = FaultAction {
        drop: Some(true),
        ..FaultAction::default()
    };
    inject(fault(FaultOperation::Publish, 1, dropped))
        .await
        .unwrap();
    let r = env
        .http
        .post(env.topic_url("c", "t"))
        .header("authorization", &env.key)
        .body("x")
        .send()
        .await;
    assert!(r.is_err(), "{r:?}");
    // Delay.
    let delay = FaultAction {
        delay_ms: Some(300),
        ..FaultAction::default()
    };
    inject(fault(FaultOperation::Subscribe, 1, delay))
        .await
        .unwrap();
    let started = std::time::Instant::now();
    env.poll("t", 1, 0).await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    // Bad action, then clear.
    let err = inject(fault(FaultOperation::Publish, 1, FaultAction::default()))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400), "{err}");
    inject(fault(FaultOperation::Publish, 5, status(500)))
        .await
        .unwrap();
    env.admin.clear_faults().await.unwrap();
    assert_eq!(env.publish("t", "x").await, 204);
}

#[tokio::test]
async fn deleting_a_cache_answers_its_waiting_polls_with_404() {
    let env = start_with(Emulator::builder().long_poll_wait(Duration::from_secs(5))).await;
    let (resp, _) = tokio::join!(
        env.http
            .get(env.topic_url("c", "t"))
            .header("authorization", &env.key)
            .send(),
        async {
            tokio::time::sleep(Duration::from_millis(100)).await;
            let state = env.admin.inspect_topic("c", "t").await.unwrap();
            assert_eq!(state.waiting_subscribers, 1);
            env.admin.delete_cache("c").await.unwrap();
        }
    );
    let (s, body) = error_body(resp.unwrap()).await;
    assert_eq!((s, body["title"].as_str()), (404, Some("Cache Not Found")));
}

#[tokio::test]
async fn the_topic_limit_bounds_memory() {
    let env = start_with(Emulator::builder().limits(Limits {
        max_topics: Some(2),
        ..Limits::default()
    }))
    .await;
    assert_eq!(env.publish("a", "x").await, 204);
    assert_eq!(env.publish("b", "x").await, 204);
    assert_eq!(env.publish("a", "y").await, 204);
    assert_eq!(env.publish("c", "x").await, 429);
}
