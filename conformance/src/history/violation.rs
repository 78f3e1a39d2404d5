//! The named breaches of the delivery and numbering rules, each with the
//! evidence `docs/api.md` gives for the rule.

use super::vocabulary::Position;
use crate::report::Evidence;

/// Who saw a message where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sighting {
    /// The subscriber.
    pub subscriber: String,
    /// Where it saw the message.
    pub at: Position,
}

impl std::fmt::Display for Sighting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} for {}", self.at, self.subscriber)
    }
}

/// A named breach of the delivery rules.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Violation {
    /// Numbers jumped within a page without a discontinuity.
    #[error("gap: {subscriber} expected {expected} next and got {got} without a discontinuity")]
    Gap {
        /// Who saw it.
        subscriber: String,
        /// The number expected next.
        expected: u64,
        /// The number received.
        got: u64,
    },
    /// The same message twice.
    #[error("duplicate: {subscriber} received a message twice (the second time as number {seq})")]
    Duplicate {
        /// Who saw it.
        subscriber: String,
        /// The number it carried the second time.
        seq: u64,
    },
    /// A number not above the previous one within a page, without a
    /// discontinuity.
    #[error("reorder: {subscriber} received {got} after {previous} in the same page")]
    Reorder {
        /// Who saw it.
        subscriber: String,
        /// The previous number.
        previous: u64,
        /// The number received after it.
        got: u64,
    },
    /// Two subscribers saw one message at different positions.
    #[error("divergent numbering: message {payload:?} was {first} but {second}")]
    DivergentNumbering {
        /// The message.
        payload: String,
        /// The first sighting.
        first: Sighting,
        /// The disagreeing one.
        second: Sighting,
    },
    /// A message the subscriber had to receive never arrived, and no
    /// discontinuity announced relative to its own position has a number
    /// left for it (a gap of k numbers excuses at most k messages).
    #[error(
        "lost: {subscriber} never received {payload:?}, and no discontinuity relative to its position has a number left for it"
    )]
    Lost {
        /// Who missed it.
        subscriber: String,
        /// The message.
        payload: String,
    },
    /// A message nobody published.
    #[error("phantom: {subscriber} received {payload:?}, which nobody published")]
    Phantom {
        /// Who received it.
        subscriber: String,
        /// The message.
        payload: String,
    },
    /// A discontinuity announced numbers gone on the subscriber's page that
    /// no message published to the topic can have had.
    #[error(
        "phantom gap: {subscriber} at {position} on page {page} was told numbers up to {new} are gone, but only {could_fill} published messages could have had any of them"
    )]
    PhantomGap {
        /// Who was told.
        subscriber: String,
        /// The page.
        page: u64,
        /// The number after which numbers were announced gone.
        position: u64,
        /// `new_topic_sequence`.
        new: u64,
        /// Messages that could have had one of those numbers.
        could_fill: u64,
    },
    /// One publisher's messages arrived in another order than published.
    #[error(
        "publish order: {subscriber} received {payload:?} after {after:?}, which was published later"
    )]
    PublishOrder {
        /// Who saw it.
        subscriber: String,
        /// The message that arrived late.
        payload: String,
        /// The message published after it that arrived first.
        after: String,
    },
    /// The page changed without a discontinuity (a stale page served silently).
    #[error(
        "page change: {subscriber} was on page {page} and received number {seq} of page {got_page} without a discontinuity"
    )]
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
    /// A discontinuity's `last_topic_sequence` is neither the subscriber's
    /// position nor 0 ("unknown").
    #[error(
        "wrong last: {subscriber} was at {position} but the discontinuity said last_topic_sequence {last}"
    )]
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
    #[error(
        "discontinuity mismatch: {subscriber} was told the next item is {announced} and got {got}"
    )]
    DiscontinuityMismatch {
        /// Who saw it.
        subscriber: String,
        /// Where the discontinuity said the next item is.
        announced: Position,
        /// Where the next item is.
        got: Position,
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
            Violation::DiscontinuityMismatch { announced, got, .. } if announced.seq != got.seq => {
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
