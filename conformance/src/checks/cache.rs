//! The cache half of the API (docs/api.md §7): `GET`, `PUT`, `DELETE
//! /cache/{cacheName}`, each documented status, the two ways of naming a
//! key, the TTL and item-size limits, byte-exact round trips and expiry.
//!
//! Oracles compare what comes back with what the check stored itself, never
//! with what the server says it stored.

use super::check;
use crate::failure::{CheckError, Failure};
use crate::registry::Check;
use crate::request::{Auth, Req, Resp, encode_segment};
use crate::target::{KeyRole, Target};
use base64::Engine as _;
use momento_http::admin_wire::{FaultAction, FaultOperation};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The largest item, key and value together: 5 MB, read as 5 MiB (C).
const MAX_ITEM: usize = momento_http::CACHE_MAX_ITEM_BYTES;

/// A TTL long enough for any check, short enough to leave nothing behind.
const TTL: &str = "60";

pub(super) fn checks() -> Vec<Check> {
    vec![
        check!("cache.set.204", D, "§7", false, set_204),
        check!("cache.get.hit.200-raw-bytes", D, "§7", false, hit_200),
        check!("cache.get.miss.404-key-not-found", D, "§7", false, miss_404),
        check!(
            "cache.get.unknown-cache.404-cache-not-found",
            D,
            "§7",
            false,
            get_unknown_cache_404
        ),
        check!(
            "cache.set.unknown-cache.404",
            D,
            "§7",
            false,
            set_unknown_cache_404
        ),
        check!(
            "cache.delete.unknown-cache.404",
            D,
            "§7",
            false,
            delete_unknown_cache_404
        ),
        check!("cache.delete.204-then-miss", D, "§7", false, delete_204),
        check!(
            "cache.delete.missing-key.204",
            I,
            "§7",
            false,
            delete_missing_204
        ),
        check!(
            "cache.key-and-key-base64.same-item",
            D,
            "§7",
            false,
            key_forms_same_item
        ),
        check!("cache.both-keys.400", C, "§7", false, both_keys_400),
        check!("cache.no-key.400", C, "§7", false, no_key_400),
        check!("cache.ttl.missing.400", C, "§7", false, ttl_missing_400),
        check!("cache.ttl.zero.400", C, "§7", false, ttl_zero_400),
        check!("cache.ttl.negative.400", C, "§7", false, ttl_negative_400),
        check!("cache.ttl.over-24h.400", C, "§7", false, ttl_over_day_400),
        check!("cache.ttl.24h.204", D, "§7 §8", false, ttl_day_204),
        check!("cache.item.at-5mb.204", C, "§7", false, at_5mb_204, 30),
        check!("cache.item.over-5mb.400", C, "§7", false, over_5mb_400, 30),
        check!("cache.binary.round-trip", D, "§7", false, binary_round_trip),
        check!("cache.ttl.expires", D, "§7", false, expires_after_ttl),
        check!("cache.auth.query-token.200", D, "§2 §7", false, query_token),
        check!(
            "cache.auth.both-placements.400",
            D,
            "§2 §7",
            false,
            both_placements_400
        ),
        check!("cache.auth.no-token.401", C, "§2 §7", false, no_token_401),
        check!(
            "cache.auth.other-cache.403",
            D,
            "§2 §7",
            false,
            other_cache_403
        ),
        check!("emulator.cache.rate-limit.429", C, "§9", true, fault_429),
        check!("emulator.cache.server-error.500", C, "§9", true, fault_500),
    ]
}

// ---- requests ----

/// `method /cache/{cache}?query` with the suite's token in the header.
fn cache_req(
    t: &Target,
    method: reqwest::Method,
    cache: &str,
    query: &[(&str, &str)],
    body: &[u8],
) -> Req {
    Req {
        method,
        path: format!("/cache/{}", encode_segment(cache)),
        query: query
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        auth: Auth::Header(t.token().to_owned()),
        content_type: (!body.is_empty()).then(|| "application/octet-stream".into()),
        body: body.to_vec(),
        want_429: false,
        listener: None,
        topic: None,
    }
}

fn get_req(t: &Target, key: &[(&str, &str)]) -> Req {
    cache_req(t, reqwest::Method::GET, &t.cache, key, b"")
}

fn delete_req(t: &Target, key: &[(&str, &str)]) -> Req {
    cache_req(t, reqwest::Method::DELETE, &t.cache, key, b"")
}

