//! How a subscription turns the server's answers into events without losing
//! a message silently (docs/api.md §4: numbering, resume rule, discontinuities).
//!
//! The server is not trusted to number correctly. The client keeps its own
//! position (the [`Cursor`]: next number expected, page) and judges every
//! element against it. A page is *said* when the element carries one other
//! than 0; a page not said is not known, and the client never fills it in
//! from its cursor: a server that restarted a topic and stopped saying pages
//! (older answers carry none) must not have its new numbers judged against
//! the old instance's.
//!
//! - An item on the cursor's page (both said) is yielded when it is the next
//!   number; a higher number is yielded behind a synthesised discontinuity
//!   from the client's own last number; a lower one has been accounted for
//!   already (yielded, announced lost, or before the subscription began)
//!   and is dropped. This is the only drop.
//! - An item on another page (a new topic instance) is yielded behind a
//!   synthesised discontinuity.
//! - An item whose page is not said, while the cursor's is known, is yielded
//!   behind a synthesised discontinuity whatever its number: it may be a
//!   topic that started again, whose earlier numbers this client never saw.
//!   Told twice rather than lost.
//! - Where neither page is known, the numbers alone decide: the next number
//!   is yielded, anything else (higher, lower, repeated) behind a
//!   synthesised discontinuity.
//! - A page first said after items without one is announced the same way,
//!   since nothing vouches for what came before. Resuming from a cursor
//!   saved without a page, the first item takes its page when its number is
//!   the one asked for.
//! - An announced discontinuity is reported from the client's own last
//!   number; the server's `last_topic_sequence` rides along as
//!   `announced_last` and never moves anything, and a `new_sequence_page`
//!   not said is reported as 0. One that announces nothing the client can
//!   use (a `new_topic_sequence` of 0, its own next number on a page that
//!   does not contradict the cursor's, or a step back on the cursor's own
//!   page) is ignored and logged: the items that follow are judged on their
//!   own.
//!
//! After an item the cursor holds the page it said (0 when none); after a
//! discontinuity, its `new_page`.

use std::collections::VecDeque;

use bytes::Bytes;

use crate::credential::decode_base64_lenient;
use crate::error::Error;
use crate::subscribe::{Cursor, TopicEvent, TopicValue};
use crate::wire;

#[cfg(any(test, fuzzing))]
pub mod oracle;
#[cfg(test)]
mod tests;

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

/// The page an element or cursor says: `None` for none or 0 ("not said").
fn said(page: Option<u64>) -> Option<u64> {
    page.filter(|page| *page != 0)
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
        let expected = self.cursor.sequence_number;
        let known = said(Some(self.cursor.sequence_page));
        let new = d.new_topic_sequence;
        let new_page = said(d.new_sequence_page);
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
        let fresh = expected == 0;
        let same_page = new_page.is_some() && new_page == known;
        if !fresh && new == expected && (same_page || new_page.is_none() || known.is_none()) {
            // Nothing lost, and no page contradicts the cursor's: the next
            // item is judged on its own.
            return;
        }
        if !fresh && same_page && new < expected {
            tracing::warn!(
                cache,
                topic,
                expected,
                new,
                page = new_page,
                "ignoring a discontinuity that steps back on the same page; what it names was accounted for already"
            );
            return;
        }
        let new_page = new_page.unwrap_or(0);
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
        let expected = self.cursor.sequence_number;
        let known = said(Some(self.cursor.sequence_page));
        let n = item.topic_sequence_number;
        let page = said(item.sequence_page);
        let fresh = expected == 0;
        if !fresh && page.is_some() && page == known && n < expected {
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
        let continues = fresh
            || match (known, page) {
                (Some(known), Some(page)) => known == page && n == expected,
                // Resuming from a cursor saved without a page: the caller
                // said where to resume, and the number matches.
                (None, Some(_)) => !self.moved && n == expected,
                (None, None) => n == expected,
                // A page known, then none said: possibly a topic that
                // started again, whatever the number.
                (Some(_), None) => false,
            };
        let page = page.unwrap_or(0);
        if !continues {
            tracing::warn!(
                cache,
                topic,
                expected,
                expected_page = self.cursor.sequence_page,
                got = n,
                got_page = page,
                "the server skipped, repeated, renumbered or left out the page of messages without announcing it; synthesising a discontinuity"
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
                sequence_page: page,
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
