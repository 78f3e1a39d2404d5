//! The checks, one file per behaviour group, and what they share: the
//! suite's [`Subscriber`] (a cursor-following long poller whose every answer
//! is validated against the spec's `SubscribeResponse` schema and recorded
//! in the run's history) and publishing.
//!
//! [`all`] is the registry: `cargo xtask conformance`, the binary and
//! `tests/certify.rs` run exactly this list.

mod auth;
mod cache;
mod connection;
mod discontinuity;
mod emulator;
mod errors;
mod long_poll;
mod publish_status;
mod run_history;
mod subscribe;
mod subscribe_resume;
mod waiting_poll;
pub mod webhooks;

use crate::failure::{CheckError, Failure};
use crate::history::{self, Event, payload_key};
use crate::registry::Check;
use crate::request::{Req, Resp};
use crate::schema::SubscribeResponseValidator;
use crate::target::{Line, Target};
use momento_http::wire;
use std::sync::Arc;
use std::time::Duration;

/// Build a [`Check`]: `check!(id, evidence, "§n", admin, fn)` (10 s budget)
/// or with a budget in seconds as the last argument.
macro_rules! check {
    ($id:expr, $ev:ident, $spec:expr, $admin:expr, $f:path) => {
        check!($id, $ev, $spec, $admin, $f, 10)
    };
    ($id:expr, $ev:ident, $spec:expr, $admin:expr, $f:path, $secs:expr) => {
        $crate::registry::Check {
            id: $id,
            evidence: $crate::report::Evidence::$ev,
            spec: $spec,
            needs_admin: $admin,
            budget: std::time::Duration::from_secs($secs),
            after_all: false,
            run: |t| Box::pin($f(t)),
        }
    };
}
pub(crate) use check;
pub(crate) use waiting_poll::{
    POLL_HEAD_START, poll_while, poll_while_publishing, poll_while_timed, publish_ahead,
};

/// Every check, in report order.
pub fn all() -> Vec<Check> {
    let mut v = Vec::new();
    v.extend(publish_status::checks());
    v.extend(auth::checks());
    v.extend(subscribe::checks());
    v.extend(long_poll::checks());
    v.extend(subscribe_resume::checks());
    v.extend(discontinuity::checks());
    v.extend(errors::checks());
    v.extend(webhooks::checks());
    v.extend(cache::checks());
    v.extend(emulator::checks());
    // Last: they judge the history every check before them recorded.
    v.extend(run_history::checks());
    v
}

/// Publish text with the suite's token; anything but 204 fails.
pub(crate) async fn publish_ok(t: &Target, topic: &str, text: &str) -> Result<(), CheckError> {
    let req = Req::publish_text(&t.cache, topic, t.token(), text);
    t.expect_status("publishing text answers 204 (docs/api.md §3)", &req, 204)
        .await
        .map(|_| ())
}

/// One answered poll and what it held.
pub(crate) struct Batch {
    pub req: Req,
    pub resp: Resp,
    /// The elements as the spec's generated types read them.
    pub elements: Vec<wire::SubscribeElement>,
    /// The same, as the history checker sees them.
    pub events: Vec<Event>,
}

/// Validate a 200 subscribe body against the spec's `SubscribeResponse`
/// schema, then read it with the generated wire types.
pub(crate) fn parse_batch(
    t: &Target,
    req: &Req,
    resp: &Resp,
) -> Result<(Vec<wire::SubscribeElement>, Vec<Event>), Failure> {
    let bad = |what: String| Failure {
        behaviour: "a subscribe answer matches the spec's SubscribeResponse (docs/api.md §4)"
            .into(),
        expected: format!("no schema errors; found {what}"),
        actual: resp.describe(),
        repro: Some(t.curl(req)),
    };
    let body: serde_json::Value = resp
        .json()
        .ok_or_else(|| bad("a body that is not JSON".into()))?;
    let validator = SubscribeResponseValidator::shared()
        .map_err(|e| Failure::new("the SubscribeResponse schema loads", "a schema", e))?;
    let problems = validator.problems(&body);
    if !problems.is_empty() {
        return Err(bad(problems.join("; ")));
    }
    let parsed: wire::SubscribeResponse =
        serde_json::from_value(body).map_err(|e| bad(e.to_string()))?;
    let events = parsed.items.iter().map(event_of).collect();
    Ok((parsed.items, events))
}

/// One wire element as the history checker sees it: payloads by
/// [`payload_key`], absent pages as 0.
pub(crate) fn event_of(e: &wire::SubscribeElement) -> Event {
    match e {
        wire::SubscribeElement::Item(i) => Event::Item {
            seq: i.topic_sequence_number,
            page: i.sequence_page.unwrap_or(0),
            payload: match &i.value {
                wire::TopicValue::Text(s) => s.clone(),
                wire::TopicValue::Binary(b) => match decode_any_base64(b) {
                    Some(bytes) => payload_key(&bytes),
                    None => format!("undecodable-base64:{b}"),
                },
            },
        },
        wire::SubscribeElement::Discontinuity(d) => Event::Discontinuity {
            last: d.last_topic_sequence,
            new: d.new_topic_sequence,
            new_page: d.new_sequence_page.unwrap_or(0),
        },
    }
}

