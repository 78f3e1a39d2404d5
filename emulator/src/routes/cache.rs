//! `GET`, `PUT`, `DELETE /cache/{cacheName}` (docs/api.md §7), and the
//! admin listing of a cache's items.
//!
//! Each request passes, in order: an armed fault, the token (as for topics;
//! cache reads need a role that subscribes, writes one that publishes), the
//! cache name, exactly one of `key` and `key_base64`, the cache's existence,
//! and the operations-per-second limit. The limits on TTL and item size are
//! the client crate's constants, so both sides read the same numbers.

use super::{ApiError, apply_fault, authenticate, check_name, query_pairs};
use crate::auth::Operation;
use crate::faults::FaultOp;
use crate::state::AppState;
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, RawQuery, Request, State, rejection::PathRejection};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use momento_http::admin_wire as aw;
use momento_http::{CACHE_MAX_ITEM_BYTES, CACHE_MAX_TTL, decode_key_base64, encode_key_base64};
use std::sync::Arc;
use std::time::Duration;

/// `GET /cache/{cacheName}`: 200 with the raw value, or 404 "Key Not Found".
pub async fn get(
    State(state): State<Arc<AppState>>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
    request: Request,
) -> Response {
    let (parts, _body) = request.into_parts();
    let item = match admit(
        &state,
        FaultOp::CacheGet,
        path,
        raw.as_deref(),
        &parts.headers,
    )
    .await
    {
        Ok(item) => item,
        Err(answer) => return answer,
    };
    match state.cache_items.get(&item.cache, &item.key) {
        Some(value) => {
            tracing::info!(cache = %item.cache, "cache get: hit");
            let mut response = value.into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/octet-stream"),
            );
            response
        }
        None => {
            tracing::info!(cache = %item.cache, "cache get: miss");
            key_not_found(&item.cache).into_response()
        }
    }
}

/// `PUT /cache/{cacheName}?ttl_seconds=N`: stores the body; 204.
pub async fn set(
    State(state): State<Arc<AppState>>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let item = match admit(
        &state,
        FaultOp::CacheSet,
        path,
        raw.as_deref(),
        &parts.headers,
    )
    .await
    {
        Ok(item) => item,
        Err(answer) => return answer,
    };
    match store(&state, item, raw.as_deref(), &parts.headers, body).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => e.into_response(),
    }
}

/// `DELETE /cache/{cacheName}`: 204, whether or not the key was there.
pub async fn delete(
    State(state): State<Arc<AppState>>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
    request: Request,
) -> Response {
    let (parts, _body) = request.into_parts();
    let item = match admit(
        &state,
        FaultOp::CacheDelete,
        path,
        raw.as_deref(),
        &parts.headers,
    )
    .await
    {
        Ok(item) => item,
        Err(answer) => return answer,
    };
    let existed = state.cache_items.delete(&item.cache, &item.key);
    tracing::info!(cache = %item.cache, existed, "cache delete");
    StatusCode::NO_CONTENT.into_response()
}

