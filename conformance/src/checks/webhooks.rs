//! Webhooks (docs/api.md §6), set up through the emulator's admin API: a
//! receiver inside the suite (axum on 127.0.0.1, port 0) gets a signed POST
//! per text publish whose body matches the spec's `WebhookEvent` schema and
//! what was published (cache, topic, the publisher's token id, the text,
//! epoch-millisecond timestamps near the publish).
//!
//! "Not retried" is watched for several seconds after the one attempt, long
//! enough for any plausible retry backoff; the checks run concurrently with
//! the others, so the wait costs little wall time.

use super::{check, publish_ok};
use crate::failure::{CheckError, Failure};
use crate::registry::Check;
use crate::request::Req;
use crate::schema::WebhookEventValidator;
use crate::target::{Target, admin_failed};
use hmac::{Hmac, Mac};
use momento_http::admin_wire::{self, DeliveryOutcome, PostUrl, TokenRole, Webhook, WebhookId};
use serde_json::Value;
use sha3::Sha3_256;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How long the suite watches for a retry after the one attempt.
const RETRY_WATCH: Duration = Duration::from_secs(4);

pub(super) fn checks() -> Vec<Check> {
    vec![
        check!("webhook.body.schema", D, "§6", true, body_schema),
        check!(
            "webhook.body.fields-match-publish",
            D,
            "§6",
            true,
            fields_match_publish
        ),
        check!("webhook.signature.hmac-sha3-256", I, "§6", true, signature),
        check!(
            "webhook.timestamps.publish-after-event",
            D,
            "§6",
            true,
            timestamps
        ),
        check!(
            "webhook.rotate-secret.old-stops-signing",
            D,
            "§6",
            true,
            rotation
        ),
        check!("webhook.delete.stops-delivery", D, "§6", true, delete_stops),
        check!(
            "webhook.receiver-500.not-retried",
            D,
            "§6",
            true,
            receiver_500,
            15
        ),
        check!(
            "webhook.receiver-answering-in-4s.waited-for",
            D,
            "§6",
            true,
            receiver_within_allowance,
            20
        ),
        check!(
            "webhook.slow-receiver.not-retried",
            D,
            "§6",
            true,
            slow_receiver,
            20
        ),
        check!(
            "webhook.sequence-matches-stream",
            D,
            "§6",
            true,
            sequence_matches_stream
        ),
        check!(
            "emulator.webhook.deliveries-recorded",
            C,
            "§9",
            true,
            deliveries_recorded,
            20
        ),
    ]
}

