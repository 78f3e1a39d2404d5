//! Caches and topics: the shared state every handler works on.
//!
//! Shaped like mini-redis `db.rs`: [`Topics`] is a cheap handle over
//! `Arc<Shared>`; the state sits behind a std `Mutex` (critical sections are
//! short and never await, so tokio's async mutex would only cost more) and
//! background work (idle-topic expiry) is a task that stops when the last
//! handle's [`SweeperGuard`] drops.
//!
//! Each topic instance has a page (`sequence_page`), numbers its messages from
//! 1 (or 0, by profile), and keeps a bounded buffer. Each buffered message holds its JSON element
//! (`{"item": ...}`) serialized once at publish time as [`Bytes`]: every
//! subscriber's answer shares it, nothing is copied per subscriber, and waiting
//! long polls hold no buffers. A `watch` channel per topic wakes waiters.

pub use crate::answers::Value;
use crate::profile::{Behaviour, FutureNumber};
use bytes::Bytes;
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::sync::watch;

mod admin;
#[cfg(test)]
mod proptests;

pub use admin::TopicInfo;

/// One buffered message.
#[derive(Clone, Debug)]
struct Message {
    seq: u64,
    /// `{"item": {...}}`, serialized once.
    element: Bytes,
}

#[derive(Debug)]
struct Topic {
    page: u64,
    next_seq: u64,
    buffer: VecDeque<Message>,
    /// Bumped on every change; waiters watch it.
    changed: watch::Sender<u64>,
    last_activity: Instant,
    waiting: u64,
}

impl Topic {
    /// A new instance on `page` whose first message gets `first_number`.
    fn new(page: u64, first_number: u64) -> Self {
        Topic {
            page,
            next_seq: first_number,
            buffer: VecDeque::new(),
            changed: watch::Sender::new(0),
            last_activity: Instant::now(),
            waiting: 0,
        }
    }
    fn first_seq(&self) -> u64 {
        self.buffer.front().map_or(self.next_seq, |m| m.seq)
    }
    fn bump(&self) {
        self.changed.send_modify(|v| *v = v.wrapping_add(1));
    }
}

#[derive(Debug, Default)]
struct Cache {
    /// foldhash, not SipHash: looked up on every publish and poll.
    topics: foldhash::HashMap<String, Topic>,
}

#[derive(Debug)]
struct Catalog {
    caches: BTreeMap<String, Cache>,
    /// The next page to hand out; pages are never reused within a run.
    next_page: u64,
    buffer_size: usize,
    idle_expiry: Option<Duration>,
    /// Most topics alive at once, across caches (memory bound whatever clients send).
    max_topics: Option<usize>,
    /// The profile's choices: numbering, batch size, the resume rule, the shape of answers.
    behaviour: Behaviour,
}

/// Why a topic is not available.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Missing {
    /// The cache does not exist.
    Cache,
    /// Creating the topic would exceed the topic limit.
    TopicLimit,
}

impl Catalog {
    fn new_page(&mut self) -> u64 {
        let p = self.next_page;
        self.next_page += 1;
        p
    }

    /// The topic, created (or re-created after idle expiry) on demand.
    ///
    /// On every publish and poll: an existing topic costs two map lookups
    /// and no allocation.
    fn topic(&mut self, cache: &str, topic: &str) -> Result<&mut Topic, Missing> {
        let exists = self
            .caches
            .get(cache)
            .ok_or(Missing::Cache)?
            .topics
            .contains_key(topic);
        if !exists
            && let Some(max) = self.max_topics
            && self.caches.values().map(|c| c.topics.len()).sum::<usize>() >= max
        {
            return Err(Missing::TopicLimit);
        }
        let page = self.next_page;
        let first_number = self.behaviour.first_number;
        let topics = &mut self.caches.get_mut(cache).ok_or(Missing::Cache)?.topics;
        if !exists {
            self.next_page += 1;
            return Ok(topics
                .entry(topic.to_owned())
                .or_insert(Topic::new(page, first_number)));
        }
        let t = topics.get_mut(topic).ok_or(Missing::Cache)?;
        if let Some(expiry) = self.idle_expiry
            && t.waiting == 0
            && t.last_activity.elapsed() >= expiry
        {
            // Expired: a new instance with a new page.
            let old = std::mem::replace(t, Topic::new(page, first_number));
            old.bump();
            self.next_page += 1;
        }
        Ok(t)
    }
}

