//! The checks, one file per behaviour group, and the helpers they share.
//!
//! [`all`] is the registry: `cargo xtask conformance`, the binary and
//! `tests/certify.rs` run exactly this list.

mod auth;
mod cache;
mod discontinuity;
mod errors;
mod publish_status;
mod subscribe;
mod subscribe_resume;
pub mod webhooks;

use crate::history::Event;
use crate::registry::Check;
use crate::target::{CheckError, Failure, Req, Resp, Target};
use base64::Engine as _;
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, Instant};

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
            run: |t| Box::pin($f(t)),
        }
    };
}
pub(crate) use check;

/// Every check, in report order.
pub fn all() -> Vec<Check> {
    let mut v = Vec::new();
    v.extend(publish_status::checks());
    v.extend(auth::checks());
    v.extend(subscribe::checks());
    v.extend(subscribe_resume::checks());
    v.extend(discontinuity::checks());
    v.extend(errors::checks());
    v.extend(webhooks::checks());
    v.extend(cache::checks());
    v
}

/// Publish text with the suite's token; anything but 204 fails.
pub(crate) async fn publish_ok(t: &Target, topic: &str, text: &str) -> Result<(), CheckError> {
    let req = Req::publish_text(&t.cache, topic, t.token(), text);
    t.expect_status("publishing text answers 204 (SPEC §3)", &req, 204)
        .await
        .map(|_| ())
}

/// One answered poll and what it held.
pub(crate) struct Batch {
    pub req: Req,
    pub resp: Resp,
    pub events: Vec<Event>,
}

/// Parse a 200 subscribe body into events, checking the shape of SPEC §4.
pub(crate) fn parse_batch(t: &Target, req: &Req, resp: &Resp) -> Result<Vec<Event>, Failure> {
    let bad = |what: &str| Failure {
        behaviour: format!("a subscribe answer has the shape of SPEC §4 ({what})"),
        expected: "{\"items\": [{\"item\": {...}} | {\"discontinuity\": {...}}, ...]}".into(),
        actual: resp.describe(),
        repro: Some(t.curl(req)),
    };
    let v: Value = resp.json().ok_or_else(|| bad("body is JSON"))?;
    let items = v
        .get("items")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("`items` is an array"))?;
    let mut events = Vec::new();
    for el in items {
        let obj = el
            .as_object()
            .ok_or_else(|| bad("each element is an object"))?;
        if obj.len() != 1 {
            return Err(bad("each element has exactly one key"));
        }
        if let Some(item) = obj.get("item") {
            let seq = item
                .get("topic_sequence_number")
                .and_then(Value::as_u64)
                .ok_or_else(|| bad("item.topic_sequence_number is a number"))?;
            let page = item
                .get("sequence_page")
                .and_then(Value::as_u64)
                .unwrap_or(0);
            let value = item
                .get("value")
                .and_then(Value::as_object)
                .ok_or_else(|| bad("item.value is an object"))?;
            let payload = if let Some(text) = value.get("text").and_then(Value::as_str) {
                text.to_owned()
            } else if let Some(b) = value.get("binary").and_then(Value::as_str) {
                format!("binary:{b}")
            } else {
                return Err(bad("item.value has `text` or `binary`"));
            };
            events.push(Event::Item { seq, page, payload });
        } else if let Some(d) = obj.get("discontinuity") {
            let num = |k: &str| d.get(k).and_then(Value::as_u64);
            let last = num("last_topic_sequence")
                .ok_or_else(|| bad("discontinuity.last_topic_sequence is a number"))?;
            let new = num("new_topic_sequence")
                .ok_or_else(|| bad("discontinuity.new_topic_sequence is a number"))?;
            events.push(Event::Discontinuity {
                last,
                new,
                new_page: num("new_sequence_page").unwrap_or(0),
            });
        } else {
            return Err(bad("the key is `item` or `discontinuity`"));
        }
    }
    Ok(events)
}

/// One poll that must answer 200 with a well-formed batch.
pub(crate) async fn poll(
    t: &Target,
    topic: &str,
    seq: u64,
    page: u64,
) -> Result<Batch, CheckError> {
    let req = Req::subscribe(&t.cache, topic, t.token(), seq, page);
    let resp = t
        .expect_status("subscribing answers 200 (SPEC §4)", &req, 200)
        .await?;
    let events = parse_batch(t, &req, &resp)?;
    Ok(Batch { req, resp, events })
}

/// Start a poll, publish `payloads` once it is waiting, return its answer.
pub(crate) async fn poll_while_publishing(
    t: Arc<Target>,
    topic: &str,
    seq: u64,
    page: u64,
    payloads: &[&str],
) -> Result<Batch, CheckError> {
    let poller = {
        let t = t.clone();
        let topic = topic.to_owned();
        tokio::spawn(async move { poll(&t, &topic, seq, page).await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    for p in payloads {
        publish_ok(&t, topic, p).await?;
    }
    match poller.await {
        Ok(r) => r,
        Err(e) => Err(CheckError::Fail(Failure {
            behaviour: "the subscribing task ended".into(),
            expected: "an answer".into(),
            actual: e.to_string(),
            repro: None,
        })),
    }
}

/// Poll from `(seq, page)` until `n` items arrived (or 5 s passed), following
/// the cursor rule; returns every event in order.
pub(crate) async fn collect(
    t: &Target,
    topic: &str,
    mut seq: u64,
    mut page: u64,
    n: usize,
) -> Result<(Vec<Event>, Req), CheckError> {
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut events = Vec::new();
    let mut last_req = Req::subscribe(&t.cache, topic, t.token(), seq, page);
    while events
        .iter()
        .filter(|e| matches!(e, Event::Item { .. }))
        .count()
        < n
        && Instant::now() < deadline
    {
        let b = poll(t, topic, seq, page).await?;
        for e in &b.events {
            match e {
                Event::Item {
                    seq: s, page: p, ..
                } => {
                    seq = s + 1;
                    page = *p;
                }
                Event::Discontinuity { new, new_page, .. } => {
                    seq = *new;
                    page = *new_page;
                }
            }
        }
        events.extend(b.events);
        last_req = b.req;
    }
    Ok((events, last_req))
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

/// Decode base64 in any of the accepted variants (SPEC §4).
pub(crate) fn decode_any_base64(s: &str) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    [STANDARD, URL_SAFE, STANDARD_NO_PAD, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|e| e.decode(s).ok())
}

/// A failure built from a batch.
pub(crate) fn batch_fail(t: &Target, behaviour: &str, expected: &str, b: &Batch) -> CheckError {
    CheckError::Fail(t.fail(behaviour, expected, &b.req, &b.resp))
}

/// Arms a one-shot 429 fault for `operation` on `req`'s topic and checks that
/// the answer is 429 with `Retry-After` (SPEC §8), whatever the operation.
pub(crate) async fn injected_429_has_retry_after(
    t: &Target,
    operation: &str,
    topic: &str,
    req: Req,
) -> Result<(), CheckError> {
    t.inject_fault(
        operation,
        topic,
        1,
        serde_json::json!({"status": 429, "retry_after_seconds": 1}),
    )
    .await?;
    let req = Req {
        want_429: true,
        ..req
    };
    let resp = t
        .expect_status(&format!("{operation} over a limit answers 429"), &req, 429)
        .await?;
    if resp.header("retry-after").is_none() {
        return Err(t
            .fail(
                "a 429 carries Retry-After",
                "a Retry-After header",
                &req,
                &resp,
            )
            .into());
    }
    Ok(())
}