fn set_req(t: &Target, key: &[(&str, &str)], ttl: &str, value: &[u8]) -> Req {
    let mut query = key.to_vec();
    query.push(("ttl_seconds", ttl));
    cache_req(t, reqwest::Method::PUT, &t.cache, &query, value)
}

/// `key_base64` for `bytes`: URL-safe, unpadded, as the docs' example.
fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A key no other check or run uses (URL-safe text).
fn fresh_key(t: &Target, label: &str) -> String {
    t.fresh_topic(label)
}

async fn set_ok(t: &Target, key: &[(&str, &str)], value: &[u8]) -> Result<(), CheckError> {
    let req = set_req(t, key, TTL, value);
    t.expect_status("storing an item answers 204 (docs/api.md §7)", &req, 204)
        .await
        .map(|_| ())
}

/// A `GET` that must hit and return exactly `value`.
async fn expect_value(
    t: &Target,
    behaviour: &str,
    key: &[(&str, &str)],
    value: &[u8],
) -> Result<(), CheckError> {
    let req = get_req(t, key);
    let resp = t.expect_status(behaviour, &req, 200).await?;
    if resp.body.as_ref() != value {
        return Err(Failure {
            behaviour: behaviour.to_owned(),
            expected: format!("the {} bytes stored, byte for byte", value.len()),
            actual: format!(
                "{} bytes{}",
                resp.body.len(),
                first_difference(&resp.body, value)
            ),
            repro: Some(t.curl(&req)),
        }
        .into());
    }
    Ok(())
}

fn first_difference(got: &[u8], want: &[u8]) -> String {
    match got.iter().zip(want).position(|(a, b)| a != b) {
        Some(i) => format!(
            ", first different byte at {i}: {:#04x} for {:#04x}",
            got[i], want[i]
        ),
        None => String::new(),
    }
}

/// A 404 whose body says `words`.
async fn expect_404_saying(
    t: &Target,
    behaviour: &str,
    req: &Req,
    words: &str,
) -> Result<Resp, CheckError> {
    let resp = t.expect_status(behaviour, req, 404).await?;
    if !resp
        .body_text()
        .to_lowercase()
        .contains(&words.to_lowercase())
    {
        return Err(t
            .fail(
                behaviour,
                &format!("status 404 with a body that says {words:?}"),
                req,
                &resp,
            )
            .into());
    }
    Ok(resp)
}

// ---- the checks ----

async fn set_204(t: Arc<Target>) -> Result<(), CheckError> {
    let key = fresh_key(&t, "set");
    let req = set_req(&t, &[("key", &key)], TTL, b"value");
    t.expect_status("storing an item answers 204 No Content", &req, 204)
        .await?;
    Ok(())
}

async fn hit_200(t: Arc<Target>) -> Result<(), CheckError> {
    let key = fresh_key(&t, "hit");
    set_ok(&t, &[("key", &key)], b"hello cache").await?;
    expect_value(
        &t,
        "reading a stored item answers 200 with its raw bytes",
        &[("key", &key)],
        b"hello cache",
    )
    .await
}

async fn miss_404(t: Arc<Target>) -> Result<(), CheckError> {
    let key = fresh_key(&t, "miss");
    let req = get_req(&t, &[("key", &key)]);
    expect_404_saying(
        &t,
        "reading a key never stored answers 404 Key Not Found",
        &req,
        "Key Not Found",
    )
    .await
    .map(drop)
}

async fn get_unknown_cache_404(t: Arc<Target>) -> Result<(), CheckError> {
    let req = cache_req(
        &t,
        reqwest::Method::GET,
        &t.missing_cache(),
        &[("key", "k")],
        b"",
    );
    expect_404_saying(
        &t,
        "reading from an unknown cache answers 404 Cache Not Found",
        &req,
        "Cache Not Found",
    )
    .await
    .map(drop)
}

async fn set_unknown_cache_404(t: Arc<Target>) -> Result<(), CheckError> {
    let req = cache_req(
        &t,
        reqwest::Method::PUT,
        &t.missing_cache(),
        &[("key", "k"), ("ttl_seconds", TTL)],
        b"v",
    );
    t.expect_status("storing in an unknown cache answers 404", &req, 404)
        .await
        .map(drop)
}

