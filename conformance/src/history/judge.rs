//! The judge's ledger: the publish log indexed and every message's first
//! sighting, shared by the walk of each subscriber's stream (`walk.rs`) and
//! the count of what it lost (`losses.rs`).

use super::vocabulary::{Event, Position, delivery_order};
use super::{History, Sighting, Violation};
use std::collections::HashMap;

/// Where a payload sits in the publish log.
#[derive(Clone, Copy, Debug)]
pub(super) struct Logged<'h> {
    /// Who published it.
    pub publisher: &'h str,
    /// Its place in that publisher's order.
    pub index: usize,
}

/// What the judge knows of the whole topic before it judges a subscriber.
pub(super) struct Ledger<'h> {
    pub history: &'h History,
    /// Each logged payload's place in the log.
    pub log: HashMap<&'h str, Logged<'h>>,
    /// Each received payload's first sighting (subscribers in name order,
    /// events in delivery order).
    pub numbering: HashMap<&'h str, Sighting>,
}

impl<'h> Ledger<'h> {
    fn new(history: &'h History) -> Ledger<'h> {
        let mut log = HashMap::new();
        for (publisher, payloads) in &history.publish_log {
            for (index, p) in payloads.iter().enumerate() {
                log.entry(p.as_str()).or_insert(Logged { publisher, index });
            }
        }
        let mut numbering = HashMap::new();
        for (subscriber, events) in &history.subscribers {
            for i in delivery_order(events) {
                if let Event::Item { seq, page, payload } = &events[i] {
                    numbering.entry(payload.as_str()).or_insert(Sighting {
                        subscriber: subscriber.clone(),
                        at: Position {
                            page: *page,
                            seq: *seq,
                        },
                    });
                }
            }
        }
        Ledger {
            history,
            log,
            numbering,
        }
    }

    /// The publish log of `logged`'s publisher.
    pub fn publisher_log(&self, logged: Logged<'_>) -> &'h [String] {
        &self.history.publish_log[logged.publisher]
    }
}

/// All violations of `history`, in a stable order.
pub(super) fn check(history: &History) -> Vec<Violation> {
    let ledger = Ledger::new(history);
    let mut out = Vec::new();
    let walks: Vec<_> = history
        .subscribers
        .iter()
        .map(|(sub, events)| (sub, ledger.walk(sub, events, &mut out)))
        .collect();
    for (sub, walk) in &walks {
        ledger.losses(sub, walk, &mut out);
        ledger.phantom_gaps(sub, walk, &mut out);
    }
    out
}
