//! What a soak saw: per subscriber, faults armed, the checker's violations.

use std::collections::BTreeMap;
use std::time::Duration;

use super::StagedOutage;

/// What one subscriber saw.
#[derive(Clone, Debug, Default)]
pub struct SubscriberReport {
    /// Messages delivered (items).
    pub delivered: u64,
    /// Discontinuities the server announced.
    pub announced_discontinuities: u64,
    /// Discontinuities the client had to infer (the server skipped silently).
    pub synthesized_discontinuities: u64,
    /// Errors the stream yielded (it goes on after them).
    pub errors_seen: u64,
    /// Failed polls the subscription retried without yielding them
    /// ([`Subscription::retries`](momento_http::Subscription::retries)).
    pub retries: u64,
    /// Whether it saw the closing message before the deadline.
    pub finished: bool,
    /// Times its connection was lost (`ConnectionLost` opening a run of failures).
    pub connection_lost: u64,
    /// Failed polls it was told about (every `ConnectionLost`).
    pub failed_polls: u64,
    /// Times it was told its connection was restored.
    pub connection_restored: u64,
    /// The longest `away` of a `ConnectionRestored`.
    pub longest_away: Duration,
}

/// The outcome of a soak.
#[derive(Clone, Debug, Default)]
pub struct SoakReport {
    /// Seed used.
    pub seed: u64,
    /// Successful publishes (the closing message included).
    pub published: u64,
    /// Publishes that failed (each retried with a fresh payload).
    pub publish_failures: u64,
    /// Of those, publishes whose answer never came (the checker accepts them
    /// delivered once or not at all).
    pub publish_unanswered: u64,
    /// The outages staged (an outage soak).
    pub outages: Vec<StagedOutage>,
    /// Faults armed, by kind.
    pub faults: BTreeMap<&'static str, u64>,
    /// Per subscriber.
    pub subscribers: BTreeMap<String, SubscriberReport>,
    /// Violations by [`kind`](momento_http_conformance::history::Violation::kind).
    pub violations: BTreeMap<&'static str, u64>,
    /// The first few violations, spelled out.
    pub examples: Vec<String>,
    /// Wall time.
    pub elapsed: Duration,
}

impl SoakReport {
    /// Silent gaps: messages lost with no discontinuity that has a number
    /// left for them, numbers jumped without a discontinuity, and gaps the
    /// client had to synthesize.
    pub fn silent_gaps(&self) -> u64 {
        ["lost", "gap"]
            .iter()
            .map(|k| self.violations.get(k).copied().unwrap_or(0))
            .sum::<u64>()
            + self
                .subscribers
                .values()
                .map(|s| s.synthesized_discontinuities)
                .sum::<u64>()
    }
    /// Duplicates found by the checker.
    pub fn duplicates(&self) -> u64 {
        self.violations.get("duplicate").copied().unwrap_or(0)
    }
    /// Reorders found by the checker.
    pub fn reorders(&self) -> u64 {
        self.violations.get("reorder").copied().unwrap_or(0)
    }
    /// The longest time any subscriber was away.
    pub fn longest_away(&self) -> Duration {
        self.subscribers
            .values()
            .map(|s| s.longest_away)
            .max()
            .unwrap_or_default()
    }
    /// After outages: every subscriber lost its connection, and was told it
    /// was restored as often as it was told it was lost (it finished, so it
    /// came back every time). Without outages: true.
    pub fn outages_seen_and_recovered(&self) -> bool {
        self.outages.is_empty()
            || self
                .subscribers
                .values()
                .all(|s| s.connection_lost >= 1 && s.connection_restored == s.connection_lost)
    }
    /// True when nothing was skipped, repeated or reordered, nothing was lost
    /// without notice, every subscriber finished, and (outage soak) each
    /// lived through the outages as above.
    pub fn ok(&self) -> bool {
        self.violations.values().all(|&n| n == 0)
            && self.silent_gaps() == 0
            && self.subscribers.values().all(|s| s.finished)
            && self.outages_seen_and_recovered()
    }
    /// A human-readable summary.
    pub fn render(&self) -> String {
        let mut s = format!(
            "soak: seed {} | published {} (failed attempts {}) | {:.1} s\n",
            self.seed,
            self.published,
            self.publish_failures,
            self.elapsed.as_secs_f64()
        );
        if self.outages.is_empty() {
            s += &format!("faults armed: {:?}\n", self.faults);
        } else {
            s += &format!(
                "outages: {} | publishes without an answer (maybe delivered) {}\n",
                self.outages
                    .iter()
                    .map(|o| format!("{} {:.1} s", o.mode, o.blocked.as_secs_f64()))
                    .collect::<Vec<_>>()
                    .join(", "),
                self.publish_unanswered
            );
        }
        for (name, r) in &self.subscribers {
            if !self.outages.is_empty() {
                s += &format!(
                    "  {name}: connection lost {} | restored {} | longest away {:.1} s | failed polls {}\n",
                    r.connection_lost,
                    r.connection_restored,
                    r.longest_away.as_secs_f64(),
                    r.failed_polls
                );
            }
            s += &format!(
                "  {name}: delivered {} | announced discontinuities {} | synthesized {} | failed polls retried {} | errors yielded {} | finished {}\n",
                r.delivered,
                r.announced_discontinuities,
                r.synthesized_discontinuities,
                r.retries,
                r.errors_seen,
                r.finished
            );
        }
        if !self.outages.is_empty() {
            s += &format!(
                "longest away {:.1} s | every subscriber lost and regained its connection: {}\n",
                self.longest_away().as_secs_f64(),
                self.outages_seen_and_recovered()
            );
        }
        s += &format!(
            "silent gaps {} | duplicates {} | reorders {} | all violations {:?}\n",
            self.silent_gaps(),
            self.duplicates(),
            self.reorders(),
            self.violations
        );
        for e in &self.examples {
            s += &format!("  - {e}\n");
        }
        s += if self.ok() {
            "soak: PASS\n"
        } else {
            "soak: FAIL\n"
        };
        s
    }
}
