//! A model of a correct server, and the histories it shows subscribers.

use super::*;
use proptest::prelude::*;

/// What happens to the topic, in order.
#[derive(Clone, Debug)]
pub enum Op {
    /// A publisher's publish, answered.
    Publish(usize),
    /// A publish answered, numbered and then lost for every subscriber
    /// (each is told by a discontinuity).
    Dropped(usize),
    /// A publish whose answer never came; `taken` says whether the server
    /// numbered it (the checker cannot know).
    MaybePublish(usize, bool),
    /// The topic starts again on a new page.
    Reset(u64),
}

/// One subscriber: the messages it listens through, which it is not sent,
/// and the liberties a correct server may take with its discontinuities.
#[derive(Clone, Debug)]
pub struct SubPlan {
    join: usize,
    len: usize,
    skip: Vec<bool>,
    resume: bool,
    /// Discontinuities say `last_topic_sequence` 0 ("unknown").
    last_unknown: bool,
    /// A discontinuity comes after the item it announces, as the docs'
    /// example answer lists them.
    listed_after: bool,
}

/// A message the server numbered.
#[derive(Clone, Debug)]
pub struct Msg {
    publisher: usize,
    payload: String,
    page: u64,
    seq: u64,
    /// Its publish got no answer.
    maybe: bool,
    /// Nobody is sent it.
    dropped: bool,
}

/// A generated run.
#[derive(Clone, Debug)]
pub struct Scenario {
    first_page: u64,
    ops: Vec<Op>,
    subs: Vec<SubPlan>,
}

pub fn scenario() -> impl Strategy<Value = Scenario> {
    // Mostly one publisher, so runs of its messages lost together occur.
    let publisher = || prop_oneof![3 => Just(0usize), 1 => 1usize..3];
    let op = prop_oneof![
        8 => publisher().prop_map(Op::Publish),
        3 => publisher().prop_map(Op::Dropped),
        1 => (publisher(), any::<bool>()).prop_map(|(p, taken)| Op::MaybePublish(p, taken)),
        1 => (1u64..1000).prop_map(Op::Reset),
    ];
    let sub = (
        0usize..40,
        1usize..40,
        prop::collection::vec(prop::bool::weighted(0.2), 40),
        any::<bool>(),
        prop::bool::weighted(0.3),
        prop::bool::weighted(0.3),
    )
        .prop_map(
            |(join, len, skip, resume, last_unknown, listed_after)| SubPlan {
                join,
                len,
                skip,
                resume,
                last_unknown,
                listed_after,
            },
        );
    (
        prop_oneof![Just(0u64), Just(9), Just(1_748_358_253)],
        prop::collection::vec(op, 4..40),
        prop::collection::vec(sub, 1..4),
    )
        .prop_map(|(first_page, ops, subs)| Scenario {
            first_page,
            ops,
            subs,
        })
}

/// The messages a correct server numbers: +1 per publish it took, a fresh
/// page and numbering from 1 after a reset. Untaken maybe-publishes are
/// named too (the log holds them) but numbered `None`.
fn messages(s: &Scenario) -> Vec<(Msg, bool)> {
    let (mut page, mut next) = (s.first_page, 1u64);
    let mut out = Vec::new();
    for op in &s.ops {
        match op {
            Op::Publish(p) | Op::Dropped(p) | Op::MaybePublish(p, _) => {
                let taken = !matches!(op, Op::MaybePublish(_, false));
                out.push((
                    Msg {
                        publisher: *p,
                        payload: format!("p{p}-m{}", out.len()),
                        page,
                        seq: next,
                        maybe: matches!(op, Op::MaybePublish(..)),
                        dropped: matches!(op, Op::Dropped(_)),
                    },
                    taken,
                ));
                next += u64::from(taken);
            }
            Op::Reset(k) => {
                page = page + 1 + k;
                next = 1;
            }
        }
    }
    out
}

/// What a correct server shows each subscriber: every message of its window,
/// or a discontinuity from its own position to the next one it delivers;
/// with `liberties`, the `last` 0 and answer order its plan allows.
pub fn generate(s: &Scenario, liberties: bool) -> History {
    let logged = messages(s);
    let mut h = History::with_publish_log();
    for (m, _) in &logged {
        let publisher = format!("publisher-{}", m.publisher);
        if m.maybe {
            h.maybe_published(&publisher, &m.payload);
        } else {
            h.publish(&publisher, &m.payload);
        }
    }
    let msgs: Vec<Msg> = logged
        .into_iter()
        .filter(|(_, taken)| *taken)
        .map(|(m, _)| m)
        .collect();
    for (i, plan) in s.subs.iter().enumerate() {
        let name = format!("s{i}");
        let window: Vec<&Msg> = msgs.iter().skip(plan.join).take(plan.len).collect();
        let Some(first) = window.first() else {
            continue;
        };
        let mut pos = None;
        if plan.resume {
            h.start(&name, first.seq, first.page);
            pos = Some((first.page, first.seq - 1));
        }
        let mut skipping = false;
        let mut events = Vec::new();
        for (k, m) in window.iter().enumerate() {
            if !m.maybe {
                h.expect(&name, &m.payload);
            }
            // Skip only where something is delivered after (a tail skip
            // would be announced on a poll the subscriber never made).
            let skippable = pos.is_some() && k + 1 < window.len();
            if skippable && (m.dropped || plan.skip[k % plan.skip.len()]) {
                skipping = true;
                continue;
            }
            let mut announced = None;
            if let Some((page, seq)) = pos
                && (skipping || page != m.page || m.seq != seq + 1)
            {
                let last = if liberties && plan.last_unknown {
                    0
                } else {
                    seq
                };
                announced = Some(disc(last, m.seq, m.page));
            }
            let delivered = item(m.seq, m.page, &m.payload);
            match announced {
                Some(d) if liberties && plan.listed_after && d_jumps_forward(&d) => {
                    events.extend([delivered, d]);
                }
                Some(d) => events.extend([d, delivered]),
                None => events.push(delivered),
            }
            pos = Some((m.page, m.seq));
            skipping = false;
        }
        for e in events {
            h.record(&name, e);
        }
    }
    h
}

/// Only a jump forward can be listed after its item (`docs/api.md` §4).
fn d_jumps_forward(d: &Event) -> bool {
    matches!(d, Event::Discontinuity { last, new, .. } if last < new)
}
