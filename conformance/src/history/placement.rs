//! Where a message a subscriber did not receive could lie: at its own
//! position when anyone received it, else between the neighbours its
//! publisher's order gives it.

use super::gap::{Announced, Range};
use super::judge::Ledger;

impl Ledger<'_> {
    /// Which of `gap`'s ranges could `payload` lie in (by index into
    /// [`Announced::ranges`]; one past the last: a page skipped whole)?
    pub fn fits(&self, gap: &Announced, payload: &str) -> Vec<usize> {
        let ranges = gap.ranges();
        let mut fits = Vec::new();
        if gap.changes_page() && self.in_vanished_page(gap, payload) {
            fits.push(ranges.len());
        }
        let (earlier, later) = self.neighbour_pages(payload);
        let fit = |range: Range| {
            let (lo, hi) = match (self.numbering.get(payload), range.page) {
                (Some(seen), _) => {
                    let at = seen.at;
                    // From an unknown page, nothing at or past `new` on the
                    // new page is gone: it comes after.
                    if range.page.is_none() && at.page == gap.new_page && at.seq >= gap.new {
                        return false;
                    }
                    return range.holds(at.page, at.seq);
                }
                (None, None) => (0, u64::MAX),
                (None, Some(page)) => {
                    // Publish order orders the pages too: not in the old page
                    // when published after a message of the new one, and not
                    // in the new page when published before one of the old.
                    if let Some(from_page) = gap.page_before()
                        && from_page != gap.new_page
                        && ((page == from_page && earlier == Some(gap.new_page))
                            || (page == gap.new_page && later == Some(from_page)))
                    {
                        return false;
                    }
                    self.bounds(payload, page)
                }
            };
            // Some whole number n with above < n < below and lo < n < hi.
            range.below.min(hi) > range.above.max(lo).saturating_add(1)
        };
        fits.extend((0..ranges.len()).filter(|&r| fit(ranges[r])));
        fits
    }

    /// The pages of the nearest messages published before and after
    /// `payload` by its publisher that someone received.
    fn neighbour_pages(&self, payload: &str) -> (Option<u64>, Option<u64>) {
        let Some(&l) = self.log.get(payload) else {
            return (None, None);
        };
        let page_of = |other: &String| self.numbering.get(other.as_str()).map(|s| s.at.page);
        let log = self.publisher_log(l);
        (
            log[..l.index].iter().rev().find_map(page_of),
            log[l.index + 1..].iter().find_map(page_of),
        )
    }

    /// Could `payload` have been on a page the subscriber never saw, neither
    /// the new one nor one it was on before `gap`?
    fn in_vanished_page(&self, gap: &Announced, payload: &str) -> bool {
        if let Some(seen) = self.numbering.get(payload) {
            return seen.at.page != gap.new_page && !gap.seen.contains(&seen.at.page);
        }
        let (earlier, later) = self.neighbour_pages(payload);
        // Published after a message of the new page: it is in that page.
        // Published before a message of a page seen before: in that page.
        earlier.is_none_or(|p| p != gap.new_page) && later.is_none_or(|p| !gap.seen.contains(&p))
    }

    /// Open bounds on the number of an unreceived `payload` in `page`, from
    /// its publisher's messages before and after it that someone received.
    fn bounds(&self, payload: &str, page: u64) -> (u64, u64) {
        let (mut lo, mut hi) = (0, u64::MAX);
        let Some(&l) = self.log.get(payload) else {
            return (lo, hi);
        };
        for (i, other) in self.publisher_log(l).iter().enumerate() {
            if let Some(seen) = self.numbering.get(other.as_str())
                && seen.at.page == page
            {
                if i < l.index {
                    lo = lo.max(seen.at.seq);
                } else if i > l.index {
                    hi = hi.min(seen.at.seq);
                }
            }
        }
        (lo, hi)
    }
}
