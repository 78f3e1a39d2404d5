//! Subscriptions: a long-polling [`futures::Stream`] of topic events.
//!
//! Each poll sends the [`Cursor`] (`sequence_number`, `sequence_page`). An
//! empty batch, a 204, 408 or 504 just polls again, spaced out when such
//! answers come at once ([`TopicEvent::NoProgress`]). 429, 5xx, connection
//! errors and polls with no complete answer within the poll timeout are
//! retried per the [`RetryPolicy`](crate::RetryPolicy) (for ever by default, `Retry-After`
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
use std::time::Duration;

use bytes::Bytes;
use futures::Stream;

use crate::client::TopicClient;
use crate::error::Error;
use crate::publish::validate_names;
use crate::sequence::Position;
#[cfg(fuzzing)]
use crate::wire;

mod polling;

use polling::{State, next_event};

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
/// [`RetryPolicy`](crate::RetryPolicy)) and reported as events; the stream ends (`None`) only
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
    stream: crate::runtime::BoxStream<'static, Result<TopicEvent, Error>>,
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
        let state = State::new(
            self.clone(),
            cache,
            topic,
            Position::new(cursor),
            validate_names(cache, topic).err(),
            shared.clone(),
        );
        Subscription {
            stream: Box::pin(futures::stream::unfold(state, next_event)),
            shared,
        }
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
