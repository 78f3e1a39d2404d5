//! Service limits (docs/api.md §8): operations per second, concurrent subscriptions,
//! caches, payload size. Exceeding one is a 429 with `Retry-After`.

use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The limits the emulator enforces. `None` = unlimited.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Publish + subscribe requests per second, across all caches.
    pub ops_per_second: Option<u32>,
    /// Long polls in progress at once.
    pub concurrent_subscriptions: Option<usize>,
    /// Caches that may exist.
    pub max_caches: Option<usize>,
    /// Largest publish body (bytes).
    pub max_payload_bytes: usize,
    /// Topics alive at once across all caches (idle ones expire); bounds memory.
    pub max_topics: Option<usize>,
}

impl Default for Limits {
    /// Generous: 10,000 ops/s, 10,000 subscriptions, 1,000 caches, 4096-byte
    /// payloads, 100,000 topics.
    fn default() -> Self {
        Limits {
            ops_per_second: Some(10_000),
            concurrent_subscriptions: Some(10_000),
            max_caches: Some(1_000),
            max_payload_bytes: momento_http::wire::MAX_PUBLISH_PAYLOAD_BYTES,
            max_topics: Some(100_000),
        }
    }
}

impl Limits {
    /// Momento's documented defaults: 10 ops/s, 100 subscriptions, 3 caches, 4 KB
    /// (topics: Momento documents no limit; 100,000 as by default).
    pub fn documented() -> Self {
        Limits {
            ops_per_second: Some(10),
            concurrent_subscriptions: Some(100),
            max_caches: Some(3),
            max_payload_bytes: momento_http::wire::MAX_PUBLISH_PAYLOAD_BYTES,
            max_topics: Some(100_000),
        }
    }
}

/// Enforces [`Limits`] at run time.
#[derive(Clone, Debug)]
pub struct Enforcer {
    limits: Limits,
    /// (window start, count) of a one-second fixed window.
    window: Arc<Mutex<(Instant, u32)>>,
    subscriptions: Option<Arc<Semaphore>>,
}

impl Enforcer {
    /// For these limits.
    pub fn new(limits: Limits) -> Self {
        let subscriptions = limits
            .concurrent_subscriptions
            .map(|n| Arc::new(Semaphore::new(n.min(Semaphore::MAX_PERMITS))));
        Enforcer {
            limits,
            window: Arc::new(Mutex::new((Instant::now(), 0))),
            subscriptions,
        }
    }

    /// The limits.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Count one operation; `false` when over the per-second limit.
    pub fn operation(&self) -> bool {
        let Some(max) = self.limits.ops_per_second else {
            return true;
        };
        let mut w = self.window.lock().unwrap_or_else(|e| e.into_inner());
        if w.0.elapsed().as_secs_f64() >= 1.0 {
            *w = (Instant::now(), 0);
        }
        if w.1 >= max {
            return false;
        }
        w.1 += 1;
        true
    }

    /// A subscription slot, held for the long poll; `Err` when none is free.
    #[allow(clippy::result_unit_err)]
    pub fn subscription(&self) -> Result<Option<OwnedSemaphorePermit>, ()> {
        match &self.subscriptions {
            None => Ok(None),
            Some(s) => s.clone().try_acquire_owned().map(Some).map_err(|_| ()),
        }
    }
}
