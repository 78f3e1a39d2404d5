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
//! - a discontinuity's `last_topic_sequence` is the subscriber's own position,
//!   and the next item carries its `new_topic_sequence` and
//!   `new_sequence_page`;
//! - every subscriber sees a message under the same (page, number).
//!
//! Every violation is named ([`Violation::kind`]).

mod capacity;

use crate::report::Evidence;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// One thing a subscriber received, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// A message; `payload` identifies it (publishers send unique payloads).
    Item {
        /// `topic_sequence_number`.
        seq: u64,
        /// `sequence_page` (0 when the server omits it).
        page: u64,
        /// The message (see [`payload_key`]).
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

/// The payload identity the checker compares: the text when the bytes are
/// UTF-8, else `binary:` and their standard base64. A message is the same
/// whether it was published or delivered as text or as bytes.
pub fn payload_key(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => {
            use base64::Engine as _;
            format!(
                "binary:{}",
                base64::engine::general_purpose::STANDARD.encode(bytes)
            )
        }
    }
}

/// The order a subscriber is delivered `events` in: as received, except
/// that a discontinuity right after the item it announces (the one numbered
/// its `new_topic_sequence` on its `new_sequence_page`, a jump forward from
/// `last_topic_sequence`) counts as coming before it: the docs' example answer lists the two that way round.
/// Indices into `events`.
pub fn delivery_order(events: &[Event]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..events.len()).collect();
    let mut i = 0;
    while i + 1 < events.len() {
        if let (
            Event::Item { seq, page, .. },
            Event::Discontinuity {
                last,
                new,
                new_page,
            },
        ) = (&events[i], &events[i + 1])
            && (seq, page) == (new, new_page)
            && last < new
        {
            order.swap(i, i + 1);
            i += 1;
        }
        i += 1;
    }
    order
}

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
    /// Per subscriber, the `(sequence_number, sequence_page)` of its first
    /// poll when it was not `(0, _)` ("from now on").
    pub starts: BTreeMap<String, (u64, u64)>,
    /// The log holds every publish to the topic, so anything else that
    /// arrives is a phantom. Set by [`History::with_publish_log`] and by
    /// any publish recorded.
    pub log_complete: bool,
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
    /// The same message twice.
    Duplicate {
        /// Who saw it.
        subscriber: String,
        /// The number it carried the second time.
        seq: u64,
    },
    /// A number not above the previous one within a page, without a
    /// discontinuity.
    Reorder {
        /// Who saw it.
        subscriber: String,
        /// The previous number.
        previous: u64,
        /// The number received after it.
        got: u64,
    },
    /// Two subscribers saw different (page, number) for the same message.
    DivergentNumbering {
        /// The message.
        payload: String,
        /// (subscriber, page, number) of the first sighting.
        first: (String, u64, u64),
        /// (subscriber, page, number) of the disagreeing one.
        second: (String, u64, u64),
    },
    /// A message the subscriber had to receive never arrived, and no
    /// discontinuity announced relative to its own position has a number
    /// left for it (a gap of k numbers excuses at most k messages).
    Lost {
        /// Who missed it.
        subscriber: String,
        /// The message.
        payload: String,
    },
    /// A message nobody published.
    Phantom {
        /// Who received it.
        subscriber: String,
        /// The message.
        payload: String,
    },
    /// One publisher's messages arrived in another order than published.
    PublishOrder {
        /// Who saw it.
        subscriber: String,
        /// The message that arrived late.
        payload: String,
        /// The message published after it that arrived first.
        after: String,
    },
    /// The page changed without a discontinuity (a stale page served silently).
    SilentPageChange {
        /// Who saw it.
        subscriber: String,
        /// The page it was on.
        page: u64,
        /// The page of the item received.
        got_page: u64,
        /// The item's number.
        seq: u64,
    },
    /// A discontinuity announced numbers gone on the subscriber's page that
    /// no message published to the topic can have had.
    PhantomGap {
        /// Who was told.
        subscriber: String,
        /// The page.
        page: u64,
        /// The subscriber's position.
        position: u64,
        /// `new_topic_sequence`.
        new: u64,
        /// Messages that could have had one of those numbers.
        could_fill: u64,
    },
    /// A discontinuity's `last_topic_sequence` is neither the subscriber's
    /// position nor 0 ("unknown").
    WrongLast {
        /// Who saw it.
        subscriber: String,
        /// The subscriber's own last position.
        position: u64,
        /// What the server said.
        last: u64,
    },
    /// The item after a discontinuity does not carry its
    /// `new_topic_sequence` and `new_sequence_page`.
    DiscontinuityMismatch {
        /// Who saw it.
        subscriber: String,
        /// The announced (page, number).
        announced: (u64, u64),
        /// The (page, number) of the next item.
        got: (u64, u64),
    },
}

