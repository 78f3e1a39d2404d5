//! A key is its bytes (docs/api.md §7): `key` and `key_base64` name the
//! same item for the same bytes, and binary keys and values round-trip.
//! Keys that differ only in case or in Unicode normalisation are different
//! bytes, so different items; the same bytes percent-escaped another way
//! are the same item. Every key the other checks use is lower-case ASCII,
//! so without these a server that folds or normalises keys passes them all.

use super::{TTL, b64, cache_req, expect_read, expect_value, fresh_key, set_ok};
use crate::failure::CheckError;
use crate::request::Req;
use crate::target::Target;
use std::sync::Arc;

pub(super) async fn key_forms_same_item(t: Arc<Target>) -> Result<(), CheckError> {
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

pub(super) async fn binary_round_trip(t: Arc<Target>) -> Result<(), CheckError> {
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

/// Store a different value under each of `keys` (as `key`), then read each
/// back through `key` and through `key_base64`: each its own value.
async fn distinct_items(t: &Target, what: &str, keys: &[String]) -> Result<(), CheckError> {
    for (i, key) in keys.iter().enumerate() {
        set_ok(t, &[("key", key)], format!("value {i}").as_bytes()).await?;
    }
    for (i, key) in keys.iter().enumerate() {
        let value = format!("value {i}");
        expect_value(
            t,
            &format!("keys differing only in {what} name different items (key {key:?})"),
            &[("key", key)],
            value.as_bytes(),
        )
        .await?;
        expect_value(
            t,
            &format!("keys differing only in {what} name different items (key_base64 of {key:?})"),
            &[("key_base64", &b64(key.as_bytes()))],
            value.as_bytes(),
        )
        .await?;
    }
    Ok(())
}

pub(super) async fn case_distinct(t: Arc<Target>) -> Result<(), CheckError> {
    let lower = fresh_key(&t, "case");
    let keys = [lower.to_uppercase(), lower];
    distinct_items(&t, "case", &keys).await
}

pub(super) async fn unicode_forms_distinct(t: Arc<Target>) -> Result<(), CheckError> {
    let base = fresh_key(&t, "unicode");
    // "café": é precomposed (NFC) and as e + a combining acute (NFD).
    let keys = [format!("{base}-caf\u{e9}"), format!("{base}-cafe\u{301}")];
    distinct_items(&t, "Unicode normalisation", &keys).await
}

/// A cache request whose query is sent exactly as `raw_query` spells it.
fn spelled(t: &Target, method: reqwest::Method, raw_query: &str, body: &[u8]) -> Req {
    let mut req = cache_req(t, method, &t.cache, &[], body);
    req.path = format!("{}?{raw_query}", req.path);
    req
}

pub(super) async fn escapes_same_bytes(t: Arc<Target>) -> Result<(), CheckError> {
    let base = fresh_key(&t, "escapes");
    // The bytes `{base}-~-é`, spelled three ways: `~` escaped or not, the
    // escapes of é in upper or lower case hex, and as key_base64.
    let stored = spelled(
        &t,
        reqwest::Method::PUT,
        &format!("key={base}-%7E-%C3%A9&ttl_seconds={TTL}"),
        b"one item",
    );
    t.expect_status(
        "storing under a percent-escaped key answers 204",
        &stored,
        204,
    )
    .await?;
    let respelled = spelled(
        &t,
        reqwest::Method::GET,
        &format!("key={base}-~-%c3%a9"),
        b"",
    );
    expect_read(
        &t,
        "the same key bytes percent-escaped another way name the same item",
        &respelled,
        b"one item",
    )
    .await?;
    expect_value(
        &t,
        "key_base64 of the bytes a percent-escaped key decodes to names its item",
        &[("key_base64", &b64(format!("{base}-~-\u{e9}").as_bytes()))],
        b"one item",
    )
    .await
}
