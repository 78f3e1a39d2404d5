//! A Jepsen-style history checker over what the suite's subscribers received.
//!
//! Each subscriber's events are checked on their own (within a page numbers
//! rise by exactly 1; a gap needs a discontinuity; no duplicates, no going
//! back), then across subscribers (the same message has the same number for
//! everyone) and against what was published while they listened (nothing
//! lost without a discontinuity). Every violation is named.

use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One thing a subscriber received, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// A message; `payload` identifies it (the suite publishes unique payloads).
    Item {
        /// `topic_sequence_number`.
        seq: u64,
        /// `sequence_page` (0 when the server omits it).
        page: u64,
        /// The message text (binary payloads as base64).
        payload: String,
    },
    /// A discontinuity element.
    Discontinuity {
        /// `last_topic_sequence`.
        last: u64,
        /// `new_topic_sequence`.
        new: u64,
        /// `new_sequence_page` (0 when omitted).
        new_page: u64,
    },
}

/// Everything observed in one scenario.
#[derive(Clone, Debug, Default)]
pub struct History {
    /// Per subscriber name, the events in the order received.
    pub subscribers: BTreeMap<String, Vec<Event>>,
    /// Per subscriber, the payloads published while its subscription was open
    /// (it must receive each, unless it saw a discontinuity).
    pub published_while_open: BTreeMap<String, Vec<String>>,
}

/// A named breach of the delivery rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Violation {
    /// Numbers jumped within a page without a discontinuity.
    Gap {
        /// Who saw it.
        subscriber: String,
        /// The number expected next.
        expected: u64,
        /// The number received.
        got: u64,
    },
    /// The same (page, number) or the same payload twice.
    Duplicate {
        /// Who saw it.
        subscriber: String,
        /// The repeated number.
        seq: u64,
    },
    /// A lower number after a higher one within a page.
    Reorder {
        /// Who saw it.
        subscriber: String,
        /// The previous number.
        previous: u64,
        /// The number received after it.
        got: u64,
    },
    /// Two subscribers saw different numbers for the same message.
    DivergentNumbering {
        /// The message.
        payload: String,
        /// (subscriber, page, number) of the first sighting.
        first: (String, u64, u64),
        /// (subscriber, page, number) of the disagreeing one.
        second: (String, u64, u64),
    },
    /// A message published during an open subscription never arrived, and no
    /// discontinuity explained it.
    Lost {
        /// Who missed it.
        subscriber: String,
        /// The message.
        payload: String,
    },
}

impl Violation {
    /// The violation's kind as one word: gap, duplicate, reorder,
    /// divergent-numbering, lost.
    pub fn kind(&self) -> &'static str {
        match self {
            Violation::Gap { .. } => "gap",
            Violation::Duplicate { .. } => "duplicate",
            Violation::Reorder { .. } => "reorder",
            Violation::DivergentNumbering { .. } => "divergent-numbering",
            Violation::Lost { .. } => "lost",
        }
    }
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Violation::Gap {
                subscriber,
                expected,
                got,
            } => write!(
                f,
                "gap: {subscriber} expected {expected} next and got {got} without a discontinuity"
            ),
            Violation::Duplicate { subscriber, seq } => {
                write!(f, "duplicate: {subscriber} received number {seq} twice")
            }
            Violation::Reorder {
                subscriber,
                previous,
                got,
            } => write!(
                f,
                "reorder: {subscriber} received {got} after {previous} in the same page"
            ),
            Violation::DivergentNumbering {
                payload,
                first,
                second,
            } => write!(
                f,
                "divergent numbering: message {payload:?} was (page {}, number {}) for {} but (page {}, number {}) for {}",
                first.1, first.2, first.0, second.1, second.2, second.0
            ),
            Violation::Lost {
                subscriber,
                payload,
            } => write!(
                f,
                "lost: {subscriber} never received {payload:?}, published while it listened, and saw no discontinuity"
            ),
        }
    }
}

impl History {
    /// Record an event for a subscriber.
    pub fn record(&mut self, subscriber: &str, event: Event) {
        self.subscribers
            .entry(subscriber.to_owned())
            .or_default()
            .push(event);
    }

    /// Note that `payload` was published while `subscriber` listened.
    pub fn published(&mut self, subscriber: &str, payload: &str) {
        self.published_while_open
            .entry(subscriber.to_owned())
            .or_default()
            .push(payload.to_owned());
    }

