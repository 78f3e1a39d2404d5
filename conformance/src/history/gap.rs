//! What a discontinuity announces gone, measured from the subscriber's own
//! position (`docs/api.md` §4), never from what the server claims alone.

use std::collections::BTreeSet;

/// Numbers declared gone: on `page` (`None`: any page), each number above
/// `above` and below `below` (`u64::MAX`: no end).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Range {
    pub page: Option<u64>,
    pub above: u64,
    pub below: u64,
}

impl Range {
    /// How many numbers it holds, `None` when it has no bound (an unknown
    /// page, or the rest of a page).
    pub fn numbers(&self) -> Option<u64> {
        self.page?;
        (self.below != u64::MAX).then(|| self.below.saturating_sub(self.above).saturating_sub(1))
    }

    /// Does it hold `n` on `page`?
    pub fn holds(&self, page: u64, n: u64) -> bool {
        self.page.is_none_or(|p| p == page) && self.above < n && n < self.below
    }
}

/// Where a subscriber stands: the last number it received (or was told is
/// gone) and its page, `None` while unknown (a resume that named page 0).
#[derive(Clone, Copy, Debug)]
pub(super) struct Standing {
    pub page: Option<u64>,
    pub seq: u64,
}

/// A gap a discontinuity announced, with where the subscriber stood.
#[derive(Clone, Debug)]
pub(super) struct Announced {
    /// Where the subscriber stood (`None`: no item yet, no resume cursor).
    pub from: Option<Standing>,
    /// `last_topic_sequence`.
    pub last: u64,
    /// `new_topic_sequence`.
    pub new: u64,
    /// `new_sequence_page`.
    pub new_page: u64,
    /// Pages the subscriber had received items of before the gap.
    pub seen: BTreeSet<u64>,
}

impl Announced {
    /// The ranges this gap declares gone. Same page and `new` above the
    /// position: the numbers between. A page change (or, on servers without
    /// pages, numbering that restarts): the old page after the position and
    /// the new page before `new`. Without a position the subscriber had
    /// nothing to lose before `new`. Nothing at or below the subscriber's
    /// own position is gone, whatever `last` says; a `last` above it
    /// announces nothing in between.
    pub fn ranges(&self) -> Vec<Range> {
        let head = Range {
            page: Some(self.new_page),
            above: 0,
            below: self.new,
        };
        let Some(from) = self.from else {
            return vec![Range {
                above: self.last,
                ..head
            }];
        };
        let above = self.last.max(from.seq);
        let rest_of = |page| Range {
            page,
            above,
            below: u64::MAX,
        };
        match from.page {
            None => vec![rest_of(None), head],
            Some(p) if p != self.new_page || self.new <= above => vec![rest_of(Some(p)), head],
            Some(_) => vec![Range { above, ..head }],
        }
    }

    /// A change to another page: whole pages in between may have come and
    /// gone (two resets between polls). From an unknown page (a resume that
    /// named page 0) it may be one too.
    pub fn changes_page(&self) -> bool {
        self.from
            .is_some_and(|f| f.page.is_none_or(|p| p != self.new_page))
    }

    /// The page the subscriber was on, when known.
    pub fn page_before(&self) -> Option<u64> {
        self.from.and_then(|f| f.page)
    }

    /// The same-page range of numbers it declares gone, if that is all it
    /// declares (no page change).
    pub fn same_page(&self) -> Option<Range> {
        match self.ranges()[..] {
            [r] if self.from.is_some() && r.numbers().is_some() => Some(r),
            _ => None,
        }
    }
}