async fn delete_unknown_cache_404(t: Arc<Target>) -> Result<(), CheckError> {
    let req = cache_req(
        &t,
        reqwest::Method::DELETE,
        &t.missing_cache(),
        &[("key", "k")],
        b"",
    );
    t.expect_status("deleting from an unknown cache answers 404", &req, 404)
        .await
        .map(drop)
}

async fn delete_204(t: Arc<Target>) -> Result<(), CheckError> {
    let key = fresh_key(&t, "delete");
    set_ok(&t, &[("key", &key)], b"doomed").await?;
    let req = delete_req(&t, &[("key", &key)]);
    t.expect_status("deleting a stored item answers 204", &req, 204)
        .await?;
    expect_404_saying(
        &t,
        "after a delete, reading the key answers 404 Key Not Found",
        &get_req(&t, &[("key", &key)]),
        "Key Not Found",
    )
    .await
    .map(drop)
}

async fn delete_missing_204(t: Arc<Target>) -> Result<(), CheckError> {
    let key = fresh_key(&t, "delete-missing");
    let req = delete_req(&t, &[("key", &key)]);
    t.expect_status("deleting a key that is not there answers 204", &req, 204)
        .await
        .map(drop)
}

async fn key_forms_same_item(t: Arc<Target>) -> Result<(), CheckError> {
    let key = fresh_key(&t, "forms");
    let encoded = b64(key.as_bytes());
    set_ok(&t, &[("key", &key)], b"stored as key").await?;
    expect_value(
        &t,
        "key_base64 of a key's bytes reads the item stored under key",
        &[("key_base64", &encoded)],
        b"stored as key",
    )
    .await?;
    set_ok(&t, &[("key_base64", &encoded)], b"stored as key_base64").await?;
    expect_value(
        &t,
        "key reads the item stored under key_base64 of its bytes (the same item, replaced)",
        &[("key", &key)],
        b"stored as key_base64",
    )
    .await
}

async fn both_keys_400(t: Arc<Target>) -> Result<(), CheckError> {
    let key = fresh_key(&t, "both");
    let req = get_req(&t, &[("key", &key), ("key_base64", &b64(key.as_bytes()))]);
    t.expect_status("naming the key both ways at once answers 400", &req, 400)
        .await
        .map(drop)
}

