//! Subscribe (SPEC §4): the batch shape, values, numbering, statuses, the
//! empty batch after the wait, and what several subscribers see (run through
//! the history checker).

use super::{batch_fail, check, collect, items, poll, poll_while_publishing, publish_ok};
use crate::history::{Event, History};
use crate::registry::Check;
use crate::target::{CheckError, Failure, Req, Target};
use base64::Engine as _;
use serde_json::json;
use std::sync::Arc;

pub(super) fn checks() -> Vec<Check> {
    vec![
        check!("subscribe.batch.200", D, "§4", false, batch_200),
        check!(
            "subscribe.item.sequence-page",
            D,
            "§4",
            false,
            item_has_page
        ),
        check!("subscribe.text.round-trip", D, "§4", false, text_round_trip),
        check!("subscribe.binary.base64", I, "§4", false, binary_round_trip),
        check!(
            "subscribe.binary.standard-padded",
            C,
            "§4",
            false,
            binary_standard_padded
        ),
        check!(
            "subscribe.numbering.starts-at-1",
            I,
            "§4",
            false,
            starts_at_1
        ),
        check!("subscribe.numbering.plus-one", I, "§4", false, plus_one),
        check!(
            "subscribe.subscribers-agree",
            I,
            "§4",
            false,
            subscribers_agree
        ),
        check!(
            "subscribe.empty-batch-after-wait",
            C,
            "§4",
            false,
            empty_batch,
            75
        ),
        check!(
            "subscribe.unknown-cache.404",
            D,
            "§4",
            false,
            unknown_cache_404
        ),
        check!("subscribe.rate-limit.429", D, "§4 §8", true, fault_429),
        check!("subscribe.server-error.500", D, "§4", true, fault_500),
        check!(
            "subscribe.bad-sequence-number.400",
            C,
            "§4",
            false,
            bad_sequence_number
        ),
    ]
}

async fn batch_200(t: Arc<Target>) -> Result<(), CheckError> {
    let topic = t.fresh_topic("batch");
    let b = poll_while_publishing(t.clone(), &topic, 0, 0, &["one"]).await?;
    let ct = b.resp.header("content-type").unwrap_or_default();
    if !ct.starts_with("application/json") {
        return Err(batch_fail(
            &t,
            "a subscribe answer is application/json",
            "Content-Type: application/json",
            &b,
        ));
    }
    if items(&b.events).is_empty() {
        return Err(batch_fail(
            &t,
            "a long poll answers once a message is published",
            "at least one item",
            &b,
        ));
    }
    Ok(())
}

async fn item_has_page(t: Arc<Target>) -> Result<(), CheckError> {
    let topic = t.fresh_topic("page");
    let b = poll_while_publishing(t.clone(), &topic, 0, 0, &["p"]).await?;
    let body = b.resp.json().unwrap_or_default();
    let has = body["items"]
        .as_array()
        .and_then(|a| a.iter().find_map(|e| e.get("item")))
        .and_then(|i| i.get("sequence_page"))
        .is_some_and(|p| p.is_u64());
    if !has {
        return Err(batch_fail(
            &t,
            "items carry sequence_page (newer docs)",
            "item.sequence_page, a number",
            &b,
        ));
    }
    Ok(())
}

async fn text_round_trip(t: Arc<Target>) -> Result<(), CheckError> {
    let topic = t.fresh_topic("text-rt");
    let text = "héllo wörld ✓ \"quoted\"\nline";
    let b = poll_while_publishing(t.clone(), &topic, 0, 0, &[text]).await?;
    if items(&b.events).first().map(|i| i.2.as_str()) != Some(text) {
        return Err(batch_fail(
            &t,
            "text comes back exactly as published, as value.text",
            &format!("value {{\"text\": {text:?}}}"),
            &b,
        ));
    }
    Ok(())
}

const BYTES: [u8; 7] = [0, 0xfb, 0xff, 0x3e, 0x3f, 0x80, 1];

async fn publish_binary(t: Arc<Target>, topic: &str) -> Result<super::Batch, CheckError> {
    let poller = {
        let t = t.clone();
        let topic = topic.to_owned();
        tokio::spawn(async move { poll(&t, &topic, 0, 0).await })
    };
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let req = Req::publish_bytes(&t.cache, topic, t.token(), &BYTES);
    t.expect_status("publishing bytes answers 204", &req, 204)
        .await?;
    poller.await.map_err(|e| {
        CheckError::Fail(Failure {
            behaviour: "subscriber task".into(),
            expected: "an answer".into(),
            actual: e.to_string(),
            repro: None,
        })
    })?
}

async fn binary_round_trip(t: Arc<Target>) -> Result<(), CheckError> {
    let topic = t.fresh_topic("bin-rt");
    let b = publish_binary(t.clone(), &topic).await?;
    let got = items(&b.events)
        .first()
        .and_then(|i| i.2.strip_prefix("binary:").map(str::to_owned))
        .and_then(|s| super::decode_any_base64(&s));
    if got.as_deref() != Some(&BYTES[..]) {
        return Err(batch_fail(
            &t,
            "bytes come back identical as value.binary (base64)",
            &format!("value.binary decoding to {BYTES:?}"),
            &b,
        ));
    }
    Ok(())
}

async fn binary_standard_padded(t: Arc<Target>) -> Result<(), CheckError> {
    let topic = t.fresh_topic("bin-std");
    let b = publish_binary(t.clone(), &topic).await?;
    let want = base64::engine::general_purpose::STANDARD.encode(BYTES);
    let got = items(&b.events)
        .first()
        .and_then(|i| i.2.strip_prefix("binary:").map(str::to_owned));
    if got.as_deref() != Some(want.as_str()) {
        return Err(batch_fail(
            &t,
            "binary values are standard padded base64",
            &format!("value.binary == {want:?}"),
            &b,
        ));
    }
    Ok(())
}

