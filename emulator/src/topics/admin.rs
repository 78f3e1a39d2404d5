//! What the admin API does to a topic: inspect it, start it again on a new
//! page, evict its oldest messages. Not part of Momento's API (docs/api.md §9).

use super::{Missing, Topic, Topics};

/// A topic's state, for the admin API.
#[derive(Clone, Copy, Debug)]
pub struct TopicInfo {
    /// The current page.
    pub page: u64,
    /// The number the next message will get.
    pub next_seq: u64,
    /// Messages buffered.
    pub buffered: u64,
    /// The oldest buffered number.
    pub first_buffered: Option<u64>,
    /// Long polls waiting on it.
    pub waiting: u64,
}

impl Topics {
    /// Inspect a topic (creating it, as a subscribe would).
    pub fn inspect(&self, cache: &str, topic: &str) -> Result<TopicInfo, Missing> {
        let mut state = self.lock();
        let t = state.topic(cache, topic)?;
        Ok(info(t))
    }

    /// Start a new instance of the topic: new page, numbering from the
    /// start again, empty buffer.
    pub fn reset(&self, cache: &str, topic: &str) -> Result<TopicInfo, Missing> {
        let mut state = self.lock();
        let page = state.new_page();
        let first_number = state.behaviour.first_number;
        let t = state.topic(cache, topic)?;
        // Keep the waiters' channel and count: they must wake and see the new page.
        let mut fresh = Topic::new(page, first_number);
        std::mem::swap(&mut fresh.changed, &mut t.changed);
        fresh.waiting = t.waiting;
        *t = fresh;
        t.bump();
        Ok(info(t))
    }

    /// Evict the `count` oldest buffered messages.
    pub fn evict(&self, cache: &str, topic: &str, count: u64) -> Result<TopicInfo, Missing> {
        let mut state = self.lock();
        let t = state.topic(cache, topic)?;
        for _ in 0..count {
            if t.buffer.pop_front().is_none() {
                break;
            }
        }
        t.bump();
        Ok(info(t))
    }
}

fn info(t: &Topic) -> TopicInfo {
    TopicInfo {
        page: t.page,
        next_seq: t.next_seq,
        buffered: t.buffer.len() as u64,
        first_buffered: t.buffer.front().map(|m| m.seq),
        waiting: t.waiting,
    }
}
