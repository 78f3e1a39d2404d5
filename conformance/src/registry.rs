//! The check registry and the runner.
//!
//! A [`Check`] is data (id, evidence, `docs/api.md` section, whether it
//! needs the emulator's admin API, a time budget) plus an async fn.
//! [`run_one`] applies the budget and maps the result to an [`Outcome`];
//! [`run_all`] adds the `--only` filter and the total budget, and runs the
//! checks concurrently (each uses its own topics), then the checks that
//! judge the whole run.

use crate::failure::{CheckError, Failure, NO_ADMIN};
use crate::report::{CheckResult, Evidence, Outcome, Report};
use crate::target::{CheckClock, Target, TargetKind};
use futures::StreamExt as _;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What a check's function returns.
pub type CheckFuture = Pin<Box<dyn Future<Output = Result<(), CheckError>> + Send>>;

/// One named check.
#[derive(Clone, Copy)]
pub struct Check {
    /// Stable id, e.g. `publish.text.204`.
    pub id: &'static str,
    /// Evidence level (`docs/api.md`).
    pub evidence: Evidence,
    /// `docs/api.md` section, e.g. `§3`.
    pub spec: &'static str,
    /// Needs the emulator's admin API (reset, evict, faults, webhooks).
    pub needs_admin: bool,
    /// Time allowed before it fails as too slow.
    pub budget: Duration,
    /// Runs once every other check has finished (it judges the whole run).
    pub after_all: bool,
    /// The check itself.
    pub run: fn(Arc<Target>) -> CheckFuture,
}

impl std::fmt::Debug for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Check")
            .field("id", &self.id)
            .field("evidence", &self.evidence)
            .field("spec", &self.spec)
            .field("needs_admin", &self.needs_admin)
            .finish_non_exhaustive()
    }
}

/// Does `id` match `--only PATTERN`? `*` is a wildcard; without one the
/// pattern matches ids that contain it.
pub fn matches(pattern: &str, id: &str) -> bool {
    if !pattern.contains('*') {
        return id.contains(pattern);
    }
    let parts: Vec<&str> = pattern.split('*').collect();
    let mut rest = id;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(pos) => rest = &rest[pos + part.len()..],
                None => return false,
            }
        }
    }
    true
}

/// Run one check against `target` within its budget. The budget is for
/// the endpoint's answers: time the check spent in the suite's queue (the
/// pacer, a free long-poll slot, a 429's advice) is not counted.
pub async fn run_one(target: Arc<Target>, check: &Check) -> CheckResult {
    let start = Instant::now();
    let view = Arc::new(target.for_check());
    let result = if check.needs_admin && !target.has_admin() {
        Err(CheckError::Skip(NO_ADMIN.into()))
    } else {
        match within_budget(view.clock(), check.budget, (check.run)(view.clone())).await {
            Ok(r) => r,
            Err(overrun) => Err(CheckError::Fail(Failure {
                behaviour: format!("{} did not finish within its time budget", check.id),
                expected: format!(
                    "done within {} ms of the endpoint's time",
                    check.budget.as_millis()
                ),
                actual: format!(
                    "still waiting after {} ms of the endpoint's time (a long poll that never answered, or a stalled request); {} ms more were spent in the suite's queue",
                    overrun.active.as_millis(),
                    overrun.queued.as_millis()
                ),
                repro: None,
            })),
        }
    };
    let (outcome, detail) = match result {
        Ok(()) => (Outcome::Pass, String::new()),
        Err(CheckError::Skip(why)) => (Outcome::Skip, why),
        Err(CheckError::Fail(f)) => {
            let outcome = if check.evidence == Evidence::C && target.kind != TargetKind::Emulator {
                Outcome::Differs
            } else {
                Outcome::Fail
            };
            (outcome, format!("{}: {f}", check.id))
        }
    };
    CheckResult {
        id: check.id.to_owned(),
        evidence: check.evidence,
        spec: check.spec.to_owned(),
        outcome,
        detail,
        duration_ms: u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX),
    }
}

/// A check that ran out of its budget: the endpoint's time, and the
/// suite's queue time beside it.
struct Overrun {
    active: Duration,
    queued: Duration,
}

/// Run `check` until it ends or `budget` of `clock`'s active time is spent.
async fn within_budget<T>(
    clock: &CheckClock,
    budget: Duration,
    check: impl Future<Output = T>,
) -> Result<T, Overrun> {
    let mut check = std::pin::pin!(check);
    loop {
        let active = clock.active();
        if active >= budget {
            return Err(Overrun {
                active,
                queued: clock.queued(),
            });
        }
        // Time queued meanwhile moves the end out: look again then.
        tokio::select! {
            done = &mut check => return Ok(done),
            () = tokio::time::sleep(budget - active) => {}
        }
    }
}

/// Options of a whole run.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// `--only`: run matching checks only.
    pub only: Option<String>,
    /// The whole run's budget: checks not started in time are skipped.
    pub total_budget: Duration,
    /// How many checks run at once.
    pub concurrency: usize,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            only: None,
            total_budget: Duration::from_secs(600),
            concurrency: 64,
        }
    }
}

fn out_of_budget(check: &Check, budget: Duration) -> CheckResult {
    CheckResult {
        id: check.id.to_owned(),
        evidence: check.evidence,
        spec: check.spec.to_owned(),
        outcome: Outcome::Skip,
        detail: format!("the run's total budget of {} s was spent", budget.as_secs()),
        duration_ms: 0,
    }
}

