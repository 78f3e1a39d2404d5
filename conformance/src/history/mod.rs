//! A Jepsen-style history checker: what subscribers received, judged against
//! the publish log (`docs/api.md` §4: every published message arrives, in
//! order, or inside a discontinuity the server announced).
//!
//! The oracle is what was actually published and each subscriber's own
//! position, never what the server claims:
//!
//! - every message published while a subscriber listened (and every message a
//!   publisher sent between two that the subscriber received) is received, or
//!   lies in a gap announced relative to that subscriber's own position, and
//!   a gap of k numbers excuses at most k messages (numbers someone received
//!   under another message are not free);
//! - nothing arrives that was not published ([`Violation::Phantom`]);
//! - per publisher, arrival order is publish order;
//! - no message arrives twice;
//! - within a page numbers rise by exactly 1; a page change needs a
//!   discontinuity, page 0 included (it is a page like any other, not a
//!   wildcard);
//! - a discontinuity's `last_topic_sequence` is the subscriber's own position
//!   (or 0, unknown), the numbers it announces gone were messages', and the
//!   next item carries its `new_topic_sequence` and `new_sequence_page`;
//! - every subscriber sees a message under the same (page, number).
//!
//! Every violation is named ([`Violation::kind`]) and carries the evidence
//! of its rule ([`Violation::evidence`]): delivery is D, numbering I.
//!
//! The rooms: `vocabulary` (events, [`Position`], delivery order),
//! `violation` (what breaks), and the judge: `judge` (the ledger of the
//! log and first sightings), `walk` (one stream on its own), `gap` (what a
//! discontinuity announces gone), `placement` (where an unreceived message
//! could lie), `losses` and `capacity` (counting what gaps can excuse).

mod capacity;
mod gap;
mod judge;
mod losses;
mod placement;
mod violation;
mod vocabulary;
mod walk;

pub use violation::{Sighting, Violation};
pub use vocabulary::{Event, Position, delivery_order, payload_key};

use std::collections::{BTreeMap, BTreeSet};

/// The publisher [`History::published`] logs under.
pub const DEFAULT_PUBLISHER: &str = "publisher";

/// Everything observed on one topic.
#[derive(Clone, Debug, Default)]
pub struct History {
    /// Per subscriber name, the events in the order received.
    pub subscribers: BTreeMap<String, Vec<Event>>,
    /// Per subscriber, payloads published while its subscription was open:
    /// it must receive each, or be told they are gone.
    pub published_while_open: BTreeMap<String, Vec<String>>,
    /// Per publisher, the payloads it published or may have published, in
    /// publish order.
    pub publish_log: BTreeMap<String, Vec<String>>,
    /// Those of the log whose outcome is unknown (no answer): neither
    /// phantom if they arrive nor lost if they do not, but still once and
    /// in publish order.
    pub uncertain: BTreeSet<String>,
    /// Per subscriber, where its first poll asked to start (its
    /// `sequence_page` and `sequence_number`) when that was not number 0
    /// ("from now on").
    pub starts: BTreeMap<String, Position>,
    /// The log holds every publish to the topic, so anything else that
    /// arrives is a phantom. Set by [`History::with_publish_log`] and by
    /// any publish recorded.
    pub log_complete: bool,
    /// Per subscriber that recorded its polls ([`History::polled`]), the
    /// part of the log it listened through.
    pub listening: BTreeMap<String, Listening>,
}

/// The stretch of each publisher's log a subscriber listened through:
/// publishes logged from `since` (its last poll from now on) up to
/// `until` (its last poll), as log lengths per publisher.
#[derive(Clone, Debug, Default)]
pub struct Listening {
    /// Log lengths when its last poll from now on went out.
    pub since: BTreeMap<String, usize>,
    /// Log lengths when its last poll went out.
    pub until: BTreeMap<String, usize>,
}

impl Listening {
    /// Was the publish at `index` of `publisher`'s log made while it listened?
    pub fn heard(&self, publisher: &str, index: usize) -> bool {
        let at = |m: &BTreeMap<String, usize>| m.get(publisher).copied().unwrap_or(0);
        at(&self.since) <= index && index < at(&self.until)
    }
}

impl History {
    /// A history whose publish log is complete from the start: anything a
    /// subscriber receives must be in it.
    pub fn with_publish_log() -> History {
        History {
            log_complete: true,
            ..History::default()
        }
    }

    /// Record an event for a subscriber.
    pub fn record(&mut self, subscriber: &str, event: Event) {
        self.subscribers
            .entry(subscriber.to_owned())
            .or_default()
            .push(event);
    }

    /// Note that `subscriber` started from `(sequence_number,
    /// sequence_page)` (only meaningful when the number is not 0).
    pub fn start(&mut self, subscriber: &str, seq: u64, page: u64) {
        if seq != 0 {
            self.starts
                .insert(subscriber.to_owned(), Position { page, seq });
        }
    }

    /// Log a publish that succeeded, in `publisher`'s order.
    pub fn publish(&mut self, publisher: &str, payload: &str) {
        self.log_complete = true;
        self.publish_log
            .entry(publisher.to_owned())
            .or_default()
            .push(payload.to_owned());
    }

