//! Subscriptions: a long-polling [`futures::Stream`] of topic events.
//!
//! Each poll sends the [`Cursor`] (`sequence_number`, `sequence_page`). An
//! empty batch, a 204, 408 or 504 just polls again, spaced out when such
//! answers come at once ([`TopicEvent::NoProgress`]). 429, 5xx, connection
//! errors and polls with no complete answer within the poll timeout are
//! retried per the [`RetryPolicy`] (for ever by default, `Retry-After`
//! honoured up to a cap), each reported as [`TopicEvent::ConnectionLost`],
//! and the first success after them as [`TopicEvent::ConnectionRestored`].
//! 400/401/403/404, a redirect, an unreadable or oversized body, or running
//! out of a retry limit the caller set end the stream after yielding the
//! error.
//!
//! The stream never skips silently (see `sequence/mod.rs`): a jump in
//! numbering, a change of page, or a page left out after one was known,
//! that the server did not announce, becomes a
//! [`TopicEvent::Discontinuity`] with `synthesized: true`, and every
//! discontinuity starts from the client's own last number.

use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::Stream;

use crate::client::TopicClient;
use crate::error::Error;
use crate::generated;
use crate::publish::validate_names;
use crate::retry::RetryPolicy;
use crate::sequence::Position;
use crate::wire;

/// Where a subscription is: what its next poll will send.
///
/// Save it to resume later with [`TopicClient::subscribe_from`]. After an
/// item numbered `n` on page `p` it is `(n + 1, p)` (`p` is 0 when the item
/// said no page); after a discontinuity it is `(new, new_page)`.
/// `Cursor::default()` (0, 0) means "from now on".
///
/// ```
/// use momento_http::Cursor;
/// let c = Cursor { sequence_number: 43, sequence_page: 7 };
/// assert_eq!(Cursor::default().sequence_number, 0);
/// # let _ = c;
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Cursor {
    /// The next sequence number expected (last received + 1); 0 to start from now.
    pub sequence_number: u64,
    /// The topic instance last seen; 0 when not known (none yet, or the
    /// last item said none).
    pub sequence_page: u64,
}

/// A message's value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TopicValue {
    /// Published as text.
    Text(String),
    /// Published as bytes (decoded from the wire's base64).
    Binary(Bytes),
}

/// One event of a subscription.
///
/// [`Item`](TopicEvent::Item) and [`Discontinuity`](TopicEvent::Discontinuity)
/// are the topic's data. The others report the subscription's health: its
/// connection lost (and when it tries again), restored, or polls answered
/// without progress. Ignoring them loses nothing (the subscription keeps
/// trying and resumes from its cursor); [`Subscription::messages`] drops
/// them for callers who want data only. More may be added, so a `match`
/// needs a `_` arm.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TopicEvent {
    /// A message.
    Item {
        /// Its number in the topic.
        sequence_number: u64,
        /// The topic instance; 0 when the server omits it.
        sequence_page: u64,
        /// The message.
        value: TopicValue,
        /// The publisher's id, when the server says.
        publisher_id: Option<String>,
    },
    /// Messages were lost, or cannot be vouched for: numbers after `last`
    /// (on the page before) and before `new` (on `new_page`) will never
    /// arrive as items.
    ///
    /// `last` is the client's own position, not the server's claim: the
    /// last number it yielded or accounted for (0 when none yet).
    Discontinuity {
        /// The last number before the gap, as this client knows it (0 when none yet).
        last: u64,
        /// The number the next item carries.
        new: u64,
        /// The topic instance from now on.
        new_page: u64,
        /// True when the server did not announce the gap and this client inferred it.
        synthesized: bool,
        /// What the server gave as `last_topic_sequence`, when it announced
        /// the gap; for diagnosis only, never trusted.
        announced_last: Option<u64>,
    },
    /// A poll failed with a transient error (connection refused or reset, a
    /// poll that got no complete answer in time, 429, 5xx). The subscription
    /// tries again after `retry_in` and resumes from its cursor: nothing is
    /// lost by waiting.
    ConnectionLost {
        /// What went wrong.
        error: Error,
        /// How long until the next try (backoff, or the server's `Retry-After`, capped).
        retry_in: Duration,
        /// Failed polls in a row, this one included (1: the outage begins).
        failures: u32,
    },
    /// A poll succeeded after [`ConnectionLost`](TopicEvent::ConnectionLost).
    ConnectionRestored {
        /// From the start of the first failed poll to this success.
        away: Duration,
        /// How many polls failed in between.
        failures: u32,
    },
    /// The server answers, but polls make no progress (an immediate empty
    /// answer, or only messages already seen): the subscription waits
    /// `wait` before the next poll instead of polling at once. Reported at
    /// the third such poll in a row and every twentieth after.
    NoProgress {
        /// Polls in a row without progress.
        polls: u32,
        /// The wait before the next poll.
        wait: Duration,
    },
}

