//! `cache_throughput` (the emulator's cache against the bare axum handler)
//! and `cache_client_overhead` (`CacheClient` against raw reqwest requests).
//!
//! Both run the same mix: of every [`MIX`] operations one is a `set` and the
//! rest are `get`s, round-robin over [`KEYS`] keys that are stored before the
//! first round, so every `get` is a hit that carries a value back.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use momento_http::{CacheClient, TopicClient};

use super::Plan;
use super::baselines::start_baseline;
use super::harness::{BODY, CACHE, PUBLISHERS, Paired, start_emulator};
use super::report::Scenario;

/// Keys the mixed load goes round: a small, hot key space.
pub const KEYS: u64 = 16;
/// One operation in `MIX` is a `set`: 80% get, 20% set.
pub const MIX: u64 = 5;
/// The TTL of every `set`: longer than any run.
pub const TTL: Duration = Duration::from_secs(600);

/// What the `n`th operation of a run is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// Read the key with this index.
    Get(u64),
    /// Store [`BODY`] under the key with this index.
    Set(u64),
}

impl Op {
    /// The `n`th operation: round-robin over the keys, every `MIX`th a set.
    pub fn nth(n: u64) -> Op {
        let key = n % KEYS;
        if n % MIX == MIX - 1 {
            Op::Set(key)
        } else {
            Op::Get(key)
        }
    }
}

/// The name of the key with index `i` (URL-safe, so it travels as `key`).
pub fn key_name(i: u64) -> String {
    format!("bench-key-{i}")
}

/// A boxed operation outcome, as the harness runs it.
type Outcome = Pin<Box<dyn std::future::Future<Output = bool> + Send>>;

/// The mixed load as raw reqwest requests, the shape `CacheClient` sends:
/// `GET {base}/cache/{CACHE}?key=K` (the value read to its end, 200 expected)
/// and `PUT …?key=K&ttl_seconds=600` with an octet-stream body (204 expected);
/// the token in the `authorization` header.
pub fn raw_cache_mix(
    http: reqwest::Client,
    base_url: &str,
    token: Arc<str>,
) -> impl Fn() -> Outcome + Clone + Send + 'static {
    let url = format!("{base_url}/cache/{CACHE}");
    let ttl = TTL.as_secs().to_string();
    let counter = Arc::new(AtomicU64::new(0));
    move || {
        let request = match Op::nth(counter.fetch_add(1, Ordering::Relaxed)) {
            Op::Get(k) => http.get(&url).query(&[("key", key_name(k))]),
            Op::Set(k) => http
                .put(&url)
                .query(&[("key", key_name(k)), ("ttl_seconds", ttl.clone())])
                .header("accept", "application/json")
                .header("content-type", "application/octet-stream")
                .body(BODY),
        };
        let request = request.header("authorization", &*token);
        Box::pin(async move {
            match request.send().await {
                Ok(r) if r.status() == reqwest::StatusCode::OK => r.bytes().await.is_ok(),
                Ok(r) => r.status() == reqwest::StatusCode::NO_CONTENT,
                Err(_) => false,
            }
        })
    }
}

/// The same mixed load through [`CacheClient`]; a get must be a hit.
pub fn client_cache_mix(cache: CacheClient) -> impl Fn() -> Outcome + Clone + Send + 'static {
    let counter = Arc::new(AtomicU64::new(0));
    // What a caller with the value already in `Bytes` passes: no copy.
    let value = Bytes::from_static(BODY.as_bytes());
    move || {
        let (cache, value) = (cache.clone(), value.clone());
        let op = Op::nth(counter.fetch_add(1, Ordering::Relaxed));
        Box::pin(async move {
            match op {
                Op::Get(k) => matches!(cache.get(CACHE, key_name(k)).await, Ok(Some(_))),
                Op::Set(k) => cache.set(CACHE, key_name(k), value, TTL).await.is_ok(),
            }
        })
    }
}

