//! How a subscription turns the server's answers into events without losing
//! a message silently (docs/api.md §4: numbering, resume rule, discontinuities).
//!
//! The server is not trusted to number correctly. The client keeps its own
//! position (the [`Cursor`]: next number expected, page) and judges every
//! element against it:
//!
//! - An item on the same page is yielded when it is the next number; a higher
//!   number is yielded behind a synthesised discontinuity from the client's
//!   own last number; a lower one has been accounted for already (yielded,
//!   announced lost, or before the subscription began) and is dropped.
//! - An item on another page (a new topic instance) is yielded behind a
//!   synthesised discontinuity.
//! - Where the page is unknown (the server sends none, or 0, and none was
//!   seen), a replay cannot be told from a topic that started again, so a
//!   lower or repeated number is yielded behind a synthesised discontinuity
//!   that goes backwards: told twice rather than lost. A page first learned
//!   after items without one is announced the same way, since nothing
//!   vouches for what came before (resuming from a cursor saved without a
//!   page, the first item's page is taken when its number is the one asked
//!   for).
//! - An announced discontinuity is reported from the client's own last
//!   number; the server's `last_topic_sequence` rides along as
//!   `announced_last` and never moves anything. One that announces nothing
//!   the client can use (a `new_topic_sequence` of 0, or a step back on the
//!   same page) is ignored and logged: the items that follow are judged on
//!   their own.
//!
//! An item is an element the server sends; a page of 0 or none means "not
//! said", and such an item counts as on the cursor's page.

use std::collections::VecDeque;

use bytes::Bytes;

use crate::credential::decode_base64_lenient;
use crate::error::Error;
use crate::subscribe::{Cursor, TopicEvent, TopicValue};
use crate::wire;

/// Where the stream is: everything the response parser ([`Position::absorb`]) needs.
#[derive(Debug)]
pub(crate) struct Position {
    /// What the next poll sends (after all of `pending`).
    pub(crate) cursor: Cursor,
    /// Events received but not yet yielded, each with the cursor after it.
    pub(crate) pending: VecDeque<(TopicEvent, Cursor)>,
    /// Whether any event came of this position yet: until then, a page the
    /// starting cursor did not name is the caller's to take.
    moved: bool,
}

/// How a page from the server relates to the cursor's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Page {
    /// Both are known and equal.
    Same,
    /// Both are known and differ: another topic instance.
    Changed,
    /// One of them is not known (0).
    Unknown,
}

fn relation(cursor_page: u64, page: u64) -> Page {
    match (cursor_page, page) {
        (0, _) | (_, 0) => Page::Unknown,
        (a, b) if a == b => Page::Same,
        _ => Page::Changed,
    }
}

impl Position {
    /// A position at `cursor` with nothing pending.
    pub(crate) fn new(cursor: Cursor) -> Position {
        Position {
            cursor,
            pending: VecDeque::new(),
            moved: false,
        }
    }

    /// The last number the client accounted for (0 when none yet).
    fn last(&self) -> u64 {
        self.cursor.sequence_number.saturating_sub(1)
    }

    fn push(&mut self, event: TopicEvent, after: Cursor) {
        self.pending.push_back((event, after));
        self.cursor = after;
        self.moved = true;
    }

    /// Turns a batch into pending events. Returns how many events it added
    /// (0: the poll made no progress), or the error that ends the stream.
    pub(crate) fn absorb(
        &mut self,
        cache: &str,
        topic: &str,
        items: Vec<wire::SubscribeElement>,
    ) -> Result<usize, Error> {
        let before = self.pending.len();
        for element in items {
            match element {
                wire::SubscribeElement::Discontinuity(d) => self.announced(cache, topic, &d),
                wire::SubscribeElement::Item(item) => self.item(cache, topic, item)?,
            }
        }
        Ok(self.pending.len() - before)
    }

