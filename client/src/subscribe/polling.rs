//! The machinery behind a [`Subscription`](super::Subscription): one long
//! poll after another, each bounded by the poll timeout, retried per the
//! [`RetryPolicy`], spaced out when it makes no progress, and turned into
//! events by the [`Position`].

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use crate::client::TopicClient;
use crate::error::Error;
use crate::generated;
use crate::retry::RetryPolicy;
use crate::sequence::Position;
use crate::wire;

use super::{Shared, TopicEvent};

/// The machinery's state between events.
pub(super) struct State {
    client: TopicClient,
    cache: String,
    topic: String,
    /// Where the stream is.
    position: Position,
    /// An error to yield before ending.
    failed: Option<Error>,
    /// Set once a terminal error has been yielded.
    done: bool,
    /// What `Subscription::cursor` and `Subscription::retries` read.
    shared: Arc<Shared>,
    /// Failed polls in a row.
    failures: u32,
    /// When the first of those began (on the client's monotonic clock).
    outage_began: Option<Duration>,
    /// Polls in a row that made no progress.
    no_progress: u32,
    /// How long to wait before the next poll.
    wait: Option<Duration>,
}

/// What one long poll produced.
enum PollResult {
    Batch(Vec<wire::SubscribeElement>),
    Again(&'static str),
    Failed(Error),
}

/// Produces the next event: from the buffer, or by polling (with retries).
pub(super) async fn next_event(mut state: State) -> Option<(Result<TopicEvent, Error>, State)> {
    loop {
        if state.done {
            return None;
        }
        if let Some((event, after)) = state.position.pending.pop_front() {
            *state
                .shared
                .cursor
                .lock()
                .unwrap_or_else(|e| e.into_inner()) = after;
            return Some((Ok(event), state));
        }
        if let Some(err) = state.failed.take() {
            state.done = true;
            return Some((Err(err), state));
        }
        if let Some(wait) = state.wait.take() {
            state.client.inner.runtime.sleep(wait).await;
        }
        let began = state.client.inner.runtime.now();
        match poll_within_deadline(&state, began).await {
            PollResult::Batch(items) => {
                state.restored();
                match state.position.absorb(&state.cache, &state.topic, items) {
                    Ok(0) => state.no_progress(began, "only messages already accounted for"),
                    Ok(_) => state.progress(),
                    Err(err) => state.failed = Some(err),
                }
            }
            PollResult::Again(why) => {
                state.restored();
                tracing::trace!(cache = %state.cache, topic = %state.topic, why, "polling again");
                state.no_progress(began, why);
            }
            PollResult::Failed(err)
                if err.is_retryable() && policy(&state).allows(state.failures) =>
            {
                let retry_in = policy(&state).backoff(
                    state.failures,
                    err.retry_after(),
                    state.client.inner.runtime.jitter(),
                );
                state.failures += 1;
                state.outage_began.get_or_insert(began);
                state.shared.retries.fetch_add(1, Ordering::Relaxed);
                tracing::info!(
                    cache = %state.cache, topic = %state.topic, failures = state.failures,
                    retry_in_ms = retry_in.as_millis() as u64, error = %err,
                    "subscription poll failed; retrying"
                );
                state.lifecycle(TopicEvent::ConnectionLost {
                    error: err,
                    retry_in,
                    failures: state.failures,
                });
                state.wait = Some(retry_in);
            }
            PollResult::Failed(err) => state.failed = Some(err),
        }
    }
}

impl State {
    /// The state of a subscription that has not polled yet: `failed`, when
    /// set, is yielded first and ends it.
    pub(super) fn new(
        client: TopicClient,
        cache: &str,
        topic: &str,
        position: Position,
        failed: Option<Error>,
        shared: Arc<Shared>,
    ) -> State {
        State {
            client,
            cache: cache.to_owned(),
            topic: topic.to_owned(),
            position,
            failed,
            done: false,
            shared,
            failures: 0,
            outage_began: None,
            no_progress: 0,
            wait: None,
        }
    }

    /// Queues a lifecycle event (it leaves the cursor where it is).
    fn lifecycle(&mut self, event: TopicEvent) {
        let cursor = self.position.cursor;
        self.position.pending.push_back((event, cursor));
    }