/// The cursor a long poll resumes from, after [`Topics::resolve`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    /// The next sequence number wanted.
    pub seq: u64,
    /// The page it belongs to.
    pub page: u64,
}

/// What a poll finds.
pub enum Fetch {
    /// Something to answer: JSON elements, each `{"item"...}` or `{"discontinuity"...}`.
    Ready(Vec<Bytes>),
    /// Nothing yet: wait for a change on this receiver, then poll again.
    Wait(watch::Receiver<u64>),
    /// The cache is gone, or the topic cannot be created.
    Missing(Missing),
}

/// Shared state handle: cheap to clone.
#[derive(Clone, Debug)]
pub struct Topics {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    state: Mutex<Catalog>,
}

/// Stops the idle-expiry sweeper when dropped.
#[derive(Debug)]
pub struct SweeperGuard {
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Drop for SweeperGuard {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Epoch milliseconds now.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

impl Topics {
    /// New state with `caches` pre-created.
    pub fn new(
        caches: &[String],
        buffer_size: usize,
        idle_expiry: Option<Duration>,
        max_topics: Option<usize>,
        behaviour: Behaviour,
    ) -> Self {
        let state = Catalog {
            caches: caches
                .iter()
                .map(|c| (c.clone(), Cache::default()))
                .collect(),
            // Pages look like the docs' example (epoch seconds) and never repeat within a run.
            next_page: now_ms() / 1000,
            buffer_size: buffer_size.max(1),
            idle_expiry,
            max_topics,
            behaviour,
        };
        Topics {
            shared: Arc::new(Shared {
                state: Mutex::new(state),
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Catalog> {
        // A panic while holding the lock cannot leave the state half-updated in a
        // way that matters more than stopping the emulator would.
        self.shared.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Start the background task dropping idle topics (to free memory).
    pub fn start_sweeper(&self) -> SweeperGuard {
        let Some(expiry) = self.lock().idle_expiry else {
            return SweeperGuard { task: None };
        };
        let weak = Arc::downgrade(&self.shared);
        let period = (expiry / 2).clamp(Duration::from_millis(50), Duration::from_secs(30));
        let task = tokio::spawn(async move {
            loop {
                tokio::time::sleep(period).await;
                let Some(shared) = weak.upgrade() else { return };
                let mut state = shared.state.lock().unwrap_or_else(|e| e.into_inner());
                for cache in state.caches.values_mut() {
                    cache.topics.retain(|_, t| {
                        let keep = t.waiting > 0 || t.last_activity.elapsed() < expiry;
                        if !keep {
                            t.bump();
                        }
                        keep
                    });
                }
            }
        });
        SweeperGuard { task: Some(task) }
    }

    /// Does the cache exist?
    pub fn has_cache(&self, cache: &str) -> bool {
        self.lock().caches.contains_key(cache)
    }

    /// Cache names, sorted.
    pub fn caches(&self) -> Vec<String> {
        self.lock().caches.keys().cloned().collect()
    }

    /// Create a cache; `Err(count)` when `max` caches already exist.
    pub fn create_cache(&self, cache: &str, max: Option<usize>) -> Result<(), usize> {
        let mut state = self.lock();
        if state.caches.contains_key(cache) {
            return Ok(());
        }
        if let Some(max) = max
            && state.caches.len() >= max
        {
            return Err(state.caches.len());
        }
        state.caches.insert(cache.to_string(), Cache::default());
        Ok(())
    }

    /// Delete a cache; waiting long polls wake up and find it gone.
    pub fn delete_cache(&self, cache: &str) -> bool {
        let removed = self.lock().caches.remove(cache);
        match removed {
            Some(c) => {
                for t in c.topics.values() {
                    t.bump();
                }
                true
            }
            None => false,
        }
    }

    /// Publish; returns the message's number, or `None` when the cache is unknown.
    pub fn publish(&self, cache: &str, topic: &str, value: &Value) -> Result<u64, Missing> {
        let mut state = self.lock();
        let buffer_size = state.buffer_size;
        let shape = state.behaviour.shape;
        let t = state.topic(cache, topic)?;
        let seq = t.next_seq;
        let element = crate::answers::item(shape, t.page, seq, value);
        t.buffer.push_back(Message { seq, element });
        while t.buffer.len() > buffer_size {
            t.buffer.pop_front();
        }
        t.next_seq += 1;
        t.last_activity = Instant::now();
        t.bump();
        Ok(seq)
    }

    /// Turn a request's `(sequence_number, sequence_page)` into a position:
    /// `N = 0` means "from now on" (the page is then ignored) and `P = 0`
    /// means "the current page".
    pub fn resolve(
        &self,
        cache: &str,
        topic: &str,
        seq: u64,
        page: u64,
    ) -> Result<Position, Missing> {
        let mut state = self.lock();
        let t = state.topic(cache, topic)?;
        Ok(if seq == 0 {
            // From now on, whatever page the client names.
            Position {
                seq: t.next_seq,
                page: t.page,
            }
        } else {
            Position {
                seq,
                page: if page == 0 { t.page } else { page },
            }
        })
    }

    /// Apply the resume rule (docs/api.md §4) to `pos`.
    ///
    /// Same page and `pos.seq` buffered: items from it. Same page and
    /// `pos.seq` is the next number: wait. Otherwise (stale page, evicted or
    /// future number) a discontinuity to the oldest buffered message (or the
    /// next number when none is; a future number goes to the next number
    /// with the future-to-next profile), then the items from there, as many
    /// as the profile's batch size allows.
    pub fn poll(&self, cache: &str, topic: &str, pos: Position) -> Fetch {
        let mut state = self.lock();
        let behaviour = state.behaviour;
        let t = match state.topic(cache, topic) {
            Ok(t) => t,
            Err(m) => return Fetch::Missing(m),
        };
        t.last_activity = Instant::now();
        let first = t.first_seq();
        let mut out = Vec::new();
        let from = if pos.page == t.page && pos.seq >= first && pos.seq <= t.next_seq {
            pos.seq
        } else {
            let future = pos.page == t.page && pos.seq > t.next_seq;
            let to = match behaviour.future_number {
                FutureNumber::ToNext if future => t.next_seq,
                _ => first,
            };
            out.push(crate::answers::discontinuity(
                behaviour.shape,
                pos.seq.saturating_sub(1),
                to,
                t.page,
            ));
            to
        };
        let skip = usize::try_from(from - first).unwrap_or(usize::MAX);
        out.extend(
            t.buffer
                .iter()
                .skip(skip)
                .take(behaviour.batch.items())
                .map(|m| m.element.clone()),
        );
        if out.is_empty() {
            Fetch::Wait(t.changed.subscribe())
        } else {
            Fetch::Ready(out)
        }
    }

    /// Count a waiting long poll in or out (for inspection and expiry).
    pub fn set_waiting(&self, cache: &str, topic: &str, delta: i64) {
        let mut state = self.lock();
        if let Some(t) = state
            .caches
            .get_mut(cache)
            .and_then(|c| c.topics.get_mut(topic))
        {
            t.waiting = t.waiting.saturating_add_signed(delta);
            t.last_activity = Instant::now();
        }
    }
}
