//! Cache items: values with a time to live, within a memory bound.
//!
//! Shaped like `topics.rs`: [`CacheItems`] is a cheap handle over shared
//! state behind a std `Mutex` (short critical sections, never held across an
//! await). Which caches exist is `topics.rs`'s business; this holds their
//! items.
//!
//! - Expiry is measured on a [`Clock`]: the system's, or a [`ManualClock`]
//!   that tests move forward instead of sleeping. An expired item is gone
//!   for every reader at once; its memory is reclaimed when it is next
//!   touched, listed, or when room is needed.
//! - Memory: the key and value bytes of every item, all caches together,
//!   stay within a bound. Storing past it evicts the least recently used
//!   items (a get or a set uses an item), after any expired ones.

use bytes::Bytes;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The default memory bound: 64 MiB of keys and values.
pub const DEFAULT_CACHE_MEMORY_BYTES: usize = 64 * 1024 * 1024;

/// A clock that only moves when told: give it to
/// [`Emulator::cache_clock`](crate::Emulator::cache_clock) and call
/// [`advance`](ManualClock::advance) to expire items without waiting.
///
/// Clones share the time.
///
/// ```
/// use momento_http_emulator::ManualClock;
/// use std::time::Duration;
///
/// let clock = ManualClock::new();
/// clock.advance(Duration::from_secs(61));
/// assert_eq!(clock.elapsed(), Duration::from_secs(61));
/// ```
#[derive(Clone, Debug, Default)]
pub struct ManualClock {
    /// Milliseconds since the clock was made.
    millis: Arc<AtomicU64>,
}

impl ManualClock {
    /// A clock at zero.
    pub fn new() -> ManualClock {
        ManualClock::default()
    }

    /// Moves the clock forward by `by` (to the millisecond).
    pub fn advance(&self, by: Duration) {
        let ms = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        self.millis.fetch_add(ms, Ordering::Relaxed);
    }

    /// How far the clock has been moved.
    pub fn elapsed(&self) -> Duration {
        Duration::from_millis(self.millis.load(Ordering::Relaxed))
    }
}

/// What expiry is measured on.
#[derive(Clone, Debug)]
pub(crate) enum Clock {
    /// Real time since the emulator started.
    System(Instant),
    /// Time moved by hand.
    Manual(ManualClock),
}

impl Clock {
    fn now(&self) -> Duration {
        match self {
            Clock::System(start) => start.elapsed(),
            Clock::Manual(clock) => clock.elapsed(),
        }
    }
}

/// One stored item.
#[derive(Debug)]
struct Item {
    value: Bytes,
    /// On the clock's scale.
    expires_at: Duration,
    /// Its place in `State::recency`.
    used: u64,
}

impl Item {
    fn size(&self, key: &[u8]) -> usize {
        key.len() + self.value.len()
    }
}

#[derive(Debug)]
struct State {
    /// cache → key → item.
    caches: HashMap<String, HashMap<Bytes, Item>>,
    /// Use counter → (cache, key): the first entry is the least recently used.
    recency: BTreeMap<u64, (String, Bytes)>,
    /// The next use counter.
    tick: u64,
    /// Key and value bytes held.
    used_bytes: usize,
    /// The bound on `used_bytes`.
    max_bytes: usize,
}

/// Why an item was not stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LargerThanMemory {
    /// The whole memory bound.
    pub max_bytes: usize,
}

/// One live item, as the admin API lists it.
#[derive(Clone, Debug)]
pub(crate) struct ItemInfo {
    pub key: Bytes,
    pub size_bytes: usize,
    pub expires_in: Duration,
}

/// The items of every cache. Cheap to clone: clones share the state.
#[derive(Clone, Debug)]
pub(crate) struct CacheItems {
    state: Arc<Mutex<State>>,
    clock: Clock,
}

