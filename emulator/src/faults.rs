//! Fault injection: the next N requests matching an operation (and optionally a
//! cache and topic) get a status, a delay, or a dropped connection.

use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The operation a fault matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultOp {
    /// `POST /topics/...`
    Publish,
    /// `GET /topics/...`
    Subscribe,
    /// `GET /cache/...` (a fault's `topic` matches the key, as text).
    CacheGet,
    /// `PUT /cache/...`
    CacheSet,
    /// `DELETE /cache/...`
    CacheDelete,
}

/// What happens to a matching request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FaultEffect {
    /// Answer this status (JSON error body), with `Retry-After` when given.
    Status {
        /// The status.
        status: u16,
        /// Seconds for `Retry-After`.
        retry_after_seconds: Option<u64>,
    },
    /// Wait, then handle the request normally.
    Delay(Duration),
    /// Close the connection without a complete answer.
    Drop,
}

/// One armed fault.
#[derive(Clone, Debug)]
pub struct Fault {
    /// Which operation.
    pub op: FaultOp,
    /// Only this cache, if set.
    pub cache: Option<String>,
    /// Only this topic, if set.
    pub topic: Option<String>,
    /// Requests left.
    pub remaining: u32,
    /// What to do.
    pub action: FaultEffect,
}

/// The armed faults, in injection order.
#[derive(Clone, Debug, Default)]
pub struct Faults {
    armed: Arc<Mutex<Vec<Fault>>>,
}

impl Faults {
    /// Arm a fault.
    pub fn inject(&self, fault: Fault) {
        self.armed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(fault);
    }

    /// Disarm all.
    pub fn clear(&self) {
        self.armed.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    /// Take one use of the first fault matching this request.
    pub fn take(&self, op: FaultOp, cache: &str, topic: &str) -> Option<FaultEffect> {
        let mut armed = self.armed.lock().unwrap_or_else(|e| e.into_inner());
        let i = armed.iter().position(|f| {
            f.op == op
                && f.cache.as_deref().is_none_or(|c| c == cache)
                && f.topic.as_deref().is_none_or(|t| t == topic)
        })?;
        let action = armed[i].action.clone();
        armed[i].remaining -= 1;
        if armed[i].remaining == 0 {
            armed.remove(i);
        }
        Some(action)
    }
}