    /// An announced discontinuity.
    fn announced(&mut self, cache: &str, topic: &str, d: &wire::Discontinuity) {
        let cursor = self.cursor;
        let new = d.new_topic_sequence;
        let new_page = match d.new_sequence_page {
            Some(page) if page != 0 => page,
            _ => cursor.sequence_page,
        };
        let rel = relation(cursor.sequence_page, new_page);
        if new == 0 {
            // 0 would mean "from now on": whatever is published meanwhile
            // would be skipped without a word.
            tracing::warn!(
                cache,
                topic,
                announced_last = d.last_topic_sequence,
                "ignoring a discontinuity whose new_topic_sequence is 0; the items that follow are judged on their own"
            );
            return;
        }
        let fresh = cursor.sequence_number == 0;
        if !fresh
            && new == cursor.sequence_number
            && (rel == Page::Same || cursor.sequence_page == 0)
        {
            // Nothing lost and nothing changes.
            return;
        }
        if !fresh && rel == Page::Same && new < cursor.sequence_number {
            tracing::warn!(
                cache,
                topic,
                expected = cursor.sequence_number,
                new,
                page = new_page,
                "ignoring a discontinuity that steps back on the same page; what it names was accounted for already"
            );
            return;
        }
        self.push(
            TopicEvent::Discontinuity {
                last: self.last(),
                new,
                new_page,
                synthesized: false,
                announced_last: Some(d.last_topic_sequence),
            },
            Cursor {
                sequence_number: new,
                sequence_page: new_page,
            },
        );
    }

    /// An item.
    fn item(&mut self, cache: &str, topic: &str, item: wire::TopicItem) -> Result<(), Error> {
        let cursor = self.cursor;
        let n = item.topic_sequence_number;
        let page = match item.sequence_page {
            Some(page) if page != 0 => page,
            _ => cursor.sequence_page,
        };
        let fresh = cursor.sequence_number == 0;
        let rel = relation(cursor.sequence_page, page);
        let expected = cursor.sequence_number;
        if !fresh && rel == Page::Same && n < expected {
            tracing::warn!(
                cache,
                topic,
                expected,
                got = n,
                page,
                "dropping a repeated or older message (accounted for already)"
            );
            return Ok(());
        }
        // No cursor can follow u64::MAX; wrapping to 0 would mean "from now
        // on" and lose messages without a word.
        let Some(next) = n.checked_add(1) else {
            return Err(Error::InvalidResponse {
                reason: format!(
                    "an item carries sequence number {n}, after which no number can follow; report this to the endpoint's operator"
                ),
                body: format!("(an item with topic_sequence_number {n})"),
            });
        };
        // A page learned mid-stream, after items without one, cannot be
        // vouched for either: it is announced too. The first item after a
        // cursor saved without a page takes its page: the caller said where
        // to resume, and the number matches.
        let learned = cursor.sequence_page == 0 && page != 0 && self.moved;
        if !fresh && (rel == Page::Changed || n != expected || learned) {
            tracing::warn!(
                cache,
                topic,
                expected,
                expected_page = cursor.sequence_page,
                got = n,
                got_page = page,
                "the server skipped, repeated or renumbered messages without announcing it; synthesising a discontinuity"
            );
            self.push(
                TopicEvent::Discontinuity {
                    last: self.last(),
                    new: n,
                    new_page: page,
                    synthesized: true,
                    announced_last: None,
                },
                Cursor {
                    sequence_number: n,
                    sequence_page: page,
                },
            );
        }
        let value = decode_value(item.value)?;
        self.push(
            TopicEvent::Item {
                sequence_number: n,
                sequence_page: item.sequence_page.unwrap_or(0),
                value,
                publisher_id: item.publisher_id,
            },
            Cursor {
                sequence_number: next,
                sequence_page: page,
            },
        );
        Ok(())
    }
}

/// Decodes a wire value; binary accepts standard or URL-safe base64, padded or not.
fn decode_value(value: wire::TopicValue) -> Result<TopicValue, Error> {
    match value {
        wire::TopicValue::Text(text) => Ok(TopicValue::Text(text)),
        wire::TopicValue::Binary(b64) => match decode_base64_lenient(&b64) {
            Ok(bytes) => Ok(TopicValue::Binary(Bytes::from(bytes))),
            Err(e) => Err(Error::InvalidResponse {
                reason: format!("a binary value is not base64 ({e})"),
                body: crate::limits::excerpt(&b64),
            }),
        },
    }
}

