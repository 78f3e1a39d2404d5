//! A small topic server, correct unless a [`Breakage`] says otherwise, and
//! an [`Outage`] that cuts subscribe connections for a while.

use super::serve;
use crate::support::run::run_checks;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use momento_http_conformance::report::{CheckResult, Outcome};
use momento_http_conformance::target::{Pacing, Target};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the fake server gets wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Breakage {
    /// Nothing: the fake is correct.
    None,
    /// Every third publish is answered 204 and never delivered.
    Loss,
    /// After every second publish, a message nobody published.
    Phantom,
    /// Messages are numbered in pairs the other way round.
    Reorder,
    /// Every answer repeats the item before the first one it owes.
    Repeat,
    /// Numbers rise by 2.
    SkippedNumbers,
    /// A caught-up poll answers an empty batch at once.
    NoWait,
    /// A poll woken by a publish answers 1.5 s later.
    WokenLate,
    /// A stale page is served from the current page without a discontinuity.
    SilentStalePage,
    /// Discontinuities omit `new_sequence_page` (items carry pages).
    DiscontinuityWithoutPage,
    /// Discontinuities say `last_topic_sequence` N instead of N - 1.
    WrongLast,
}

const PAGE: u64 = 77;

#[derive(Default)]
struct TopicState {
    /// (number, payload) in order.
    messages: Vec<(u64, String)>,
    next: u64,
    publishes: u64,
    held: Option<String>,
}

/// Subscribe answers cut off mid-body (headers sent, then the connection
/// dies), from the `from_poll`-th subscribe request on, for `lasts`.
pub struct Outage {
    from_poll: u64,
    lasts: Duration,
    polls: std::sync::atomic::AtomicU64,
    started: std::sync::OnceLock<tokio::time::Instant>,
}

impl Outage {
    pub fn new(from_poll: u64, lasts: Duration) -> Outage {
        Outage {
            from_poll,
            lasts,
            polls: Default::default(),
            started: Default::default(),
        }
    }

    /// Counts a subscribe request; whether its connection is cut.
    fn cuts(&self) -> bool {
        let n = self.polls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        if n < self.from_poll {
            return false;
        }
        let started = *self.started.get_or_init(tokio::time::Instant::now);
        started.elapsed() < self.lasts
    }
}

/// A 200 whose body breaks off: the client sees its connection lost.
fn cut_connection() -> Response {
    let broken = futures::stream::once(async {
        Err::<axum::body::Bytes, _>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "outage",
        ))
    });
    (
        [("content-type", "application/json")],
        axum::body::Body::from_stream(broken),
    )
        .into_response()
}

struct Fake {
    breakage: Breakage,
    outage: Option<Outage>,
    topics: Mutex<HashMap<String, TopicState>>,
    changed: tokio::sync::Notify,
}

impl Fake {
    fn store(&self, topic: &str, text: String) {
        let mut all = self.topics.lock().unwrap();
        let t = all.entry(topic.to_owned()).or_default();
        if t.next == 0 {
            t.next = 1;
        }
        t.publishes += 1;
        let push = |t: &mut TopicState, p: String| {
            t.messages.push((t.next, p));
            t.next += if self.breakage == Breakage::SkippedNumbers {
                2
            } else {
                1
            };
        };
        match self.breakage {
            Breakage::Loss if t.publishes.is_multiple_of(3) => {}
            Breakage::Reorder => match t.held.take() {
                None => t.held = Some(text),
                Some(first) => {
                    push(t, text);
                    push(t, first);
                }
            },
            Breakage::Phantom => {
                push(t, text);
                if t.publishes.is_multiple_of(2) {
                    push(t, format!("phantom-{}", t.publishes));
                }
            }
            _ => push(t, text),
        }
        drop(all);
        self.changed.notify_waiters();
    }

