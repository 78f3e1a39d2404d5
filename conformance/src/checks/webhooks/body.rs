//! What a delivery carries (docs/api.md §6): a body the spec's
//! `WebhookEvent` schema accepts, naming what was published, signed with
//! HMAC-SHA3-256, with epoch-millisecond timestamps near the publish and
//! the number a stream subscriber saw.

use super::fail;
use super::receiver::{Receiver, hmac_sha3_hex};
use super::registration::{delete_webhook, deliver_one, json_body, put_webhook};
use crate::failure::CheckError;
use crate::schema::WebhookEventValidator;
use crate::target::Target;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

pub(super) async fn body_schema(t: Arc<Target>) -> Result<(), CheckError> {
    let d = deliver_one(&t, "wh-schema").await?;
    let validator = WebhookEventValidator::load()
        .map_err(|e| fail("the WebhookEvent schema loads", "a schema", e.to_string()))?;
    let body = json_body(&d)?;
    let problems = validator.problems(&body);
    if !problems.is_empty() {
        return Err(fail(
            "the webhook body matches WebhookEvent (all seven keys, right types)",
            "no schema errors",
            format!("{problems:?} in {body}"),
        ));
    }
    Ok(())
}

/// Every field that names what was published is what was published.
pub(super) async fn fields_match_publish(t: Arc<Target>) -> Result<(), CheckError> {
    let d = deliver_one(&t, "wh-fields").await?;
    let body = json_body(&d)?;
    let want = [
        ("cache", t.cache.as_str()),
        ("topic", d.topic.as_str()),
        ("token_id", d.token_id.as_str()),
        ("text", d.text.as_str()),
    ];
    let wrong: Vec<String> = want
        .iter()
        .filter(|(k, v)| body[*k].as_str() != Some(*v))
        .map(|(k, v)| format!("{k} is {} (published: {v:?})", body[*k]))
        .collect();
    if !wrong.is_empty() {
        return Err(fail(
            "the webhook body names the cache, topic, publisher's token id and text that were published",
            "each field equal to the publish",
            format!("{} in {body}", wrong.join(", ")),
        ));
    }
    Ok(())
}

pub(super) async fn signature(t: Arc<Target>) -> Result<(), CheckError> {
    let d = deliver_one(&t, "wh-sig").await?;
    let want = hmac_sha3_hex(&d.secret, &d.body);
    if d.signature.as_deref() != Some(want.as_str()) {
        return Err(fail(
            "momento-signature is lowercase hex HMAC-SHA3-256 of the raw body keyed by the secret",
            &want,
            format!("{:?}", d.signature),
        ));
    }
    Ok(())
}

/// Both timestamps are epoch milliseconds (not seconds) near the publish;
/// the webhook is not called before the message was published.
pub(super) async fn timestamps(t: Arc<Target>) -> Result<(), CheckError> {
    const SLACK_MS: u64 = 60_000;
    let d = deliver_one(&t, "wh-ts").await?;
    let body = json_body(&d)?;
    let event = body["event_timestamp"].as_u64();
    let publish = body["publish_timestamp"].as_u64();
    let (before, after) = d.published_at_ms;
    let near = |ms: u64| ms + SLACK_MS >= before && ms <= after + SLACK_MS;
    match (event, publish) {
        (Some(e), Some(p)) if p >= e && near(e) && near(p) => Ok(()),
        _ => Err(fail(
            "event_timestamp and publish_timestamp are epoch milliseconds near the publish, publish_timestamp not before event_timestamp",
            &format!(
                "both within {} s of the publish ({before}..{after} ms) and publish_timestamp >= event_timestamp",
                SLACK_MS / 1000
            ),
            body.to_string(),
        )),
    }
}

pub(super) async fn sequence_matches_stream(t: Arc<Target>) -> Result<(), CheckError> {
    let mut r = Receiver::start(200, Duration::ZERO).await?;
    let hook = put_webhook(&t, "wh-seq", &r.url).await?;
    let (_, batch) = crate::checks::poll_while_publishing(&t, &hook.topic, &["numbered"]).await?;
    let post = r.next_post(Duration::from_secs(3)).await;
    delete_webhook(&t, &hook).await?;
    let stream_n = crate::checks::items(&batch.events).first().map(|i| i.0);
    let hook_n = post
        .and_then(|(_, b)| serde_json::from_slice::<Value>(&b).ok())
        .and_then(|v| v["topic_sequence_number"].as_u64());
    if stream_n.is_none() || stream_n != hook_n {
        return Err(fail(
            "the webhook's topic_sequence_number is the number a stream subscriber saw",
            &format!("{stream_n:?}"),
            format!("{hook_n:?}"),
        ));
    }
    Ok(())
}