impl Violation {
    /// What `docs/api.md` gives for the rule broken: D for delivery (a
    /// message lost, unpublished, repeated or out of publish order; an item
    /// after a discontinuity without its announced number), I for
    /// numbering (+1 per message, the same numbers for everyone, `last` as
    /// the subscriber's position, pages changing only behind a
    /// discontinuity).
    pub fn evidence(&self) -> Evidence {
        match self {
            Violation::Lost { .. }
            | Violation::Phantom { .. }
            | Violation::Duplicate { .. }
            | Violation::PublishOrder { .. } => Evidence::D,
            Violation::DiscontinuityMismatch { announced, got, .. } if announced.1 != got.1 => {
                Evidence::D
            }
            Violation::DiscontinuityMismatch { .. }
            | Violation::Gap { .. }
            | Violation::Reorder { .. }
            | Violation::DivergentNumbering { .. }
            | Violation::PhantomGap { .. }
            | Violation::SilentPageChange { .. }
            | Violation::WrongLast { .. } => Evidence::I,
        }
    }

    /// The violation's kind as one word: gap, duplicate, reorder,
    /// divergent-numbering, lost, phantom, phantom-gap, publish-order,
    /// page-change, wrong-last, discontinuity-mismatch.
    pub fn kind(&self) -> &'static str {
        match self {
            Violation::Gap { .. } => "gap",
            Violation::Duplicate { .. } => "duplicate",
            Violation::Reorder { .. } => "reorder",
            Violation::DivergentNumbering { .. } => "divergent-numbering",
            Violation::Lost { .. } => "lost",
            Violation::Phantom { .. } => "phantom",
            Violation::PhantomGap { .. } => "phantom-gap",
            Violation::PublishOrder { .. } => "publish-order",
            Violation::SilentPageChange { .. } => "page-change",
            Violation::WrongLast { .. } => "wrong-last",
            Violation::DiscontinuityMismatch { .. } => "discontinuity-mismatch",
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
            Violation::Duplicate { subscriber, seq } => write!(
                f,
                "duplicate: {subscriber} received a message twice (the second time as number {seq})"
            ),
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
                "lost: {subscriber} never received {payload:?}, and no discontinuity relative to its position has a number left for it"
            ),
            Violation::Phantom {
                subscriber,
                payload,
            } => write!(
                f,
                "phantom: {subscriber} received {payload:?}, which nobody published"
            ),
            Violation::PublishOrder {
                subscriber,
                payload,
                after,
            } => write!(
                f,
                "publish order: {subscriber} received {payload:?} after {after:?}, which was published later"
            ),
            Violation::SilentPageChange {
                subscriber,
                page,
                got_page,
                seq,
            } => write!(
                f,
                "page change: {subscriber} was on page {page} and received number {seq} of page {got_page} without a discontinuity"
            ),
            Violation::PhantomGap {
                subscriber,
                page,
                position,
                new,
                could_fill,
            } => write!(
                f,
                "phantom gap: {subscriber} at {position} on page {page} was told numbers up to {new} are gone, but only {could_fill} published messages could have had any of them",
            ),
            Violation::WrongLast {
                subscriber,
                position,
                last,
            } => write!(
                f,
                "wrong last: {subscriber} was at {position} but the discontinuity said last_topic_sequence {last}"
            ),
            Violation::DiscontinuityMismatch {
                subscriber,
                announced,
                got,
            } => write!(
                f,
                "discontinuity mismatch: {subscriber} was told the next item is (page {}, number {}) and got (page {}, number {})",
                announced.0, announced.1, got.0, got.1
            ),
        }
    }
}

