//! A poll known to be waiting, and the publish it is owed.
//!
//! A check that publishes what a poll should receive must publish while
//! that poll waits on the endpoint, not merely after it was sent: a poll
//! from now on that reaches the endpoint after the publish misses it,
//! and a correct endpoint is accused. So the subscriber's connection is
//! opened first (`target/line.rs`), the poll gets a head start of at least
//! that round trip, a poll that ended before the check published (an
//! endpoint's empty wait may be short: its length is not documented,
//! docs/api.md §4, C) is sent again, and the publish goes ahead of the
//! suite's queue (`target/pacer.rs`).

use super::{Batch, Subscriber};
use crate::failure::{CheckError, task_failed};
use crate::request::{Req, Resp};
use crate::target::Target;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The least head start a poll gets before the check publishes into it.
pub(crate) const POLL_HEAD_START: Duration = Duration::from_millis(200);

/// How many polls may end before the check publishes into one.
const POLLS: usize = 3;

/// One poll waited for and the publish into it, with the times a check
/// judging the wait needs.
pub(crate) struct Waited {
    /// The subscriber, its cursor moved by the answer.
    pub sub: Subscriber,
    /// The answer of the poll the check published into (or of the last
    /// poll, when each ended before the check could publish).
    pub batch: Batch,
    /// When that answer had been read.
    pub answered: Instant,
    /// When the publish was answered; `None` when every poll ended before
    /// the check could publish, or the last ended empty before the
    /// publish was answered.
    pub published: Option<Instant>,
    /// How long each poll that ended before the check published took.
    pub ended_early: Vec<Duration>,
}

/// Poll with `sub` and, once the poll has had `head_start` (at least the
/// round trip of opening its connection), run `publish`, whose requests
/// should go [`Target::send_ahead`].
pub(crate) async fn poll_while_timed(
    t: &Arc<Target>,
    mut sub: Subscriber,
    head_start: Duration,
    publish: impl AsyncFnOnce() -> Result<(), CheckError>,
) -> Result<Waited, CheckError> {
    let head_start = head_start.max(sub.warm_up().await?);
    let mut ended_early = Vec::new();
    loop {
        let sent = t.clock().sent();
        let poller = tokio::spawn(async move {
            let r = sub.poll().await;
            (sub, r, Instant::now())
        });
        t.head_start(sent + 1, head_start).await;
        if poller.is_finished() {
            let (s, batch, answered) = poller
                .await
                .map_err(|e| task_failed("the subscribing task", &e))?;
            sub = s;
            let batch = batch?;
            if batch.events.is_empty() {
                ended_early.push(batch.resp.elapsed);
                if ended_early.len() < POLLS {
                    continue;
                }
            }
            return Ok(Waited {
                sub,
                batch,
                answered,
                published: None,
                ended_early,
            });
        }
        if let Err(e) = publish().await {
            poller.abort();
            return Err(e);
        }
        let publish_answered = Instant::now();
        let (sub, batch, answered) = poller
            .await
            .map_err(|e| task_failed("the subscribing task", &e))?;
        let batch = batch?;
        // An empty answer read before the publish's own answer may have
        // left the endpoint before the message existed (the publish was
        // slow, or waited out a 429): no evidence either way.
        let published = if batch.events.is_empty() && answered <= publish_answered {
            ended_early.push(batch.resp.elapsed);
            None
        } else {
            Some(publish_answered)
        };
        return Ok(Waited {
            sub,
            batch,
            answered,
            published,
            ended_early,
        });
    }
}

/// [`poll_while_timed`] for a check that judges the answer, not the wait:
/// the subscriber and the answer. When every poll ended empty before the
/// check could publish, the check is skipped, naming the short wait.
pub(crate) async fn poll_while(
    t: &Arc<Target>,
    sub: Subscriber,
    publish: impl AsyncFnOnce() -> Result<(), CheckError>,
) -> Result<(Subscriber, Batch), CheckError> {
    let w = poll_while_timed(t, sub, POLL_HEAD_START, publish).await?;
    if w.published.is_none() && w.batch.events.is_empty() {
        return Err(CheckError::Skip(ended_before_publish(&w.ended_early)));
    }
    Ok((w.sub, w.batch))
}

/// Why a check could not publish into a waiting poll.
pub(crate) fn ended_before_publish(ended_early: &[Duration]) -> String {
    let waits: Vec<String> = ended_early
        .iter()
        .map(|d| format!("{} ms", d.as_millis()))
        .collect();
    format!(
        "every poll ended empty before the check could publish into it, or before its publish was answered (after {}): how long an empty wait lasts is not documented (docs/api.md §4, C; see subscribe.empty-batch-after-wait)",
        waits.join(", ")
    )
}

/// A subscriber from now on whose first poll is waiting when `payloads` are
/// published (one after another); the subscriber and that poll's answer.
pub(crate) async fn poll_while_publishing(
    t: &Arc<Target>,
    topic: &str,
    payloads: &[&str],
) -> Result<(Subscriber, Batch), CheckError> {
    let sub = Subscriber::from_now(t, topic);
    poll_while(t, sub, async || {
        for p in payloads {
            publish_ahead(t, &Req::publish_text(&t.cache, topic, t.token(), p)).await?;
        }
        Ok(())
    })
    .await
}

/// Send a publish a waiting poll is owed, ahead of the queue; anything but
/// 204 fails.
pub(crate) async fn publish_ahead(t: &Target, req: &Req) -> Result<Resp, CheckError> {
    let resp = t.send_ahead(req).await?;
    t.expect_answer("publishing answers 204 (docs/api.md §3)", req, resp, 204)
}
