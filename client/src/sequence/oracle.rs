//! The subscription's promise, judged from outside: no message the server
//! sent is lost without the caller being told.
//!
//! The judge knows two things only: what was published (each message is
//! one of a topic instance's, a *life*, with its true number) and what the
//! caller was told (the events, and the cursor after each). It shares no
//! rule with the client's parser: it does not know when the client should
//! synthesise a discontinuity or drop a repeat, only what each event
//! *claims* and whether the claims hold.
//!
//! The model: a topic has lives 1, 2, 3, ...; life `L` is named on the wire
//! by page `L` when an element says a page, and every number of a life is a
//! published message. A server may send any message of any life, with its
//! page said or left out, in any order, repeated or skipped, and announce
//! any discontinuity it likes.
//!
//! What the caller is told, read as claims about lives:
//!
//! - An item is the message sent with it (same number, same value).
//! - Two items with nothing between them are consecutive messages of one
//!   life. (When neither the item nor the caller's position said a page,
//!   the wire carries only numbers, and no client can see a change of life
//!   behind consecutive numbers: then consecutive numbers are enough.)
//! - A discontinuity `{last, new, new_page}` starts from the caller's own
//!   last number; the item after it carries `new`, on life `new_page` when
//!   that is said. It tells the caller that numbers after `last` in the
//!   life it was in, and before `new` in the life it moves to, will not
//!   arrive: only the numbers between, when both are the same life.
//! - A cursor saved at `(n, p)` accounts for the numbers before `n` on the
//!   life `p` names (or, when `p` is 0, the life of the first item, which
//!   must be `n`); a fresh subscription, for the numbers before its first
//!   item.
//!
//! The judgement: every item the server sent is yielded at once, or was
//! yielded before, or lies where the caller was told nothing will arrive.

use std::collections::HashSet;

use crate::subscribe::{Cursor, TopicEvent, TopicValue};

/// One published message: its life and its number in that life.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// The topic instance (named on the wire by the page of the same number).
    pub life: u64,
    /// Its true number.
    pub number: u64,
    /// Its value, as published.
    pub value: TopicValue,
}

/// What one element of a server's answer carried and what the caller was
/// told of it.
#[derive(Clone, Debug)]
pub struct Step {
    /// The message, when the element was an item; `None` for a discontinuity.
    pub sent: Option<Message>,
    /// The events it produced, each with the cursor after it.
    pub events: Vec<(TopicEvent, Cursor)>,
    /// Whether the stream ended with an error at this element (the caller
    /// was told, so its message need not be yielded).
    pub ended: bool,
}

/// Numbers `from..to` of `life` (`to` exclusive; `None`: no end).
struct Span {
    life: u64,
    from: u64,
    to: Option<u64>,
}

impl Span {
    fn holds(&self, life: u64, number: u64) -> bool {
        self.life == life && number >= self.from && self.to.is_none_or(|to| number < to)
    }
}

/// A discontinuity whose item has not come yet.
struct Awaited {
    /// The life the caller was in (`None`: not known to the caller's account).
    from_life: Option<u64>,
    /// The page the caller's position said, if it said one.
    from_page: Option<u64>,
    last: u64,
    new: u64,
    /// The life it names (`None`: no page said).
    to_life: Option<u64>,
}

/// The judge's account of what the caller was told.
#[derive(Default)]
struct Account {
    yielded: HashSet<(u64, u64)>,
    accounted: Vec<Span>,
    /// The caller's life and last number; `None` before anything (fresh).
    at: Option<(Option<u64>, u64)>,
    /// The page the caller's position said, if it said one.
    said_page: Option<u64>,
    awaited: Option<Awaited>,
}

impl Account {
    fn told(&mut self, life: u64, from: u64, to: Option<u64>) {
        if to.is_none_or(|to| from < to) {
            self.accounted.push(Span { life, from, to });
        }
    }

    /// What a discontinuity told, once the life it moves to is known: the
    /// numbers between, when the caller stays on the page it was told it
    /// was on; else a move, which gives up the rest of the life it was in
    /// (when that is another) and the start of the one it enters.
    fn settle(&mut self, d: &Awaited, to_life: u64) {
        if d.from_page == Some(to_life) {
            self.told(to_life, d.last.saturating_add(1), Some(d.new));
            return;
        }
        self.told(to_life, 0, Some(d.new));
        if let Some(from) = d.from_life
            && from != to_life
        {
            self.told(from, d.last.saturating_add(1), None);
        }
    }

