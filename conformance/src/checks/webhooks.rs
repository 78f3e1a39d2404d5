//! Webhooks (SPEC §6), through the emulator's admin API: a receiver inside
//! the suite (axum on 127.0.0.1, port 0) gets a signed POST per text publish
//! whose body matches the spec's `WebhookEvent` schema.

use super::{check, publish_ok};
use crate::registry::Check;
use crate::schema::WebhookEventValidator;
use crate::target::{CheckError, Failure, Target, encode_segment};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha3::Sha3_256;
use std::sync::Arc;
use std::time::Duration;

pub(super) fn checks() -> Vec<Check> {
    vec![
        check!("webhook.body.schema", D, "§6", true, body_schema),
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
            "webhook.receiver-500.recorded-not-retried",
            D,
            "§6",
            true,
            receiver_500
        ),
        check!(
            "webhook.slow-receiver.timeout-not-retried",
            D,
            "§6",
            true,
            slow_receiver,
            15
        ),
        check!(
            "webhook.sequence-matches-stream",
            D,
            "§6",
            true,
            sequence_matches_stream
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

/// One received delivery.
struct Delivery {
    signature: Option<String>,
    body: Vec<u8>,
    secret: String,
}

fn fail(behaviour: &str, expected: &str, actual: String) -> CheckError {
    CheckError::Fail(Failure {
        behaviour: behaviour.to_owned(),
        expected: expected.to_owned(),
        actual,
        repro: None,
    })
}

/// Start a receiver, register a webhook on a fresh topic, publish one text
/// message and wait (3 s at most) for the POST.
async fn deliver_one(t: &Arc<Target>, label: &str) -> Result<Delivery, CheckError> {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<(Option<String>, Vec<u8>)>(4);
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: bytes::Bytes| {
            let tx = tx.clone();
            async move {
                let sig = headers
                    .get("momento-signature")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                let _ = tx.send((sig, body.to_vec())).await;
                axum::http::StatusCode::OK
            }
        }),
    );
    let (url, server) = serve_receiver(app).await?;
    let topic = t.fresh_topic(label);
    let name = format!("hook-{topic}");
    let path = format!(
        "/caches/{}/webhooks/{}",
        encode_segment(&t.cache),
        encode_segment(&name)
    );
    let put = t
        .admin(
            reqwest::Method::PUT,
            &path,
            Some(json!({"topicName": topic, "destination": {"postUrl": url}})),
        )
        .await?;
    let secret = put
        .get("secretString")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| {
            fail(
                "putWebhook returns the signing secret",
                "{\"secretString\": ...}",
                put.to_string(),
            )
        })?;
    publish_ok(t, &topic, "webhook hello").await?;
    let got = tokio::time::timeout(Duration::from_secs(3), rx.recv()).await;
    let _ = t.admin(reqwest::Method::DELETE, &path, None).await;
    server.abort();
    match got {
        Ok(Some((signature, body))) => Ok(Delivery {
            signature,
            body,
            secret,
        }),
        _ => Err(fail(
            "a text publish to a webhook's topic is POSTed to its postUrl",
            "one POST within 3 s",
            "nothing arrived".into(),
        )),
    }
}

