//! One subscriber's stream on its own, in delivery order: order, numbering,
//! discontinuities, and what the loss count needs to know.

use super::gap::{Announced, Standing};
use super::judge::{Ledger, Logged};
use super::vocabulary::{Event, Position, delivery_order};
use super::{Sighting, Violation};
use std::collections::{BTreeSet, HashMap, HashSet};

/// What one subscriber's walk learnt, for the loss count.
#[derive(Debug, Default)]
pub(super) struct Walk<'h> {
    /// The payloads it received.
    pub received: HashSet<&'h str>,
    /// (event index, where in the log) per item received.
    pub receipts: Vec<(usize, Logged<'h>)>,
    /// (event index, gap) per discontinuity.
    pub gaps: Vec<(usize, Announced)>,
}

impl Walk<'_> {
    /// Does the gap at event `at` sit where `logged` would have arrived:
    /// after every message of its publisher received before the gap, before
    /// every one received after it?
    pub fn brackets(&self, at: usize, logged: Option<Logged<'_>>) -> bool {
        let Some(l) = logged else {
            return true;
        };
        self.receipts
            .iter()
            .filter(|(_, r)| r.publisher == l.publisher)
            .all(|(when, r)| {
                if *when < at {
                    r.index < l.index
                } else {
                    r.index > l.index
                }
            })
    }
}

impl<'h> Ledger<'h> {
    /// Walk `sub`'s `events`, reporting what breaks a rule on its own.
    pub fn walk(&self, sub: &str, events: &'h [Event], out: &mut Vec<Violation>) -> Walk<'h> {
        let h = self.history;
        let who = || sub.to_owned();
        let mut walk = Walk::default();
        let mut standing = h.starts.get(sub).map(|start| Standing {
            page: (start.page != 0).then_some(start.page),
            seq: start.seq.saturating_sub(1),
        });
        let mut announced: Option<Position> = None;
        let mut seen_pages = BTreeSet::new();
        // Per publisher: the highest log index received so far.
        let mut latest: HashMap<&str, usize> = HashMap::new();
        for (at, i) in delivery_order(events).into_iter().enumerate() {
            match &events[i] {
                &Event::Discontinuity {
                    last,
                    new,
                    new_page,
                } => {
                    if let Some(s) = standing
                        && s.seq != last
                        && last != 0
                    {
                        out.push(Violation::WrongLast {
                            subscriber: who(),
                            position: s.seq,
                            last,
                        });
                    }
                    walk.gaps.push((
                        at,
                        Announced {
                            from: standing,
                            last,
                            new,
                            new_page,
                            seen: seen_pages.clone(),
                        },
                    ));
                    announced = Some(Position {
                        page: new_page,
                        seq: new,
                    });
                    standing = Some(Standing {
                        page: Some(new_page),
                        seq: new.saturating_sub(1),
                    });
                }
                Event::Item { seq, page, payload } => {
                    let got = Position {
                        page: *page,
                        seq: *seq,
                    };
                    let logged = self.log.get(payload.as_str()).copied();
                    if h.log_complete && logged.is_none() && !h.uncertain.contains(payload) {
                        out.push(Violation::Phantom {
                            subscriber: who(),
                            payload: payload.clone(),
                        });
                    }
                    if !walk.received.insert(payload.as_str()) {
                        out.push(Violation::Duplicate {
                            subscriber: who(),
                            seq: got.seq,
                        });
                        continue;
                    }
                    if let Some(announced) = announced.take() {
                        if announced != got {
                            out.push(Violation::DiscontinuityMismatch {
                                subscriber: who(),
                                announced,
                                got,
                            });
                        }
                    } else if let Some(s) = standing {
                        out.extend(step(sub, s, got));
                    }
                    standing = Some(Standing {
                        page: Some(got.page),
                        seq: got.seq,
                    });
                    seen_pages.insert(got.page);
                    if let Some(l) = logged {
                        let prev = latest.entry(l.publisher).or_insert(l.index);
                        if l.index < *prev {
                            out.push(Violation::PublishOrder {
                                subscriber: who(),
                                payload: payload.clone(),
                                after: self.publisher_log(l)[*prev].clone(),
                            });
                        }
                        *prev = (*prev).max(l.index);
                        walk.receipts.push((at, l));
                    }
                    if let Some(first) = self.numbering.get(payload.as_str())
                        && first.at != got
                    {
                        out.push(Violation::DivergentNumbering {
                            payload: payload.clone(),
                            first: first.clone(),
                            second: Sighting {
                                subscriber: who(),
                                at: got,
                            },
                        });
                    }
                }
            }
        }
        walk
    }
}

/// From `s` to an item at `got` with no discontinuity between: same page,
/// the next number.
fn step(sub: &str, s: Standing, got: Position) -> Option<Violation> {
    let subscriber = sub.to_owned();
    match s.page {
        Some(page) if page != got.page => Some(Violation::SilentPageChange {
            subscriber,
            page,
            got_page: got.page,
            seq: got.seq,
        }),
        _ if got.seq > s.seq.saturating_add(1) => Some(Violation::Gap {
            subscriber,
            expected: s.seq + 1,
            got: got.seq,
        }),
        _ if got.seq <= s.seq => Some(Violation::Reorder {
            subscriber,
            previous: s.seq,
            got: got.seq,
        }),
        _ => None,
    }
}
