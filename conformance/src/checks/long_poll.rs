//! The long poll's wait (docs/api.md §4): a subscribe waits until a message
//! is there, then answers (D), so a publish wakes a waiting poll, and
//! promptly; how long a wait with nothing to deliver lasts is not
//! documented (C).

use super::{POLL_HEAD_START, Subscriber, batch_fail, check, items, poll_while_timed};
use crate::failure::{CheckError, Failure};
use crate::registry::Check;
use crate::request::Req;
use crate::target::{Lane, Target};
use std::sync::Arc;
use std::time::Duration;

pub(super) fn checks() -> Vec<Check> {
    vec![
        check!(
            "subscribe.long-poll.waits-for-publish",
            D,
            "§4",
            false,
            long_poll_waits,
            20
        ),
        check!(
            "subscribe.empty-batch-after-wait",
            C,
            "§4",
            false,
            empty_batch,
            75
        ),
    ]
}

/// How soon after the publish's answer the woken poll's answer must
/// arrive. Both answers travel back the same way, so this is the
/// endpoint's own time to wake the poll: a far endpoint's round trip is
/// not counted against it, and half a second leaves room for its jitter.
pub(crate) const WAKE_BOUND: Duration = Duration::from_millis(500);

/// Polls per round before the check gives its verdict.
const ATTEMPTS: usize = 3;

/// What one publish into a waiting poll showed.
enum Wake {
    /// The poll answered with the message within [`WAKE_BOUND`].
    Prompt,
    /// The poll answered with the message, but this long after the publish.
    Late(Duration),
    /// The poll's wait ended before (or as) the message arrived: nothing
    /// to judge (how long an empty wait lasts is C).
    EndedFirst,
    /// The poll was waiting and answered, well after the publish, without
    /// the message.
    Missed,
}

/// What a poll showed that answered `after` the publish's own answer
/// (`None`: it ended before the check published), with the message or not.
fn wake(after: Option<Duration>, carried: bool) -> Wake {
    match after {
        None => Wake::EndedFirst,
        Some(after) if carried && after > WAKE_BOUND => Wake::Late(after),
        Some(_) if carried => Wake::Prompt,
        Some(after) if after <= WAKE_BOUND => Wake::EndedFirst,
        Some(_) => Wake::Missed,
    }
}

/// A waiting poll is woken by a publish from another connection and
/// answers with it within [`WAKE_BOUND`] (docs/api.md §4: a subscribe
/// waits until a message is there, then answers). First a poll from now
/// on, then one from the next number. Each poll goes out on a connection
/// already open and gets a head start of at least its round trip, so the
/// check never races the endpoint's handshake; a poll from now on that
/// still missed the message is tried again with a longer head start
/// before the endpoint is accused.
async fn long_poll_waits(t: Arc<Target>) -> Result<(), CheckError> {
    let topic = t.fresh_topic("long-poll");
    let mut sub = Subscriber::from_now(&t, &topic);
    let publisher = t.line();
    t.warm(&publisher).await?;
    for which in ["from now on", "caught up"] {
        let mut head_start = POLL_HEAD_START;
        let mut seen = Vec::new();
        let mut missed = false;
        let mut woken = false;
        let mut ended_early = Vec::new();
        for _ in 0..ATTEMPTS {
            let payload = t.fresh_name("lp");
            let publish = Req::publish_text(&t.cache, &topic, t.token(), &payload);
            let w = poll_while_timed(&t, sub, head_start, async || {
                let resp = t.send_on(&publisher, &publish, Lane::Ahead).await?;
                t.expect_answer(
                    "publishing from another connection answers 204",
                    &publish,
                    resp,
                    204,
                )
                .map(drop)
            })
            .await?;
            ended_early.extend(w.ended_early.iter().copied());
            let after = w
                .published
                .map(|answered| w.answered.saturating_duration_since(answered));
            let carried = items(&w.batch.events).iter().any(|i| i.2 == payload);
            let verdict = wake(after, carried);
            seen.push(match after {
                Some(after) => format!(
                    "published {payload:?}, the poll answered {} ms after the publish was: {}",
                    after.as_millis(),
                    w.batch.resp.describe()
                ),
                None => format!(
                    "the poll ended before the check published: {}",
                    w.batch.resp.describe()
                ),
            });
            let req = w.batch.req.clone();
            sub = w.sub;
            match verdict {
                Wake::Prompt => {
                    woken = true;
                    break;
                }
                Wake::Late(after) => {
                    return Err(CheckError::Fail(Failure {
                        behaviour: format!(
                            "a publish wakes a waiting long poll ({which}) at once: its answer follows the publish's within {} ms",
                            WAKE_BOUND.as_millis()
                        ),
                        expected: format!(
                            "the items hold {payload:?} within {} ms of the publish's answer",
                            WAKE_BOUND.as_millis()
                        ),
                        actual: format!(
                            "they did, {} ms after it; {}{}",
                            after.as_millis(),
                            w.batch.resp.describe(),
                            sub.connection_report()
                        ),
                        repro: Some(t.curl(&req)),
                    }));
                }
                Wake::EndedFirst => {}
                Wake::Missed => {
                    missed = true;
                    head_start *= 2;
                }
            }
        }
        if woken {
            continue;
        }
        if missed {
            return Err(CheckError::Fail(Failure {
                behaviour: format!(
                    "a long poll ({which}) waiting when a message is published from another connection answers with it"
                ),
                expected: "the message in the waiting poll's items".into(),
                actual: format!("{}{}", seen.join("; "), sub.connection_report()),
                repro: Some(t.curl(&sub.next_request())),
            }));
        }
        return Err(CheckError::Skip(format!(
            "{} ({})",
            super::waiting_poll::ended_before_publish(&ended_early),
            seen.join("; ")
        )));
    }
    Ok(())
}

/// The least wait before an empty answer that the project asks for: the
/// emulator waits 30 s; a server whose wait ends after a second is still
/// a long poll.
const MIN_EMPTY_WAIT: Duration = Duration::from_secs(1);

/// With nothing to deliver the poll waits, then answers `{"items": []}`
/// (the wait and the empty answer are the project's choice, docs/api.md §4).
async fn empty_batch(t: Arc<Target>) -> Result<(), CheckError> {
    let topic = t.fresh_topic("empty");
    let mut sub = Subscriber::from_now(&t, &topic);
    sub.warm_up().await?;
    let b = sub.poll().await?;
    // The endpoint's time, not the suite's queue before it.
    let elapsed = b.resp.elapsed;
    if !b.events.is_empty() || elapsed < MIN_EMPTY_WAIT {
        return Err(batch_fail(
            &t,
            &format!(
                "a poll with nothing to deliver waits, then answers {{\"items\": []}} (it answered after {} ms)",
                elapsed.as_millis()
            ),
            &format!(
                "{{\"items\": []}} after at least {} ms",
                MIN_EMPTY_WAIT.as_millis()
            ),
            &b,
        ));
    }
    Ok(())
}
