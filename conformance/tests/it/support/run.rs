//! Running named checks against a target, as the binary runs them.

use momento_http_conformance::checks;
use momento_http_conformance::registry::{RunOptions, run_all};
use momento_http_conformance::report::CheckResult;
use momento_http_conformance::target::Target;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// Run the checks named `ids` (the run-wide history checks too, when named)
/// against `target`, concurrently, within `within`; each result by id.
pub async fn run_checks(
    target: Target,
    ids: &[&str],
    within: Duration,
) -> HashMap<String, CheckResult> {
    let chosen: Vec<_> = checks::all()
        .into_iter()
        .filter(|c| ids.contains(&c.id))
        .collect();
    assert_eq!(chosen.len(), ids.len(), "a check id is misspelt in {ids:?}");
    let report = tokio::time::timeout(
        within,
        run_all(Arc::new(target), &chosen, &RunOptions::default(), |_| {}),
    )
    .await
    .expect("the checks finish");
    report
        .checks
        .into_iter()
        .map(|r| (r.id.clone(), r))
        .collect()
}
