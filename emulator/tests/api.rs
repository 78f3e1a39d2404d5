//! Every documented status, auth placement and scope, limits and fault
//! injection, over real sockets with raw reqwest.

mod common;
use common::*;
use momento_http_emulator::{Emulator, Limits};
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;

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
    use base64::Engine as _;
    let wrapper: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE
            .decode(&env.key)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(wrapper["endpoint"], env.base);
    let jwt = wrapper["api_key"].as_str().unwrap();
    assert_eq!(env.publish_with(jwt, "c", "t", "x").await, 204);
    // Forged.
    assert_eq!(env.publish_with("not-a-token", "c", "t", "x").await, 401);
    let other = Emulator::builder().start().await.unwrap();
    assert_eq!(env.publish_with(&other.api_key(), "c", "t", "x").await, 401);
}

#[tokio::test]
async fn token_expiry_and_scope() {
    let env = start().await;
    let expired = env
        .mint(json!({"role": "publish-subscribe", "ttl_seconds": 0}))
        .await;
    assert_eq!(env.publish_with(&expired, "c", "t", "x").await, 401);
    let sub_only = env
        .mint(json!({"role": "subscribe", "ttl_seconds": 60}))
        .await;
    assert_eq!(env.publish_with(&sub_only, "c", "t", "x").await, 403);
    let pub_only = env
        .mint(json!({"role": "publish", "ttl_seconds": 60}))
        .await;
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
        .mint(json!({"role": "publish", "ttl_seconds": 60, "caches": ["d"]}))
        .await;
    assert_eq!(env.publish_with(&cache_d, "c", "t", "x").await, 403);
    let topic_u = env
        .mint(json!({"role": "publish", "ttl_seconds": 60, "topics": ["u"]}))
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
        let (s, _) = env
            .admin(Method::PUT, &format!("caches/{name}"), None)
            .await;
        assert_eq!(s, 204);
    }
    let (s, _) = env.admin(Method::PUT, "caches/f", None).await;
    assert_eq!(s, 429);

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
    let (s, v) = env.admin(Method::PUT, "caches/x", None).await;
    assert_eq!(s, 204, "{v}");
    let (_, v) = env.admin(Method::GET, "caches", None).await;
    assert_eq!(v["caches"], json!(["c", "x"]));
    assert_eq!(env.admin(Method::DELETE, "caches/x", None).await.0, 204);
    assert_eq!(env.admin(Method::DELETE, "caches/x", None).await.0, 404);
    let (s, v) = env.admin(Method::GET, "health", None).await;
    assert_eq!((s, v["status"].as_str()), (200, Some("ok")));
    let spec = env
        .http
        .get(format!("{}/_emulator/openapi.yaml", env.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(spec.contains("operationId: subscribe"));
    let (s, _) = env
        .admin(
            Method::PUT,
            "config/long-poll-wait",
            Some(json!({"millis": 1000})),
        )
        .await;
    assert_eq!(s, 204);
    let started = std::time::Instant::now();
    env.poll("t", 0, 0).await;
    // Lower bounds do not flake on a busy machine: the new wait (1 s) applies.
    assert!(started.elapsed() >= Duration::from_millis(900));
}

#[tokio::test]
async fn fault_injection() {
    let env = start().await;
    let inject = |body: Value| env.admin(Method::POST, "faults", Some(body));
    assert_eq!(
        inject(json!({"operation": "publish", "count": 2, "action": {"status": 503, "retry_after_seconds": 3}})).await.0,
        204
    );
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
    inject(
        json!({"operation": "publish", "topic": "other", "count": 1, "action": {"status": 500}}),
    )
    .await;
    assert_eq!(env.publish("t", "x").await, 204);
    assert_eq!(env.publish("other", "x").await, 500);
    // Drop: a connection error.
    inject(json!({"operation": "publish", "count": 1, "action": {"drop": true}})).await;
    let r = env
        .http
        .post(env.topic_url("c", "t"))
        .header("authorization", &env.key)
        .body("x")
        .send()
        .await;
    assert!(r.is_err(), "{r:?}");
    // Delay.
    inject(json!({"operation": "subscribe", "count": 1, "action": {"delay_ms": 300}})).await;
    let started = std::time::Instant::now();
    env.poll("t", 1, 0).await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    // Bad action, then clear.
    assert_eq!(
        inject(json!({"operation": "publish", "count": 1, "action": {}}))
            .await
            .0,
        400
    );
    inject(json!({"operation": "publish", "count": 5, "action": {"status": 500}})).await;
    assert_eq!(env.admin(Method::DELETE, "faults", None).await.0, 204);
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
            let (s, v) = env.admin(Method::GET, "caches/c/topics/t", None).await;
            assert_eq!((s, v["waiting_subscribers"].as_u64()), (200, Some(1)));
            env.admin(Method::DELETE, "caches/c", None).await
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