/// What one element of a server's answer made the client yield: the item
/// it carried as (number, page as sent), `None` for a discontinuity, and
/// the events that came of it.
#[cfg(any(test, fuzzing))]
pub type Step = (Option<(u64, Option<u64>)>, Vec<TopicEvent>);

/// The property every subscription keeps, judged from the outside: from
/// what the server sent, element by element, and what the client yielded
/// for each. Used by the property test below and the fuzz target in
/// `fuzz/`. Returns what is wrong, if anything:
///
/// 1. The stream explains itself: each item is the next number after the
///    one before it on the same page, unless a discontinuity came between;
///    each discontinuity's `last` is the client's own last number (never
///    the server's claim), and the item after it carries its `new`. So
///    nothing is yielded twice without an announcement in between.
/// 2. Nothing is lost: every item the server sent was yielded, or dropped
///    only where the client had already accounted for it on a page it
///    knew: yielded with that number on that page, announced lost on that
///    page (between `last` and `new`; after `last` on a page left; before
///    `new` on a page entered), or before where the subscription began on
///    that page. A page not known (none, or 0) never justifies a drop: a
///    lower number there may be a topic that started again.
#[cfg(any(test, fuzzing))]
pub fn check_accounting(start: Cursor, steps: &[Step]) -> Result<(), String> {
    /// Numbers `from..to` on `page` (0: not known), accounted for.
    struct Span {
        page: u64,
        from: u64,
        /// Exclusive; `None`: no end.
        to: Option<u64>,
    }
    let mut spans: Vec<Span> = Vec::new();
    let (mut next, mut page) = (start.sequence_number, start.sequence_page);
    if next != 0 {
        spans.push(Span {
            page,
            from: 0,
            to: Some(next),
        });
    }
    // Resuming without a page: the first item, if it carries the number
    // asked for, names the page the caller's numbers were on.
    let mut open_start = next != 0 && page == 0;
    let mut begun = next != 0;
    let mut expect_item: Option<u64> = None;
    for (step, (sent, events)) in steps.iter().enumerate() {
        let mut yielded_it = false;
        for event in events {
            match event {
                TopicEvent::Item {
                    sequence_number: n,
                    sequence_page: p,
                    ..
                } => {
                    if let Some(want) = expect_item.take()
                        && want != *n
                    {
                        return Err(format!(
                            "step {step}: a discontinuity announced {want} next, the item is {n}"
                        ));
                    }
                    let p = if *p == 0 { page } else { *p };
                    if open_start && *n == next && p != 0 {
                        spans[0].page = p;
                        page = p;
                    }
                    open_start = false;
                    if !begun {
                        spans.push(Span {
                            page: p,
                            from: 0,
                            to: Some(*n),
                        });
                        begun = true;
                    } else if *n != next {
                        return Err(format!(
                            "step {step}: item {n} follows position {next} without a discontinuity"
                        ));
                    } else if p != page {
                        return Err(format!(
                            "step {step}: item on page {p} while on page {page}, unannounced"
                        ));
                    }
                    spans.push(Span {
                        page: p,
                        from: *n,
                        to: n.checked_add(1),
                    });
                    page = p;
                    next = n.saturating_add(1);
                    yielded_it |= sent.is_some_and(|(m, _)| m == *n);
                }
                TopicEvent::Discontinuity {
                    last,
                    new,
                    new_page,
                    synthesized,
                    ..
                } => {
                    if *last != next.saturating_sub(1) {
                        return Err(format!(
                            "step {step}: discontinuity says last {last}, the client was at {}",
                            next.saturating_sub(1)
                        ));
                    }
                    // A synthesised one comes with its item (numbered 0 by a
                    // broken server), which moves the cursor on to 1 at once.
                    if *new == 0 && !synthesized {
                        return Err(format!(
                            "step {step}: a discontinuity to 0 (\"from now on\")"
                        ));
                    }
                    if !begun || *new_page != page {
                        if begun {
                            spans.push(Span {
                                page,
                                from: next,
                                to: None,
                            });
                        }
                        spans.push(Span {
                            page: *new_page,
                            from: 0,
                            to: Some(*new),
                        });
                    } else if *new > next {
                        spans.push(Span {
                            page,
                            from: next,
                            to: Some(*new),
                        });
                    }
                    begun = true;
                    open_start = false;
                    next = *new;
                    page = *new_page;
                    expect_item = Some(*new);
                }
                _ => {}
            }
        }
        let Some((n, sent_page)) = *sent else {
            continue;
        };
        if yielded_it {
            continue;
        }
        let p = match sent_page {
            Some(p) if p != 0 => p,
            _ => page,
        };
        let accounted = p != 0
            && spans
                .iter()
                .any(|s| s.page == p && n >= s.from && s.to.is_none_or(|to| n < to));
        if !accounted {
            return Err(format!(
                "step {step}: the server sent item {n} (page {sent_page:?}); it was dropped without having been yielded or announced lost on page {p}"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn item(n: u64, page: Option<u64>) -> wire::SubscribeElement {
        wire::SubscribeElement::Item(wire::TopicItem {
            publisher_id: None,
            sequence_page: page,
            topic_sequence_number: n,
            value: wire::TopicValue::Text(format!("m{n}")),
        })
    }

    fn disc(last: u64, new: u64, page: Option<u64>) -> wire::SubscribeElement {
        wire::SubscribeElement::Discontinuity(wire::Discontinuity {
            last_topic_sequence: last,
            new_topic_sequence: new,
            new_sequence_page: page,
        })
    }

    /// Feeds `batches` from `start`; returns the events and whether it ended in error.
    fn run(start: Cursor, batches: Vec<Vec<wire::SubscribeElement>>) -> (Vec<TopicEvent>, bool) {
        let (steps, ended) = steps(start, batches);
        (steps.into_iter().flat_map(|(_, e)| e).collect(), ended)
    }

    /// Feeds `batches` from `start` one element at a time (what the client
    /// makes of a batch is what it makes of its elements in turn); returns
    /// each element's step and whether the stream ended in error.
    fn steps(start: Cursor, batches: Vec<Vec<wire::SubscribeElement>>) -> (Vec<Step>, bool) {
        let mut position = Position::new(start);
        let mut steps = Vec::new();
        for element in batches.into_iter().flatten() {
            let sent = match &element {
                wire::SubscribeElement::Item(i) => Some((i.topic_sequence_number, i.sequence_page)),
                wire::SubscribeElement::Discontinuity(_) => None,
            };
            let ended = position.absorb("c", "t", vec![element]).is_err();
            let events = position.pending.drain(..).map(|(e, _)| e).collect();
            steps.push((sent, events));
            if ended {
                return (steps, true);
            }
        }
        (steps, false)
    }

    /// Feeds whole batches, as the subscription does.
    fn run_batches(start: Cursor, batches: Vec<Vec<wire::SubscribeElement>>) -> Vec<TopicEvent> {
        let mut position = Position::new(start);
        let mut events = Vec::new();
        for batch in batches {
            let ended = position.absorb("c", "t", batch).is_err();
            events.extend(position.pending.drain(..).map(|(e, _)| e));
            if ended {
                break;
            }
        }
        events
    }

    fn numbers(events: &[TopicEvent]) -> Vec<u64> {
        events
            .iter()
            .filter_map(|e| match e {
                TopicEvent::Item {
                    sequence_number, ..
                } => Some(*sequence_number),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_discontinuity_reports_the_clients_last_not_the_servers_claim() {
        // Items 1 and 2, then the server claims {last: 4, new: 5}: 3 and 4 are gone.
        let (events, _) = run(
            Cursor::default(),
            vec![vec![
                item(1, Some(7)),
                item(2, Some(7)),
                disc(4, 5, Some(7)),
                item(5, Some(7)),
            ]],
        );
        assert_eq!(
            events[2],
            TopicEvent::Discontinuity {
                last: 2,
                new: 5,
                new_page: 7,
                synthesized: false,
                announced_last: Some(4),
            }
        );
        assert_eq!(numbers(&events), vec![1, 2, 5]);
    }

    #[test]
    fn a_discontinuity_to_zero_never_resets_the_cursor_to_from_now_on() {
        let mut position = Position::new(Cursor::default());
        position
            .absorb(
                "c",
                "t",
                vec![item(1, None), item(2, None), disc(2, 0, None)],
            )
            .unwrap();
        assert_eq!(
            position.cursor,
            Cursor {
                sequence_number: 3,
                sequence_page: 0
            },
            "the next poll asks for 3, not 0"
        );
        // Whatever comes next is still judged against 3: a jump is announced.
        position.absorb("c", "t", vec![item(9, None)]).unwrap();
        let events: Vec<_> = position.pending.drain(..).map(|(e, _)| e).collect();
        assert!(matches!(
            events[2],
            TopicEvent::Discontinuity {
                last: 2,
                new: 9,
                synthesized: true,
                ..
            }
        ));
    }

    #[test]
    fn a_lower_number_without_pages_is_a_new_life_not_a_repeat() {
        // A server that sends no pages restarts the topic: 1 and 2 of its new
        // life must reach the caller, behind an announcement.
        let (events, _) = run(
            Cursor::default(),
            vec![
                vec![item(1, None), item(2, None), item(3, None)],
                vec![item(1, None), item(2, None)],
            ],
        );
        assert_eq!(numbers(&events), vec![1, 2, 3, 1, 2]);
        assert_eq!(
            events[3],
            TopicEvent::Discontinuity {
                last: 3,
                new: 1,
                new_page: 0,
                synthesized: true,
                announced_last: None,
            }
        );
    }

    #[test]
    fn a_repeat_on_a_known_page_is_dropped() {
        let (events, _) = run(
            Cursor::default(),
            vec![vec![
                item(1, Some(3)),
                item(2, Some(3)),
                item(1, Some(3)),
                item(2, None),
                item(3, Some(3)),
            ]],
        );
        assert_eq!(numbers(&events), vec![1, 2, 3]);
        assert_eq!(events.len(), 3);
    }

    /// One element the adversary may send.
    fn element() -> impl Strategy<Value = wire::SubscribeElement> {
        let number = prop_oneof![0u64..12, Just(u64::MAX), Just(u64::MAX - 1)];
        let page = prop_oneof![Just(None), Just(Some(0)), (1u64..4).prop_map(Some)];
        prop_oneof![
            4 => (number.clone(), page.clone()).prop_map(|(n, p)| item(n, p)),
            1 => (number.clone(), number, page).prop_map(|(l, n, p)| disc(l, n, p)),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// For any answers, however wrong, every number the server put in an
        /// item is yielded or announced lost, and nothing repeats unannounced.
        #[test]
        fn every_number_sent_is_yielded_or_inside_an_announced_gap(
            start_n in prop_oneof![Just(0u64), 1u64..8],
            start_p in 0u64..3,
            batches in proptest::collection::vec(proptest::collection::vec(element(), 0..8), 1..5),
        ) {
            let start = Cursor { sequence_number: start_n, sequence_page: start_p };
            let whole = run_batches(start, batches.clone());
            let (mut steps, ended) = steps(start, batches.clone());
            let events: Vec<TopicEvent> = steps.iter().flat_map(|(_, e)| e.clone()).collect();
            prop_assert_eq!(&whole, &events, "a batch means what its elements mean in turn");
            if ended {
                // The stream ended at an item after which no number can
                // follow (u64::MAX): the caller was told with an error.
                prop_assert!(matches!(steps.last(), Some((Some((u64::MAX, _)), _))));
                steps.last_mut().unwrap().0 = None;
            }
            if let Err(why) = check_accounting(start, &steps) {
                panic!("{why}\nstart {start:?}\nbatches {batches:#?}\nevents {events:#?}");
            }
        }
    }
}
