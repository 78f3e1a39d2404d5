//! Subscriptions: a long-polling [`futures::Stream`] of topic events.
//!
//! Each poll sends the [`Cursor`] (`sequence_number`, `sequence_page`). An
//! empty batch, a 204, 408 or 504, or a client-side timeout just polls again.
//! 429, 5xx and connection errors are retried per the [`RetryPolicy`]
//! (`Retry-After` honoured); 400/401/403/404, an unreadable body or running
//! out of retries end the stream after yielding the error.
//!
//! The stream never skips silently: a jump in numbering or a change of page
//! the server did not announce becomes a [`TopicEvent::Discontinuity`] with
//! `synthesized: true` (and a `tracing` warning); a repeated or older number
//! is dropped (and logged).

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use futures::Stream;

use crate::client::TopicClient;
use crate::credential::decode_base64_lenient;
use crate::error::Error;
use crate::generated;
use crate::publish::validate_names;
use crate::retry::RetryPolicy;
use crate::wire;

/// Where a subscription is: what its next poll will send.
///
/// Save it to resume later with [`TopicClient::subscribe_from`]. After an
/// item numbered `n` on page `p` it is `(n + 1, p)`; after a discontinuity
/// it is `(new, new_page)`. `Cursor::default()` (0, 0) means "from now on".
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
    /// The topic instance last seen; 0 when none yet.
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
#[derive(Clone, Debug, PartialEq, Eq)]
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
    /// Messages were lost: numbers after `last` and before `new` will never arrive.
    Discontinuity {
        /// The last number before the gap (0 when unknown).
        last: u64,
        /// The number the next item carries.
        new: u64,
        /// The topic instance from now on.
        new_page: u64,
        /// True when the server did not announce the gap and this client inferred it.
        synthesized: bool,
    },
}

/// A live subscription: a stream of [`TopicEvent`]s.
///
/// Ends (`None`) after yielding a terminal error. Dropping it stops polling.
///
/// ```no_run
/// # async fn run(client: momento_http::TopicClient) -> Result<(), momento_http::Error> {
/// use futures::StreamExt as _;
/// let mut subscription = client.subscribe("cache", "topic");
/// while let Some(event) = subscription.next().await {
///     println!("{:?}", event?);
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
}

impl Subscription {
    /// What the next poll will send: the place to resume from.
    pub fn cursor(&self) -> Cursor {
        *self.shared.cursor.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How many failed polls (429, 5xx, connection errors) this subscription
    /// has retried so far, per its [`RetryPolicy`].
    ///
    /// Retried failures are not yielded, so this is the way to see them (for
    /// a metric, say); each is also logged at `info`.
    pub fn retries(&self) -> u64 {
        self.shared.retries.load(Ordering::Relaxed)
    }
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription")
            .field("cursor", &self.cursor())
            .field("retries", &self.retries())
            .finish_non_exhaustive()
    }
}

impl Stream for Subscription {
    type Item = Result<TopicEvent, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.stream.as_mut().poll_next(cx)
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
        });
        let state = State {
            client: self.clone(),
            cache: cache.to_owned(),
            topic: topic.to_owned(),
            position: Position {
                cursor,
                pending: VecDeque::new(),
            },
            failed: validate_names(cache, topic).err(),
            done: false,
            shared: shared.clone(),
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
}

/// Where the stream is: everything the response parser ([`absorb`]) needs.
#[derive(Debug)]
struct Position {
    /// What the next poll sends (after all of `pending`).
    cursor: Cursor,
    /// Events received but not yet yielded, each with the cursor after it.
    pending: VecDeque<(TopicEvent, Cursor)>,
}

/// What one long poll produced.
enum PollResult {
    Batch(Vec<wire::SubscribeElement>),
    Again(&'static str),
    Failed(Error),
}

/// Produces the next event: from the buffer, or by polling (with retries).
async fn next_event(mut state: State) -> Option<(Result<TopicEvent, Error>, State)> {
    let mut attempt = 0u32;
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
        match poll_once(&state).await {
            PollResult::Batch(items) => {
                attempt = 0;
                if let Err(err) = absorb(&mut state.position, &state.cache, &state.topic, items) {
                    state.failed = Some(err);
                }
            }
            PollResult::Again(why) => {
                attempt = 0;
                tracing::trace!(cache = %state.cache, topic = %state.topic, why, "polling again");
            }
            PollResult::Failed(err) if err.is_retryable() && policy(&state).allows(attempt) => {
                let wait = policy(&state).backoff(attempt, err.retry_after());
                tracing::info!(
                    cache = %state.cache, topic = %state.topic, attempt, wait_ms = wait.as_millis() as u64,
                    error = %err, "subscription poll failed; retrying"
                );
                attempt += 1;
                state.shared.retries.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(wait).await;
            }
            PollResult::Failed(err) => state.failed = Some(err),
        }
    }
}