/// `GET /_emulator/caches/{cacheName}/items` (admin): the live items.
pub async fn list_items(
    State(state): State<Arc<AppState>>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<aw::CacheItemList>, ApiError> {
    let Path(cache) = path.map_err(|e| ApiError::bad_request(format!("bad path: {e}")))?;
    if !state.topics.has_cache(&cache) {
        return Err(ApiError::cache_not_found(&cache));
    }
    let (items, used, max) = state.cache_items.list(&cache);
    let as_u64 = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
    Ok(Json(aw::CacheItemList {
        items: items
            .into_iter()
            .map(|item| aw::CacheItem {
                key: std::str::from_utf8(&item.key).ok().map(str::to_owned),
                key_base64: encode_key_base64(&item.key),
                size_bytes: as_u64(item.size_bytes),
                expires_in_ms: u64::try_from(item.expires_in.as_millis()).unwrap_or(u64::MAX),
            })
            .collect(),
        used_bytes: as_u64(used),
        max_bytes: as_u64(max),
    }))
}

/// A request that passed every check common to the three operations.
struct Item {
    cache: String,
    key: Bytes,
}

/// The checks every cache operation makes, in the order the module doc gives.
async fn admit(
    state: &AppState,
    op: FaultOp,
    path: Result<Path<String>, PathRejection>,
    raw: Option<&str>,
    headers: &HeaderMap,
) -> Result<Item, Response> {
    admit_or_refuse(state, op, path, raw, headers)
        .await
        .map_err(IntoResponse::into_response)?
}

/// [`admit`]'s checks: `Ok(Err(answer))` when an armed fault answered instead.
async fn admit_or_refuse(
    state: &AppState,
    op: FaultOp,
    path: Result<Path<String>, PathRejection>,
    raw: Option<&str>,
    headers: &HeaderMap,
) -> Result<Result<Item, Response>, ApiError> {
    let Path(cache) = path.map_err(|e| ApiError::bad_request(format!("bad path: {e}")))?;
    let key = key_of(raw);
    // Faults match the key as text (whatever it is, even malformed).
    let fault_key = match &key {
        Ok(k) => String::from_utf8_lossy(k).into_owned(),
        Err(_) => String::new(),
    };
    if let Some(response) = apply_fault(state, op, &cache, &fault_key).await {
        return Ok(Err(response));
    }
    let query = query_pairs(raw);
    let access = match op {
        FaultOp::CacheGet => Operation::CacheRead,
        _ => Operation::CacheWrite,
    };
    authenticate(state, headers, &query, access, &cache, "")?;
    check_name("cache", &cache)?;
    let key = key?;
    if !state.topics.has_cache(&cache) {
        return Err(ApiError::cache_not_found(&cache));
    }
    if !state.limits.operation() {
        return Err(ApiError::too_many(
            "operations-per-second limit exceeded; retry after the time in Retry-After",
            1,
        ));
    }
    Ok(Ok(Item { cache, key }))
}

/// The key a request names: exactly one of `key` (its bytes as sent,
/// percent-decoded) or `key_base64` (URL-safe base64, padded or not), not
/// empty.
fn key_of(raw: Option<&str>) -> Result<Bytes, ApiError> {
    let mut plain = Vec::new();
    let mut base64 = Vec::new();
    for pair in raw.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        match decode(name).as_slice() {
            b"key" => plain.push(decode(value)),
            b"key_base64" => base64.push(decode(value)),
            _ => {}
        }
    }
    let key = match (plain.as_slice(), base64.as_slice()) {
        ([key], []) => key.clone(),
        ([], [text]) => std::str::from_utf8(text)
            .ok()
            .and_then(decode_key_base64)
            .ok_or_else(|| {
                ApiError::bad_request(
                    "key_base64 is not URL-safe base64 (alphabet A-Z a-z 0-9 - _, padding optional); encode the key's bytes that way",
                )
            })?,
        ([], []) => {
            return Err(ApiError::bad_request(
                "no key: name the item with the key query parameter (URL-safe text) or key_base64 (URL-safe base64 of its bytes)",
            ));
        }
        _ => {
            return Err(ApiError::bad_request(
                "send exactly one key: one key or one key_base64 query parameter, not both and not twice",
            ));
        }
    };
    if key.is_empty() {
        return Err(ApiError::bad_request(
            "the key is empty; give a key of at least one byte",
        ));
    }
    Ok(Bytes::from(key))
}

/// Percent-decodes a query component to bytes (`+` is a space), keeping
/// bytes that are not UTF-8 as they are.
fn decode(text: &str) -> Vec<u8> {
    let spaced = text.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced).collect()
}

/// The TTL a `PUT` asks for: `ttl_seconds`, once, a whole number in 1..=86400.
fn ttl_of(raw: Option<&str>) -> Result<Duration, ApiError> {
    let max = CACHE_MAX_TTL.as_secs();
    let values: Vec<String> = query_pairs(raw)
        .into_iter()
        .filter(|(name, _)| name == "ttl_seconds")
        .map(|(_, value)| value)
        .collect();
    let [value] = values.as_slice() else {
        return Err(ApiError::bad_request(format!(
            "ttl_seconds is required, once: how long the item lives, in whole seconds from 1 to {max}"
        )));
    };
    let seconds: u64 = value.trim().parse().map_err(|_| {
        ApiError::bad_request(format!(
            "ttl_seconds {value:?} is not a whole number of seconds; give one from 1 to {max}"
        ))
    })?;
    if seconds == 0 || seconds > max {
        return Err(ApiError::bad_request(format!(
            "ttl_seconds {seconds} is outside 1..={max} (24 hours is the longest TTL); give one within it"
        )));
    }
    Ok(Duration::from_secs(seconds))
}