    /// The answer to a poll naming `(n, p)`, or `None` to wait.
    fn answer(&self, topic: &str, n: u64, p: u64) -> Option<Vec<Value>> {
        let mut all = self.topics.lock().unwrap();
        let t = all.entry(topic.to_owned()).or_default();
        if t.next == 0 {
            t.next = 1;
        }
        let first = t.messages.first().map_or(t.next, |m| m.0);
        let item = |(seq, text): &(u64, String)| json!({"item": {"topic_sequence_number": seq, "sequence_page": PAGE, "value": {"text": text}}});
        let mut out = Vec::new();
        let from = if n == 0 {
            t.next
        } else {
            let stale = p != 0 && p != PAGE;
            let valid = n >= first && n <= t.next;
            if (stale && self.breakage != Breakage::SilentStalePage) || !valid {
                let last = if self.breakage == Breakage::WrongLast {
                    n
                } else {
                    n - 1
                };
                let mut d = json!({"last_topic_sequence": last, "new_topic_sequence": first});
                if self.breakage != Breakage::DiscontinuityWithoutPage {
                    d["new_sequence_page"] = json!(PAGE);
                }
                out.push(json!({ "discontinuity": d }));
                first
            } else {
                n
            }
        };
        let owed: Vec<&(u64, String)> = t.messages.iter().filter(|m| m.0 >= from).collect();
        if self.breakage == Breakage::Repeat
            && !owed.is_empty()
            && let Some(before) = t.messages.iter().rev().find(|m| m.0 < from)
        {
            out.push(item(before));
        }
        out.extend(owed.into_iter().map(item));
        if out.is_empty() {
            if self.breakage == Breakage::NoWait {
                return Some(out);
            }
            return None;
        }
        Some(out)
    }
}

async fn fake_publish(
    State(fake): State<Arc<Fake>>,
    Path((cache, topic)): Path<(String, String)>,
    body: String,
) -> Response {
    if cache != "cache" {
        return (StatusCode::NOT_FOUND, "Cache Not Found").into_response();
    }
    fake.store(&topic, body);
    StatusCode::NO_CONTENT.into_response()
}

async fn fake_subscribe(
    State(fake): State<Arc<Fake>>,
    Path((cache, topic)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if cache != "cache" {
        return (StatusCode::NOT_FOUND, "Cache Not Found").into_response();
    }
    if fake.outage.as_ref().is_some_and(Outage::cuts) {
        return cut_connection();
    }
    let num = |k: &str| q.get(k).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    let (mut n, p) = (num("sequence_number"), num("sequence_page"));
    if n == 0 {
        // From now on: the next number.
        let mut all = fake.topics.lock().unwrap();
        let t = all.entry(topic.clone()).or_default();
        n = t.next.max(1);
    }
    // 1 s: long enough for a check under load to publish into it.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(1);
    let items = loop {
        let notified = fake.changed.notified();
        if let Some(items) = fake.answer(&topic, n, p) {
            break items;
        }
        if tokio::time::timeout_at(deadline, notified).await.is_err() {
            break fake.answer(&topic, n, p).unwrap_or_default();
        }
        if fake.breakage == Breakage::WokenLate {
            tokio::time::sleep(Duration::from_millis(1500)).await;
        }
    };
    (
        [("content-type", "application/json")],
        json!({ "items": items }).to_string(),
    )
        .into_response()
}

/// Run `ids` (the run-wide history checks included when named) against a
/// fake server with `breakage`.
pub async fn run_broken(breakage: Breakage, ids: &[&str]) -> HashMap<String, CheckResult> {
    run_broken_with(breakage, None, ids).await
}

/// [`run_broken`], with subscribe connections cut as `outage` says.
pub async fn run_broken_with(
    breakage: Breakage,
    outage: Option<Outage>,
    ids: &[&str],
) -> HashMap<String, CheckResult> {
    let fake = Arc::new(Fake {
        breakage,
        outage,
        topics: Mutex::new(HashMap::new()),
        changed: tokio::sync::Notify::new(),
    });
    let app = Router::new()
        .route(
            "/topics/{cache}/{topic}",
            post(fake_publish).get(fake_subscribe),
        )
        .with_state(fake);
    let url = serve(app).await;
    let target = Target::endpoint(&url, "secret-token", "cache", Pacing::UNPACED).await;
    run_checks(target, ids, Duration::from_secs(30)).await
}

/// `id` did not pass, and its detail names every word of `naming`.
pub fn caught(results: &HashMap<String, CheckResult>, id: &str, naming: &[&str]) {
    let r = &results[id];
    assert!(
        matches!(r.outcome, Outcome::Fail | Outcome::Differs),
        "{id} should have caught it: {r:?}"
    );
    for word in naming {
        assert!(
            r.detail.contains(word),
            "{id} should name {word:?}: {}",
            r.detail
        );
    }
}

pub const DELIVERY: &str = "subscribe.history.delivery";
pub const NUMBERING: &str = "subscribe.history.numbering";
