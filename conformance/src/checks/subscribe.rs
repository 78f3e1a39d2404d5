//! Subscribe (docs/api.md §4): the batch shape, values, numbering, the long
//! poll's wait, statuses, and what several subscribers see (judged by the
//! history checker against what was published).

use super::{
    Subscriber, batch_fail, check, items, poll_while, poll_while_publishing, publish_ahead,
    publish_ok,
};
use crate::failure::{CheckError, Failure, task_failed};
use crate::registry::Check;
use crate::request::Req;
use crate::target::Target;
use base64::Engine as _;
use momento_http::wire;
use std::sync::Arc;

pub(super) fn checks() -> Vec<Check> {
    vec![
        check!("subscribe.batch.200", D, "§4", false, batch_200),
        check!(
            "subscribe.item.sequence-page",
            C,
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
            "subscribe.numbering.starts-at-0-or-1",
            I,
            "§4",
            false,
            starts_at_0_or_1
        ),
        check!(
            "subscribe.numbering.starts-at-1",
            C,
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
            "subscribe.unknown-cache.404",
            D,
            "§4",
            false,
            unknown_cache_404
        ),
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
    let (_, b) = poll_while_publishing(&t, &topic, &["one"]).await?;
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
    let (_, b) = poll_while_publishing(&t, &topic, &["p"]).await?;
    let has = b.elements.iter().any(|e| {
        matches!(
            e,
            wire::SubscribeElement::Item(wire::TopicItem {
                sequence_page: Some(_),
                ..
            })
        )
    });
    if !has {
        return Err(batch_fail(
            &t,
            "items carry sequence_page, as the newer docs show (older answers carry none)",
            "item.sequence_page, a number",
            &b,
        ));
    }
    Ok(())
}

async fn text_round_trip(t: Arc<Target>) -> Result<(), CheckError> {
    let topic = t.fresh_topic("text-rt");
    let text = "héllo wörld ✓ \"quoted\"\nline";
    let (_, b) = poll_while_publishing(&t, &topic, &[text]).await?;
    let first_text = b.elements.iter().find_map(|e| match e {
        wire::SubscribeElement::Item(i) => match &i.value {
            wire::TopicValue::Text(s) => Some(s.as_str()),
            wire::TopicValue::Binary(_) => None,
        },
        wire::SubscribeElement::Discontinuity(_) => None,
    });
    if first_text != Some(text) {
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

/// Publish [`BYTES`] while a poll waits; the answer and its first binary value.
async fn publish_binary(
    t: &Arc<Target>,
    topic: &str,
) -> Result<(super::Batch, Option<String>), CheckError> {
    let sub = Subscriber::from_now(t, topic);
    let req = Req::publish_bytes(&t.cache, topic, t.token(), &BYTES);
    let (_, b) = poll_while(t, sub, async || publish_ahead(t, &req).await.map(|_| ())).await?;
    let binary = b.elements.iter().find_map(|e| match e {
        wire::SubscribeElement::Item(i) => match &i.value {
            wire::TopicValue::Binary(s) => Some(s.clone()),
            wire::TopicValue::Text(_) => None,
        },
        wire::SubscribeElement::Discontinuity(_) => None,
    });
    Ok((b, binary))
}

async fn binary_round_trip(t: Arc<Target>) -> Result<(), CheckError> {
    let topic = t.fresh_topic("bin-rt");
    let (b, binary) = publish_binary(&t, &topic).await?;
    let got = binary.and_then(|s| super::decode_any_base64(&s));
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
    let (b, binary) = publish_binary(&t, &topic).await?;
    let want = base64::engine::general_purpose::STANDARD.encode(BYTES);
    if binary.as_deref() != Some(want.as_str()) {
        return Err(batch_fail(
            &t,
            "binary values are standard padded base64",
            &format!("value.binary == {want:?}"),
            &b,
        ));
    }
    Ok(())
}

/// A fresh topic's first message numbered as one of `allowed`.
async fn first_number_is(
    t: &Arc<Target>,
    allowed: &[u64],
    behaviour: &str,
    expected: &str,
) -> Result<(), CheckError> {
    let topic = t.fresh_topic("first");
    let (_, b) = poll_while_publishing(t, &topic, &["first"]).await?;
    match items(&b.events).first() {
        Some(first) if allowed.contains(&first.0) => Ok(()),
        _ => Err(batch_fail(t, behaviour, expected, &b)),
    }
}

async fn starts_at_0_or_1(t: Arc<Target>) -> Result<(), CheckError> {
    first_number_is(
        &t,
        &[0, 1],
        "a fresh topic numbers its first message 0 (the docs' example) or 1 (the service in the SDKs' tests)",
        "topic_sequence_number 0 or 1",
    )
    .await
}

async fn starts_at_1(t: Arc<Target>) -> Result<(), CheckError> {
    first_number_is(
        &t,
        &[1],
        "a fresh topic numbers its first message 1, as the emulator and the service in the SDKs' tests do",
        "topic_sequence_number 1",
    )
    .await
}

async fn plus_one(t: Arc<Target>) -> Result<(), CheckError> {
    let topic = t.fresh_topic("plus-one");
    let (mut sub, b) = poll_while_publishing(&t, &topic, &["m0"]).await?;
    let Some((first, _, _)) = items(&b.events).first().cloned() else {
        return Err(batch_fail(
            &t,
            "a poll answers with the message",
            "an item",
            &b,
        ));
    };
    for i in 1..5 {
        let p = format!("m{i}");
        sub.expect(&p);
        publish_ok(&t, &topic, &p).await?;
    }
    let (events, req) = sub.collect(4).await?;
    let mut numbers = vec![first];
    numbers.extend(items(&events).iter().map(|i| i.0));
    let want: Vec<u64> = (first..first + 5).collect();
    if numbers != want {
        return Err(CheckError::Fail(Failure {
            behaviour: "each message's number is the previous one + 1".into(),
            expected: format!("{want:?}"),
            actual: format!("{numbers:?}{}", sub.connection_report()),
            repro: Some(t.curl(&req)),
        }));
    }
    Ok(())
}

/// Three subscribers, six messages: every subscriber receives every message
/// in publish order under the same numbers (docs/api.md §4: in order is
/// documented, the same numbers for all inferred; the history checker
/// judges it against what was published).
async fn subscribers_agree(t: Arc<Target>) -> Result<(), CheckError> {
    let topic = t.fresh_topic("agree");
    let payloads: Vec<String> = (0..6).map(|i| format!("agree-{i}")).collect();
    let mut tasks = Vec::new();
    // Each polls on a connection already open (see waiting_poll.rs).
    let mut head_start = super::POLL_HEAD_START;
    let mut subs = Vec::new();
    for _ in 0..3 {
        let mut sub = Subscriber::from_now(&t, &topic);
        head_start = head_start.max(sub.warm_up().await?);
        subs.push(sub);
    }
    let sent = t.clock().sent();
    for mut sub in subs {
        for p in &payloads {
            sub.expect(p);
        }
        tasks.push(tokio::spawn(async move {
            let r = sub.collect(6).await;
            (sub, r)
        }));
    }
    t.head_start(sent + 3, head_start).await;
    for p in &payloads {
        publish_ahead(&t, &Req::publish_text(&t.cache, &topic, t.token(), p)).await?;
    }
    let mut lost_connections = String::new();
    for task in tasks {
        let (sub, r) = task
            .await
            .map_err(|e| task_failed("a subscriber task", &e))?;
        lost_connections.push_str(&sub.connection_report());
        r?;
    }
    let violations = t.history_of(&topic, |h| h.check());
    if !violations.is_empty() {
        return Err(CheckError::Fail(Failure {
            behaviour: "three subscribers see every message in publish order with the same numbers, no gaps, repeats or phantoms".into(),
            expected: "no violations".into(),
            actual: violations
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
                + &lost_connections,
            repro: Some(t.curl(&Req::subscribe(&t.cache, &topic, t.token(), 0, 0))),
        }));
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