impl TopicEvent {
    /// Whether this reports the subscription's health rather than the
    /// topic's data (not an item, not a discontinuity).
    pub fn is_lifecycle(&self) -> bool {
        !matches!(
            self,
            TopicEvent::Item { .. } | TopicEvent::Discontinuity { .. }
        )
    }
}

/// A live subscription: a stream of [`TopicEvent`]s.
///
/// Transient failures are retried (for ever by default, see
/// [`RetryPolicy`]) and reported as events; the stream ends (`None`) only
/// after yielding a terminal error (400, 401, 403, 404, a redirect, an
/// unreadable or oversized answer, or retries exhausted under a limit the
/// caller set). Dropping it stops polling.
///
/// ```no_run
/// # async fn run(client: momento_http::TopicClient) -> Result<(), momento_http::Error> {
/// use futures::StreamExt as _;
/// use momento_http::TopicEvent;
///
/// let mut subscription = client.subscribe("cache", "topic");
/// while let Some(event) = subscription.next().await {
///     match event? {
///         TopicEvent::Item { value, .. } => println!("{value:?}"),
///         TopicEvent::Discontinuity { last, new, .. } => println!("lost after {last}, before {new}"),
///         TopicEvent::ConnectionLost { error, retry_in, .. } => {
///             eprintln!("connection lost ({error}); retrying in {retry_in:?}")
///         }
///         TopicEvent::ConnectionRestored { away, .. } => eprintln!("back after {away:?}"),
///         _ => {}
///     }
///     let resume_here = subscription.cursor();
///     # let _ = resume_here;
/// }
/// # Ok(()) }
/// ```
pub struct Subscription {
    /// The polling machinery.
    stream: Pin<Box<dyn Stream<Item = Result<TopicEvent, Error>> + Send>>,
    /// What the machinery reports to the caller.
    shared: Arc<Shared>,
}

/// What a [`Subscription`] and its machinery both see.
#[derive(Debug)]
struct Shared {
    /// The cursor after the last yielded event.
    cursor: Mutex<Cursor>,
    /// Failed polls retried so far.
    retries: AtomicU64,
    /// Polls in a row that made no progress.
    no_progress: AtomicU64,
}

impl Subscription {
    /// What the next poll will send: the place to resume from.
    pub fn cursor(&self) -> Cursor {
        *self.shared.cursor.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How many failed polls (429, 5xx, connection errors, polls without a
    /// complete answer in time) this subscription has retried so far.
    ///
    /// Each is also yielded as [`TopicEvent::ConnectionLost`] and logged at `info`.
    pub fn retries(&self) -> u64 {
        self.shared.retries.load(Ordering::Relaxed)
    }

    /// How many polls in a row have made no progress (0 after any event).
    pub fn polls_without_progress(&self) -> u64 {
        self.shared.no_progress.load(Ordering::Relaxed)
    }

    /// The same subscription yielding only the topic's data (items and
    /// discontinuities); lifecycle events are dropped (they are still
    /// logged, and [`Messages::retries`] still counts failures).
    ///
    /// ```no_run
    /// # async fn run(client: momento_http::TopicClient) -> Result<(), momento_http::Error> {
    /// use futures::StreamExt as _;
    /// let mut messages = client.subscribe("cache", "topic").messages();
    /// while let Some(event) = messages.next().await {
    ///     println!("{:?}", event?); // only Item and Discontinuity
    /// }
    /// # Ok(()) }
    /// ```
    pub fn messages(self) -> Messages {
        Messages { inner: self }
    }
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription")
            .field("cursor", &self.cursor())
            .field("retries", &self.retries())
            .field("polls_without_progress", &self.polls_without_progress())
            .finish_non_exhaustive()
    }
}

impl Stream for Subscription {
    type Item = Result<TopicEvent, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.stream.as_mut().poll_next(cx)
    }
}

/// A [`Subscription`] without its lifecycle events: see [`Subscription::messages`].
#[derive(Debug)]
pub struct Messages {
    inner: Subscription,
}

impl Messages {
    /// What the next poll will send: the place to resume from.
    pub fn cursor(&self) -> Cursor {
        self.inner.cursor()
    }

