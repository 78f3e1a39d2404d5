//! [`CacheClient`]: get, set and delete on `/cache/{cacheName}`
//! (docs/api.md §7), over the same connection pool, credential, region, token
//! placement and error type as the [`TopicClient`] it comes from.
//!
//! Local checks refuse what the server would refuse (an empty key, a TTL of
//! zero or over 24 hours, an item over 5 MB) before anything is sent. `get`
//! and `delete` are retried per the client's [`RetryPolicy`]; `set` only when
//! the server surely did not store it (see [`CacheClient::set`]).
//!
//! [`RetryPolicy`]: crate::RetryPolicy

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures::StreamExt as _;

use crate::cache_key::{CacheKey, CacheValue};
use crate::client::{Inner, TopicClient};
use crate::error::Error;
use crate::generated;
use crate::publish::validate_names;

/// The largest item, key and value together: 5 MB (D), read as 5 MiB (C)
/// (docs/api.md §7). The emulator refuses larger items with 400.
pub const CACHE_MAX_ITEM_BYTES: usize = 5 * 1024 * 1024;

/// The longest TTL: 24 hours, the limit of on-demand caches (docs/api.md §7, §8).
pub const CACHE_MAX_TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// A client for the cache half of Momento's HTTP API: `get`, `set`, `delete`.
///
/// It is the [`TopicClient`]'s other face: [`TopicClient::cache`] makes one
/// that shares its connection pool, credential, region, token placement,
/// timeouts and retry policy, and [`CacheClient::topics`] goes back. Cloning
/// is cheap. `Debug` never shows the token.
///
/// ```no_run
/// use std::time::Duration;
/// use momento_http::{CacheClient, TopicClient};
///
/// # async fn run() -> Result<(), momento_http::Error> {
/// // One builder for both halves (MOMENTO_API_KEY, and MOMENTO_ENDPOINT for v2 keys).
/// let topics = TopicClient::from_env()?;
/// let cache: CacheClient = topics.cache();
///
/// cache.set("my-cache", "greeting", "hello", Duration::from_secs(60)).await?;
/// assert_eq!(cache.get("my-cache", "greeting").await?.as_deref(), Some(&b"hello"[..]));
/// cache.set("my-cache", vec![0u8, 1, 2], vec![255u8], Duration::from_secs(60)).await?; // key_base64
/// cache.delete("my-cache", "greeting").await?;
/// assert_eq!(cache.get("my-cache", "greeting").await?, None); // a miss
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct CacheClient {
    /// The topic client's own settings and generated client.
    inner: Arc<Inner>,
}

impl TopicClient {
    /// The cache half of the API, over this client's connection pool,
    /// credential, region, token placement and retry policy.
    pub fn cache(&self) -> CacheClient {
        CacheClient {
            inner: self.inner.clone(),
        }
    }
}

impl From<TopicClient> for CacheClient {
    fn from(client: TopicClient) -> Self {
        client.cache()
    }
}

impl std::fmt::Debug for CacheClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CacheClient")
            .field("topics", &self.topics())
            .finish()
    }
}

/// Which failures an operation may retry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Retry {
    /// Every retryable error (429, 5xx, transport): reading and deleting
    /// twice is the same as once.
    Retryable,
    /// Only failures where the server surely stored nothing: a 429, or a
    /// connection that never opened.
    NotApplied,
}

impl Retry {
    pub(crate) fn allows(self, err: &Error) -> bool {
        match self {
            Retry::Retryable => err.is_retryable(),
            Retry::NotApplied => matches!(
                err,
                Error::TooManyRequests { .. }
                    | Error::Transport {
                        may_have_been_delivered: false,
                        ..
                    }
            ),
        }
    }
}

impl CacheClient {
    /// A cache client from `MOMENTO_API_KEY` (and `MOMENTO_ENDPOINT`), otherwise defaults.
    pub fn from_env() -> Result<CacheClient, Error> {
        Ok(TopicClient::from_env()?.cache())
    }

    /// The topic client over the same pool and settings.
    pub fn topics(&self) -> TopicClient {
        TopicClient {
            inner: self.inner.clone(),
        }
    }

    /// The generated client, for what this layer does not wrap (its hooks
    /// place the token: pass `None` for `token`).
    pub fn generated(&self) -> &generated::Client {
        &self.inner.bytes_client
    }

