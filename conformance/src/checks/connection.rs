//! How the suite's subscribers live through a lost connection: a poll whose
//! request gets no HTTP answer (refused, reset, timed out) is sent again
//! with a growing wait for at most [`RECONNECT_BUDGET`], and the loss is
//! recorded in words (what the subscriber was waiting for, the error, how
//! long it was away, how many polls failed), so a failing check's detail
//! names it and a dead endpoint fails the check instead of hanging it.
//!
//! Polls are safe to repeat: a subscriber records events only from answers,
//! and its cursor moves only with them (docs/api.md §4, resume rule).

use std::time::{Duration, Instant};

use crate::failure::Failure;
use crate::request::{Req, Resp};
use crate::target::{Lane, Line, Target};

/// How long a subscriber keeps trying to get its connection back.
pub(crate) const RECONNECT_BUDGET: Duration = Duration::from_secs(5);

/// The wait before the first repeated poll; it doubles up to [`MAX_WAIT`].
const FIRST_WAIT: Duration = Duration::from_millis(50);
const MAX_WAIT: Duration = Duration::from_millis(800);

/// A poll's outcome: its answer, and the connection loss it lived through
/// (in words) if any.
pub(crate) struct Polled {
    /// The answer, or the failure once the budget ran out.
    pub result: Result<Resp, Failure>,
    /// ` ... restored after ...` or `... not restored after ...`; `None` when the first try answered.
    pub loss: Option<String>,
}

/// Sends `req` (a subscriber's poll, waiting for `#seq` on page `page`),
/// again after transport errors, until an answer or [`RECONNECT_BUDGET`].
pub(crate) async fn poll_through_outage(
    t: &Target,
    line: &Line,
    req: &Req,
    seq: u64,
    page: u64,
) -> Polled {
    let budget = RECONNECT_BUDGET;
    // The endpoint's time: waits in the suite's queue do not count.
    let lost_at = Instant::now();
    let lost_active = t.clock().active();
    let away = || t.clock().active().saturating_sub(lost_active);
    let first = match t.send_on(line, req, Lane::InTurn).await {
        Ok(resp) => {
            return Polled {
                result: Ok(resp),
                loss: None,
            };
        }
        Err(f) => f,
    };
    let waiting_for = if seq == 0 {
        "a subscription from now on".to_owned()
    } else {
        format!("a subscriber waiting for #{seq} on page {page}")
    };
    let (mut failures, mut last_error, mut wait) = (1u32, first.actual.clone(), FIRST_WAIT);
    loop {
        if away() + wait > budget {
            let away = lost_at.elapsed();
            let loss = format!(
                "{waiting_for} lost its connection ({}); not restored after {away:.1?} and {failures} failed polls (last: {last_error})",
                first.actual
            );
            let failure = Failure {
                behaviour: format!(
                    "a subscriber's connection is restored within {budget:?} ({})",
                    first.behaviour
                ),
                expected: "an HTTP answer to a repeated poll".into(),
                actual: loss.clone(),
                repro: first.repro,
            };
            return Polled {
                result: Err(failure),
                loss: Some(loss),
            };
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(MAX_WAIT);
        match t.send_on(line, req, Lane::InTurn).await {
            Ok(resp) => {
                let loss = format!(
                    "{waiting_for} lost its connection ({}); restored after {:.1?} and {failures} failed polls",
                    first.actual,
                    lost_at.elapsed()
                );
                return Polled {
                    result: Ok(resp),
                    loss: Some(loss),
                };
            }
            Err(f) => {
                failures += 1;
                last_error = f.actual;
            }
        }
    }
}
