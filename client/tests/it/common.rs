//! Helpers shared by the wiremock tests.

use std::time::Duration;

use base64::Engine as _;
use futures::StreamExt as _;
use momento_http::{AuthPlacement, Error, RetryPolicy, Subscription, TopicClient, TopicEvent};
use wiremock::MockServer;

/// The JWT inside the test key; snapshots must never show it.
pub const SECRET_JWT: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.c2VjcmV0LXNpZ25hdHVyZQ";

/// A v1 key naming `endpoint`.
pub fn v1_key(endpoint: &str) -> String {
    base64::engine::general_purpose::URL_SAFE.encode(format!(
        r#"{{"endpoint":"{endpoint}","api_key":"{SECRET_JWT}"}}"#
    ))
}

/// A client for `server` with fast retries.
pub fn client(server: &MockServer, placement: AuthPlacement) -> TopicClient {
    TopicClient::builder()
        .api_key(&v1_key(&server.uri()))
        .auth_placement(placement)
        .retry_policy(
            RetryPolicy::default()
                .initial_backoff(Duration::from_millis(5))
                .max_backoff(Duration::from_millis(20))
                .max_retries(Some(3)),
        )
        .poll_timeout(Duration::from_secs(5))
        .build()
        .expect("test client builds")
}

/// The next event of `sub`, within `limit`: the caller is told something
/// in time, and the stream goes on.
pub async fn next_within(sub: &mut Subscription, limit: Duration) -> Result<TopicEvent, Error> {
    tokio::time::timeout(limit, sub.next())
        .await
        .expect("the caller is told something in time")
        .expect("the stream goes on")
}

/// Runs `f` with a bound so a hung test fails instead of waiting for ever.
pub async fn bounded<F: std::future::Future>(f: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(10), f)
        .await
        .expect("test took more than 10 s")
}

/// The start every test key shares (the base64 of `{"endpoint":"`).
pub fn v1_key_prefix() -> String {
    v1_key("x")[..12].to_owned()
}