/// Run `checks` (those `--only` selects): all but the run-wide ones
/// concurrently, then the run-wide ones. `progress` sees each result as it
/// lands; the report lists them in registry order.
pub async fn run_all(
    target: Arc<Target>,
    checks: &[Check],
    options: &RunOptions,
    mut progress: impl FnMut(&CheckResult),
) -> Report {
    let start = Instant::now();
    // Owned copies: a future that borrows from the filter's items is not
    // provably `Send`, which a caller spawning the run needs.
    let selected: Vec<Check> = checks
        .iter()
        .filter(|c| options.only.as_deref().is_none_or(|p| matches(p, c.id)))
        .copied()
        .collect();
    let mut results: Vec<Option<CheckResult>> = vec![None; selected.len()];
    let run = |i: usize, check: Check| {
        let target = target.clone();
        async move {
            if start.elapsed() >= options.total_budget {
                (i, out_of_budget(&check, options.total_budget))
            } else {
                (i, run_one(target, &check).await)
            }
        }
    };
    let concurrent_checks: Vec<(usize, Check)> = selected
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, c)| !c.after_all)
        .collect();
    let mut concurrent =
        futures::stream::iter(concurrent_checks.into_iter().map(|(i, c)| run(i, c)))
            .buffer_unordered(options.concurrency.max(1));
    while let Some((i, result)) = concurrent.next().await {
        progress(&result);
        results[i] = Some(result);
    }
    drop(concurrent);
    for (i, check) in selected
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, c)| c.after_all)
    {
        let (_, result) = run(i, check).await;
        progress(&result);
        results[i] = Some(result);
    }
    Report {
        target: target.describe(),
        checks: results.into_iter().flatten().collect(),
        figures: target.figures(start.elapsed()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn patterns_match_substrings_and_globs() {
        assert!(matches("publish", "publish.text.204"));
        assert!(matches("publish.*.204", "publish.text.204"));
        assert!(matches("*.400", "auth.both-placements.publish.400"));
        assert!(!matches("subscribe.*", "publish.text.204"));
        assert!(matches("*", "anything"));
    }

    /// A target on a closed port: only a handle for the runner.
    async fn handle_only() -> Arc<Target> {
        let pacing = crate::target::Pacing::UNPACED;
        Arc::new(Target::endpoint("http://127.0.0.1:9", "k", "c", pacing).await)
    }

    static FINISHED: AtomicUsize = AtomicUsize::new(0);

    fn check(id: &'static str, after_all: bool, run: fn(Arc<Target>) -> CheckFuture) -> Check {
        Check {
            id,
            evidence: Evidence::D,
            spec: "§4",
            needs_admin: false,
            budget: Duration::from_secs(5),
            after_all,
            run,
        }
    }

    #[tokio::test]
    async fn checks_run_at_once_the_run_wide_ones_last_and_report_in_registry_order() {
        let slow = check("slow", false, |_| {
            Box::pin(async {
                tokio::time::sleep(Duration::from_millis(300)).await;
                FINISHED.fetch_add(1, Ordering::SeqCst);
                Ok(())
            })
        });
        let fast = check("fast", false, |_| {
            Box::pin(async {
                tokio::time::sleep(Duration::from_millis(300)).await;
                FINISHED.fetch_add(1, Ordering::SeqCst);
                Ok(())
            })
        });
        let last = check("last", true, |_| {
            Box::pin(async {
                match FINISHED.load(Ordering::SeqCst) {
                    2 => Ok(()),
                    n => Err(CheckError::Skip(format!("{n} finished before it"))),
                }
            })
        });
        let target = handle_only().await;
        let start = Instant::now();
        let report = run_all(target, &[last, slow, fast], &RunOptions::default(), |_| {}).await;
        let ids: Vec<&str> = report.checks.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["last", "slow", "fast"]);
        assert!(
            report.checks.iter().all(|c| c.outcome == Outcome::Pass),
            "{report:?}"
        );
        assert!(
            start.elapsed() < Duration::from_millis(550),
            "not concurrent: {:?}",
            start.elapsed()
        );
    }

    #[tokio::test]
    async fn the_budget_counts_the_endpoints_time_not_the_suites_queue() {
        let mut queued = check("queued", false, |t| {
            Box::pin(async move {
                // 400 ms in the suite's queue, 50 ms of the endpoint's time.
                {
                    let _waiting = t.clock().enter_queue();
                    tokio::time::sleep(Duration::from_millis(400)).await;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
                Ok(())
            })
        });
        queued.budget = Duration::from_millis(300);
        let mut slow = check("slow-endpoint", false, |_| {
            Box::pin(async {
                tokio::time::sleep(Duration::from_secs(5)).await;
                Ok(())
            })
        });
        slow.budget = Duration::from_millis(300);
        let target = handle_only().await;
        let passed = run_one(target.clone(), &queued).await;
        assert_eq!(passed.outcome, Outcome::Pass, "{passed:?}");
        let failed = run_one(target, &slow).await;
        assert_eq!(failed.outcome, Outcome::Fail);
        assert!(
            failed.detail.contains("of the endpoint's time") && failed.detail.contains("queue"),
            "{}",
            failed.detail
        );
    }
}
