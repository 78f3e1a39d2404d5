//! The cache half of the API (docs/api.md §7): `GET`, `PUT`, `DELETE
//! /cache/{cacheName}`, each documented status, the two ways of naming a
//! key, the TTL and item-size limits, byte-exact round trips and expiry.
//!
//! Rooms: `operations` (each operation's documented answers, expiry, token
//! placement), `refusals` (requests that break a documented requirement)
//! and `keys` (a key is its bytes, however it is spelled).
//!
//! Oracles compare what comes back with what the check stored itself, never
//! with what the server says it stored.

mod keys;
mod operations;
mod refusals;

use super::check;
use crate::failure::{CheckError, Failure};
use crate::registry::Check;
use crate::request::{Auth, Req, Resp, encode_segment};
use crate::target::Target;
use base64::Engine as _;

/// The largest item, key and value together: 5 MB, read as 5 MiB (C).
const MAX_ITEM: usize = momento_http::CACHE_MAX_ITEM_BYTES;

/// A TTL long enough for any check, short enough to leave nothing behind.
const TTL: &str = "60";

pub(super) fn checks() -> Vec<Check> {
    vec![
        check!("cache.set.204", D, "§7", false, operations::set_204),
        check!(
            "cache.get.hit.200-raw-bytes",
            D,
            "§7",
            false,
            operations::hit_200
        ),
        check!(
            "cache.get.miss.404-key-not-found",
            D,
            "§7",
            false,
            operations::miss_404
        ),
        check!(
            "cache.get.unknown-cache.404-cache-not-found",
            D,
            "§7",
            false,
            operations::get_unknown_cache_404
        ),
        check!(
            "cache.set.unknown-cache.404",
            D,
            "§7",
            false,
            operations::set_unknown_cache_404
        ),
        check!(
            "cache.delete.unknown-cache.404",
            D,
            "§7",
            false,
            operations::delete_unknown_cache_404
        ),
        check!(
            "cache.delete.204-then-miss",
            D,
            "§7",
            false,
            operations::delete_204
        ),
        check!(
            "cache.delete.missing-key.204",
            I,
            "§7",
            false,
            operations::delete_missing_204
        ),
        check!(
            "cache.key-and-key-base64.same-item",
            D,
            "§7",
            false,
            keys::key_forms_same_item
        ),
        // Keys are bytes: the docs' key_base64 names binary keys, and
        // Momento's SDKs send a text key as its UTF-8 bytes (I); the same
        // bytes name the same item however they are spelled (D).
        check!(
            "cache.key.case-distinct",
            I,
            "§7",
            false,
            keys::case_distinct
        ),
        check!(
            "cache.key.unicode-forms-distinct",
            I,
            "§7",
            false,
            keys::unicode_forms_distinct
        ),
        check!(
            "cache.key.escapes-same-bytes",
            D,
            "§7",
            false,
            keys::escapes_same_bytes
        ),
        check!(
            "cache.both-keys.400",
            C,
            "§7",
            false,
            refusals::both_keys_400
        ),
        check!(
            "cache.both-keys.refused",
            D,
            "§7",
            false,
            refusals::both_keys_refused
        ),
        check!("cache.no-key.400", C, "§7", false, refusals::no_key_400),
        check!(
            "cache.no-key.refused",
            D,
            "§7",
            false,
            refusals::no_key_refused
        ),
        check!(
            "cache.ttl.missing.400",
            C,
            "§7",
            false,
            refusals::ttl_missing_400
        ),
        check!(
            "cache.ttl.missing.refused",
            D,
            "§7",
            false,
            refusals::ttl_missing_refused
        ),
        check!("cache.ttl.zero.400", C, "§7", false, refusals::ttl_zero_400),
        check!(
            "cache.ttl.negative.400",
            C,
            "§7",
            false,
            refusals::ttl_negative_400
        ),
        check!(
            "cache.ttl.over-24h.400",
            C,
            "§7",
            false,
            refusals::ttl_over_day_400
        ),
        check!(
            "cache.ttl.24h.204",
            D,
            "§7 §8",
            false,
            operations::ttl_day_204
        ),
        check!(
            "cache.item.at-5mb.204",
            C,
            "§7",
            false,
            operations::at_5mb_204,
            30
        ),
        check!(
            "cache.item.over-5mb.400",
            C,
            "§7",
            false,
            refusals::over_5mb_400,
            30
        ),
        check!(
            "cache.item.over-5mb.refused",
            D,
            "§7",
            false,
            refusals::over_5mb_refused,
            30
        ),
        check!(
            "cache.binary.round-trip",
            D,
            "§7",
            false,
            keys::binary_round_trip
        ),
        check!(
            "cache.ttl.expires",
            D,
            "§7",
            false,
            operations::expires_after_ttl
        ),
        check!(
            "cache.auth.query-token.200",
            D,
            "§2 §7",
            false,
            operations::query_token
        ),
        check!(
            "cache.auth.both-placements.400",
            D,
            "§2 §7",
            false,
            operations::both_placements_400
        ),
        check!(
            "cache.auth.no-token.401",
            C,
            "§2 §7",
            false,
            refusals::no_token_401
        ),
        check!(
            "cache.auth.no-token.refused",
            D,
            "§2 §7",
            false,
            refusals::no_token_refused
        ),
        check!(
            "cache.auth.other-cache.403",
            D,
            "§2 §7",
            false,
            operations::other_cache_403
        ),
        check!(
            "emulator.cache.rate-limit.429",
            C,
            "§9",
            true,
            operations::fault_429
        ),
        check!(
            "emulator.cache.server-error.500",
            C,
            "§9",
            true,
            operations::fault_500
        ),
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
    expect_read(t, behaviour, &get_req(t, key), value).await
}

/// `req` (a `GET`) must hit and return exactly `value`.
async fn expect_read(
    t: &Target,
    behaviour: &str,
    req: &Req,
    value: &[u8],
) -> Result<(), CheckError> {
    let resp = t.expect_status(behaviour, req, 200).await?;
    if resp.body.as_ref() != value {
        return Err(Failure {
            behaviour: behaviour.to_owned(),
            expected: format!("the {} bytes stored, byte for byte", value.len()),
            actual: format!(
                "{} bytes{}",
                resp.body.len(),
                first_difference(&resp.body, value)
            ),
            repro: Some(t.curl(req)),
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