    /// Log a publish whose outcome is unknown (the answer never came), in
    /// `publisher`'s order: it may be absent, but if it arrives it arrives
    /// once and in publish order.
    pub fn maybe_published(&mut self, publisher: &str, payload: &str) {
        self.log_complete = true;
        self.uncertain.insert(payload.to_owned());
        let log = self.publish_log.entry(publisher.to_owned()).or_default();
        if !log.iter().any(|p| p == payload) {
            log.push(payload.to_owned());
        }
    }

    /// `subscriber` sends a poll now (`from_now`: one naming number 0, "from
    /// now on"): what is logged after this is owed to it only if it polls
    /// again, and what was logged before a poll from now on is not owed.
    pub fn polled(&mut self, subscriber: &str, from_now: bool) {
        let logged: BTreeMap<String, usize> = self
            .publish_log
            .iter()
            .map(|(publisher, ps)| (publisher.clone(), ps.len()))
            .collect();
        let listening = self.listening.entry(subscriber.to_owned()).or_default();
        if from_now {
            listening.since = logged.clone();
        }
        listening.until = logged;
    }

    /// `payload` was published while `subscriber` listened: it must receive
    /// it (or be told it is gone), unless its last poll went out before the
    /// publish was answered ([`History::polled`]).
    pub fn expect(&mut self, subscriber: &str, payload: &str) {
        self.published_while_open
            .entry(subscriber.to_owned())
            .or_default()
            .push(payload.to_owned());
    }

    /// [`History::expect`], and log the publish under [`DEFAULT_PUBLISHER`]
    /// unless it is logged already (one publisher, several subscribers).
    pub fn published(&mut self, subscriber: &str, payload: &str) {
        self.expect(subscriber, payload);
        let logged = self
            .publish_log
            .values()
            .any(|ps| ps.iter().any(|p| p == payload));
        if !logged {
            self.publish(DEFAULT_PUBLISHER, payload);
        }
    }

    /// All violations, in a stable order.
    pub fn check(&self) -> Vec<Violation> {
        judge::check(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(seq: u64, payload: &str) -> Event {
        Event::Item {
            seq,
            page: 7,
            payload: payload.into(),
        }
    }

    fn disc(last: u64, new: u64) -> Event {
        Event::Discontinuity {
            last,
            new,
            new_page: 7,
        }
    }

    fn kinds(h: &History) -> Vec<&'static str> {
        h.check().iter().map(Violation::kind).collect()
    }

    #[test]
    fn a_clean_history_has_no_violations() {
        let mut h = History::default();
        for sub in ["a", "b"] {
            h.published(sub, "m1");
            h.published(sub, "m2");
            h.record(sub, item(1, "m1"));
            h.record(sub, item(2, "m2"));
        }
        assert_eq!(h.check(), vec![]);
    }

    #[test]
    fn a_jump_without_discontinuity_is_a_gap() {
        let mut h = History::default();
        h.record("a", item(1, "m1"));
        h.record("a", item(3, "m3"));
        assert_eq!(kinds(&h), ["gap"]);
    }

    #[test]
    fn a_jump_after_a_matching_discontinuity_is_fine() {
        let mut h = History::default();
        for m in ["m1", "m2", "m3", "m4", "m5"] {
            h.published("a", m);
        }
        h.record("a", item(1, "m1"));
        h.record("a", disc(1, 5));
        h.record("a", item(5, "m5"));
        assert_eq!(h.check(), vec![]);
    }

    #[test]
    fn a_repeated_message_is_a_duplicate() {
        let mut h = History::default();
        h.record("a", item(1, "m1"));
        h.record("a", item(1, "m1"));
        assert_eq!(kinds(&h), ["duplicate"]);
    }

    #[test]
    fn a_lower_number_is_a_reorder() {
        let mut h = History::default();
        h.record("a", item(2, "m2"));
        h.record("a", item(1, "m1"));
        assert_eq!(kinds(&h), ["reorder"]);
    }

    #[test]
    fn subscribers_disagreeing_on_a_number_is_divergent_numbering() {
        let mut h = History::default();
        h.record("a", item(1, "m1"));
        h.record("b", item(2, "m1"));
        let v = h.check();
        assert_eq!(v[0].kind(), "divergent-numbering");
        assert!(v[0].to_string().contains("m1"));
    }

    #[test]
    fn a_missing_message_without_discontinuity_is_lost() {
        let mut h = History::default();
        h.published("a", "m1");
        h.published("a", "m2");
        h.record("a", item(1, "m1"));
        assert_eq!(
            h.check(),
            vec![Violation::Lost {
                subscriber: "a".into(),
                payload: "m2".into()
            }]
        );
    }

    #[test]
    fn payload_keys_are_the_text_or_tagged_base64() {
        assert_eq!(payload_key(b"hello"), "hello");
        assert_eq!(payload_key(&[0xff, 0]), "binary:/wA=");
    }
}