    /// All violations, in a stable order.
    pub fn check(&self) -> Vec<Violation> {
        let mut out = Vec::new();
        let mut numbering: HashMap<&str, (String, u64, u64)> = HashMap::new();
        for (sub, events) in &self.subscribers {
            // (page, next expected number) once known.
            let mut expect: Option<(u64, u64)> = None;
            let mut seen_numbers: BTreeSet<(u64, u64)> = BTreeSet::new();
            let mut seen_payloads: BTreeSet<&str> = BTreeSet::new();
            for ev in events {
                match ev {
                    Event::Discontinuity { new, new_page, .. } => {
                        expect = Some((*new_page, *new));
                    }
                    Event::Item { seq, page, payload } => {
                        let dup_number = !seen_numbers.insert((*page, *seq));
                        let dup_payload = !seen_payloads.insert(payload.as_str());
                        if dup_number || dup_payload {
                            out.push(Violation::Duplicate {
                                subscriber: sub.clone(),
                                seq: *seq,
                            });
                        } else if let Some((p, next)) = expect {
                            if *page == p || *page == 0 || p == 0 {
                                if *seq > next {
                                    out.push(Violation::Gap {
                                        subscriber: sub.clone(),
                                        expected: next,
                                        got: *seq,
                                    });
                                } else if *seq < next {
                                    out.push(Violation::Reorder {
                                        subscriber: sub.clone(),
                                        previous: next - 1,
                                        got: *seq,
                                    });
                                }
                            } else {
                                // A page change without a discontinuity is a gap too.
                                out.push(Violation::Gap {
                                    subscriber: sub.clone(),
                                    expected: next,
                                    got: *seq,
                                });
                            }
                        }
                        expect =
                            Some((*page, seq.saturating_add(1).max(expect.map_or(0, |e| e.1))));
                        match numbering.get(payload.as_str()) {
                            None => {
                                numbering.insert(payload.as_str(), (sub.clone(), *page, *seq));
                            }
                            Some(first) => {
                                let same_page = first.1 == *page || first.1 == 0 || *page == 0;
                                if first.2 != *seq || !same_page {
                                    out.push(Violation::DivergentNumbering {
                                        payload: payload.clone(),
                                        first: first.clone(),
                                        second: (sub.clone(), *page, *seq),
                                    });
                                }
                            }
                        }
                    }
                }
            }
        }
        for (sub, payloads) in &self.published_while_open {
            let events = self.subscribers.get(sub);
            let discontinuity = events
                .is_some_and(|evs| evs.iter().any(|e| matches!(e, Event::Discontinuity { .. })));
            if discontinuity {
                continue;
            }
            let received: BTreeSet<&str> = events
                .map(|evs| {
                    evs.iter()
                        .filter_map(|e| match e {
                            Event::Item { payload, .. } => Some(payload.as_str()),
                            Event::Discontinuity { .. } => None,
                        })
                        .collect()
                })
                .unwrap_or_default();
            for p in payloads {
                if !received.contains(p.as_str()) {
                    out.push(Violation::Lost {
                        subscriber: sub.clone(),
                        payload: p.clone(),
                    });
                }
            }
        }
        out
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
        assert_eq!(h.check()[0].kind(), "gap");
    }

    #[test]
    fn a_jump_after_a_discontinuity_is_fine() {
        let mut h = History::default();
        h.record("a", item(1, "m1"));
        h.record(
            "a",
            Event::Discontinuity {
                last: 1,
                new: 5,
                new_page: 8,
            },
        );
        h.record(
            "a",
            Event::Item {
                seq: 5,
                page: 8,
                payload: "m5".into(),
            },
        );
        h.published("a", "m2");
        assert_eq!(h.check(), vec![]);
    }

    #[test]
    fn a_repeated_number_is_a_duplicate() {
        let mut h = History::default();
        h.record("a", item(1, "m1"));
        h.record("a", item(1, "m1"));
        assert_eq!(h.check()[0].kind(), "duplicate");
    }

    #[test]
    fn a_lower_number_is_a_reorder() {
        let mut h = History::default();
        h.record("a", item(2, "m2"));
        h.record("a", item(1, "m1"));
        assert_eq!(h.check()[0].kind(), "reorder");
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
}
