//! A key is its bytes (docs/api.md §7): `key` and `key_base64` name the
//! same item for the same bytes, and binary keys and values round-trip.

use super::{b64, expect_value, fresh_key, set_ok};
use crate::failure::CheckError;
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
