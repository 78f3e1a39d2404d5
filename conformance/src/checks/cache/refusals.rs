//! Requests that break a documented requirement of the cache API
//! (docs/api.md §7): exactly one key, a `ttl_seconds`, an item of at most
//! 5 MB, a token.

use super::{MAX_ITEM, TTL, b64, cache_req, expect_404_saying, fresh_key, get_req, set_req};
use crate::failure::CheckError;
use crate::request::Auth;
use crate::target::Target;
use std::sync::Arc;

pub(super) async fn both_keys_400(t: Arc<Target>) -> Result<(), CheckError> {
    let key = fresh_key(&t, "both");
    let req = get_req(&t, &[("key", &key), ("key_base64", &b64(key.as_bytes()))]);
    t.expect_status("naming the key both ways at once answers 400", &req, 400)
        .await
        .map(drop)
}

pub(super) async fn no_key_400(t: Arc<Target>) -> Result<(), CheckError> {
    let req = get_req(&t, &[]);
    t.expect_status("a request without key or key_base64 answers 400", &req, 400)
        .await
        .map(drop)
}

async fn ttl_refused(t: &Target, ttl: Option<&str>, behaviour: &str) -> Result<(), CheckError> {
    let key = fresh_key(t, "ttl");
    let req = match ttl {
        Some(ttl) => set_req(t, &[("key", &key)], ttl, b"v"),
        None => cache_req(t, reqwest::Method::PUT, &t.cache, &[("key", &key)], b"v"),
    };
    t.expect_status(behaviour, &req, 400).await?;
    // Refused means not stored.
    expect_404_saying(
        t,
        "an item refused for its TTL was not stored",
        &get_req(t, &[("key", &key)]),
        "Key Not Found",
    )
    .await
    .map(drop)
}

pub(super) async fn ttl_missing_400(t: Arc<Target>) -> Result<(), CheckError> {
    ttl_refused(&t, None, "storing without ttl_seconds answers 400").await
}

pub(super) async fn ttl_zero_400(t: Arc<Target>) -> Result<(), CheckError> {
    ttl_refused(&t, Some("0"), "storing with ttl_seconds=0 answers 400").await
}

pub(super) async fn ttl_negative_400(t: Arc<Target>) -> Result<(), CheckError> {
    ttl_refused(
        &t,
        Some("-5"),
        "storing with a negative ttl_seconds answers 400",
    )
    .await
}

pub(super) async fn ttl_over_day_400(t: Arc<Target>) -> Result<(), CheckError> {
    ttl_refused(
        &t,
        Some("86401"),
        "storing with ttl_seconds over 24 hours (86401) answers 400",
    )
    .await
}

pub(super) async fn over_5mb_400(t: Arc<Target>) -> Result<(), CheckError> {
    let key = fresh_key(&t, "over-5mb");
    let value = vec![b'x'; MAX_ITEM - key.len() + 1];
    let req = set_req(&t, &[("key", &key)], TTL, &value);
    t.expect_status(
        "an item one byte over 5 MiB, key and value together, answers 400",
        &req,
        400,
    )
    .await
    .map(drop)
}

pub(super) async fn no_token_401(t: Arc<Target>) -> Result<(), CheckError> {
    let req = get_req(&t, &[("key", "k")]).with_auth(Auth::None);
    t.expect_status("a cache request without a token answers 401", &req, 401)
        .await
        .map(drop)
}