/// How much of a refused body is read and dropped so its sender can read the
/// refusal; past this the connection is cut with the answer.
const DRAIN_AT_MOST: usize = 2 * CACHE_MAX_ITEM_BYTES;

/// Reads the body (never past the item limit) and stores the item.
async fn store(
    state: &AppState,
    item: Item,
    raw: Option<&str>,
    headers: &HeaderMap,
    body: Body,
) -> Result<(), ApiError> {
    let ttl = ttl_of(raw)?;
    let too_big = || {
        ApiError::bad_request(format!(
            "the item is larger than {CACHE_MAX_ITEM_BYTES} bytes (5 MB), key and value together; store a smaller value"
        ))
    };
    // What the value may take once the key is counted.
    let Some(room) = CACHE_MAX_ITEM_BYTES.checked_sub(item.key.len()) else {
        return Err(too_big());
    };
    // Refuse by Content-Length, and never keep more than the limit. A body
    // that is only a little too big is read and dropped first: answering
    // while the client is still sending megabytes resets the connection, and
    // the client would see a broken pipe instead of the 400 that explains it.
    if let Some(len) = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        && len > room as u64
    {
        if len <= DRAIN_AT_MOST as u64 {
            let _ = axum::body::to_bytes(body, DRAIN_AT_MOST).await;
        }
        return Err(too_big());
    }
    let value = axum::body::to_bytes(body, room).await.map_err(|e| {
        if e.to_string().contains("length limit") {
            too_big()
        } else {
            ApiError::bad_request(format!("cannot read the body: {e}"))
        }
    })?;
    let size = value.len();
    state
        .cache_items
        .set(&item.cache, item.key, value, ttl)
        .map_err(|e| {
            ApiError::bad_request(format!(
                "the item ({} bytes) is larger than all of the emulator's cache memory ({} bytes); start it with a larger --cache-memory-mib",
                size, e.max_bytes
            ))
        })?;
    tracing::info!(cache = %item.cache, size, ttl_seconds = ttl.as_secs(), "cache set");
    Ok(())
}

/// 404 for a miss: the title says "Key Not Found" (docs/api.md §7), as
/// clients look for it.
fn key_not_found(cache: &str) -> ApiError {
    ApiError {
        title: Some("Key Not Found"),
        ..ApiError::not_found(format!(
            "Key Not Found: cache {cache:?} has no item under this key (never set, deleted, expired or evicted)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_exactly_one_of_key_or_key_base64_and_never_empty() {
        assert_eq!(key_of(Some("key=a%20b")).unwrap(), &b"a b"[..]);
        assert_eq!(key_of(Some("key=%FF%00")).unwrap(), &[0xff, 0][..]);
        assert_eq!(
            key_of(Some("key_base64=ZXhhbXBsZV9rZXk")).unwrap(),
            &b"example_key"[..]
        );
        assert_eq!(
            key_of(Some("token=t&key_base64=-_8%3D")).unwrap(),
            &[0xfb, 0xff][..]
        );
        for bad in [
            None,
            Some("token=t"),
            Some("key=a&key_base64=YQ"),
            Some("key=a&key=b"),
            Some("key="),
            Some("key_base64="),
            Some("key_base64=***"),
        ] {
            assert!(key_of(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_ttl_is_one_whole_number_of_seconds_up_to_a_day() {
        assert_eq!(
            ttl_of(Some("ttl_seconds=1")).unwrap(),
            Duration::from_secs(1)
        );
        assert_eq!(
            ttl_of(Some("key=k&ttl_seconds=86400")).unwrap(),
            Duration::from_secs(86_400)
        );
        for bad in [
            None,
            Some("ttl_seconds=0"),
            Some("ttl_seconds=-1"),
            Some("ttl_seconds=1.5"),
            Some("ttl_seconds=86401"),
            Some("ttl_seconds=1&ttl_seconds=2"),
            Some("ttl_seconds=99999999999999999999999"),
        ] {
            assert!(ttl_of(bad).is_err(), "{bad:?}");
        }
    }
}