impl CacheItems {
    /// Empty, bounded to `max_bytes` of keys and values, expiring on `clock`.
    pub(crate) fn new(max_bytes: usize, clock: Clock) -> CacheItems {
        CacheItems {
            state: Arc::new(Mutex::new(State {
                caches: HashMap::new(),
                recency: BTreeMap::new(),
                tick: 0,
                used_bytes: 0,
                max_bytes,
            })),
            clock,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The value under `key`, if it is there and has not expired.
    pub(crate) fn get(&self, cache: &str, key: &[u8]) -> Option<Bytes> {
        let now = self.clock.now();
        let mut state = self.lock();
        let state = &mut *state;
        let item = state.caches.get_mut(cache)?.get_mut(key)?;
        if item.expires_at <= now {
            state.remove(cache, key);
            return None;
        }
        // Used now: it moves to the back of the eviction queue.
        let entry = state.recency.remove(&item.used);
        item.used = state.tick;
        state.tick += 1;
        if let Some(id) = entry {
            state.recency.insert(item.used, id);
        }
        Some(item.value.clone())
    }

    /// Stores `value` under `key` for `ttl`, evicting what it must.
    pub(crate) fn set(
        &self,
        cache: &str,
        key: Bytes,
        value: Bytes,
        ttl: Duration,
    ) -> Result<(), LargerThanMemory> {
        let now = self.clock.now();
        let size = key.len() + value.len();
        let mut state = self.lock();
        if size > state.max_bytes {
            return Err(LargerThanMemory {
                max_bytes: state.max_bytes,
            });
        }
        state.remove(cache, &key);
        if state.used_bytes + size > state.max_bytes {
            state.purge_expired(now);
        }
        while state.used_bytes + size > state.max_bytes {
            let Some((_, (c, k))) = state.recency.pop_first() else {
                break;
            };
            tracing::debug!(cache = %c, "evicting the least recently used cache item");
            state.remove(&c, &k);
        }
        let used = state.tick;
        state.tick += 1;
        state.recency.insert(used, (cache.to_owned(), key.clone()));
        state.used_bytes += size;
        state.caches.entry(cache.to_owned()).or_default().insert(
            key,
            Item {
                value,
                expires_at: now.saturating_add(ttl),
                used,
            },
        );
        Ok(())
    }

    /// Removes `key`; whether an item (live or not) was there.
    pub(crate) fn delete(&self, cache: &str, key: &[u8]) -> bool {
        self.lock().remove(cache, key)
    }

    /// Drops every item of `cache` (the cache was deleted).
    pub(crate) fn delete_cache(&self, cache: &str) {
        let mut state = self.lock();
        let keys: Vec<Bytes> = state
            .caches
            .get(cache)
            .map(|items| items.keys().cloned().collect())
            .unwrap_or_default();
        for key in keys {
            state.remove(cache, &key);
        }
    }

    /// The live items of `cache`, sorted by key bytes, and the memory
    /// (used, max) of all caches together.
    pub(crate) fn list(&self, cache: &str) -> (Vec<ItemInfo>, usize, usize) {
        let now = self.clock.now();
        let mut state = self.lock();
        state.purge_expired(now);
        let mut items: Vec<ItemInfo> = state
            .caches
            .get(cache)
            .map(|items| {
                items
                    .iter()
                    .map(|(key, item)| ItemInfo {
                        key: key.clone(),
                        size_bytes: item.size(key),
                        expires_in: item.expires_at.saturating_sub(now),
                    })
                    .collect()
            })
            .unwrap_or_default();
        items.sort_by(|a, b| a.key.cmp(&b.key));
        (items, state.used_bytes, state.max_bytes)
    }
}

impl State {
    /// Removes one item, live or expired; whether it was there.
    fn remove(&mut self, cache: &str, key: &[u8]) -> bool {
        let Some(items) = self.caches.get_mut(cache) else {
            return false;
        };
        let Some(item) = items.remove(key) else {
            return false;
        };
        self.used_bytes -= item.size(key);
        self.recency.remove(&item.used);
        if items.is_empty() {
            self.caches.remove(cache);
        }
        true
    }

    /// Removes every expired item (a full scan: only when room is needed or
    /// the admin API lists).
    fn purge_expired(&mut self, now: Duration) {
        let expired: Vec<(String, Bytes)> = self
            .caches
            .iter()
            .flat_map(|(cache, items)| {
                items
                    .iter()
                    .filter(|(_, item)| item.expires_at <= now)
                    .map(|(key, _)| (cache.clone(), key.clone()))
            })
            .collect();
        for (cache, key) in expired {
            self.remove(&cache, &key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(max: usize) -> (CacheItems, ManualClock) {
        let clock = ManualClock::new();
        (CacheItems::new(max, Clock::Manual(clock.clone())), clock)
    }

    fn b(s: &str) -> Bytes {
        Bytes::copy_from_slice(s.as_bytes())
    }

    #[test]
    fn an_item_lives_exactly_its_ttl() {
        let (items, clock) = store(1000);
        items
            .set("c", b("k"), b("v"), Duration::from_secs(2))
            .unwrap();
        clock.advance(Duration::from_millis(1999));
        assert_eq!(items.get("c", b"k"), Some(b("v")));
        clock.advance(Duration::from_millis(1));
        assert_eq!(items.get("c", b"k"), None);
        assert_eq!(items.list("c").1, 0, "the expired item's memory is back");
    }

    #[test]
    fn the_least_recently_used_item_is_evicted_first() {
        // Each item is 1 + 4 = 5 bytes; room for three.
        let (items, _clock) = store(15);
        let ttl = Duration::from_secs(60);
        for k in ["a", "b", "c"] {
            items.set("x", b(k), b("1234"), ttl).unwrap();
        }
        // Reading "a" makes "b" the least recently used.
        assert!(items.get("x", b"a").is_some());
        items.set("x", b("d"), b("1234"), ttl).unwrap();
        assert_eq!(items.get("x", b"b"), None);
        for k in ["a", "c", "d"] {
            assert!(items.get("x", k.as_bytes()).is_some(), "{k}");
        }
        let (_, used, max) = items.list("x");
        assert_eq!((used, max), (15, 15));
    }

    #[test]
    fn expired_items_go_before_live_ones() {
        let (items, clock) = store(10);
        items
            .set("x", b("old"), b("12"), Duration::from_secs(60))
            .unwrap();
        items
            .set("x", b("short"), b(""), Duration::from_secs(1))
            .unwrap();
        clock.advance(Duration::from_secs(2));
        // 5 + 5 > 10 only while the expired "short" still counts.
        items
            .set("x", b("new"), b("12"), Duration::from_secs(60))
            .unwrap();
        assert!(items.get("x", b"old").is_some());
        assert!(items.get("x", b"new").is_some());
    }

    #[test]
    fn replacing_deleting_and_dropping_a_cache_return_the_memory() {
        let (items, _clock) = store(100);
        let ttl = Duration::from_secs(60);
        items.set("x", b("k"), b("1234"), ttl).unwrap();
        items.set("x", b("k"), b("12"), ttl).unwrap();
        assert_eq!(items.list("x").1, 3);
        assert!(items.delete("x", b"k"));
        assert!(!items.delete("x", b"k"), "deleting twice finds nothing");
        items.set("y", b("k"), b("1"), ttl).unwrap();
        items.delete_cache("y");
        let (listed, used, _) = items.list("y");
        assert!(listed.is_empty());
        assert_eq!(used, 0);
    }

    #[test]
    fn an_item_larger_than_all_memory_is_refused_and_nothing_is_evicted() {
        let (items, _clock) = store(10);
        items
            .set("x", b("a"), b("1"), Duration::from_secs(60))
            .unwrap();
        assert_eq!(
            items.set(
                "x",
                b("b"),
                Bytes::from(vec![0; 10]),
                Duration::from_secs(60)
            ),
            Err(LargerThanMemory { max_bytes: 10 })
        );
        assert!(items.get("x", b"a").is_some());
    }
}
