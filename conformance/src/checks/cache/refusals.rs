//! Requests that break a documented requirement of the cache API
//! (docs/api.md §7): exactly one key, a `ttl_seconds`, an item of at most
//! 5 MB, a token.
//!
//! The docs state each requirement but not the status that enforces it, so
//! each request is judged twice: `*.refused` (D) asks only that it be
//! refused (any 4xx), `*.400` / `*.401` (C) for the emulator's status; and
//! a refused `PUT` stored nothing.

use super::{
    MAX_ITEM, TTL, b64, cache_req, expect_404_saying, expect_value, fresh_key, get_req, set_ok,
    set_req,
};
use crate::failure::CheckError;
use crate::request::Auth;
use crate::target::{Refusal, Target};
use std::sync::Arc;

/// `key` was not stored: a GET misses.
async fn not_stored(t: &Target, behaviour: &str, key: &str) -> Result<(), CheckError> {
    expect_404_saying(t, behaviour, &get_req(t, &[("key", key)]), "Key Not Found")
        .await
        .map(drop)
}

/// Exactly one of `key` and `key_base64`: a PUT naming two different keys
/// is refused and stores neither.
async fn both_keys(t: &Target, refusal: Refusal) -> Result<(), CheckError> {
    let first = fresh_key(t, "both-first");
    let second = fresh_key(t, "both-second");
    let req = set_req(
        t,
        &[("key", &first), ("key_base64", &b64(second.as_bytes()))],
        TTL,
        b"v",
    );
    t.expect_refusal(
        "a PUT naming the key both ways (key and key_base64) is refused",
        &req,
        refusal,
    )
    .await?;
    for key in [&first, &second] {
        not_stored(t, "a PUT refused for naming two keys stored nothing", key).await?;
    }
    Ok(())
}

pub(super) async fn both_keys_refused(t: Arc<Target>) -> Result<(), CheckError> {
    both_keys(&t, Refusal::Any).await
}

pub(super) async fn both_keys_400(t: Arc<Target>) -> Result<(), CheckError> {
    both_keys(&t, Refusal::Status(400)).await
}

/// Exactly one of `key` and `key_base64`: a PUT naming none is refused.
async fn no_key(t: &Target, refusal: Refusal) -> Result<(), CheckError> {
    let req = cache_req(
        t,
        reqwest::Method::PUT,
        &t.cache,
        &[("ttl_seconds", TTL)],
        b"v",
    );
    t.expect_refusal("a PUT without key or key_base64 is refused", &req, refusal)
        .await
        .map(drop)
}

pub(super) async fn no_key_refused(t: Arc<Target>) -> Result<(), CheckError> {
    no_key(&t, Refusal::Any).await
}

pub(super) async fn no_key_400(t: Arc<Target>) -> Result<(), CheckError> {
    no_key(&t, Refusal::Status(400)).await
}

/// A PUT with `ttl` (none: without `ttl_seconds`) is refused and not stored.
async fn ttl_refused(
    t: &Target,
    ttl: Option<&str>,
    refusal: Refusal,
    behaviour: &str,
) -> Result<(), CheckError> {
    let key = fresh_key(t, "ttl");
    let req = match ttl {
        Some(ttl) => set_req(t, &[("key", &key)], ttl, b"v"),
        None => cache_req(t, reqwest::Method::PUT, &t.cache, &[("key", &key)], b"v"),
    };
    t.expect_refusal(behaviour, &req, refusal).await?;
    not_stored(t, "an item refused for its TTL was not stored", &key).await
}

/// `ttl_seconds` is required (D).
pub(super) async fn ttl_missing_refused(t: Arc<Target>) -> Result<(), CheckError> {
    ttl_refused(
        &t,
        None,
        Refusal::Any,
        "a PUT without ttl_seconds is refused",
    )
    .await
}

pub(super) async fn ttl_missing_400(t: Arc<Target>) -> Result<(), CheckError> {
    let behaviour = "storing without ttl_seconds answers 400";
    ttl_refused(&t, None, Refusal::Status(400), behaviour).await
}

pub(super) async fn ttl_zero_400(t: Arc<Target>) -> Result<(), CheckError> {
    let behaviour = "storing with ttl_seconds=0 answers 400";
    ttl_refused(&t, Some("0"), Refusal::Status(400), behaviour).await
}

pub(super) async fn ttl_negative_400(t: Arc<Target>) -> Result<(), CheckError> {
    let behaviour = "storing with a negative ttl_seconds answers 400";
    ttl_refused(&t, Some("-5"), Refusal::Status(400), behaviour).await
}

pub(super) async fn ttl_over_day_400(t: Arc<Target>) -> Result<(), CheckError> {
    let behaviour = "storing with ttl_seconds over 24 hours (86401) answers 400";
    ttl_refused(&t, Some("86401"), Refusal::Status(400), behaviour).await
}

/// An item is at most 5 MB: one byte over 5 MiB (over either reading of
/// 5 MB), key and value together, is refused (a 413 or 429 too) and not
/// stored.
async fn over_5mb(t: &Target, refusal: Refusal) -> Result<(), CheckError> {
    let key = fresh_key(t, "over-5mb");
    let value = vec![b'x'; MAX_ITEM - key.len() + 1];
    let req = set_req(t, &[("key", &key)], TTL, &value);
    t.expect_refusal(
        "an item one byte over 5 MiB, key and value together, is refused",
        &req,
        refusal,
    )
    .await?;
    not_stored(t, "an item refused for its size was not stored", &key).await
}

pub(super) async fn over_5mb_refused(t: Arc<Target>) -> Result<(), CheckError> {
    over_5mb(&t, Refusal::Any).await
}

pub(super) async fn over_5mb_400(t: Arc<Target>) -> Result<(), CheckError> {
    over_5mb(&t, Refusal::Status(400)).await
}

/// A token is required (docs/api.md §2): reading a stored item without one
/// is refused, and the item is still there for the token's owner.
async fn no_token(t: &Target, refusal: Refusal) -> Result<(), CheckError> {
    let key = fresh_key(t, "no-token");
    set_ok(t, &[("key", &key)], b"not for anonymous readers").await?;
    let req = get_req(t, &[("key", &key)]).with_auth(Auth::None);
    t.expect_refusal("reading an item without a token is refused", &req, refusal)
        .await?;
    expect_value(
        t,
        "the item is still there for a request with the token",
        &[("key", &key)],
        b"not for anonymous readers",
    )
    .await
}

pub(super) async fn no_token_refused(t: Arc<Target>) -> Result<(), CheckError> {
    no_token(&t, Refusal::Any).await
}

pub(super) async fn no_token_401(t: Arc<Target>) -> Result<(), CheckError> {
    no_token(&t, Refusal::Status(401)).await
}
