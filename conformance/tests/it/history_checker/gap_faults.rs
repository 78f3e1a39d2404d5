//! Faults around gaps, page changes and unanswered publishes, each with the
//! evidence mark the checker must report it under.

use super::*;
use momento_http_conformance::report::Evidence;
use std::collections::HashMap;

/// A fault a counting checker catches and a trusting one does not.
#[derive(Clone, Copy, Debug)]
pub enum GapFault {
    /// A discontinuity announces fewer numbers gone than were lost.
    Understated,
    /// A discontinuity announces numbers gone where nothing was lost.
    Phantom,
    /// A message received before a gap arrives again after it.
    DuplicateAfterGap,
    /// Two messages of one publisher swap places across a page change.
    ReorderAcrossPageChange,
    /// A message whose publish got no answer arrives twice.
    MaybeDeliveredTwice,
}

/// Every subscriber's (page, number) per payload.
fn numbering(h: &History) -> HashMap<String, (u64, u64)> {
    let mut out = HashMap::new();
    for e in h.subscribers.values().flatten() {
        if let Event::Item { seq, page, payload } = e {
            out.entry(payload.clone()).or_insert((*page, *seq));
        }
    }
    out
}

fn publisher_of(h: &History, payload: &str) -> Option<String> {
    h.publish_log
        .iter()
        .find(|(_, ps)| ps.iter().any(|p| p == payload))
        .map(|(publisher, _)| publisher.clone())
}

/// How many of the messages published between `a` and `b` by their one
/// publisher `sub` had to receive, nobody received and were answered.
fn unreceived_between(
    h: &History,
    known: &HashMap<String, (u64, u64)>,
    owed: &[String],
    a: &str,
    b: &str,
) -> usize {
    let Some(log) = h
        .publish_log
        .values()
        .find(|ps| ps.iter().any(|p| p == a) && ps.iter().any(|p| p == b))
    else {
        return 0;
    };
    let at = |m: &str| log.iter().position(|p| p == m);
    let (Some(i), Some(j)) = (at(a), at(b)) else {
        return 0;
    };
    log.get(i + 1..j)
        .unwrap_or_default()
        .iter()
        .filter(|m| !known.contains_key(*m) && !h.uncertain.contains(*m) && owed.contains(m))
        .count()
}

/// Break `sub`'s stream in `h` as `fault` says; `None` when it has nothing
/// to break that way. The kinds of which one must be found, under `Evidence`.
pub fn inject(
    h: &mut History,
    sub: &str,
    fault: GapFault,
    at: usize,
) -> Option<(Vec<&'static str>, Evidence)> {
    let known = numbering(h);
    let events = h.subscribers.get(sub)?.clone();
    let n = events.len();
    let pick = |candidates: Vec<usize>| candidates.get(at % candidates.len().max(1)).copied();
    match fault {
        GapFault::Understated => {
            // A same-page gap between two items of one publisher, over at
            // least two of its messages nobody received: told the gap holds
            // one number, only a checker that counts finds the rest lost.
            let owed = h.published_while_open.get(sub)?;
            let d = pick(
                (1..n.saturating_sub(1))
                    .filter(|&d| match (&events[d - 1], &events[d], &events[d + 1]) {
                        (
                            Event::Item {
                                seq,
                                page,
                                payload: a,
                            },
                            Event::Discontinuity { new, new_page, .. },
                            Event::Item { payload: b, .. },
                        ) if page == new_page && *new > seq + 1 => {
                            unreceived_between(h, &known, owed, a, b) >= 2
                        }
                        _ => false,
                    })
                    .collect(),
            )?;
            let events = h.subscribers.get_mut(sub)?;
            if let Event::Discontinuity { last, new, .. } = &mut events[d] {
                *last = *new - 2;
            }
            Some((vec!["lost"], Evidence::D))
        }
        GapFault::Phantom => {
            // Between two consecutive items, a gap longer than the log.
            let i = pick(
                (1..n)
                    .filter(|&i| match (&events[i - 1], &events[i]) {
                        (
                            Event::Item {
                                seq: a, page: p, ..
                            },
                            Event::Item {
                                seq: b, page: q, ..
                            },
                        ) => p == q && *b == a + 1,
                        _ => false,
                    })
                    .collect(),
            )?;
            let Event::Item { seq, page, .. } = events[i - 1] else {
                return None;
            };
            let k = h.publish_log.values().map(Vec::len).sum::<usize>() as u64 + 2;
            let events = h.subscribers.get_mut(sub)?;
            for e in events.iter_mut().skip(i) {
                if let Event::Item {
                    seq: s, page: p, ..
                } = e
                    && *p == page
                {
                    *s += k;
                }
            }
            events.insert(i, disc(seq, seq + 1 + k, page));
            Some((vec!["phantom-gap"], Evidence::I))
        }
        GapFault::DuplicateAfterGap => {
            let d = pick(
                (1..n.saturating_sub(1))
                    .filter(|&d| {
                        matches!(events[d - 1], Event::Item { .. })
                            && matches!(events[d], Event::Discontinuity { .. })
                            && matches!(events[d + 1], Event::Item { .. })
                    })
                    .collect(),
            )?;
            let again = events[d - 1].clone();
            h.subscribers.get_mut(sub)?.insert(d + 2, again);
            Some((vec!["duplicate"], Evidence::D))
        }
        GapFault::ReorderAcrossPageChange => {
            let d = pick(
                (1..n.saturating_sub(1))
                    .filter(|&d| match (&events[d - 1], &events[d], &events[d + 1]) {
                        (
                            Event::Item {
                                page, payload: a, ..
                            },
                            Event::Discontinuity { new_page, .. },
                            Event::Item { payload: b, .. },
                        ) => page != new_page && publisher_of(h, a) == publisher_of(h, b),
                        _ => false,
                    })
                    .collect(),
            )?;
            let events = h.subscribers.get_mut(sub)?;
            let (Event::Item { payload: a, .. }, Event::Item { payload: b, .. }) =
                (events[d - 1].clone(), events[d + 1].clone())
            else {
                return None;
            };
            for i in [d - 1, d + 1] {
                if let Event::Item { payload, .. } = &mut events[i] {
                    *payload = if *payload == a { b.clone() } else { a.clone() };
                }
            }
            Some((vec!["publish-order"], Evidence::D))
        }
        GapFault::MaybeDeliveredTwice => {
            let i = pick(
                (0..n)
                    .filter(|&i| {
                        matches!(&events[i], Event::Item { payload, .. } if h.uncertain.contains(payload))
                    })
                    .collect(),
            )?;
            let again = events[i].clone();
            h.subscribers.get_mut(sub)?.insert(i + 1, again);
            Some((vec!["duplicate"], Evidence::D))
        }
    }
}