async fn body_schema(t: Arc<Target>) -> Result<(), CheckError> {
    let d = deliver_one(&t, "wh-schema").await?;
    let validator = WebhookEventValidator::load()
        .map_err(|e| fail("the WebhookEvent schema loads", "a schema", e.to_string()))?;
    let body: Value = serde_json::from_slice(&d.body).map_err(|e| {
        fail(
            "the webhook body is JSON",
            "a JSON object",
            format!("{e}: {:?}", String::from_utf8_lossy(&d.body)),
        )
    })?;
    let problems = validator.problems(&body);
    if !problems.is_empty() {
        return Err(fail(
            "the webhook body matches WebhookEvent (all seven keys, right types)",
            "no schema errors",
            format!("{problems:?} in {body}"),
        ));
    }
    if body["text"] != "webhook hello" {
        return Err(fail(
            "the webhook body carries the published text",
            "text \"webhook hello\"",
            body.to_string(),
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

async fn timestamps(t: Arc<Target>) -> Result<(), CheckError> {
    let d = deliver_one(&t, "wh-ts").await?;
    let body: Value = serde_json::from_slice(&d.body).unwrap_or_default();
    let event = body["event_timestamp"].as_u64();
    let publish = body["publish_timestamp"].as_u64();
    match (event, publish) {
        (Some(e), Some(p)) if p >= e => Ok(()),
        _ => Err(fail(
            "publish_timestamp (webhook called) is not before event_timestamp (message published)",
            "publish_timestamp >= event_timestamp",
            body.to_string(),
        )),
    }
}

/// A receiver inside the suite that answers `status` to every POST.
struct Receiver {
    url: String,
    rx: tokio::sync::mpsc::Receiver<(Option<String>, Vec<u8>)>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn receiver(status: u16) -> Result<Receiver, CheckError> {
    let (tx, rx) = tokio::sync::mpsc::channel::<(Option<String>, Vec<u8>)>(16);
    let code = axum::http::StatusCode::from_u16(status).unwrap_or(axum::http::StatusCode::OK);
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: bytes::Bytes| {
            let tx = tx.clone();
            async move {
                let sig = headers
                    .get("momento-signature")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                let _ = tx.send((sig, body.to_vec())).await;
                code
            }
        }),
    );
    let (url, server) = serve_receiver(app).await?;
    Ok(Receiver { url, rx, server })
}

/// Serves `app` (whose route is `/hook`) on 127.0.0.1, port 0: its URL and task.
async fn serve_receiver(
    app: axum::Router,
) -> Result<(String, tokio::task::JoinHandle<std::io::Result<()>>), CheckError> {
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
    Ok((format!("http://{addr}/hook"), server))
}

fn webhook_path(t: &Target, name: &str) -> String {
    format!(
        "/caches/{}/webhooks/{}",
        encode_segment(&t.cache),
        encode_segment(name)
    )
}

async fn put_webhook(t: &Target, name: &str, topic: &str, url: &str) -> Result<String, CheckError> {
    let v = t
        .admin(
            reqwest::Method::PUT,
            &webhook_path(t, name),
            Some(json!({"topicName": topic, "destination": {"postUrl": url}})),
        )
        .await?;
    v.get("secretString")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| {
            fail(
                "putWebhook returns the signing secret",
                "{\"secretString\": ...}",
                v.to_string(),
            )
        })
}

async fn next_post(r: &mut Receiver, wait: Duration) -> Option<(Option<String>, Vec<u8>)> {
    tokio::time::timeout(wait, r.rx.recv()).await.ok().flatten()
}

async fn rotation(t: Arc<Target>) -> Result<(), CheckError> {
    let mut r = receiver(200).await?;
    let topic = t.fresh_topic("wh-rotate");
    let name = format!("hook-{topic}");
    let old = put_webhook(&t, &name, &topic, &r.url).await?;
    let rotated = t
        .admin(
            reqwest::Method::POST,
            &format!("{}/rotate-secret", webhook_path(&t, &name)),
            None,
        )
        .await?;
    let new = rotated["secret"].as_str().unwrap_or_default().to_owned();
    publish_ok(&t, &topic, "after rotation").await?;
    let got = next_post(&mut r, Duration::from_secs(3)).await;
    let _ = t
        .admin(reqwest::Method::DELETE, &webhook_path(&t, &name), None)
        .await;
    let Some((sig, body)) = got else {
        return Err(fail(
            "a publish after rotation is delivered",
            "one POST within 3 s",
            "nothing".into(),
        ));
    };
    let sig = sig.unwrap_or_default();
    if new.is_empty()
        || new == old
        || sig != hmac_sha3_hex(&new, &body)
        || sig == hmac_sha3_hex(&old, &body)
    {
        return Err(fail(
            "after rotate-secret the new secret verifies and the old one does not",
            "signature == HMAC(new secret), != HMAC(old secret)",
            format!("rotate answered {rotated}; signature {sig}"),
        ));
    }
    Ok(())
}

async fn delete_stops(t: Arc<Target>) -> Result<(), CheckError> {
    let mut r = receiver(200).await?;
    let topic = t.fresh_topic("wh-delete");
    let name = format!("hook-{topic}");
    put_webhook(&t, &name, &topic, &r.url).await?;
    t.admin(reqwest::Method::DELETE, &webhook_path(&t, &name), None)
        .await?;
    publish_ok(&t, &topic, "after delete").await?;
    if let Some((_, body)) = next_post(&mut r, Duration::from_millis(500)).await {
        return Err(fail(
            "a deleted webhook receives nothing",
            "no POST within 500 ms",
            format!("POST {:?}", String::from_utf8_lossy(&body)),
        ));
    }
    Ok(())
}

async fn receiver_500(t: Arc<Target>) -> Result<(), CheckError> {
    let mut r = receiver(500).await?;
    let topic = t.fresh_topic("wh-500");
    let name = format!("hook-{topic}");
    put_webhook(&t, &name, &topic, &r.url).await?;
    publish_ok(&t, &topic, "to a failing receiver").await?;
    let first = next_post(&mut r, Duration::from_secs(3)).await;
    let again = next_post(&mut r, Duration::from_millis(700)).await;
    let _ = t
        .admin(reqwest::Method::DELETE, &webhook_path(&t, &name), None)
        .await;
    if first.is_none() || again.is_some() {
        return Err(fail(
            "a receiver answering 500 gets exactly one attempt (no retry)",
            "one POST, then nothing",
            format!("first {}, then {}", first.is_some(), again.is_some()),
        ));
    }
    let deliveries = t.admin(reqwest::Method::GET, "/deliveries", None).await?;
    let recorded = deliveries["deliveries"].as_array().is_some_and(|a| {
        a.iter().any(|d| {
            d["webhookName"] == name.as_str() && d["outcome"] == "status" && d["status"] == 500
        })
    });
    if !recorded {
        return Err(fail(
            "the failed delivery is recorded with its status",
            &format!("a delivery for {name} with outcome \"status\" and status 500"),
            deliveries.to_string(),
        ));
    }
    Ok(())
}

async fn sequence_matches_stream(t: Arc<Target>) -> Result<(), CheckError> {
    let mut r = receiver(200).await?;
    let topic = t.fresh_topic("wh-seq");
    let name = format!("hook-{topic}");
    put_webhook(&t, &name, &topic, &r.url).await?;
    let batch = super::poll_while_publishing(t.clone(), &topic, 0, 0, &["numbered"]).await?;
    let post = next_post(&mut r, Duration::from_secs(3)).await;
    let _ = t
        .admin(reqwest::Method::DELETE, &webhook_path(&t, &name), None)
        .await;
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

/// A receiver that answers after 6 s: the delivery is recorded as a timeout
/// (5-second limit) and there is one attempt only.
async fn slow_receiver(t: Arc<Target>) -> Result<(), CheckError> {
    let hits = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = hits.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move || {
            let counter = counter.clone();
            async move {
                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                tokio::time::sleep(Duration::from_secs(6)).await;
                axum::http::StatusCode::OK
            }
        }),
    );
    let (url, server) = serve_receiver(app).await?;
    let topic = t.fresh_topic("wh-slow");
    let name = format!("hook-{topic}");
    put_webhook(&t, &name, &topic, &url).await?;
    publish_ok(&t, &topic, "to a slow receiver").await?;
    // Wait (at most 8 s) for the delivery record.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(8);
    let mut last = Value::Null;
    let mut outcome = None;
    while tokio::time::Instant::now() < deadline && outcome.is_none() {
        tokio::time::sleep(Duration::from_millis(250)).await;
        last = t.admin(reqwest::Method::GET, "/deliveries", None).await?;
        outcome = last["deliveries"].as_array().and_then(|a| {
            a.iter()
                .find(|d| d["webhookName"] == name.as_str())
                .map(|d| d["outcome"].as_str().unwrap_or_default().to_owned())
        });
    }
    let _ = t
        .admin(reqwest::Method::DELETE, &webhook_path(&t, &name), None)
        .await;
    server.abort();
    let attempts = hits.load(std::sync::atomic::Ordering::SeqCst);
    if outcome.as_deref() != Some("timeout") || attempts != 1 {
        return Err(fail(
            "a receiver slower than 5 s is recorded as a timeout and not retried",
            "outcome \"timeout\" and exactly one attempt",
            format!("outcome {outcome:?}, {attempts} attempts; deliveries {last}"),
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
