//! What a subscriber had to receive and did not, counted against the room
//! the gaps it was told of have (a gap of k numbers excuses at most k
//! messages), and gaps told of where no message was lost.

use super::Violation;
use super::capacity;
use super::gap::Range;
use super::judge::Ledger;
use super::walk::Walk;
use std::collections::{BTreeMap, HashSet};

impl Ledger<'_> {
    /// Report every message `sub` had to receive, did not, and that no
    /// announced gap has a number left for.
    pub fn losses(&self, sub: &str, walk: &Walk<'_>, out: &mut Vec<Violation>) {
        let h = self.history;
        // Owed: what was published while it listened, logged after its last
        // poll from now on and before its last poll went out (all of it
        // when polls were not recorded).
        let before_last_poll = |payload: &str| {
            let (Some(listening), Some(l)) = (h.listening.get(sub), self.log.get(payload)) else {
                return true;
            };
            listening.heard(l.publisher, l.index)
        };
        let mut expected: Vec<&str> = h
            .published_while_open
            .get(sub)
            .map(|ps| {
                ps.iter()
                    .map(String::as_str)
                    .filter(|p| before_last_poll(p))
                    .collect()
            })
            .unwrap_or_default();
        // Between the first and the last message of a publisher it received,
        // it had to receive every other message of that publisher too.
        let mut span: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
        for (_, l) in &walk.receipts {
            let s = span.entry(l.publisher).or_insert((l.index, l.index));
            s.0 = s.0.min(l.index);
            s.1 = s.1.max(l.index);
        }
        for (publisher, (lo, hi)) in &span {
            expected.extend(
                h.publish_log[*publisher][*lo..=*hi]
                    .iter()
                    .map(String::as_str),
            );
        }
        let mut judged = HashSet::new();
        let missing: Vec<&str> = expected
            .into_iter()
            .filter(|p| {
                !walk.received.contains(p) && !h.uncertain.contains(*p) && judged.insert(*p)
            })
            .collect();
        // One slot per range each gap announced, and one for the pages a
        // page change may have skipped whole; each missing message names
        // the slots it could lie in, and a slot holds as many as it has
        // numbers nobody else is known to hold.
        let mut room = Vec::new();
        let mut first_slot = Vec::new();
        for (_, gap) in &walk.gaps {
            first_slot.push(room.len());
            for range in gap.ranges() {
                room.push(self.room(range, &judged));
            }
            room.push(None);
        }
        let wants: Vec<Vec<usize>> = missing
            .iter()
            .map(|payload| {
                let logged = self.log.get(payload).copied();
                let mut slots = Vec::new();
                for (g, (at, gap)) in walk.gaps.iter().enumerate() {
                    if walk.brackets(*at, logged) {
                        slots.extend(
                            self.fits(gap, payload)
                                .into_iter()
                                .map(|r| first_slot[g] + r),
                        );
                    }
                }
                slots
            })
            .collect();
        for m in capacity::unplaced(&room, &wants) {
            out.push(Violation::Lost {
                subscriber: sub.to_owned(),
                payload: missing[m].to_owned(),
            });
        }
    }

    /// How many messages `range` can still hold: its numbers less those of
    /// messages someone received there that are not among `missing`
    /// (`None`: no bound).
    fn room(&self, range: Range, missing: &HashSet<&str>) -> Option<u64> {
        let numbers = range.numbers()?;
        let taken = self
            .numbering
            .iter()
            .filter(|(payload, seen)| {
                range.holds(seen.at.page, seen.at.seq) && !missing.contains(*payload)
            })
            .count() as u64;
        Some(numbers.saturating_sub(taken))
    }

    /// Gaps on the subscriber's own page announcing more numbers gone than
    /// published messages it did not receive could fill (numbering, I: +1
    /// per message). Judged only when the log holds every publish; a
    /// message nobody received may fill any gap, so this undercounts
    /// rather than blame a correct server.
    pub fn phantom_gaps(&self, sub: &str, walk: &Walk<'_>, out: &mut Vec<Violation>) {
        let h = self.history;
        if !h.log_complete {
            return;
        }
        let unnumbered = h
            .publish_log
            .values()
            .flatten()
            .filter(|p| !self.numbering.contains_key(p.as_str()))
            .count() as u64;
        for (_, gap) in &walk.gaps {
            let Some(
                range @ Range {
                    page: Some(page), ..
                },
            ) = gap.same_page()
            else {
                continue;
            };
            let numbers = range.numbers().unwrap_or(0);
            let numbered_there = self
                .numbering
                .iter()
                .filter(|(payload, seen)| {
                    range.holds(seen.at.page, seen.at.seq) && !walk.received.contains(*payload)
                })
                .count() as u64;
            let could_fill = numbered_there + unnumbered;
            if could_fill < numbers {
                out.push(Violation::PhantomGap {
                    subscriber: sub.to_owned(),
                    page,
                    position: range.above,
                    new: range.below,
                    could_fill,
                });
            }
        }
    }
}