/// Lowercase hex HMAC-SHA3-256 of `body` keyed by `secret` (independent of
/// the emulator's own implementation).
pub fn hmac_sha3_hex(secret: &str, body: &[u8]) -> String {
    let Ok(mut mac) = <Hmac<Sha3_256> as Mac>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

fn fail(behaviour: &str, expected: &str, actual: impl Into<String>) -> CheckError {
    CheckError::Fail(Failure::new(behaviour, expected, actual))
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// A receiver inside the suite that answers `status` after `delay` to every
/// POST, and counts them, and the senders that hung up before the answer.
struct Receiver {
    url: String,
    rx: tokio::sync::mpsc::Receiver<(Option<String>, Vec<u8>)>,
    hits: Arc<AtomicUsize>,
    hung_up: Arc<AtomicUsize>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Counts a POST whose sender closed the connection before the receiver
/// answered (the server drops the handler with the connection).
struct Answering {
    hung_up: Arc<AtomicUsize>,
    answered: bool,
}

impl Drop for Answering {
    fn drop(&mut self) {
        if !self.answered {
            self.hung_up.fetch_add(1, Ordering::SeqCst);
        }
    }
}

impl Receiver {
    async fn start(status: u16, delay: Duration) -> Result<Receiver, CheckError> {
        let (tx, rx) = tokio::sync::mpsc::channel::<(Option<String>, Vec<u8>)>(16);
        let hits = Arc::new(AtomicUsize::new(0));
        let hung_up = Arc::new(AtomicUsize::new(0));
        let (counter, hang_ups) = (hits.clone(), hung_up.clone());
        let code = axum::http::StatusCode::from_u16(status).unwrap_or(axum::http::StatusCode::OK);
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: axum::http::HeaderMap, body: bytes::Bytes| {
                let tx = tx.clone();
                let counter = counter.clone();
                let hung_up = hang_ups.clone();
                async move {
                    let mut answering = Answering {
                        hung_up,
                        answered: false,
                    };
                    counter.fetch_add(1, Ordering::SeqCst);
                    let sig = headers
                        .get("momento-signature")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned);
                    let _ = tx.send((sig, body.to_vec())).await;
                    tokio::time::sleep(delay).await;
                    answering.answered = true;
                    code
                }
            }),
        );
        let cannot_start = |e: std::io::Error| {
            fail(
                "the suite's webhook receiver starts",
                "a bound port",
                e.to_string(),
            )
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(cannot_start)?;
        let addr = listener.local_addr().map_err(cannot_start)?;
        let server = tokio::spawn(async move { axum::serve(listener, app).await });
        Ok(Receiver {
            url: format!("http://{addr}/hook"),
            rx,
            hits,
            hung_up,
            server,
        })
    }

    async fn next_post(&mut self, wait: Duration) -> Option<(Option<String>, Vec<u8>)> {
        tokio::time::timeout(wait, self.rx.recv())
            .await
            .ok()
            .flatten()
    }
}

/// A webhook registered for the length of a check.
struct Hook {
    name: String,
    topic: String,
    secret: String,
}

async fn put_webhook(t: &Target, label: &str, url: &str) -> Result<Hook, CheckError> {
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
fn webhook_id(t: &Target, name: &str) -> WebhookId {
    WebhookId {
        cache_name: t.cache.clone(),
        webhook_name: name.to_owned(),
    }
}

async fn delete_webhook(t: &Target, hook: &Hook) -> Result<(), CheckError> {
    t.admin()?
        .delete_webhook(&webhook_id(t, &hook.name))
        .await
        .map_err(|e| admin_failed("deleteWebhook", e))
}

async fn deliveries(t: &Target, hook: &Hook) -> Result<Vec<admin_wire::Delivery>, CheckError> {
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
struct Delivered {
    signature: Option<String>,
    body: Vec<u8>,
    secret: String,
    topic: String,
    token_id: String,
    text: String,
    published_at_ms: (u64, u64),
}

/// Start a receiver, register a webhook on a fresh topic, publish one text
/// message with a token whose id the suite chose, and wait (3 s at most)
/// for the POST.
async fn deliver_one(t: &Arc<Target>, label: &str) -> Result<Delivered, CheckError> {
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

fn json_body(d: &Delivered) -> Result<Value, CheckError> {
    serde_json::from_slice(&d.body).map_err(|e| {
        fail(
            "the webhook body is JSON",
            "a JSON object",
            format!("{e}: {:?}", String::from_utf8_lossy(&d.body)),
        )
    })
}

async fn body_schema(t: Arc<Target>) -> Result<(), CheckError> {
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
async fn fields_match_publish(t: Arc<Target>) -> Result<(), CheckError> {
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

async fn signature(t: Arc<Target>) -> Result<(), CheckError> {
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
async fn timestamps(t: Arc<Target>) -> Result<(), CheckError> {
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

async fn rotation(t: Arc<Target>) -> Result<(), CheckError> {
    let mut r = Receiver::start(200, Duration::ZERO).await?;
    let hook = put_webhook(&t, "wh-rotate", &r.url).await?;
    let rotated = t
        .admin()?
        .rotate_webhook_secret(&webhook_id(&t, &hook.name))
        .await
        .map_err(|e| admin_failed("rotateWebhookSecret", e))?;
    publish_ok(&t, &hook.topic, "after rotation").await?;
    let got = r.next_post(Duration::from_secs(3)).await;
    delete_webhook(&t, &hook).await?;
    let Some((sig, body)) = got else {
        return Err(fail(
            "a publish after rotation is delivered",
            "one POST within 3 s",
            "nothing",
        ));
    };
    let (old, new) = (&hook.secret, &rotated.secret);
    let sig = sig.unwrap_or_default();
    if new.is_empty()
        || new == old
        || sig != hmac_sha3_hex(new, &body)
        || sig == hmac_sha3_hex(old, &body)
    {
        return Err(fail(
            "after rotate-secret the new secret verifies and the old one does not",
            "signature == HMAC(new secret), != HMAC(old secret)",
            format!(
                "rotation answered a {} secret; signature {sig}",
                if new == old { "unchanged" } else { "new" }
            ),
        ));
    }
    Ok(())
}

async fn delete_stops(t: Arc<Target>) -> Result<(), CheckError> {
    let mut r = Receiver::start(200, Duration::ZERO).await?;
    let hook = put_webhook(&t, "wh-delete", &r.url).await?;
    delete_webhook(&t, &hook).await?;
    publish_ok(&t, &hook.topic, "after delete").await?;
    if let Some((_, body)) = r.next_post(Duration::from_secs(1)).await {
        return Err(fail(
            "a deleted webhook receives nothing",
            "no POST within 1 s",
            format!("POST {:?}", String::from_utf8_lossy(&body)),
        ));
    }
    Ok(())
}

/// Publish once to a fresh webhook whose receiver answers `status` after
/// `delay`; watch until [`RETRY_WATCH`] after that answer was due. What
/// the receiver saw: POSTs, and senders that hung up before the answer.
async fn one_attempt(
    t: &Arc<Target>,
    label: &str,
    status: u16,
    delay: Duration,
) -> Result<(usize, usize, Hook), CheckError> {
    let mut r = Receiver::start(status, delay).await?;
    let hook = put_webhook(t, label, &r.url).await?;
    publish_ok(
        t,
        &hook.topic,
        &format!("to a receiver answering {status} after {delay:?}"),
    )
    .await?;
    let first = r.next_post(Duration::from_secs(3)).await;
    if first.is_some() {
        tokio::time::sleep(delay + RETRY_WATCH).await;
    }
    delete_webhook(t, &hook).await?;
    let seen = (
        r.hits.load(Ordering::SeqCst),
        r.hung_up.load(Ordering::SeqCst),
    );
    Ok((seen.0, seen.1, hook))
}

/// One attempt, then nothing, when the receiver answers 500 (docs/api.md
/// §6: one attempt, no retry), judged by what the receiver saw.
async fn receiver_500(t: Arc<Target>) -> Result<(), CheckError> {
    let (posts, _, _) = one_attempt(&t, "wh-500", 500, Duration::ZERO).await?;
    if posts != 1 {
        return Err(fail(
            "a receiver answering 500 gets exactly one attempt (no retry)",
            &format!("one POST, then nothing for {} s", RETRY_WATCH.as_secs()),
            format!("{posts} POSTs"),
        ));
    }
    Ok(())
}

/// How long the within-allowance receiver takes: inside the documented
/// 5 s, with a second of room for the sender's clock.
const WITHIN_ALLOWANCE: Duration = Duration::from_secs(4);

/// A receiver that answers 200 after 4 s is within the documented 5 s: the
/// sender waits for the answer (it does not hang up first) and, the
/// delivery a success, sends no second attempt. Judged on the wire: what
/// the receiver saw, not any delivery log.
async fn receiver_within_allowance(t: Arc<Target>) -> Result<(), CheckError> {
    let (posts, hung_up, _) = one_attempt(&t, "wh-4s", 200, WITHIN_ALLOWANCE).await?;
    if posts != 1 || hung_up != 0 {
        return Err(fail(
            "a receiver answering within 5 s (after 4 s) is waited for: one POST, its answer received",
            "one POST, the sender still connected when the receiver answered, no second attempt",
            format!("{posts} POSTs; {hung_up} of them hung up on before the answer"),
        ));
    }
    Ok(())
}

/// A receiver that answers after 6 s is past the documented 5 s: the event
/// is dropped, one attempt and no retry (judged by what the receiver saw).
async fn slow_receiver(t: Arc<Target>) -> Result<(), CheckError> {
    let (posts, _, _) = one_attempt(&t, "wh-slow", 200, Duration::from_secs(6)).await?;
    if posts != 1 {
        return Err(fail(
            "a receiver slower than 5 s gets exactly one attempt (no retry)",
            &format!(
                "one POST, none in the {} s after its answer",
                RETRY_WATCH.as_secs()
            ),
            format!("{posts} POSTs"),
        ));
    }
    Ok(())
}

/// The emulator's delivery log (its admin API, not the docs) records a
/// receiver's 500 with its status and a receiver slower than 5 s as a
/// timeout.
async fn deliveries_recorded(t: Arc<Target>) -> Result<(), CheckError> {
    let (failing, slow) = tokio::join!(
        one_attempt(&t, "wh-log-500", 500, Duration::ZERO),
        one_attempt(&t, "wh-log-slow", 200, Duration::from_secs(6)),
    );
    let ((_, _, failing), (_, _, slow)) = (failing?, slow?);
    let failing_log = deliveries(&t, &failing).await?;
    let slow_log = deliveries(&t, &slow).await?;
    let status_500 = failing_log
        .iter()
        .any(|d| d.outcome == DeliveryOutcome::Status && d.status == Some(500));
    let timeout = slow_log
        .iter()
        .any(|d| d.outcome == DeliveryOutcome::Timeout);
    if !status_500 || !timeout {
        return Err(fail(
            "the emulator records a receiver's 500 with its status and a receiver slower than 5 s as a timeout",
            "a delivery with outcome \"status\" and status 500; one with outcome \"timeout\"",
            format!("{failing_log:?}; {slow_log:?}"),
        ));
    }
    Ok(())
}

async fn sequence_matches_stream(t: Arc<Target>) -> Result<(), CheckError> {
    let mut r = Receiver::start(200, Duration::ZERO).await?;
    let hook = put_webhook(&t, "wh-seq", &r.url).await?;
    let (_, batch) = super::poll_while_publishing(&t, &hook.topic, &["numbered"]).await?;
    let post = r.next_post(Duration::from_secs(3)).await;
    delete_webhook(&t, &hook).await?;
    let stream_n = super::items(&batch.events).first().map(|i| i.0);
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

#[cfg(test)]
mod tests {
    #[test]
    fn the_spec_test_vector_signs_as_documented() {
        assert_eq!(
            super::hmac_sha3_hex(
                "1234567890",
                br#"{"text":"some text", "another_field": "another field" }"#
            ),
            "b43f72787eb66410ff110295b036ef828e5686af21b414ce092f02c05deea3da"
        );
    }
}