/// One of the suite's subscribers: it follows the cursor rule (after an
/// item, its number + 1 and page; after a discontinuity, the new number and
/// page) and records its start and every event in the run's history, so the
/// run-wide check judges it against what was published.
pub(crate) struct Subscriber {
    t: Arc<Target>,
    topic: String,
    name: String,
    /// Its connection: polls go out on it (see `target/line.rs`).
    line: Line,
    /// The round trip that opened [`Subscriber::line`], once it is open.
    opened_in: Option<Duration>,
    /// The `sequence_number` of the next poll.
    pub seq: u64,
    /// The `sequence_page` of the next poll.
    pub page: u64,
    /// Connections lost under this subscriber, in words: what it was
    /// waiting for, the error, and how long until the connection came back
    /// (or that it did not); [`Subscriber::connection_report`] puts them in
    /// failure details.
    pub connection_events: Vec<String>,
}

impl Subscriber {
    /// A subscriber of `topic` whose first poll names `(seq, page)`.
    pub fn new(t: &Arc<Target>, topic: &str, seq: u64, page: u64) -> Subscriber {
        let name = t.fresh_name("subscriber");
        t.history_of(topic, |h| h.start(&name, seq, page));
        Subscriber {
            t: t.clone(),
            topic: topic.to_owned(),
            name,
            line: t.line(),
            opened_in: None,
            seq,
            page,
            connection_events: Vec::new(),
        }
    }

    /// "From now on": `(0, 0)`.
    pub fn from_now(t: &Arc<Target>, topic: &str) -> Subscriber {
        Subscriber::new(t, topic, 0, 0)
    }

    /// The request the next poll sends.
    pub fn next_request(&self) -> Req {
        Req {
            listener: Some(self.name.clone()),
            ..Req::subscribe(
                &self.t.cache,
                &self.topic,
                self.t.token(),
                self.seq,
                self.page,
            )
        }
    }

    /// Open this subscriber's connection before its first poll; the
    /// round trip, set-up included (measured once: later calls answer the
    /// same figure without a request).
    pub async fn warm_up(&mut self) -> Result<Duration, Failure> {
        if let Some(opened_in) = self.opened_in {
            return Ok(opened_in);
        }
        let opened_in = self.t.warm(&self.line).await?;
        self.opened_in = Some(opened_in);
        Ok(opened_in)
    }

    /// `payload` is published while this subscriber listens: it must
    /// arrive (or be announced as gone).
    pub fn expect(&self, payload: &str) {
        self.t
            .history_of(&self.topic, |h| h.expect(&self.name, payload));
    }

    /// ` (a subscriber waiting for #N on page P lost its connection (...);
    /// restored after ...)` when any was, for failure details: each entry
    /// is a whole sentence.
    pub fn connection_report(&self) -> String {
        if self.connection_events.is_empty() {
            String::new()
        } else {
            format!(" ({})", self.connection_events.join("; "))
        }
    }

    /// One poll that must answer 200 with a body the schema accepts. A
    /// lost connection is retried for a while (see `connection.rs`) and
    /// recorded; one that does not come back fails the check, saying so.
    pub async fn poll(&mut self) -> Result<Batch, CheckError> {
        let req = self.next_request();
        let polled =
            connection::poll_through_outage(&self.t, &self.line, &req, self.seq, self.page).await;
        if let Some(loss) = polled.loss {
            self.connection_events.push(loss);
        }
        let resp = match polled.result {
            Ok(r) => r,
            Err(mut f) => {
                // Earlier losses, too: they may explain this one.
                if self.connection_events.len() > 1 {
                    let earlier = &self.connection_events[..self.connection_events.len() - 1];
                    f.actual
                        .push_str(&format!(" (earlier: {})", earlier.join("; ")));
                }
                return Err(f.into());
            }
        };
        if resp.status != 200 {
            return Err(self
                .t
                .fail(
                    "subscribing answers 200 (docs/api.md §4)",
                    "status 200",
                    &req,
                    &resp,
                )
                .into());
        }
        let (elements, events) = parse_batch(&self.t, &req, &resp)?;
        self.t.history_of(&self.topic, |h| {
            for e in &events {
                h.record(&self.name, e.clone());
            }
        });
        // In the order delivered: a discontinuity listed after the item it
        // announces (the docs' example) does not send the cursor back.
        for e in history::delivery_order(&events)
            .into_iter()
            .map(|i| &events[i])
        {
            (self.seq, self.page) = match e {
                Event::Item { seq, page, .. } => (seq + 1, *page),
                Event::Discontinuity { new, new_page, .. } => (*new, *new_page),
            };
        }
        Ok(Batch {
            req,
            resp,
            elements,
            events,
        })
    }

    /// Poll until `n` items arrived (or the endpoint took 5 s: the suite's
    /// queue not counted); every event in order and the last request.
    pub async fn collect(&mut self, n: usize) -> Result<(Vec<Event>, Req), CheckError> {
        let deadline = self.t.clock().active() + Duration::from_secs(5);
        let mut events = Vec::new();
        let mut last_req = self.next_request();
        while items(&events).len() < n && self.t.clock().active() < deadline {
            let b = self.poll().await?;
            events.extend(b.events);
            last_req = b.req;
        }
        Ok((events, last_req))
    }
}

/// The items of a batch as (seq, page, payload).
pub(crate) fn items(events: &[Event]) -> Vec<(u64, u64, String)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Item { seq, page, payload } => Some((*seq, *page, payload.clone())),
            Event::Discontinuity { .. } => None,
        })
        .collect()
}

/// Decode base64 in any of the accepted variants (docs/api.md §4).
pub(crate) fn decode_any_base64(s: &str) -> Option<Vec<u8>> {
    momento_http::codec::decode_base64_lenient(s).ok()
}

/// A failure built from a batch.
pub(crate) fn batch_fail(t: &Target, behaviour: &str, expected: &str, b: &Batch) -> CheckError {
    CheckError::Fail(t.fail(behaviour, expected, &b.req, &b.resp))
}