    /// A poll was answered: ends an outage, if there was one.
    fn restored(&mut self) {
        if self.failures == 0 {
            return;
        }
        let away = self
            .outage_began
            .take()
            .map_or(Duration::ZERO, |began| self.elapsed_since(began));
        tracing::info!(
            cache = %self.cache, topic = %self.topic, failures = self.failures,
            away_ms = away.as_millis() as u64, "subscription restored"
        );
        self.lifecycle(TopicEvent::ConnectionRestored {
            away,
            failures: self.failures,
        });
        self.failures = 0;
    }

    /// How long ago `instant` was, on the client's monotonic clock.
    fn elapsed_since(&self, instant: Duration) -> Duration {
        self.client.inner.runtime.now().saturating_sub(instant)
    }

    /// A poll yielded events.
    fn progress(&mut self) {
        self.no_progress = 0;
        self.shared.no_progress.store(0, Ordering::Relaxed);
    }

    /// A poll that began at `began` yielded nothing new: space the next one out.
    fn no_progress(&mut self, began: Duration, why: &'static str) {
        self.no_progress = self.no_progress.saturating_add(1);
        self.shared
            .no_progress
            .store(u64::from(self.no_progress), Ordering::Relaxed);
        let spacing = policy(self).no_progress_spacing(self.no_progress);
        let Some(wait) = spacing
            .checked_sub(self.elapsed_since(began))
            .filter(|w| !w.is_zero())
        else {
            return;
        };
        self.wait = Some(wait);
        if self.no_progress == 3 || (self.no_progress > 3 && self.no_progress.is_multiple_of(20)) {
            tracing::warn!(
                cache = %self.cache, topic = %self.topic, polls = self.no_progress, why,
                wait_ms = wait.as_millis() as u64,
                "polls are answered at once without progress; slowing down"
            );
            self.lifecycle(TopicEvent::NoProgress {
                polls: self.no_progress,
                wait,
            });
        }
    }
}

fn policy(state: &State) -> &RetryPolicy {
    &state.client.inner.retry
}

/// A timer fires at the first tick at or after its deadline (tokio's are a
/// millisecond apart), and then its task must be woken; aiming one tick
/// early keeps the report of silence at or before the caller's deadline.
const TIMER_TICK: Duration = Duration::from_millis(1);

/// One long poll, bounded by the poll timeout counted from `began`, when
/// the caller's poll started: a caller waiting as long on `next()` sees
/// the lost connection, not its own timer. (The request's own timeout,
/// which starts later, stays as a backstop for the raw client.)
async fn poll_within_deadline(state: &State, began: Duration) -> PollResult {
    let Some(limit) = state.client.inner.bytes_client.inner.poll_timeout else {
        return poll_once(state).await;
    };
    let deadline = began + limit.saturating_sub(TIMER_TICK);
    let silent = || {
        PollResult::Failed(Error::Transport {
            message: format!("no complete answer within the poll timeout ({limit:?})"),
            may_have_been_delivered: false,
            timed_out: true,
        })
    };
    let runtime = &state.client.inner.runtime;
    match runtime.before(deadline, poll_once(state)).await {
        // A task woken late finds the backstop fired too: the same silence.
        // (A connect timeout before the deadline keeps its own message.)
        Some(PollResult::Failed(err)) if err.is_timeout() && runtime.now() >= deadline => silent(),
        Some(result) => result,
        None => silent(),
    }
}

/// One long poll.
///
/// An empty answer (a 204, 408 or 504, or an empty batch) means "nothing
/// yet". A poll that gets no complete answer within the poll timeout is a
/// failure: a server that accepts and never answers, or drips bytes, is not
/// a quiet topic.
async fn poll_once(state: &State) -> PollResult {
    use generated::Error as G;
    let result = state
        .client
        .inner
        .bytes_client
        .subscribe(
            &state.cache,
            &state.topic,
            Some(state.position.cursor.sequence_number),
            Some(state.position.cursor.sequence_page),
            None,
        )
        .await;
    match result {
        Ok(response) => PollResult::Batch(response.into_inner().items),
        Err(G::UnexpectedResponse(r)) if r.status().as_u16() == 204 => PollResult::Again("204"),
        Err(G::UnexpectedResponse(r)) if r.status().as_u16() == 408 => PollResult::Again("408"),
        Err(G::UnexpectedResponse(r)) if r.status().as_u16() == 504 => PollResult::Again("504"),
        Err(e) => PollResult::Failed(
            Error::from_generated(e, false, state.client.inner.runtime.system_now()).await,
        ),
    }
}
