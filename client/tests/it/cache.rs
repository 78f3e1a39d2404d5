//! The cache client on the wire: each request's exact shape (method, path,
//! query, token placement, body), what it refuses before sending, how each
//! answer becomes a result, and which failures are retried.

use std::time::Duration;

use crate::common::{SECRET_JWT, bounded, client, v1_key};
use bytes::Bytes;
use momento_http::{AuthPlacement, CACHE_MAX_ITEM_BYTES, CacheClient, Error};
use serde_json::json;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// A server answering every request with `response`, expecting `calls` of them.
async fn server_answering(response: ResponseTemplate, calls: u64) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(response)
        .expect(calls)
        .named("cache request")
        .mount(&server)
        .await;
    server
}

fn cache_client(server: &MockServer, placement: AuthPlacement) -> CacheClient {
    client(server, placement).cache()
}

/// The only request `server` received.
async fn only_request(server: &MockServer) -> Request {
    let mut requests = server.received_requests().await.expect("recording is on");
    assert_eq!(requests.len(), 1, "exactly one request was sent");
    requests.remove(0)
}

/// The header token every test key carries (the v1 key itself is what is sent).
fn token(server: &MockServer) -> String {
    v1_key(&server.uri())
}

#[tokio::test]
async fn get_sends_a_url_safe_text_key_as_key_with_the_token_in_the_header() {
    let server = server_answering(
        ResponseTemplate::new(200)
            .set_body_raw(b"\x00value\xff".to_vec(), "application/octet-stream"),
        1,
    )
    .await;
    let cache = cache_client(&server, AuthPlacement::Header);
    let value = bounded(cache.get("my-cache", "user-42_a.b~"))
        .await
        .unwrap();
    assert_eq!(value, Some(Bytes::from_static(b"\x00value\xff")));
    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "GET");
    assert_eq!(request.url.path(), "/cache/my-cache");
    // The form encoder escapes `~`, which every server decodes back.
    assert_eq!(request.url.query(), Some("key=user-42_a.b%7E"));
    assert_eq!(
        request.headers.get("authorization").unwrap(),
        token(&server).as_str()
    );
    assert!(request.body.is_empty());
}

#[tokio::test]
async fn bytes_and_text_that_needs_escaping_go_as_unpadded_url_safe_key_base64() {
    let server = server_answering(ResponseTemplate::new(204), 2).await;
    let cache = cache_client(&server, AuthPlacement::Header);
    bounded(cache.delete("c", vec![0xfbu8, 0xff]))
        .await
        .unwrap();
    bounded(cache.delete("c", "example key/é")).await.unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests[0].method.as_str(), "DELETE");
    assert_eq!(requests[0].url.query(), Some("key_base64=-_8"));
    // base64url("example key/é") without padding.
    assert_eq!(
        requests[1].url.query(),
        Some("key_base64=ZXhhbXBsZSBrZXkvw6k")
    );
}

#[tokio::test]
async fn the_docs_example_key_base64_is_what_the_client_sends_for_its_bytes() {
    let server = server_answering(ResponseTemplate::new(204), 1).await;
    let cache = cache_client(&server, AuthPlacement::Header);
    bounded(cache.delete("c", &b"example_key"[..]))
        .await
        .unwrap();
    let request = only_request(&server).await;
    assert_eq!(request.url.query(), Some("key_base64=ZXhhbXBsZV9rZXk"));
}

#[tokio::test]
async fn with_query_placement_the_token_goes_only_in_the_query() {
    let server = server_answering(ResponseTemplate::new(204), 1).await;
    let cache = cache_client(&server, AuthPlacement::Query);
    bounded(cache.delete("c", "k")).await.unwrap();
    let request = only_request(&server).await;
    assert!(request.headers.get("authorization").is_none());
    let pairs: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
    assert_eq!(
        pairs,
        vec![("key".into(), "k".into()), ("token".into(), token(&server))]
    );
}