    fn item(
        &mut self,
        sent: &Option<Message>,
        event: (&u64, u64, &TopicValue),
        after: Cursor,
    ) -> Result<(), String> {
        let (&n, page, value) = event;
        let Some(m) = sent else {
            return Err(format!("item {n} yielded for an element that was no item"));
        };
        if (n, value) != (m.number, &m.value) {
            return Err(format!("item {n} {value:?} yielded for {m:?}"));
        }
        if page != 0 && page != m.life {
            return Err(format!(
                "item {n} says page {page}, it was sent on {}",
                m.life
            ));
        }
        if let Some(d) = self.awaited.take() {
            if n != d.new {
                return Err(format!(
                    "a discontinuity announced {} next, the item is {n}",
                    d.new
                ));
            }
            if d.to_life.is_some_and(|life| life != m.life) {
                return Err(format!(
                    "a discontinuity named page {:?}, the item is of {}",
                    d.to_life, m.life
                ));
            }
            self.settle(&d, m.life);
        } else {
            match self.at {
                None => self.told(m.life, 0, Some(n)),
                Some((life, last)) => {
                    let unseen_change = self.said_page.is_none() && page == 0;
                    let same_life = life.is_none_or(|life| life == m.life) || unseen_change;
                    if n != last.saturating_add(1) || !same_life {
                        return Err(format!(
                            "item {n} of life {} follows {last} of life {life:?} with nothing said between",
                            m.life
                        ));
                    }
                    if life.is_none() {
                        // A cursor saved without a page: the first item's
                        // life is the one it meant.
                        self.told(m.life, 0, Some(n));
                    }
                }
            }
        }
        if after.sequence_number != n.wrapping_add(1) || (page != 0 && after.sequence_page != page)
        {
            return Err(format!(
                "after item {n} (page {page}) the cursor is {after:?}"
            ));
        }
        self.yielded.insert((m.life, n));
        self.at = Some((Some(m.life), n));
        self.said_page = (page != 0).then_some(page);
        Ok(())
    }

    fn discontinuity(
        &mut self,
        last: u64,
        new: u64,
        new_page: u64,
        after: Cursor,
    ) -> Result<(), String> {
        let from_page = self.said_page;
        let from_life = match self.awaited.take() {
            // Two in a row: the first moved the caller to where the second begins.
            Some(d) => {
                if let Some(life) = d.to_life {
                    self.settle(&d, life);
                }
                d.to_life
            }
            None => self.at.and_then(|(life, _)| life),
        };
        let own_last = self.at.map_or(0, |(_, last)| last);
        if last != own_last {
            return Err(format!(
                "a discontinuity says last {last}, the caller's last is {own_last}"
            ));
        }
        if after.sequence_number != new || (new_page != 0 && after.sequence_page != new_page) {
            return Err(format!(
                "after a discontinuity to {new} (page {new_page}) the cursor is {after:?}"
            ));
        }
        let d = Awaited {
            from_life,
            from_page,
            last,
            new,
            to_life: (new_page != 0).then_some(new_page),
        };
        match d.to_life {
            Some(life) => self.settle(&d, life),
            // Until its item names the life, only what holds either way:
            // the numbers between, in the life the caller was in.
            None => {
                if let Some(from) = from_life {
                    self.told(from, last.saturating_add(1), Some(new));
                }
            }
        }
        self.at = Some((d.to_life, new.saturating_sub(1)));
        self.said_page = d.to_life;
        self.awaited = Some(d);
        Ok(())
    }

    fn judge_sent(&self, m: &Message) -> Result<(), String> {
        let accounted = self.yielded.contains(&(m.life, m.number))
            || self.accounted.iter().any(|s| s.holds(m.life, m.number));
        if accounted {
            Ok(())
        } else {
            Err(format!(
                "{m:?} was sent and never yielded, and nothing told the caller it would not arrive"
            ))
        }
    }
}

/// Judges one subscription from `start`: `Err` says what the caller was
/// not told, or which claim of an event was false.
pub fn check_delivery(start: Cursor, steps: &[Step]) -> Result<(), String> {
    let mut account = Account::default();
    let (n, page) = (start.sequence_number, start.sequence_page);
    if n != 0 {
        account.at = Some(((page != 0).then_some(page), n - 1));
        account.said_page = (page != 0).then_some(page);
        if page != 0 {
            account.told(page, 0, Some(n));
        }
    }
    for (index, step) in steps.iter().enumerate() {
        let at_step = |why: String| format!("step {index}: {why}");
        if step.ended && index + 1 != steps.len() {
            return Err(at_step("the stream went on after it ended".into()));
        }
        let mut items = 0;
        for (event, after) in &step.events {
            match event {
                TopicEvent::Item {
                    sequence_number,
                    sequence_page,
                    value,
                    ..
                } => {
                    items += 1;
                    account
                        .item(&step.sent, (sequence_number, *sequence_page, value), *after)
                        .map_err(at_step)?;
                }
                TopicEvent::Discontinuity {
                    last,
                    new,
                    new_page,
                    ..
                } => {
                    account
                        .discontinuity(*last, *new, *new_page, *after)
                        .map_err(at_step)?;
                }
                _ => {}
            }
        }
        if items > 1 {
            return Err(at_step(format!("{items} items yielded for one element")));
        }
        if let Some(d) = &account.awaited
            && d.new == 0
        {
            // A cursor at 0 asks for "from now on".
            return Err(at_step("a discontinuity to 0 without its item".into()));
        }
        if let Some(m) = &step.sent
            && items == 0
            && !step.ended
        {
            account.judge_sent(m).map_err(at_step)?;
        }
    }
    Ok(())
}
