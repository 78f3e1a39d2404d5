//! Webhooks through the emulator's admin API, and one delivery end to end:
//! a receiver, a webhook on a fresh topic, a text publish by a token whose
//! id the suite chose, and the POST that arrives.

use super::fail;
use super::receiver::Receiver;
use crate::failure::CheckError;
use crate::request::Req;
use crate::target::{Target, admin_failed};
use momento_http::admin_wire::{self, PostUrl, TokenRole, Webhook, WebhookId};
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// A webhook registered for the length of a check.
pub(super) struct Hook {
    pub(super) name: String,
    pub(super) topic: String,
    pub(super) secret: String,
}

pub(super) async fn put_webhook(t: &Target, label: &str, url: &str) -> Result<Hook, CheckError> {
    let topic = t.fresh_topic(label);
    let name = format!("hook-{topic}");
    let webhook = Webhook {
        id: webhook_id(t, &name),
        destination: PostUrl {
            post_url: url.to_owned(),
        },
        topic_name: topic.clone(),
    };
    let secret = t
        .admin()?
        .put_webhook(&webhook)
        .await
        .map_err(|e| admin_failed("putWebhook", e))?;
    Ok(Hook {
        name,
        topic,
        secret,
    })
}

/// The admin API's name for the webhook `name` of the suite's cache.
pub(super) fn webhook_id(t: &Target, name: &str) -> WebhookId {
    WebhookId {
        cache_name: t.cache.clone(),
        webhook_name: name.to_owned(),
    }
}

pub(super) async fn delete_webhook(t: &Target, hook: &Hook) -> Result<(), CheckError> {
    t.admin()?
        .delete_webhook(&webhook_id(t, &hook.name))
        .await
        .map_err(|e| admin_failed("deleteWebhook", e))
}

pub(super) async fn deliveries(
    t: &Target,
    hook: &Hook,
) -> Result<Vec<admin_wire::Delivery>, CheckError> {
    let all = t
        .admin()?
        .list_deliveries()
        .await
        .map_err(|e| admin_failed("listDeliveries", e))?;
    Ok(all
        .into_iter()
        .filter(|d| d.webhook_name == hook.name)
        .collect())
}

/// One delivery and what was published to cause it.
pub(super) struct Delivered {
    pub(super) signature: Option<String>,
    pub(super) body: Vec<u8>,
    pub(super) secret: String,
    pub(super) topic: String,
    pub(super) token_id: String,
    pub(super) text: String,
    pub(super) published_at_ms: (u64, u64),
}

/// Start a receiver, register a webhook on a fresh topic, publish one text
/// message with a token whose id the suite chose, and wait (3 s at most)
/// for the POST.
pub(super) async fn deliver_one(t: &Arc<Target>, label: &str) -> Result<Delivered, CheckError> {
    let mut r = Receiver::start(200, Duration::ZERO).await?;
    let hook = put_webhook(t, label, &r.url).await?;
    let token_id = t.fresh_name("conformance-token");
    let token = t
        .mint(
            TokenRole::PublishSubscribe,
            600,
            vec![],
            Some(token_id.clone()),
        )
        .await?
        .api_key;
    let text = format!("webhook hello from {token_id}");
    let before = now_ms();
    let req = Req::publish_text(&t.cache, &hook.topic, &token, &text);
    t.expect_status("publishing text answers 204", &req, 204)
        .await?;
    let after = now_ms();
    let got = r.next_post(Duration::from_secs(3)).await;
    delete_webhook(t, &hook).await?;
    match got {
        Some((signature, body)) => Ok(Delivered {
            signature,
            body,
            secret: hook.secret,
            topic: hook.topic,
            token_id,
            text,
            published_at_ms: (before, after),
        }),
        None => Err(fail(
            "a text publish to a webhook's topic is POSTed to its postUrl",
            "one POST within 3 s",
            "nothing arrived",
        )),
    }
}

pub(super) fn json_body(d: &Delivered) -> Result<Value, CheckError> {
    serde_json::from_slice(&d.body).map_err(|e| {
        fail(
            "the webhook body is JSON",
            "a JSON object",
            format!("{e}: {:?}", String::from_utf8_lossy(&d.body)),
        )
    })
}
