//! The run's history: every publish that answered 2xx, logged under its
//! topic, and what every suite subscriber received there; the run-wide
//! check judges it (`docs/api.md` §4).

use super::Target;
use crate::history::History;
use std::collections::BTreeMap;

/// The publisher the run's history logs the suite's publishes under: within
/// a topic the suite publishes one message at a time, so one order.
pub const PUBLISHER: &str = "suite";

impl Target {
    pub(super) fn with_history<R>(
        &self,
        cache: &str,
        topic: &str,
        f: impl FnOnce(&mut History) -> R,
    ) -> R {
        let mut all = self
            .shared
            .history
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let h = all
            .entry(format!("{cache}/{topic}"))
            .or_insert_with(History::with_publish_log);
        f(h)
    }

    /// Run `f` on the history of `topic` in the suite's cache.
    pub fn history_of<R>(&self, topic: &str, f: impl FnOnce(&mut History) -> R) -> R {
        self.with_history(&self.cache, topic, f)
    }

    /// Everything published and received so far, per `cache/topic`.
    pub fn run_history(&self) -> BTreeMap<String, History> {
        self.shared
            .history
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}
