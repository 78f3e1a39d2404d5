//! The run-wide history (docs/api.md §4): everything every check's
//! subscribers received, judged against everything the suite published,
//! topic by topic, once all other checks have finished.
//!
//! Two checks, because the evidence differs ([`crate::history::Violation::evidence`]):
//! delivery (every published message arrives, once, in publish order, or
//! inside a discontinuity announced relative to the subscriber's position
//! with a number for it; nothing unpublished) is documented; numbering (+1
//! per message, the same numbers for every subscriber, `last` as the
//! subscriber's position, pages changing behind a discontinuity) is
//! inferred.

use super::check;
use crate::failure::{CheckError, Failure};
use crate::registry::Check;
use crate::report::Evidence;
use crate::target::Target;
use std::sync::Arc;
use std::time::Duration;

pub(super) fn checks() -> Vec<Check> {
    let mut delivery = check!("subscribe.history.delivery", D, "§4", false, delivery);
    let mut numbering = check!("subscribe.history.numbering", I, "§4", false, numbering);
    for c in [&mut delivery, &mut numbering] {
        c.after_all = true;
        c.budget = Duration::from_secs(30);
    }
    vec![delivery, numbering]
}

async fn delivery(t: Arc<Target>) -> Result<(), CheckError> {
    judge(
        &t,
        Evidence::D,
        "every message published during the run reached every subscriber once, in publish order, or inside a discontinuity announced relative to its own position with a number left for it; the item after a discontinuity carried its new number; nothing unpublished arrived",
    )
}

async fn numbering(t: Arc<Target>) -> Result<(), CheckError> {
    judge(
        &t,
        Evidence::I,
        "during the run, numbers rose by exactly 1 per message within a page (no number skipped that no message had), every subscriber saw a message under the same number, a discontinuity's last_topic_sequence was the subscriber's position (or 0), and pages changed only behind a discontinuity",
    )
}

fn judge(t: &Target, evidence: Evidence, behaviour: &str) -> Result<(), CheckError> {
    let history = t.run_history();
    let subscribers: usize = history.values().map(|h| h.subscribers.len()).sum();
    if subscribers == 0 {
        return Err(CheckError::Skip(
            "no subscriber ran in this run (select subscribe checks with --only)".into(),
        ));
    }
    let mut found = Vec::new();
    for (topic, h) in &history {
        for v in h.check().into_iter().filter(|v| v.evidence() == evidence) {
            found.push(format!("{topic}: {v}"));
        }
    }
    if found.is_empty() {
        return Ok(());
    }
    let shown = found.len().min(20);
    Err(CheckError::Fail(Failure::new(
        behaviour,
        &format!(
            "no violations over {} topics, {subscribers} subscribers",
            history.len()
        ),
        format!(
            "{} violations: {}{}",
            found.len(),
            found[..shown].join("; "),
            if found.len() > shown { "; …" } else { "" }
        ),
    )))
}