async fn no_key_400(t: Arc<Target>) -> Result<(), CheckError> {
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

async fn ttl_missing_400(t: Arc<Target>) -> Result<(), CheckError> {
    ttl_refused(&t, None, "storing without ttl_seconds answers 400").await
}

async fn ttl_zero_400(t: Arc<Target>) -> Result<(), CheckError> {
    ttl_refused(&t, Some("0"), "storing with ttl_seconds=0 answers 400").await
}

async fn ttl_negative_400(t: Arc<Target>) -> Result<(), CheckError> {
    ttl_refused(
        &t,
        Some("-5"),
        "storing with a negative ttl_seconds answers 400",
    )
    .await
}

async fn ttl_over_day_400(t: Arc<Target>) -> Result<(), CheckError> {
    ttl_refused(
        &t,
        Some("86401"),
        "storing with ttl_seconds over 24 hours (86401) answers 400",
    )
    .await
}

async fn ttl_day_204(t: Arc<Target>) -> Result<(), CheckError> {
    let key = fresh_key(&t, "ttl-day");
    let req = set_req(&t, &[("key", &key)], "86400", b"v");
    t.expect_status(
        "storing with ttl_seconds of exactly 24 hours (86400) answers 204",
        &req,
        204,
    )
    .await?;
    // Leave nothing behind for a day.
    t.send(&delete_req(&t, &[("key", &key)])).await?;
    Ok(())
}

async fn at_5mb_204(t: Arc<Target>) -> Result<(), CheckError> {
    let key = fresh_key(&t, "at-5mb");
    let value = vec![b'x'; MAX_ITEM - key.len()];
    set_ok(&t, &[("key", &key)], &value).await?;
    let result = expect_value(
        &t,
        "an item of exactly 5 MiB, key and value together, reads back whole",
        &[("key", &key)],
        &value,
    )
    .await;
    t.send(&delete_req(&t, &[("key", &key)])).await?;
    result
}

async fn over_5mb_400(t: Arc<Target>) -> Result<(), CheckError> {
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

async fn binary_round_trip(t: Arc<Target>) -> Result<(), CheckError> {
    // Every byte value, in the key (after a unique prefix) and twice in the value.
    let mut key = fresh_key(&t, "binary").into_bytes();
    key.extend(0..=255u8);
    let value: Vec<u8> = (0..=255u8).chain((0..=255u8).rev()).collect();
    let encoded = b64(&key);
    set_ok(&t, &[("key_base64", &encoded)], &value).await?;
    expect_value(
        &t,
        "a binary value under a binary key (key_base64) reads back byte for byte",
        &[("key_base64", &encoded)],
        &value,
    )
    .await
}

async fn expires_after_ttl(t: Arc<Target>) -> Result<(), CheckError> {
    let key = fresh_key(&t, "expires");
    let stored = Instant::now();
    let req = set_req(&t, &[("key", &key)], "1", b"short-lived");
    t.expect_status("storing with ttl_seconds=1 answers 204", &req, 204)
        .await?;
    // Bounded wait: the TTL plus 3 s of slack for clocks and expiry sweeps.
    let deadline = stored + Duration::from_secs(4);
    let get = get_req(&t, &[("key", &key)]);
    loop {
        let resp = t.send(&get).await?;
        let gone = resp.status == 404 && resp.body_text().to_lowercase().contains("key not found");
        // Gone before half its TTL had passed is not expiry but loss.
        if gone && stored.elapsed() < Duration::from_millis(500) {
            return Err(t
                .fail(
                    "an item with ttl_seconds=1 is still there right after it was stored",
                    "200 with the value within the first 500 ms",
                    &get,
                    &resp,
                )
                .into());
        }
        match resp.status {
            404 if gone => return Ok(()),
            200 if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            _ => {
                return Err(t
                    .fail(
                        "an item with ttl_seconds=1 is gone (404 Key Not Found) within 4 s",
                        "200 with the value, then 404 Key Not Found before the deadline",
                        &get,
                        &resp,
                    )
                    .into());
            }
        }
    }
}

async fn query_token(t: Arc<Target>) -> Result<(), CheckError> {
    let key = fresh_key(&t, "query-token");
    let req = set_req(&t, &[("key", &key)], TTL, b"via query")
        .with_auth(Auth::Query(t.token().to_owned()));
    t.expect_status("storing with the token in the query answers 204", &req, 204)
        .await?;
    let req = get_req(&t, &[("key", &key)]).with_auth(Auth::Query(t.token().to_owned()));
    let resp = t
        .expect_status("reading with the token in the query answers 200", &req, 200)
        .await?;
    if resp.body.as_ref() != b"via query" {
        return Err(t
            .fail(
                "the token placement does not change the item",
                "the value stored, \"via query\"",
                &req,
                &resp,
            )
            .into());
    }
    Ok(())
}

async fn both_placements_400(t: Arc<Target>) -> Result<(), CheckError> {
    let req = get_req(&t, &[("key", "k")]).with_auth(Auth::Both(t.token().to_owned()));
    t.expect_status(
        "the token in both the header and the query answers 400",
        &req,
        400,
    )
    .await
    .map(drop)
}

async fn no_token_401(t: Arc<Target>) -> Result<(), CheckError> {
    let req = get_req(&t, &[("key", "k")]).with_auth(Auth::None);
    t.expect_status("a cache request without a token answers 401", &req, 401)
        .await
        .map(drop)
}

async fn other_cache_403(t: Arc<Target>) -> Result<(), CheckError> {
    let token = t.key(KeyRole::OtherCache).await?;
    let req = get_req(&t, &[("key", "k")]).with_auth(Auth::Header(token));
    t.expect_status(
        "a token limited to another cache answers 403 on this one",
        &req,
        403,
    )
    .await
    .map(drop)
}

async fn fault_429(t: Arc<Target>) -> Result<(), CheckError> {
    let key = fresh_key(&t, "cache-429");
    let req = get_req(&t, &[("key", &key)]);
    super::emulator::injected_429_has_retry_after(&t, FaultOperation::CacheGet, &key, req).await
}

async fn fault_500(t: Arc<Target>) -> Result<(), CheckError> {
    let key = fresh_key(&t, "cache-500");
    let action = FaultAction {
        status: Some(500),
        ..FaultAction::default()
    };
    t.inject_fault(FaultOperation::CacheSet, &key, 1, action)
        .await?;
    let req = set_req(&t, &[("key", &key)], TTL, b"v");
    t.expect_status("a server fault on a cache set answers 500", &req, 500)
        .await?;
    t.expect_status(
        "after a one-shot fault, the cache set answers 204 again",
        &req,
        204,
    )
    .await
    .map(drop)
}
