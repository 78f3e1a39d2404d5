//! Requests that break a documented requirement of the cache API
//! (docs/api.md §7): exactly one key, a `ttl_seconds`, an item of at most
//! 5 MB, a token.
//!
//! The docs state each requirement but not the status that enforces it, so
//! each has two checks: `*.refused` (D) asks only that the request be
//! refused (any 4xx) and nothing stored; `*.400` / `*.401` (C) asks for
//! the emulator's status.

use super::{
    MAX_ITEM, TTL, b64, cache_req, expect_404_saying, expect_value, fresh_key, get_req, set_ok,
    set_req,
};
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

/// `key` was not stored: a GET misses.
async fn not_stored(t: &Target, behaviour: &str, key: &[(&str, &str)]) -> Result<(), CheckError> {
    expect_404_saying(t, behaviour, &get_req(t, key), "Key Not Found")
        .await
        .map(drop)
}

/// Exactly one of `key` and `key_base64` (D): a PUT naming two different
/// keys is refused and stores neither.
pub(super) async fn both_keys_refused(t: Arc<Target>) -> Result<(), CheckError> {
    let first = fresh_key(&t, "both-first");
    let second = fresh_key(&t, "both-second");
    let req = set_req(
        &t,
        &[("key", &first), ("key_base64", &b64(second.as_bytes()))],
        TTL,
        b"v",
    );
    t.expect_refused(
        "a PUT naming the key both ways (key and key_base64) is refused",
        &req,
    )
    .await?;
    for key in [&first, &second] {
        not_stored(
            &t,
            "a PUT refused for naming two keys stored nothing",
            &[("key", key)],
        )
        .await?;
    }
    Ok(())
}

/// Exactly one of `key` and `key_base64` (D): a PUT naming none is refused.
pub(super) async fn no_key_refused(t: Arc<Target>) -> Result<(), CheckError> {
    let req = cache_req(
        &t,
        reqwest::Method::PUT,
        &t.cache,
        &[("ttl_seconds", TTL)],
        b"v",
    );
    t.expect_refused("a PUT without key or key_base64 is refused", &req)
        .await
        .map(drop)
}

/// `ttl_seconds` is required (D): a PUT without it is refused and not stored.
pub(super) async fn ttl_missing_refused(t: Arc<Target>) -> Result<(), CheckError> {
    let key = fresh_key(&t, "ttl-missing");
    let req = cache_req(&t, reqwest::Method::PUT, &t.cache, &[("key", &key)], b"v");
    t.expect_refused("a PUT without ttl_seconds is refused", &req)
        .await?;
    not_stored(
        &t,
        "an item refused for its missing TTL was not stored",
        &[("key", &key)],
    )
    .await
}

/// An item is at most 5 MB (D): one over 5 MiB (over either reading of
/// 5 MB) is refused, a 429 or 413 too, and not stored.
pub(super) async fn over_5mb_refused(t: Arc<Target>) -> Result<(), CheckError> {
    let key = fresh_key(&t, "over-5mb-refused");
    let value = vec![b'x'; MAX_ITEM - key.len() + 1];
    let req = set_req(&t, &[("key", &key)], TTL, &value);
    t.expect_refused(
        "an item over 5 MB, key and value together, is refused",
        &req,
    )
    .await?;
    not_stored(
        &t,
        "an item refused for its size was not stored",
        &[("key", &key)],
    )
    .await
}

/// A token is required (D, docs/api.md §2): reading a stored item without
/// one is refused.
pub(super) async fn no_token_refused(t: Arc<Target>) -> Result<(), CheckError> {
    let key = fresh_key(&t, "no-token");
    set_ok(&t, &[("key", &key)], b"not for anonymous readers").await?;
    let req = get_req(&t, &[("key", &key)]).with_auth(Auth::None);
    t.expect_refused("reading an item without a token is refused", &req)
        .await?;
    // The item is still there for the token's owner.
    expect_value(
        &t,
        "the item is still there for a request with the token",
        &[("key", &key)],
        b"not for anonymous readers",
    )
    .await
}