/// Stores every key once, so the runs' gets are hits from the start.
async fn fill(cache: &CacheClient) -> anyhow::Result<()> {
    for k in 0..KEYS {
        cache.set(CACHE, key_name(k), BODY, TTL).await?;
    }
    Ok(())
}

/// `cache_throughput`: 64 keep-alive clients running the mix, the emulator's
/// cache against the bare axum handler `publish_throughput` uses (which
/// answers a get with a fixed 100-byte value and a set with 204).
pub async fn cache_throughput(plan: Plan) -> anyhow::Result<Scenario> {
    let emulator = start_emulator().await?;
    let (baseline_addr, baseline_task) = start_baseline().await?;
    let token: Arc<str> = emulator.api_key().into();
    fill(&TopicClient::builder().api_key(&token).build()?.cache()).await?;
    let http = momento_http::http_client_builder()
        .expect("rustls accepts ring's defaults")
        .build()?;
    let bare = raw_cache_mix(
        http.clone(),
        &format!("http://{baseline_addr}"),
        token.clone(),
    );
    let measured = raw_cache_mix(http, &emulator.base_url(), token);
    let run = Paired::run(plan, bare, measured).await;
    baseline_task.abort();
    emulator.shutdown().await;
    Ok(Scenario::ratio_at_least(
        "cache_throughput",
        "cache ops/s",
        run.figures(),
        "axum handler answering the same gets (a fixed 100-byte value) and sets (204)",
        0.85,
        format!(
            "{PUBLISHERS} keep-alive clients, {}% get / {}% set over {KEYS} keys, 100-byte values, {} pairs of {:?} rounds in alternating order, ratio = median of the pairs' ratios (per pair: {}); {}; {} failed operations",
            100 - 100 / MIX,
            100 / MIX,
            plan.rounds,
            plan.round,
            run.pair_ratios(),
            run.cpu_note(),
            run.failures(),
        ),
    ))
}

/// `cache_client_overhead`: the mix through `CacheClient::get`/`set` against
/// raw reqwest requests of the same shape, same emulator.
pub async fn cache_client_overhead(plan: Plan) -> anyhow::Result<Scenario> {
    let emulator = start_emulator().await?;
    let token: Arc<str> = emulator.api_key().into();
    let cache = TopicClient::builder().api_key(&token).build()?.cache();
    fill(&cache).await?;
    let raw = raw_cache_mix(
        momento_http::http_client_builder()
            .expect("rustls accepts ring's defaults")
            .build()?,
        &emulator.base_url(),
        token,
    );
    let run = Paired::run(plan, raw, client_cache_mix(cache)).await;
    emulator.shutdown().await;
    Ok(Scenario::ratio_at_least(
        "cache_client_overhead",
        "cache ops/s",
        run.figures(),
        "raw reqwest gets and puts (same query, headers and emulator)",
        0.95,
        format!(
            "{PUBLISHERS} concurrent clients, {}% get / {}% set over {KEYS} keys, {} pairs of {:?} rounds in alternating order, ratio = median of the pairs' ratios (per pair: {}); {}; {} failed operations",
            100 - 100 / MIX,
            100 / MIX,
            plan.rounds,
            plan.round,
            run.pair_ratios(),
            run.cpu_note(),
            run.failures(),
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::{KEYS, MIX, Op, key_name};

    #[test]
    fn the_mix_is_one_set_in_five_and_visits_every_key_with_both() {
        let ops: Vec<Op> = (0..KEYS * MIX).map(Op::nth).collect();
        let sets = ops.iter().filter(|op| matches!(op, Op::Set(_))).count() as u64;
        assert_eq!(sets, KEYS, "one set in {MIX}");
        for k in 0..KEYS {
            assert!(ops.contains(&Op::Get(k)), "key {k} is never read");
            assert!(ops.contains(&Op::Set(k)), "key {k} is never written");
        }
    }

    #[test]
    fn keys_are_url_safe_so_they_travel_as_key() {
        for k in 0..KEYS {
            let name = key_name(k);
            assert!(
                name.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
                "{name}"
            );
        }
    }
}