#[tokio::test]
async fn set_puts_the_raw_value_with_the_ttl_in_whole_seconds_rounded_up() {
    let server = server_answering(ResponseTemplate::new(204), 1).await;
    let cache = cache_client(&server, AuthPlacement::Header);
    let value = vec![0u8, 1, 2, 255];
    bounded(cache.set("c", "k", value.clone(), Duration::from_millis(1500)))
        .await
        .unwrap();
    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "PUT");
    assert_eq!(request.url.path(), "/cache/c");
    assert_eq!(request.url.query(), Some("key=k&ttl_seconds=2"));
    assert_eq!(request.body, value);
    assert_eq!(
        request.headers.get("content-type").unwrap(),
        "application/octet-stream"
    );
}

#[tokio::test]
async fn set_refuses_what_the_server_would_refuse_and_sends_nothing() {
    let server = server_answering(ResponseTemplate::new(204), 0).await;
    let cache = cache_client(&server, AuthPlacement::Header);
    let day = Duration::from_secs(86_400);
    let refused = [
        cache.set("c", "k", "v", Duration::ZERO).await,
        cache.set("c", "k", "v", day + Duration::from_secs(1)).await,
        cache
            .set("c", "k", "v", day + Duration::from_millis(1))
            .await,
        cache.set("c", "", "v", day).await,
        cache.set("", "k", "v", day).await,
        cache
            .set("c", "k", vec![0u8; CACHE_MAX_ITEM_BYTES], day)
            .await,
    ];
    for (i, result) in refused.into_iter().enumerate() {
        let err = result.expect_err("refused locally");
        assert!(matches!(err, Error::InvalidInput { .. }), "case {i}: {err}");
    }
    assert!(
        cache.get("c", "").await.is_err() && cache.delete("c", Vec::new()).await.is_err(),
        "an empty key is refused by every operation"
    );
}

#[tokio::test]
async fn an_item_of_exactly_five_megabytes_and_a_day_long_ttl_are_sent() {
    let server = server_answering(ResponseTemplate::new(204), 1).await;
    let cache = cache_client(&server, AuthPlacement::Header);
    let value = vec![7u8; CACHE_MAX_ITEM_BYTES - 1];
    bounded(cache.set("c", "k", value, Duration::from_secs(86_400)))
        .await
        .unwrap();
    let request = only_request(&server).await;
    assert_eq!(request.body.len(), CACHE_MAX_ITEM_BYTES - 1);
    assert_eq!(request.url.query(), Some("key=k&ttl_seconds=86400"));
}

#[tokio::test]
async fn a_404_that_says_key_not_found_is_a_miss_in_text_or_json() {
    for response in [
        ResponseTemplate::new(404).set_body_string("Key Not Found"),
        ResponseTemplate::new(404)
            .set_body_json(json!({"status": 404, "title": "Key Not Found", "detail": "no item"})),
    ] {
        let server = server_answering(response, 1).await;
        let cache = cache_client(&server, AuthPlacement::Header);
        assert_eq!(bounded(cache.get("c", "k")).await.unwrap(), None);
    }
}

#[tokio::test]
async fn a_missing_cache_is_an_error_not_a_miss_and_is_not_retried() {
    let server = server_answering(
        ResponseTemplate::new(404).set_body_string("Cache Not Found"),
        1,
    )
    .await;
    let cache = cache_client(&server, AuthPlacement::Header);
    let err = bounded(cache.get("c", "k")).await.unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err}");
    assert_eq!(err.detail(), Some("Cache Not Found"));
}

#[tokio::test]
async fn an_empty_hit_is_an_empty_value_not_a_miss() {
    let server = server_answering(ResponseTemplate::new(200), 1).await;
    let cache = cache_client(&server, AuthPlacement::Header);
    assert_eq!(
        bounded(cache.get("c", "k")).await.unwrap(),
        Some(Bytes::new())
    );
}

/// A server that answers `first` once, then `then`.
async fn server_failing_once(first: ResponseTemplate, then: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(first)
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(any()).respond_with(then).mount(&server).await;
    server
}