    /// How many failed polls were retried so far.
    pub fn retries(&self) -> u64 {
        self.inner.retries()
    }
}

impl Stream for Messages {
    type Item = Result<TopicEvent, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            match Pin::new(&mut self.inner).poll_next(cx) {
                Poll::Ready(Some(Ok(event))) if event.is_lifecycle() => continue,
                other => return other,
            }
        }
    }
}

impl TopicClient {
    /// Subscribes to `topic` in `cache` from now on.
    pub fn subscribe(&self, cache: &str, topic: &str) -> Subscription {
        self.subscribe_from(cache, topic, Cursor::default())
    }

    /// Subscribes from a saved [`Cursor`] (see [`Subscription::cursor`]).
    ///
    /// Invalid names make the stream yield one [`Error::InvalidInput`] and end.
    pub fn subscribe_from(&self, cache: &str, topic: &str, cursor: Cursor) -> Subscription {
        let shared = Arc::new(Shared {
            cursor: Mutex::new(cursor),
            retries: AtomicU64::new(0),
            no_progress: AtomicU64::new(0),
        });
        let state = State {
            client: self.clone(),
            cache: cache.to_owned(),
            topic: topic.to_owned(),
            position: Position::new(cursor),
            failed: validate_names(cache, topic).err(),
            done: false,
            shared: shared.clone(),
            failures: 0,
            outage_began: None,
            no_progress: 0,
            wait: None,
        };
        Subscription {
            stream: Box::pin(futures::stream::unfold(state, next_event)),
            shared,
        }
    }
}

/// The machinery's state between events.
struct State {
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
    /// When the first of those began.
    outage_began: Option<Instant>,
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
async fn next_event(mut state: State) -> Option<(Result<TopicEvent, Error>, State)> {
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
            tokio::time::sleep(wait).await;
        }
        let began = Instant::now();
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
                let retry_in = policy(&state).backoff(state.failures, err.retry_after());
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
            .map_or(Duration::ZERO, |began| began.elapsed());
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

    /// A poll yielded events.
    fn progress(&mut self) {
        self.no_progress = 0;
        self.shared.no_progress.store(0, Ordering::Relaxed);
    }

    /// A poll that began at `began` yielded nothing new: space the next one out.
    fn no_progress(&mut self, began: Instant, why: &'static str) {
        self.no_progress = self.no_progress.saturating_add(1);
        self.shared
            .no_progress
            .store(u64::from(self.no_progress), Ordering::Relaxed);
        let spacing = policy(self).no_progress_spacing(self.no_progress);
        let Some(wait) = spacing
            .checked_sub(began.elapsed())
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
async fn poll_within_deadline(state: &State, began: Instant) -> PollResult {
    let Some(limit) = state.client.inner.bytes_client.inner.poll_timeout else {
        return poll_once(state).await;
    };
    let deadline = began + limit.saturating_sub(TIMER_TICK).max(TIMER_TICK);
    let silent = || {
        PollResult::Failed(Error::Transport {
            message: format!(
                "no complete answer within the poll timeout ({limit:?}): the server accepted the poll and went silent"
            ),
            may_have_been_delivered: false,
            timed_out: true,
        })
    };
    match tokio::time::timeout_at(deadline.into(), poll_once(state)).await {
        // A task woken late finds the backstop fired too; the report is the same.
        Ok(PollResult::Failed(err)) if err.is_timeout() => silent(),
        Ok(result) => result,
        Err(_) => silent(),
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
        Err(e) => PollResult::Failed(Error::from_generated(e, false).await),
    }
}

/// What a subscription at `cursor` makes of one long-poll body: the events it
/// yields, each with the cursor after it, then the error that ends it, if
/// any. Only for the fuzz targets in `fuzz/` (`cargo fuzz` sets `--cfg fuzzing`).
#[cfg(fuzzing)]
pub fn parse_batch(cursor: Cursor, body: &[u8]) -> (Vec<(TopicEvent, Cursor)>, Option<Error>) {
    let response: wire::SubscribeResponse = match serde_json::from_slice(body) {
        Ok(r) => r,
        Err(e) => {
            return (
                Vec::new(),
                Some(Error::InvalidResponse {
                    reason: e.to_string(),
                    body: crate::limits::excerpt(&String::from_utf8_lossy(body)),
                }),
            );
        }
    };
    let mut position = Position::new(cursor);
    let ended = position.absorb("fuzz", "fuzz", response.items).err();
    (position.pending.into(), ended)
}