    /// Reads `key` from `cache`: `Some(value)` on a hit, `None` on a miss.
    ///
    /// A missing cache is an error ([`Error::NotFound`], "Cache Not Found"),
    /// never a miss: only a 404 whose body says "Key Not Found" is one.
    /// Retried on 429, 5xx and transport errors per the client's
    /// [`RetryPolicy`](crate::RetryPolicy).
    pub async fn get(&self, cache: &str, key: impl Into<CacheKey>) -> Result<Option<Bytes>, Error> {
        let key = key.into();
        check(cache, &key)?;
        let (plain, b64) = key.query();
        let b64 = b64.as_deref();
        self.retrying("get", cache, Retry::Retryable, move || async move {
            let result = self
                .inner
                .bytes_client
                .cache_get(cache, plain, b64, None)
                .await;
            match result {
                Ok(response) => read_value(response.into_inner()).await.map(Some),
                Err(generated::Error::ErrorResponse(rv)) if is_miss(rv.status(), &rv) => Ok(None),
                Err(e) => {
                    Err(Error::from_generated(e, false, self.inner.runtime.system_now()).await)
                }
            }
        })
        .await
    }

    /// Stores `value` under `key` in `cache` for `ttl`, replacing any item
    /// under that key.
    ///
    /// The TTL travels in whole seconds, rounded up; zero, or more than 24
    /// hours ([`CACHE_MAX_TTL`]), is refused before sending, as is an item
    /// whose key and value together exceed [`CACHE_MAX_ITEM_BYTES`] or an
    /// empty key ([`Error::InvalidInput`], nothing sent).
    ///
    /// Retried only when the server surely stored nothing (a 429, or a
    /// connection that never opened). A set is idempotent on its own, but
    /// after a 5xx or a timeout the first attempt may have landed: sending it
    /// again could overwrite a newer value another writer stored in between,
    /// and restarts the TTL. Such failures come back with
    /// [`Error::may_have_been_delivered`] true, for the caller to decide.
    pub async fn set(
        &self,
        cache: &str,
        key: impl Into<CacheKey>,
        value: impl Into<CacheValue>,
        ttl: Duration,
    ) -> Result<(), Error> {
        let (key, value) = (key.into(), value.into());
        check(cache, &key)?;
        let ttl_seconds = ttl_seconds(ttl)?;
        let size = key.len() + value.len();
        if size > CACHE_MAX_ITEM_BYTES {
            return Err(Error::InvalidInput {
                reason: format!(
                    "the item is {size} bytes (key {} + value {}), over the {CACHE_MAX_ITEM_BYTES}-byte (5 MB) limit on key and value together; store a smaller value",
                    key.len(),
                    value.len()
                ),
            });
        }
        let (plain, b64) = key.query();
        let (b64, value) = (b64.as_deref(), &value.0);
        self.retrying("set", cache, Retry::NotApplied, move || async move {
            let result = self
                .inner
                .bytes_client
                .cache_set(cache, plain, b64, None, ttl_seconds, value.clone())
                .await;
            match result {
                Ok(_) => Ok(()),
                Err(e) => {
                    Err(Error::from_generated(e, true, self.inner.runtime.system_now()).await)
                }
            }
        })
        .await
    }

    /// Removes `key` from `cache`. Idempotent: deleting a key that is not
    /// there succeeds. Retried like [`get`](Self::get).
    pub async fn delete(&self, cache: &str, key: impl Into<CacheKey>) -> Result<(), Error> {
        let key = key.into();
        check(cache, &key)?;
        let (plain, b64) = key.query();
        let b64 = b64.as_deref();
        self.retrying("delete", cache, Retry::Retryable, move || async move {
            let result = self
                .inner
                .bytes_client
                .cache_delete(cache, plain, b64, None)
                .await;
            match result {
                Ok(_) => Ok(()),
                Err(e) => {
                    Err(Error::from_generated(e, true, self.inner.runtime.system_now()).await)
                }
            }
        })
        .await
    }

    /// Runs `attempt` until it succeeds, fails for good, or `retry` and the
    /// client's policy stop it; waits per the policy (its backoff, lengthened by a `Retry-After`).
    pub(crate) async fn retrying<T, F, Fut>(
        &self,
        operation: &'static str,
        cache: &str,
        retry: Retry,
        mut attempt: F,
    ) -> Result<T, Error>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, Error>>,
    {
        let policy = &self.inner.retry;
        let mut retries = 0;
        loop {
            let err = match attempt().await {
                Ok(value) => return Ok(value),
                Err(e) => e,
            };
            if !retry.allows(&err) || !policy.allows(retries) {
                tracing::debug!(operation, cache, error = %err, "cache operation failed");
                return Err(err);
            }
            let wait = policy.backoff(retries, err.retry_after(), self.inner.runtime.jitter());
            tracing::info!(operation, cache, error = %err, wait_ms = wait.as_millis() as u64, "retrying cache operation");
            self.inner.runtime.sleep(wait).await;
            retries += 1;
        }
    }
}

