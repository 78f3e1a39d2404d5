//! Each cache operation's documented answers (docs/api.md §7): stored,
//! read back, missing, deleted, expired; the token in either place.

use super::{
    MAX_ITEM, TTL, cache_req, delete_req, expect_404_saying, expect_value, fresh_key, get_req,
    set_ok, set_req,
};
use crate::failure::CheckError;
use crate::request::Auth;
use crate::target::{KeyRole, Target};
use momento_http::admin_wire::{FaultAction, FaultOperation};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub(super) async fn set_204(t: Arc<Target>) -> Result<(), CheckError> {
    let key = fresh_key(&t, "set");
    let req = set_req(&t, &[("key", &key)], TTL, b"value");
    t.expect_status("storing an item answers 204 No Content", &req, 204)
        .await?;
    Ok(())
}

pub(super) async fn hit_200(t: Arc<Target>) -> Result<(), CheckError> {
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

pub(super) async fn miss_404(t: Arc<Target>) -> Result<(), CheckError> {
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

pub(super) async fn get_unknown_cache_404(t: Arc<Target>) -> Result<(), CheckError> {
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

pub(super) async fn set_unknown_cache_404(t: Arc<Target>) -> Result<(), CheckError> {
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

pub(super) async fn delete_unknown_cache_404(t: Arc<Target>) -> Result<(), CheckError> {
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

pub(super) async fn delete_204(t: Arc<Target>) -> Result<(), CheckError> {
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

pub(super) async fn delete_missing_204(t: Arc<Target>) -> Result<(), CheckError> {
    let key = fresh_key(&t, "delete-missing");
    let req = delete_req(&t, &[("key", &key)]);
    t.expect_status("deleting a key that is not there answers 204", &req, 204)
        .await
        .map(drop)
}

pub(super) async fn ttl_day_204(t: Arc<Target>) -> Result<(), CheckError> {
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

pub(super) async fn at_5mb_204(t: Arc<Target>) -> Result<(), CheckError> {
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

pub(super) async fn expires_after_ttl(t: Arc<Target>) -> Result<(), CheckError> {
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

pub(super) async fn query_token(t: Arc<Target>) -> Result<(), CheckError> {
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

pub(super) async fn both_placements_400(t: Arc<Target>) -> Result<(), CheckError> {
    let req = get_req(&t, &[("key", "k")]).with_auth(Auth::Both(t.token().to_owned()));
    t.expect_status(
        "the token in both the header and the query answers 400",
        &req,
        400,
    )
    .await
    .map(drop)
}

pub(super) async fn other_cache_403(t: Arc<Target>) -> Result<(), CheckError> {
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

pub(super) async fn fault_429(t: Arc<Target>) -> Result<(), CheckError> {
    let key = fresh_key(&t, "cache-429");
    let req = get_req(&t, &[("key", &key)]);
    super::super::emulator::injected_429_has_retry_after(&t, FaultOperation::CacheGet, &key, req)
        .await
}

pub(super) async fn fault_500(t: Arc<Target>) -> Result<(), CheckError> {
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
