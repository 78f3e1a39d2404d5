//! The cache half of the API over real sockets: the docs' curl shapes, every
//! documented status, expiry on a clock the test moves, eviction past the
//! memory bound, and the client crate's CacheClient against the emulator.

use crate::common::*;
use momento_http::admin_wire as aw;
use momento_http::{CACHE_MAX_ITEM_BYTES, CacheClient, TopicClient};
use momento_http_emulator::{Emulator, Limits, ManualClock, Role, TokenSpec};
use reqwest::{Method, Response};
use serde_json::Value;
use std::time::Duration;

impl Env {
    fn cache_url(&self, cache: &str) -> String {
        format!("{}/cache/{cache}", self.base)
    }

    /// `method /cache/{cache}?query` with the header token, bounded.
    async fn cache_call(
        &self,
        method: Method,
        cache: &str,
        query: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Response {
        tokio::time::timeout(
            BOUND,
            self.http
                .request(method, self.cache_url(cache))
                .header("authorization", &self.key)
                .query(query)
                .body(body)
                .send(),
        )
        .await
        .expect("bounded")
        .expect("sent")
    }

    fn client(&self) -> CacheClient {
        TopicClient::builder()
            .api_key(&self.key)
            .build()
            .expect("client builds")
            .cache()
    }
}

/// Status and JSON body of an error answer.
async fn error_of(resp: Response) -> (u16, Value) {
    let status = resp.status().as_u16();
    let body: Value = resp.json().await.expect("a JSON error body");
    (status, body)
}

fn detail(body: &Value) -> &str {
    body["detail"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn the_docs_curl_examples_work_with_either_token_placement() {
    let env = start().await;
    // curl -X PUT -H "Authorization: $TOKEN" -d 'value' ".../cache/c?key=example_key&ttl_seconds=60"
    let resp = env
        .http
        .put(format!(
            "{}?key=example_key&ttl_seconds=60",
            env.cache_url("c")
        ))
        .header("authorization", &env.key)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("value")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    // curl ".../cache/c?key=example_key&token=$TOKEN"
    let resp = env
        .http
        .get(env.cache_url("c"))
        .query(&[("key", "example_key"), ("token", env.key.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/octet-stream");
    assert_eq!(resp.bytes().await.unwrap(), "value");
    // The docs' key_base64 example names the same item.
    let resp = env
        .cache_call(
            Method::GET,
            "c",
            &[("key_base64", "ZXhhbXBsZV9rZXk")],
            vec![],
        )
        .await;
    assert_eq!(resp.bytes().await.unwrap(), "value");
    // curl -X DELETE ".../cache/c?key_base64=ZXhhbXBsZV9rZXk&token=$TOKEN"
    let resp = env
        .http
        .delete(env.cache_url("c"))
        .query(&[
            ("key_base64", "ZXhhbXBsZV9rZXk"),
            ("token", env.key.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let (status, body) = error_of(
        env.cache_call(Method::GET, "c", &[("key", "example_key")], vec![])
            .await,
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(body["title"], "Key Not Found");
    assert!(detail(&body).contains("Key Not Found"), "{body}");
}

#[tokio::test]
async fn a_missing_cache_is_404_cache_not_found_for_every_operation() {
    let env = start().await;
    for method in [Method::GET, Method::PUT, Method::DELETE] {
        let resp = env
            .cache_call(
                method.clone(),
                "nope",
                &[("key", "k"), ("ttl_seconds", "60")],
                b"v".to_vec(),
            )
            .await;
        let (status, body) = error_of(resp).await;
        assert_eq!(status, 404, "{method}");
        assert_eq!(body["title"], "Cache Not Found", "{method}");
    }
}

#[tokio::test]
async fn deleting_a_key_that_is_not_there_is_204() {
    let env = start().await;
    let resp = env
        .cache_call(Method::DELETE, "c", &[("key", "never")], vec![])
        .await;
    assert_eq!(resp.status(), 204);
}

#[tokio::test]
async fn malformed_keys_and_ttls_are_400_with_a_detail_that_says_what_to_do() {
    let env = start().await;
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[("ttl_seconds", "60")], "no key"),
        (
            &[("key", "a"), ("key_base64", "YQ"), ("ttl_seconds", "60")],
            "exactly one",
        ),
        (&[("key_base64", "a+b/"), ("ttl_seconds", "60")], "base64"),
        (&[("key", "")], "empty"),
        (&[("key", "k")], "required"),
        (&[("key", "k"), ("ttl_seconds", "0")], "outside"),
        (&[("key", "k"), ("ttl_seconds", "-5")], "whole number"),
        (&[("key", "k"), ("ttl_seconds", "86401")], "86400"),
    ];
    for (query, expected) in cases {
        let resp = env.cache_call(Method::PUT, "c", query, b"v".to_vec()).await;
        let (status, body) = error_of(resp).await;
        assert_eq!(status, 400, "{query:?}");
        assert!(detail(&body).contains(expected), "{query:?}: {body}");
    }
    let resp = env
        .cache_call(
            Method::PUT,
            "c",
            &[("key", "k"), ("ttl_seconds", "86400")],
            b"v".to_vec(),
        )
        .await;
    assert_eq!(resp.status(), 204, "24 hours is allowed");
}

#[tokio::test]
async fn an_item_of_five_megabytes_is_stored_and_one_byte_more_is_400() {
    let env = start().await;
    let at_limit = vec![b'x'; CACHE_MAX_ITEM_BYTES - 1];
    let resp = env
        .cache_call(
            Method::PUT,
            "c",
            &[("key", "k"), ("ttl_seconds", "60")],
            at_limit.clone(),
        )
        .await;
    assert_eq!(resp.status(), 204);
    let resp = env
        .cache_call(Method::GET, "c", &[("key", "k")], vec![])
        .await;
    assert_eq!(resp.bytes().await.unwrap().len(), at_limit.len());
    let resp = env
        .cache_call(
            Method::PUT,
            "c",
            &[("key", "kk"), ("ttl_seconds", "60")],
            at_limit,
        )
        .await;
    let (status, body) = error_of(resp).await;
    assert_eq!(status, 400);
    assert!(
        detail(&body).contains(&CACHE_MAX_ITEM_BYTES.to_string()),
        "{body}"
    );
}

#[tokio::test]
async fn items_expire_by_the_injected_clock_without_sleeping() {
    let clock = ManualClock::new();
    let env = start_with(Emulator::builder().cache_clock(clock.clone())).await;
    let cache = env.client();
    cache
        .set("c", "k", "v", Duration::from_secs(60))
        .await
        .unwrap();
    clock.advance(Duration::from_secs(59));
    assert!(cache.get("c", "k").await.unwrap().is_some());
    let admin = momento_http::EmulatorAdmin::new(&env.base).expect("admin client");
    let listed = admin.list_cache_items("c").await.unwrap();
    assert_eq!(listed.items.len(), 1);
    assert_eq!(listed.items[0].key.as_deref(), Some("k"));
    assert_eq!(listed.items[0].key_base64, "aw");
    assert_eq!(listed.items[0].expires_in_ms, 1000);
    assert_eq!(listed.items[0].size_bytes, 2);
    clock.advance(Duration::from_secs(1));
    assert_eq!(cache.get("c", "k").await.unwrap(), None);
    assert!(admin.list_cache_items("c").await.unwrap().items.is_empty());
}

#[tokio::test]
async fn past_the_memory_bound_the_least_recently_used_item_is_evicted() {
    // Room for three items of 1 + 9 bytes.
    let env = start_with(Emulator::builder().cache_memory(30)).await;
    let cache = env.client();
    let ttl = Duration::from_secs(60);
    for key in ["a", "b", "c"] {
        cache.set("c", key, "123456789", ttl).await.unwrap();
    }
    cache.get("c", "a").await.unwrap().expect("a is there");
    cache.set("c", "d", "123456789", ttl).await.unwrap();
    let listed = momento_http::EmulatorAdmin::new(&env.base)
        .expect("admin client")
        .list_cache_items("c")
        .await
        .unwrap();
    let keys: Vec<_> = listed
        .items
        .iter()
        .filter_map(|i| i.key.as_deref())
        .collect();
    assert_eq!(keys, ["a", "c", "d"], "b was the least recently used");
    assert_eq!((listed.used_bytes, listed.max_bytes), (30, 30));
    let err = cache.set("c", "big", vec![0u8; 40], ttl).await.unwrap_err();
    assert_eq!(err.status(), Some(400), "{err}");
}

#[tokio::test]
async fn the_client_round_trips_binary_keys_and_values_byte_for_byte() {
    let env = start().await;
    let cache = env.client();
    let all_bytes: Vec<u8> = (0..=255).collect();
    let ttl = Duration::from_secs(60);
    cache
        .set("c", all_bytes.clone(), all_bytes.clone(), ttl)
        .await
        .unwrap();
    cache
        .set("c", "a key/with spaces", "text", ttl)
        .await
        .unwrap();
    assert_eq!(
        cache.get("c", all_bytes.clone()).await.unwrap().unwrap(),
        all_bytes
    );
    // Text that needs escaping went as key_base64 and names the same item as its bytes.
    assert_eq!(
        cache
            .get("c", &b"a key/with spaces"[..])
            .await
            .unwrap()
            .unwrap(),
        "text"
    );
    cache.delete("c", all_bytes.clone()).await.unwrap();
    cache.delete("c", all_bytes.clone()).await.unwrap();
    assert_eq!(cache.get("c", all_bytes).await.unwrap(), None);
    let err = cache.get("missing", "k").await.unwrap_err();
    assert_eq!(err.status(), Some(404));
}

#[tokio::test]
async fn tokens_are_checked_as_for_topics() {
    let env = start().await;
    let scoped = |caches: Option<Vec<String>>, topics: Option<Vec<String>>, role| TokenSpec {
        caches,
        topics,
        role,
        ttl_seconds: 60,
        token_id: None,
    };
    let call = |key: String, method: Method| {
        let env = &env;
        async move {
            env.http
                .request(method, env.cache_url("c"))
                .header("authorization", key)
                .query(&[("key", "k"), ("ttl_seconds", "60")])
                .body("v")
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    let other_cache = env.emu.mint_token(&scoped(
        Some(vec!["d".into()]),
        None,
        Role::PublishSubscribe,
    ));
    assert_eq!(call(other_cache, Method::GET).await, 403);
    let reader = env
        .emu
        .mint_token(&scoped(Some(vec!["c".into()]), None, Role::Subscribe));
    assert_eq!(call(reader.clone(), Method::PUT).await, 403);
    assert_eq!(
        call(reader, Method::GET).await,
        404,
        "a miss: the read was allowed"
    );
    let writer = env.emu.mint_token(&scoped(None, None, Role::Publish));
    assert_eq!(call(writer.clone(), Method::PUT).await, 204);
    assert_eq!(call(writer, Method::GET).await, 403);
    let topics_only = env.emu.mint_token(&scoped(
        None,
        Some(vec!["t".into()]),
        Role::PublishSubscribe,
    ));
    assert_eq!(call(topics_only, Method::GET).await, 403);
    let expired = env.emu.mint_token(&TokenSpec {
        ttl_seconds: -1,
        ..scoped(None, None, Role::PublishSubscribe)
    });
    assert_eq!(call(expired, Method::GET).await, 401);
    // No token at all, and both placements at once.
    let resp = env
        .http
        .get(env.cache_url("c"))
        .query(&[("key", "k")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let resp = env
        .http
        .get(env.cache_url("c"))
        .header("authorization", &env.key)
        .query(&[("key", "k"), ("token", env.key.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
}

#[tokio::test]
async fn the_operations_limit_counts_cache_requests() {
    let env = start_with(Emulator::builder().limits(Limits {
        ops_per_second: Some(2),
        ..Limits::default()
    }))
    .await;
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let resp = env
            .cache_call(Method::DELETE, "c", &[("key", "k")], vec![])
            .await;
        statuses.push(resp.status().as_u16());
        if resp.status() == 429 {
            assert_eq!(resp.headers()["retry-after"], "1");
        }
    }
    assert_eq!(statuses, [204, 204, 429]);
}

#[tokio::test]
async fn faults_match_cache_operations_and_keys() {
    let env = start().await;
    let admin = momento_http::EmulatorAdmin::new(&env.base).expect("admin client");
    admin
        .inject_fault(&aw::FaultRequest {
            action: aw::FaultAction {
                status: Some(500),
                ..Default::default()
            },
            cache: Some("c".into()),
            count: std::num::NonZeroU32::new(1).unwrap(),
            operation: aw::FaultOperation::CacheGet,
            topic: Some("faulty".into()),
        })
        .await
        .unwrap();
    let other = env
        .cache_call(Method::GET, "c", &[("key", "fine")], vec![])
        .await;
    assert_eq!(other.status(), 404, "another key is not faulted");
    let put = env
        .cache_call(
            Method::PUT,
            "c",
            &[("key", "faulty"), ("ttl_seconds", "60")],
            b"v".to_vec(),
        )
        .await;
    assert_eq!(put.status(), 204, "another operation is not faulted");
    let faulted = env
        .cache_call(Method::GET, "c", &[("key", "faulty")], vec![])
        .await;
    assert_eq!(faulted.status(), 500);
    let after = env
        .cache_call(Method::GET, "c", &[("key", "faulty")], vec![])
        .await;
    assert_eq!(after.status(), 200, "the fault was for one request");
}

#[tokio::test]
async fn deleting_a_cache_drops_its_items() {
    let env = start().await;
    let cache = env.client();
    let admin = momento_http::EmulatorAdmin::new(&env.base).expect("admin client");
    cache
        .set("c", "k", "v", Duration::from_secs(60))
        .await
        .unwrap();
    admin.delete_cache("c").await.unwrap();
    admin.create_cache("c").await.unwrap();
    assert_eq!(cache.get("c", "k").await.unwrap(), None);
    let listed = admin.list_cache_items("c").await.unwrap();
    assert_eq!(listed.used_bytes, 0);
    let err = admin.list_cache_items("nope").await.unwrap_err();
    assert_eq!(err.status(), Some(404));
}
