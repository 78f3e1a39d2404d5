//! The webhook faults (docs/api.md §6). A webhook registered through the
//! proxy is registered with the proxy's relay as its `postUrl`; the relay
//! passes each delivery on to the receiver the check started, broken as
//! the fault says. A body the fault changes is signed again with the
//! webhook's secret, so only the fault shows: what a receiver sees is what
//! a server with that fault would send.

use super::{Fault, Incoming, Proxy};
use crate::support::forward::Answer;
use axum::body::Bytes;
use axum::http::Method;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha3::Sha3_256;
use std::time::Duration;

/// The relay's path prefix on the proxy; a webhook's number follows.
pub(super) const RELAY: &str = "/_relay/";

/// How long the relay waits for a receiver: the documented 5 s.
const ALLOWANCE: Duration = Duration::from_secs(5);

/// One webhook registered through the proxy.
#[derive(Clone, Debug, Default)]
pub(super) struct Relayed {
    /// Its admin path, `/_emulator/caches/{cache}/webhooks/{name}`.
    admin_path: String,
    /// The receiver the check registered.
    post_url: String,
    /// The secret the emulator answered at registration.
    first_secret: String,
    /// The secret it signs with now.
    secret: String,
}

/// HMAC-SHA3-256 in lowercase hex, written here rather than borrowed from
/// the suite: a relay signing with the suite's own function would share any
/// mistake of the check it is meant to test.
fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha3_256> as Mac>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Fault {
    /// Whether this fault breaks webhooks.
    pub fn breaks_webhooks(self) -> bool {
        use Fault::*;
        matches!(
            self,
            WebhookBodyWithoutPublishTimestamp
                | WebhookTokenIdEmpty
                | SignatureOverReserialisedBody
                | WebhookTimestampsInSeconds
                | OldSecretStillSigns
                | DeletedWebhookStillDelivers
                | Receiver500Retried
                | SlowReceiverRetried
                | WebhookNumbersFromZero
        )
    }
}

impl Proxy {
    /// An admin request about webhooks: registration goes through the
    /// relay; a rotated secret is noted; a delete may be ignored.
    pub(super) async fn webhook_admin(&self, mut req: Incoming) -> Answer {
        let rotate = req.path.ends_with("/rotate-secret");
        let hook_path = req.path.trim_end_matches("/rotate-secret").to_owned();
        if req.method == Method::DELETE && self.fault == Fault::DeletedWebhookStillDelivers {
            return Answer::new(204, "text/plain", "");
        }
        let mut number = None;
        if req.method == Method::PUT
            && let Ok(mut body) = serde_json::from_slice::<Value>(&req.body)
            && let Some(post_url) = body["destination"]["postUrl"].as_str()
        {
            let mut hooks = self.hooks.lock().unwrap();
            hooks.push(Relayed {
                admin_path: hook_path.clone(),
                post_url: post_url.to_owned(),
                ..Relayed::default()
            });
            let n = hooks.len() - 1;
            number = Some(n);
            let own = self.own_url.get().expect("the proxy knows its URL");
            body["destination"]["postUrl"] = format!("{own}{RELAY}{n}").into();
            req.body = body.to_string().into();
        }
        let answer = self.send(&req).await;
        let secret = serde_json::from_slice::<Value>(&answer.body)
            .ok()
            .and_then(|v| {
                v.get("secretString")
                    .or(v.get("secret"))
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            });
        if let Some(secret) = secret {
            let mut hooks = self.hooks.lock().unwrap();
            for (n, hook) in hooks.iter_mut().enumerate() {
                if Some(n) == number {
                    hook.first_secret = secret.clone();
                    hook.secret = secret.clone();
                } else if rotate && hook.admin_path == hook_path {
                    hook.secret = secret.clone();
                }
            }
        }
        answer
    }

    /// A delivery from the emulator to webhook `n`, passed on broken.
    pub(super) async fn relay(&self, n: usize, signature: Option<String>, body: Bytes) -> Answer {
        let Some(hook) = self.hooks.lock().unwrap().get(n).cloned() else {
            return Answer::new(404, "text/plain", "no such relay");
        };
        let (body, signature) = self.broken_delivery(&hook, signature, body);
        let (http, fault) = (self.http.clone(), self.fault);
        let send = move || {
            let mut post = http
                .post(&hook.post_url)
                .timeout(ALLOWANCE)
                .header("content-type", "application/json")
                .body(body.clone());
            if let Some(s) = &signature {
                post = post.header("momento-signature", s);
            }
            post.send()
        };
        // Its own task: the emulator hangs up at 5 s, and a retry after
        // a slow receiver comes later than that.
        let delivery = tokio::spawn(async move {
            let first = send().await;
            let retry = match (&first, fault) {
                (Ok(r), Fault::Receiver500Retried) => r.status().is_server_error(),
                (Err(e), Fault::SlowReceiverRetried) => e.is_timeout(),
                _ => false,
            };
            if retry { send().await } else { first }
        });
        match delivery.await {
            Ok(Ok(r)) => Answer::new(r.status().as_u16(), "text/plain", ""),
            _ => Answer::new(504, "text/plain", "the receiver did not answer"),
        }
    }

    /// The body and signature a server with the fault would send.
    fn broken_delivery(
        &self,
        hook: &Relayed,
        signature: Option<String>,
        body: Bytes,
    ) -> (Bytes, Option<String>) {
        let Ok(mut event) = serde_json::from_slice::<Value>(&body) else {
            return (body, signature);
        };
        match self.fault {
            Fault::WebhookBodyWithoutPublishTimestamp => {
                event.as_object_mut().map(|o| o.remove("publish_timestamp"));
            }
            Fault::WebhookTokenIdEmpty => event["token_id"] = "".into(),
            Fault::WebhookTimestampsInSeconds => {
                for key in ["event_timestamp", "publish_timestamp"] {
                    if let Some(ms) = event[key].as_u64() {
                        event[key] = (ms / 1000).into();
                    }
                }
            }
            Fault::WebhookNumbersFromZero => {
                if let Some(n) = event["topic_sequence_number"].as_u64() {
                    event["topic_sequence_number"] = n.saturating_sub(1).into();
                }
            }
            Fault::SignatureOverReserialisedBody => {
                let pretty = serde_json::to_vec_pretty(&event).unwrap();
                return (body, Some(sign(&hook.secret, &pretty)));
            }
            Fault::OldSecretStillSigns => {
                return (body.clone(), Some(sign(&hook.first_secret, &body)));
            }
            _ => return (body, signature),
        }
        let changed = Bytes::from(event.to_string());
        let signature = sign(&hook.secret, &changed);
        (changed, Some(signature))
    }
}
