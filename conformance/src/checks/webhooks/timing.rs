//! The 5 s a receiver has to answer (docs/api.md §6), tested from both
//! sides and judged by what the receiver saw: within it the sender waits,
//! past it the event is dropped; one attempt either way.

use super::receiver::Receiver;
use super::registration::{Hook, delete_webhook, deliveries, put_webhook};
use super::{RETRY_WATCH, fail};
use crate::checks::publish_ok;
use crate::failure::CheckError;
use crate::target::Target;
use momento_http::admin_wire::DeliveryOutcome;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// What the suite's receiver saw of one event.
struct Seen {
    /// POSTs that arrived.
    posts: usize,
    /// POSTs whose sender hung up before the receiver answered.
    hung_up: usize,
    /// The webhook they came through (deleted by now).
    hook: Hook,
}

/// Publish once to a fresh webhook whose receiver answers `status` after
/// `delay`; watch until [`RETRY_WATCH`] after that answer was due.
async fn one_attempt(
    t: &Arc<Target>,
    label: &str,
    status: u16,
    delay: Duration,
) -> Result<Seen, CheckError> {
    let mut r = Receiver::start(status, delay).await?;
    let hook = put_webhook(t, label, &r.url).await?;
    publish_ok(
        t,
        &hook.topic,
        &format!("to a receiver answering {status} after {delay:?}"),
    )
    .await?;
    if r.next_post(Duration::from_secs(3)).await.is_some() {
        tokio::time::sleep(delay + RETRY_WATCH).await;
    }
    delete_webhook(t, &hook).await?;
    Ok(Seen {
        posts: r.hits.load(Ordering::SeqCst),
        hung_up: r.hung_up.load(Ordering::SeqCst),
        hook,
    })
}

/// One attempt, then nothing, when the receiver answers 500 (docs/api.md
/// §6: one attempt, no retry), judged by what the receiver saw.
pub(super) async fn receiver_500(t: Arc<Target>) -> Result<(), CheckError> {
    let posts = one_attempt(&t, "wh-500", 500, Duration::ZERO).await?.posts;
    if posts != 1 {
        return Err(fail(
            "a receiver answering 500 gets exactly one attempt (no retry)",
            &format!("one POST, then nothing for {} s", RETRY_WATCH.as_secs()),
            format!("{posts} POSTs"),
        ));
    }
    Ok(())
}

/// How long the within-allowance receiver takes: inside the documented
/// 5 s, with a second of room for the sender's clock.
const WITHIN_ALLOWANCE: Duration = Duration::from_secs(4);

/// A receiver that answers 200 after 4 s is within the documented 5 s: the
/// sender waits for the answer (it does not hang up first) and, the
/// delivery a success, sends no second attempt. Judged on the wire: what
/// the receiver saw, not any delivery log.
pub(super) async fn receiver_within_allowance(t: Arc<Target>) -> Result<(), CheckError> {
    let Seen { posts, hung_up, .. } = one_attempt(&t, "wh-4s", 200, WITHIN_ALLOWANCE).await?;
    if posts != 1 || hung_up != 0 {
        return Err(fail(
            "a receiver answering within 5 s (after 4 s) is waited for: one POST, its answer received",
            "one POST, the sender still connected when the receiver answered, no second attempt",
            format!("{posts} POSTs; {hung_up} of them hung up on before the answer"),
        ));
    }
    Ok(())
}

/// A receiver that answers after 6 s is past the documented 5 s: the event
/// is dropped, one attempt and no retry (judged by what the receiver saw).
pub(super) async fn slow_receiver(t: Arc<Target>) -> Result<(), CheckError> {
    let posts = one_attempt(&t, "wh-slow", 200, Duration::from_secs(6))
        .await?
        .posts;
    if posts != 1 {
        return Err(fail(
            "a receiver slower than 5 s gets exactly one attempt (no retry)",
            &format!(
                "one POST, none in the {} s after its answer",
                RETRY_WATCH.as_secs()
            ),
            format!("{posts} POSTs"),
        ));
    }
    Ok(())
}

/// The emulator's delivery log (its admin API, not the docs) records a
/// receiver's 500 with its status and a receiver slower than 5 s as a
/// timeout.
pub(super) async fn deliveries_recorded(t: Arc<Target>) -> Result<(), CheckError> {
    let (failing, slow) = tokio::join!(
        one_attempt(&t, "wh-log-500", 500, Duration::ZERO),
        one_attempt(&t, "wh-log-slow", 200, Duration::from_secs(6)),
    );
    let (failing, slow) = (failing?.hook, slow?.hook);
    let failing_log = deliveries(&t, &failing).await?;
    let slow_log = deliveries(&t, &slow).await?;
    let status_500 = failing_log
        .iter()
        .any(|d| d.outcome == DeliveryOutcome::Status && d.status == Some(500));
    let timeout = slow_log
        .iter()
        .any(|d| d.outcome == DeliveryOutcome::Timeout);
    if !status_500 || !timeout {
        return Err(fail(
            "the emulator records a receiver's 500 with its status and a receiver slower than 5 s as a timeout",
            "a delivery with outcome \"status\" and status 500; one with outcome \"timeout\"",
            format!("{failing_log:?}; {slow_log:?}"),
        ));
    }
    Ok(())
}