/// The checks every operation makes before sending.
fn check(cache: &str, key: &CacheKey) -> Result<(), Error> {
    // The cache name follows the topic client's rules; "_" is a topic name
    // that always passes them.
    validate_names(cache, "_")?;
    if key.is_empty() {
        return Err(Error::InvalidInput {
            reason: "the cache key is empty; give a key of at least one byte".into(),
        });
    }
    Ok(())
}

/// `ttl` as `ttl_seconds`: whole seconds, rounded up, within 1..=86400.
fn ttl_seconds(ttl: Duration) -> Result<u64, Error> {
    if ttl.is_zero() || ttl > CACHE_MAX_TTL {
        return Err(Error::InvalidInput {
            reason: format!(
                "the TTL {ttl:?} is outside what the server accepts: more than zero and at most 24 hours ({} s)",
                CACHE_MAX_TTL.as_secs()
            ),
        });
    }
    // Within a day, so no overflow.
    Ok(ttl.as_secs() + u64::from(ttl.subsec_nanos() > 0))
}

/// Whether a 404 is a miss: its body says "Key Not Found" (docs/api.md §7);
/// anything else, "Cache Not Found" included, is an error.
fn is_miss(status: reqwest::StatusCode, body: &crate::wire::Error) -> bool {
    const MISS: &str = "key not found";
    status == reqwest::StatusCode::NOT_FOUND
        && [&body.title, &body.detail]
            .iter()
            .any(|text| text.to_ascii_lowercase().contains(MISS))
}

/// The body of a hit, whole. A server that sends more than the largest
/// item could hold is not believed.
async fn read_value(stream: generated::ByteStream) -> Result<Bytes, Error> {
    let mut stream = stream.into_inner();
    let mut chunks: Vec<Bytes> = Vec::new();
    let mut total = 0;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| Error::transport(e, false))?;
        total += chunk.len();
        if total > CACHE_MAX_ITEM_BYTES {
            return Err(Error::InvalidResponse {
                reason: format!(
                    "the value is longer than the largest item ({CACHE_MAX_ITEM_BYTES} bytes)"
                ),
                body: String::new(),
            });
        }
        chunks.push(chunk);
    }
    // One chunk (the usual case for small values) is returned without a copy.
    Ok(match chunks.len() {
        0 => Bytes::new(),
        1 => chunks.swap_remove(0),
        _ => {
            let mut whole = BytesMut::with_capacity(total);
            chunks
                .iter()
                .for_each(|chunk| whole.extend_from_slice(chunk));
            whole.freeze()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttls_round_up_to_whole_seconds_within_one_second_and_a_day() {
        assert_eq!(ttl_seconds(Duration::from_millis(1)).unwrap(), 1);
        assert_eq!(ttl_seconds(Duration::from_millis(1500)).unwrap(), 2);
        assert_eq!(ttl_seconds(CACHE_MAX_TTL).unwrap(), 86_400);
        assert!(ttl_seconds(Duration::ZERO).is_err());
        assert!(ttl_seconds(CACHE_MAX_TTL + Duration::from_nanos(1)).is_err());
        assert!(ttl_seconds(Duration::MAX).is_err());
    }

    #[test]
    fn only_a_404_that_says_key_not_found_is_a_miss() {
        let body = |title: &str, detail: &str| crate::wire::Error {
            status: 404,
            title: title.into(),
            detail: detail.into(),
        };
        let not_found = reqwest::StatusCode::NOT_FOUND;
        assert!(is_miss(not_found, &body("Not Found", "Key Not Found")));
        assert!(is_miss(not_found, &body("Key Not Found", "no item")));
        assert!(!is_miss(not_found, &body("Not Found", "Cache Not Found")));
        assert!(!is_miss(not_found, &body("Not Found", "no such route")));
        assert!(!is_miss(
            reqwest::StatusCode::BAD_REQUEST,
            &body("Bad Request", "Key Not Found")
        ));
    }
}
