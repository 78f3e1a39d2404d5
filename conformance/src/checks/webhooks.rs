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
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| {
            fail(
                "the suite's webhook receiver starts",
                "a bound port",
                e.to_string(),
            )
        })?;
    let addr = listener.local_addr().map_err(|e| {
        fail(
            "the suite's webhook receiver starts",
            "a bound port",
            e.to_string(),
        )
    })?;
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
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
            Some(json!({"topicName": topic, "destination": {"postUrl": format!("http://{addr}/hook")}})),
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