fn policy(state: &State) -> &RetryPolicy {
    &state.client.inner.retry
}

/// One long poll.
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
        Err(G::CommunicationError(e) | G::ResponseBodyError(e)) if e.is_timeout() => {
            PollResult::Again("client-side timeout")
        }
        Err(e) => PollResult::Failed(Error::from_generated(e, false).await),
    }
}

/// Turns a batch into pending events, synthesising discontinuities for
/// unannounced gaps and dropping repeats.
fn absorb(
    position: &mut Position,
    cache: &str,
    topic: &str,
    items: Vec<wire::SubscribeElement>,
) -> Result<(), Error> {
    for element in items {
        let cursor = position.cursor;
        match element {
            wire::SubscribeElement::Discontinuity(d) => {
                let new_page = d.new_sequence_page.unwrap_or(cursor.sequence_page);
                let after = Cursor {
                    sequence_number: d.new_topic_sequence,
                    sequence_page: new_page,
                };
                position.push(
                    TopicEvent::Discontinuity {
                        last: d.last_topic_sequence,
                        new: d.new_topic_sequence,
                        new_page,
                        synthesized: false,
                    },
                    after,
                );
            }
            wire::SubscribeElement::Item(item) => {
                let n = item.topic_sequence_number;
                // No cursor can follow u64::MAX; wrapping to 0 would mean
                // "from now on" and lose messages without a word.
                let Some(next) = n.checked_add(1) else {
                    return Err(Error::InvalidResponse {
                        reason: format!(
                            "an item carries sequence number {n}, after which no number can follow; report this to the endpoint's operator"
                        ),
                        body: format!("(an item with topic_sequence_number {n})"),
                    });
                };
                let page = item.sequence_page.unwrap_or(cursor.sequence_page);
                let page_changed = cursor.sequence_page != 0 && page != cursor.sequence_page;
                let started = cursor.sequence_number != 0;
                if page_changed || (started && n > cursor.sequence_number) {
                    let last = cursor.sequence_number.saturating_sub(1);
                    tracing::warn!(
                        cache,
                        topic,
                        expected = cursor.sequence_number,
                        expected_page = cursor.sequence_page,
                        got = n,
                        got_page = page,
                        "the server skipped messages without announcing a discontinuity; synthesising one"
                    );
                    position.push(
                        TopicEvent::Discontinuity {
                            last,
                            new: n,
                            new_page: page,
                            synthesized: true,
                        },
                        Cursor {
                            sequence_number: n,
                            sequence_page: page,
                        },
                    );
                } else if started && n < cursor.sequence_number {
                    tracing::warn!(
                        cache,
                        topic,
                        expected = cursor.sequence_number,
                        got = n,
                        "dropping a repeated or older message"
                    );
                    continue;
                }
                let value = decode_value(item.value)?;
                position.push(
                    TopicEvent::Item {
                        sequence_number: n,
                        sequence_page: item.sequence_page.unwrap_or(0),
                        value,
                        publisher_id: item.publisher_id,
                    },
                    Cursor {
                        sequence_number: next,
                        sequence_page: page,
                    },
                );
            }
        }
    }
    Ok(())
}

impl Position {
    fn push(&mut self, event: TopicEvent, after: Cursor) {
        self.pending.push_back((event, after));
        self.cursor = after;
    }
}

/// Decodes a wire value; binary accepts standard or URL-safe base64, padded or not.
fn decode_value(value: wire::TopicValue) -> Result<TopicValue, Error> {
    match value {
        wire::TopicValue::Text(text) => Ok(TopicValue::Text(text)),
        wire::TopicValue::Binary(b64) => match decode_base64_lenient(&b64) {
            Ok(bytes) => Ok(TopicValue::Binary(Bytes::from(bytes))),
            Err(e) => Err(Error::InvalidResponse {
                reason: format!("a binary value is not base64 ({e})"),
                body: b64,
            }),
        },
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
                    body: String::from_utf8_lossy(body).into_owned(),
                }),
            );
        }
    };
    let mut position = Position {
        cursor,
        pending: VecDeque::new(),
    };
    let ended = absorb(&mut position, "fuzz", "fuzz", response.items).err();
    (position.pending.into(), ended)
}