async fn requests_sent(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

#[tokio::test]
async fn get_and_delete_retry_server_errors_and_429() {
    let server = server_failing_once(
        ResponseTemplate::new(503),
        ResponseTemplate::new(200).set_body_bytes(b"v".to_vec()),
    )
    .await;
    let cache = cache_client(&server, AuthPlacement::Header);
    assert_eq!(
        bounded(cache.get("c", "k")).await.unwrap().as_deref(),
        Some(&b"v"[..])
    );
    assert_eq!(requests_sent(&server).await, 2);

    let server = server_failing_once(
        ResponseTemplate::new(429).insert_header("retry-after", "0"),
        ResponseTemplate::new(204),
    )
    .await;
    let cache = cache_client(&server, AuthPlacement::Header);
    bounded(cache.delete("c", "k")).await.unwrap();
    assert_eq!(requests_sent(&server).await, 2);
}

#[tokio::test]
async fn set_is_not_retried_after_a_server_error_and_may_have_been_stored() {
    let server = server_failing_once(ResponseTemplate::new(500), ResponseTemplate::new(204)).await;
    let cache = cache_client(&server, AuthPlacement::Header);
    let err = bounded(cache.set("c", "k", "v", Duration::from_secs(60)))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(500));
    assert!(err.may_have_been_delivered());
    assert_eq!(requests_sent(&server).await, 1);
}

#[tokio::test]
async fn set_is_retried_after_a_429_which_stored_nothing() {
    let server = server_failing_once(
        ResponseTemplate::new(429).insert_header("retry-after", "0"),
        ResponseTemplate::new(204),
    )
    .await;
    let cache = cache_client(&server, AuthPlacement::Header);
    bounded(cache.set("c", "k", "v", Duration::from_secs(60)))
        .await
        .unwrap();
    assert_eq!(requests_sent(&server).await, 2);
}

#[tokio::test]
async fn a_set_whose_connection_never_opened_says_nothing_was_stored() {
    // A port with nothing listening: every attempt is refused before sending.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let cache = momento_http::TopicClient::builder()
        .api_key(&v1_key(&format!("http://{closed}")))
        .retry_policy(
            momento_http::RetryPolicy::default()
                .initial_backoff(Duration::from_millis(1))
                .max_retries(Some(2)),
        )
        .build()
        .unwrap()
        .cache();
    let err = bounded(cache.set("c", "k", "v", Duration::from_secs(60)))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                may_have_been_delivered: false,
                ..
            }
        ),
        "{err}"
    );
}

#[tokio::test]
async fn client_errors_are_not_retried_and_keep_the_detail() {
    for (status, detail) in [
        (400, "ttl_seconds is required"),
        (401, "invalid token"),
        (403, "no access to cache c"),
    ] {
        let server =
            server_answering(ResponseTemplate::new(status).set_body_string(detail), 1).await;
        let cache = cache_client(&server, AuthPlacement::Header);
        let err = bounded(cache.get("c", "k")).await.unwrap_err();
        assert_eq!(err.status(), Some(status));
        assert_eq!(err.detail(), Some(detail));
    }
}

#[tokio::test]
async fn a_hit_longer_than_the_largest_item_is_not_believed() {
    let server = server_answering(
        ResponseTemplate::new(200).set_body_bytes(vec![0u8; CACHE_MAX_ITEM_BYTES + 1]),
        1,
    )
    .await;
    let cache = cache_client(&server, AuthPlacement::Header);
    let err = bounded(cache.get("c", "k")).await.unwrap_err();
    assert!(matches!(err, Error::InvalidResponse { .. }), "{err}");
}

#[tokio::test]
async fn the_cache_client_shares_the_topic_clients_settings_and_hides_the_token() {
    let server = MockServer::start().await;
    let topics = client(&server, AuthPlacement::Query);
    let cache = topics.cache();
    assert_eq!(cache.topics().base_url(), topics.base_url());
    assert_eq!(cache.topics().auth_placement(), AuthPlacement::Query);
    let debug = format!("{cache:?}");
    assert!(!debug.contains(SECRET_JWT), "{debug}");
    assert!(!debug.contains(&token(&server)), "{debug}");
}
