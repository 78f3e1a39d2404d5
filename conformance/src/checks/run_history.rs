//! The run-wide history (docs/api.md §4): everything every check's
//! subscribers received, judged against everything the suite published,
//! topic by topic, once all other checks have finished.
//!
//! Two checks, because the evidence differs: delivery (every published
//! message arrives, once, in publish order, or inside a discontinuity
//! announced relative to the subscriber's position; nothing unpublished) is
//! documented; numbering (+1 per message, the same numbers for every
//! subscriber) is inferred.

use super::check;
use crate::failure::{CheckError, Failure};
use crate::registry::Check;
use crate::target::Target;
use std::sync::Arc;
use std::time::Duration;

/// Violation kinds that break the inferred numbering rules, not delivery.
const NUMBERING: [&str; 3] = ["gap", "reorder", "divergent-numbering"];

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
        |kind| !NUMBERING.contains(&kind),
        "every message published during the run reached every subscriber once, in publish order, or inside a discontinuity announced relative to its own position; nothing unpublished arrived",
    )
}

async fn numbering(t: Arc<Target>) -> Result<(), CheckError> {
    judge(
        &t,
        |kind| NUMBERING.contains(&kind),
        "during the run, numbers rose by exactly 1 within a page and every subscriber saw a message under the same number",
    )
}

fn judge(t: &Target, counts: impl Fn(&str) -> bool, behaviour: &str) -> Result<(), CheckError> {
    let history = t.run_history();
    let subscribers: usize = history.values().map(|h| h.subscribers.len()).sum();
    if subscribers == 0 {
        return Err(CheckError::Skip(
            "no subscriber ran in this run (select subscribe checks with --only)".into(),
        ));
    }
    let mut found = Vec::new();
    for (topic, h) in &history {
        for v in h.check().into_iter().filter(|v| counts(v.kind())) {
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