/// Where a subscriber is: the last number it received (or was told is gone)
/// and the page, `None` while unknown (a resume that named page 0).
#[derive(Clone, Copy, Debug)]
struct Pos {
    page: Option<u64>,
    seq: u64,
}

/// A gap a discontinuity announced: which numbers it declares gone.
#[derive(Clone, Debug)]
struct Announced {
    /// Whether the subscriber had a position (an item, or a resume cursor).
    positioned: bool,
    /// Page the subscriber was on (`None`: unknown, a resume naming page 0).
    from_page: Option<u64>,
    /// The subscriber's own last number (0 without a position).
    position: u64,
    last: u64,
    new: u64,
    new_page: u64,
    /// Pages the subscriber had received items of before the gap.
    seen: BTreeSet<u64>,
}

impl Announced {
    /// The open number ranges `(page, above, below)` this gap declares
    /// gone (`None`: any page). Same page and `new > last`: the numbers
    /// between. A page change (or, on servers without pages, numbering that
    /// restarts): the old page after `last` and the new page before `new`.
    /// Without a position the subscriber had nothing to lose before `new`.
    /// Nothing at or below the subscriber's own position is gone, whatever
    /// `last` says; a `last` above it announces nothing in between.
    fn ranges(&self) -> Vec<(Option<u64>, u64, u64)> {
        let head = (Some(self.new_page), 0, self.new);
        if !self.positioned {
            return vec![(Some(self.new_page), self.last, self.new)];
        }
        let above = self.last.max(self.position);
        match self.from_page {
            None => vec![(None, above, u64::MAX), head],
            Some(p) if p != self.new_page || self.new <= above => {
                vec![(Some(p), above, u64::MAX), head]
            }
            Some(_) => vec![(Some(self.new_page), above, self.new)],
        }
    }

    /// A change to another page: whole pages in between may have come and
    /// gone (two resets between polls). From an unknown page (a resume that
    /// named page 0) it may be one too.
    fn changes_page(&self) -> bool {
        self.positioned && self.from_page.is_none_or(|p| p != self.new_page)
    }
}