async fn starts_at_1(t: Arc<Target>) -> Result<(), CheckError> {
    let topic = t.fresh_topic("first");
    let b = poll_while_publishing(t.clone(), &topic, 0, 0, &["first"]).await?;
    if items(&b.events).first().map(|i| i.0) != Some(1) {
        return Err(batch_fail(
            &t,
            "a fresh topic numbers its first message 1",
            "topic_sequence_number 1",
            &b,
        ));
    }
    Ok(())
}

async fn plus_one(t: Arc<Target>) -> Result<(), CheckError> {
    let topic = t.fresh_topic("plus-one");
    let b = poll_while_publishing(t.clone(), &topic, 0, 0, &["m0"]).await?;
    let Some((first, page, _)) = items(&b.events).first().cloned() else {
        return Err(batch_fail(
            &t,
            "a poll answers with the message",
            "an item",
            &b,
        ));
    };
    for i in 1..5 {
        publish_ok(&t, &topic, &format!("m{i}")).await?;
    }
    let (events, req) = collect(&t, &topic, first, page, 5).await?;
    let numbers: Vec<u64> = items(&events).iter().map(|i| i.0).collect();
    let want: Vec<u64> = (first..first + 5).collect();
    if numbers != want {
        return Err(CheckError::Fail(Failure {
            behaviour: "each message's number is the previous one + 1".into(),
            expected: format!("{want:?}"),
            actual: format!("{numbers:?}"),
            repro: Some(t.curl(&req)),
        }));
    }
    Ok(())
}

async fn subscribers_agree(t: Arc<Target>) -> Result<(), CheckError> {
    let topic = t.fresh_topic("agree");
    let subs: Vec<String> = (0..3).map(|i| format!("subscriber-{i}")).collect();
    let payloads: Vec<String> = (0..6).map(|i| format!("agree-{i}")).collect();
    let mut tasks = Vec::new();
    for name in &subs {
        let t = t.clone();
        let topic = topic.clone();
        let name = name.clone();
        tasks.push(tokio::spawn(async move {
            let first = poll(&t, &topic, 0, 0).await?;
            let mut events = first.events.clone();
            let (s, p) = match events.last() {
                Some(Event::Item { seq, page, .. }) => (seq + 1, *page),
                Some(Event::Discontinuity { new, new_page, .. }) => (*new, *new_page),
                None => (0, 0),
            };
            let have = items(&events).len();
            if have < 6 {
                let (more, _) = collect(&t, &topic, s, p, 6 - have).await?;
                events.extend(more);
            }
            Ok::<_, CheckError>((name, events))
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    for p in &payloads {
        publish_ok(&t, &topic, p).await?;
    }
    let mut history = History::default();
    for task in tasks {
        let (name, events) = task.await.map_err(|e| {
            CheckError::Fail(Failure {
                behaviour: "subscriber task".into(),
                expected: "an answer".into(),
                actual: e.to_string(),
                repro: None,
            })
        })??;
        for p in &payloads {
            history.published(&name, p);
        }
        for e in events {
            history.record(&name, e);
        }
    }
    let violations = history.check();
    if let Ok(mut all) = t.history.lock() {
        for (name, evs) in &history.subscribers {
            for e in evs {
                all.record(&format!("{topic}/{name}"), e.clone());
            }
        }
    }
    if !violations.is_empty() {
        return Err(CheckError::Fail(Failure {
            behaviour: "three subscribers see every message with the same numbers, no gaps, duplicates or reorders".into(),
            expected: "no violations".into(),
            actual: violations
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
            repro: Some(t.curl(&Req::subscribe(&t.cache, &topic, t.token(), 0, 0))),
        }));
    }
    Ok(())
}

async fn empty_batch(t: Arc<Target>) -> Result<(), CheckError> {
    let topic = t.fresh_topic("empty");
    let b = poll(&t, &topic, 0, 0).await?;
    if !b.events.is_empty() {
        return Err(batch_fail(
            &t,
            "a poll with nothing to deliver answers {\"items\": []} after the wait",
            "{\"items\": []}",
            &b,
        ));
    }
    Ok(())
}

async fn unknown_cache_404(t: Arc<Target>) -> Result<(), CheckError> {
    let req = Req::subscribe(&t.missing_cache(), "t", t.token(), 0, 0);
    t.expect_status(
        "subscribe to an unknown cache answers 404 (Cache Not Found)",
        &req,
        404,
    )
    .await?;
    Ok(())
}

async fn fault_429(t: Arc<Target>) -> Result<(), CheckError> {
    let topic = t.fresh_topic("sub-429");
    let req = Req::subscribe(&t.cache, &topic, t.token(), 0, 0);
    super::injected_429_has_retry_after(&t, "subscribe", &topic, req).await
}

async fn fault_500(t: Arc<Target>) -> Result<(), CheckError> {
    let topic = t.fresh_topic("sub-500");
    t.inject_fault("subscribe", &topic, 1, json!({"status": 500}))
        .await?;
    let req = Req::subscribe(&t.cache, &topic, t.token(), 0, 0);
    t.expect_status("a server fault on subscribe answers 500", &req, 500)
        .await?;
    Ok(())
}

async fn bad_sequence_number(t: Arc<Target>) -> Result<(), CheckError> {
    let topic = t.fresh_topic("bad-seq");
    let mut req = Req::subscribe(&t.cache, &topic, t.token(), 0, 0);
    req.query[0].1 = "minus-one".into();
    t.expect_status(
        "a sequence_number that is not a number answers 400",
        &req,
        400,
    )
    .await?;
    Ok(())
}