/// Where a payload sits in the publish log.
#[derive(Clone, Copy, Debug)]
struct Logged<'a> {
    publisher: &'a str,
    index: usize,
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
            self.starts.insert(subscriber.to_owned(), (seq, page));
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

    /// `payload` was published while `subscriber` listened: it must receive
    /// it (or be told it is gone).
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

    fn log_index(&self) -> HashMap<&str, Logged<'_>> {
        let mut index = HashMap::new();
        for (publisher, payloads) in &self.publish_log {
            for (i, p) in payloads.iter().enumerate() {
                index.entry(p.as_str()).or_insert(Logged {
                    publisher,
                    index: i,
                });
            }
        }
        index
    }

    /// All violations, in a stable order.
    pub fn check(&self) -> Vec<Violation> {
        let mut out = Vec::new();
        let log = self.log_index();
        // First sighting of each payload: (subscriber, page, number).
        let mut numbering: HashMap<&str, (String, u64, u64)> = HashMap::new();
        let mut walks = BTreeMap::new();
        for (sub, events) in &self.subscribers {
            let walk = self.walk(sub, events, &log, &mut numbering, &mut out);
            walks.insert(sub.as_str(), walk);
        }
        for (sub, walk) in &walks {
            self.losses(sub, walk, &log, &numbering, &mut out);
        }
        out
    }

    /// One subscriber's stream on its own: order, numbering, discontinuities.
    fn walk<'h>(
        &'h self,
        sub: &str,
        events: &'h [Event],
        log: &HashMap<&str, Logged<'h>>,
        numbering: &mut HashMap<&'h str, (String, u64, u64)>,
        out: &mut Vec<Violation>,
    ) -> Walk<'h> {
        let mut walk = Walk::default();
        let mut pos = self.starts.get(sub).map(|&(seq, page)| Pos {
            page: (page != 0).then_some(page),
            seq: seq.saturating_sub(1),
        });
        let mut pending: Option<(u64, u64)> = None;
        let mut seen_pages = BTreeSet::new();
        // Per publisher: the highest log index received so far.
        let mut latest: HashMap<&str, usize> = HashMap::new();
        for (at, ev) in delivery_order(events).into_iter().enumerate() {
            let ev = &events[ev];
            match ev {
                Event::Discontinuity {
                    last,
                    new,
                    new_page,
                } => {
                    if let Some(p) = pos
                        && p.seq != *last
                        && *last != 0
                    {
                        out.push(Violation::WrongLast {
                            subscriber: sub.to_owned(),
                            position: p.seq,
                            last: *last,
                        });
                    }
                    walk.gaps.push((
                        at,
                        Announced {
                            positioned: pos.is_some(),
                            from_page: pos.and_then(|p| p.page),
                            position: pos.map_or(0, |p| p.seq),
                            last: *last,
                            new: *new,
                            new_page: *new_page,
                            seen: seen_pages.clone(),
                        },
                    ));
                    pending = Some((*new_page, *new));
                    pos = Some(Pos {
                        page: Some(*new_page),
                        seq: new.saturating_sub(1),
                    });
                }
                Event::Item { seq, page, payload } => {
                    let logged = log.get(payload.as_str()).copied();
                    if self.log_complete && logged.is_none() && !self.uncertain.contains(payload) {
                        out.push(Violation::Phantom {
                            subscriber: sub.to_owned(),
                            payload: payload.clone(),
                        });
                    }
                    if !walk.received.insert(payload.as_str()) {
                        out.push(Violation::Duplicate {
                            subscriber: sub.to_owned(),
                            seq: *seq,
                        });
                        continue;
                    }
                    if let Some(announced) = pending.take() {
                        if announced != (*page, *seq) {
                            out.push(Violation::DiscontinuityMismatch {
                                subscriber: sub.to_owned(),
                                announced,
                                got: (*page, *seq),
                            });
                        }
                    } else if let Some(p) = pos {
                        match p.page {
                            Some(pp) if pp != *page => out.push(Violation::SilentPageChange {
                                subscriber: sub.to_owned(),
                                page: pp,
                                got_page: *page,
                                seq: *seq,
                            }),
                            _ if *seq > p.seq.saturating_add(1) => out.push(Violation::Gap {
                                subscriber: sub.to_owned(),
                                expected: p.seq + 1,
                                got: *seq,
                            }),
                            _ if *seq <= p.seq => out.push(Violation::Reorder {
                                subscriber: sub.to_owned(),
                                previous: p.seq,
                                got: *seq,
                            }),
                            _ => {}
                        }
                    }
                    pos = Some(Pos {
                        page: Some(*page),
                        seq: *seq,
                    });
                    seen_pages.insert(*page);
                    if let Some(l) = logged {
                        let prev = latest.entry(l.publisher).or_insert(l.index);
                        if l.index < *prev {
                            out.push(Violation::PublishOrder {
                                subscriber: sub.to_owned(),
                                payload: payload.clone(),
                                after: self.publish_log[l.publisher][*prev].clone(),
                            });
                        }
                        *prev = (*prev).max(l.index);
                        walk.receipts.push((at, l));
                    }
                    match numbering.get(payload.as_str()) {
                        None => {
                            numbering.insert(payload.as_str(), (sub.to_owned(), *page, *seq));
                        }
                        Some(first) if (first.1, first.2) != (*page, *seq) => {
                            out.push(Violation::DivergentNumbering {
                                payload: payload.clone(),
                                first: first.clone(),
                                second: (sub.to_owned(), *page, *seq),
                            });
                        }
                        Some(_) => {}
                    }
                }
            }
        }
        walk
    }

    /// What `sub` had to receive and did not, unless an announced gap covers it.
    fn losses(
        &self,
        sub: &str,
        walk: &Walk<'_>,
        log: &HashMap<&str, Logged<'_>>,
        numbering: &HashMap<&str, (String, u64, u64)>,
        out: &mut Vec<Violation>,
    ) {
        let mut expected: Vec<&str> = self
            .published_while_open
            .get(sub)
            .map(|ps| ps.iter().map(String::as_str).collect())
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
                self.publish_log[*publisher][*lo..=*hi]
                    .iter()
                    .map(String::as_str),
            );
        }
        let mut judged = HashSet::new();
        let missing: Vec<&str> = expected
            .into_iter()
            .filter(|p| {
                !walk.received.contains(p) && !self.uncertain.contains(*p) && judged.insert(*p)
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
                room.push(self.room(range, &judged, numbering));
            }
            room.push(None);
        }
        let wants: Vec<Vec<usize>> = missing
            .iter()
            .map(|payload| {
                let mut slots = Vec::new();
                for (g, (at, gap)) in walk.gaps.iter().enumerate() {
                    if walk.brackets(*at, log.get(payload).copied()) {
                        slots.extend(
                            self.fits(gap, payload, log, numbering)
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
        self.phantom_gaps(sub, walk, numbering, out);
    }

    /// Gaps on the subscriber's own page announcing more numbers gone than
    /// published messages it did not receive could fill (numbering, I: +1
    /// per message). Judged only when the log holds every publish; a
    /// message nobody received may fill any gap, so this undercounts
    /// rather than blame a correct server.
    fn phantom_gaps(
        &self,
        sub: &str,
        walk: &Walk<'_>,
        numbering: &HashMap<&str, (String, u64, u64)>,
        out: &mut Vec<Violation>,
    ) {
        if !self.log_complete {
            return;
        }
        let unnumbered = self
            .publish_log
            .values()
            .flatten()
            .filter(|p| !numbering.contains_key(p.as_str()))
            .count() as u64;
        for (_, gap) in &walk.gaps {
            let [(Some(page), above, below)] = gap.ranges()[..] else {
                continue;
            };
            if !gap.positioned || below == u64::MAX {
                continue;
            }
            let numbers = below.saturating_sub(above).saturating_sub(1);
            let numbered_there = numbering
                .iter()
                .filter(|(payload, (_, p, n))| {
                    *p == page && above < *n && *n < below && !walk.received.contains(*payload)
                })
                .count() as u64;
            let could_fill = numbered_there + unnumbered;
            if could_fill < numbers {
                out.push(Violation::PhantomGap {
                    subscriber: sub.to_owned(),
                    page,
                    position: above,
                    new: below,
                    could_fill,
                });
            }
        }
    }

    /// How many messages the open range `(page, above, below)` can still
    /// hold: its numbers less those of messages someone received there
    /// that are not among `missing` (`None`: no bound).
    fn room(
        &self,
        (page, above, below): (Option<u64>, u64, u64),
        missing: &HashSet<&str>,
        numbering: &HashMap<&str, (String, u64, u64)>,
    ) -> Option<u64> {
        let page = page?;
        if below == u64::MAX {
            return None;
        }
        let numbers = below.saturating_sub(above).saturating_sub(1);
        let taken = numbering
            .iter()
            .filter(|(payload, (_, p, n))| {
                *p == page && above < *n && *n < below && !missing.contains(*payload)
            })
            .count() as u64;
        Some(numbers.saturating_sub(taken))
    }

    /// Which of `gap`'s ranges could `payload` lie in (by index into
    /// [`Announced::ranges`]; one past the last: a page skipped whole)? Its
    /// (page, number) when anyone received it; otherwise the numbers its
    /// publisher's neighbours bound it to.
    fn fits(
        &self,
        gap: &Announced,
        payload: &str,
        log: &HashMap<&str, Logged<'_>>,
        numbering: &HashMap<&str, (String, u64, u64)>,
    ) -> Vec<usize> {
        let ranges = gap.ranges();
        let mut fits = Vec::new();
        if gap.changes_page() && self.in_vanished_page(gap, payload, log, numbering) {
            fits.push(ranges.len());
        }
        let (earlier, later) = self.neighbour_pages(payload, log, numbering);
        let fit = |(page, above, below): (Option<u64>, u64, u64)| {
            let (lo, hi) = match (numbering.get(payload), page) {
                (Some((_, p, n)), _) => {
                    if page.is_some_and(|page| page != *p) {
                        return false;
                    }
                    // From an unknown page, nothing at or past `new` on the
                    // new page is gone: it comes after.
                    if page.is_none() && *p == gap.new_page && *n >= gap.new {
                        return false;
                    }
                    (n.saturating_sub(1), n.saturating_add(1))
                }
                (None, None) => (0, u64::MAX),
                (None, Some(page)) => {
                    // Publish order orders the pages too: not in the old page
                    // when published after a message of the new one, and not
                    // in the new page when published before one of the old.
                    if let Some(from_page) = gap.from_page
                        && from_page != gap.new_page
                        && ((page == from_page && earlier == Some(gap.new_page))
                            || (page == gap.new_page && later == Some(from_page)))
                    {
                        return false;
                    }
                    self.bounds(payload, page, log, numbering)
                }
            };
            // Some whole number n with above < n < below and lo < n < hi.
            let a = above.max(lo);
            let b = below.min(hi);
            b > a.saturating_add(1)
        };
        fits.extend((0..ranges.len()).filter(|&r| fit(ranges[r])));
        fits
    }

    /// The pages of the nearest messages published before and after
    /// `payload` by its publisher that someone received.
    fn neighbour_pages(
        &self,
        payload: &str,
        log: &HashMap<&str, Logged<'_>>,
        numbering: &HashMap<&str, (String, u64, u64)>,
    ) -> (Option<u64>, Option<u64>) {
        let Some(l) = log.get(payload) else {
            return (None, None);
        };
        let page_of = |other: &String| numbering.get(other.as_str()).map(|(_, p, _)| *p);
        let log = &self.publish_log[l.publisher];
        (
            log[..l.index].iter().rev().find_map(page_of),
            log[l.index + 1..].iter().find_map(page_of),
        )
    }

    /// Could `payload` have been on a page the subscriber never saw, neither
    /// the new one nor one it was on before `gap`?
    fn in_vanished_page(
        &self,
        gap: &Announced,
        payload: &str,
        log: &HashMap<&str, Logged<'_>>,
        numbering: &HashMap<&str, (String, u64, u64)>,
    ) -> bool {
        if let Some((_, page, _)) = numbering.get(payload) {
            return *page != gap.new_page && !gap.seen.contains(page);
        }
        let (earlier, later) = self.neighbour_pages(payload, log, numbering);
        // Published after a message of the new page: it is in that page.
        // Published before a message of a page seen before: in that page.
        earlier.is_none_or(|p| p != gap.new_page) && later.is_none_or(|p| !gap.seen.contains(&p))
    }

    /// Open bounds on the number of an unreceived `payload` in `page`, from
    /// its publisher's messages before and after it that someone received.
    fn bounds(
        &self,
        payload: &str,
        page: u64,
        log: &HashMap<&str, Logged<'_>>,
        numbering: &HashMap<&str, (String, u64, u64)>,
    ) -> (u64, u64) {
        let (mut lo, mut hi) = (0, u64::MAX);
        let Some(l) = log.get(payload) else {
            return (lo, hi);
        };
        for (i, other) in self.publish_log[l.publisher].iter().enumerate() {
            if let Some((_, p, n)) = numbering.get(other.as_str())
                && *p == page
            {
                if i < l.index {
                    lo = lo.max(*n);
                } else if i > l.index {
                    hi = hi.min(*n);
                }
            }
        }
        (lo, hi)
    }
}

/// What one subscriber's walk learnt, for the loss check.
#[derive(Debug, Default)]
struct Walk<'h> {
    received: HashSet<&'h str>,
    /// (event index, where in the log) per item received.
    receipts: Vec<(usize, Logged<'h>)>,
    /// (event index, gap) per discontinuity.
    gaps: Vec<(usize, Announced)>,
}

impl Walk<'_> {
    /// Does the gap at event `at` sit where `logged` would have arrived:
    /// after every message of its publisher received before the gap, before
    /// every one received after it?
    fn brackets(&self, at: usize, logged: Option<Logged<'_>>) -> bool {
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
