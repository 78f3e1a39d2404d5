//! The emulator behind a proxy that breaks one behaviour of the API the way
//! a real server could (a wrong status, a token not checked, a value
//! changed, a rule off by one); everything else is the emulator's, so a
//! check that fails through it accuses that fault alone. The admin API
//! (`/_emulator/...`) passes through untouched.

use crate::support::forward::{Answer, fetch};
use crate::support::run::run_checks;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::{IntoResponse, Response};
use momento_http_conformance::report::CheckResult;
use momento_http_conformance::target::{Pacing, Target};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

mod cache;
mod webhooks;

/// The one behaviour the proxy breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Nothing: the proxy only forwards.
    None,
    /// A publish to a topic no one has subscribed to yet is answered 200,
    /// not 204.
    UnheardPublishAnswers200,
    /// A binary publish is answered 200 instead of 204.
    BytesPublishAnswers200,
    /// A publish over the 4 KB limit is cut to fit and stored.
    OverLimitPublishCutToFit,
    /// A cache that does not exist is created on first use.
    CreatesCachesOnUse,
    /// A token in the query string is not read.
    IgnoresQueryToken,
    /// With a token in the header and the query, the query's is ignored.
    HeaderTokenWinsOverQuery,
    /// A token the server refuses (invalid, expired) is served as the
    /// account's.
    RefusedTokenServedAsAccount,
    /// A token out of its scope (another cache, another role) is served as
    /// the account's.
    ScopeNotEnforced,
    /// Newlines in delivered text become spaces.
    NewlinesInTextBecomeSpaces,
    /// Binary messages are delivered as text, their bytes read as UTF-8.
    BinaryDeliveredAsText,
    /// A fresh topic's first message is numbered 6.
    NumbersFromSix,
    /// `sequence_number=0` is served from the oldest message kept.
    ZeroServedFromOldest,
    /// A cache set is answered 200 instead of 204.
    SetAnswers200,
    /// A cache hit's body is the value base64-encoded.
    HitServedAsBase64,
    /// A cache miss is answered 404 with an empty body.
    MissWithoutBody,
    /// A cache delete is answered 204 and nothing is deleted.
    DeleteIgnored,
    /// Deleting a key that is not there answers 404.
    DeleteOfMissingKey404,
    /// `key_base64` is taken as the key itself, undecoded.
    Base64KeyUndecoded,
    /// `ttl_seconds` of 24 hours is refused: the limit is off by one.
    TtlLimitOffByOne,
    /// `ttl_seconds` is ignored: items never expire.
    TtlIgnored,
    /// A cache value is cut at its first NUL byte, as a C string.
    ValueCutAtNul,
    /// A webhook body without `publish_timestamp`.
    WebhookBodyWithoutPublishTimestamp,
    /// A webhook body whose `token_id` is empty.
    WebhookTokenIdEmpty,
    /// The signature is over the body re-serialised, not the bytes sent.
    SignatureOverReserialisedBody,
    /// Webhook timestamps in seconds, not milliseconds.
    WebhookTimestampsInSeconds,
    /// After rotate-secret, deliveries are still signed with the first
    /// secret.
    OldSecretStillSigns,
    /// A webhook delete is answered 204 and the webhook kept.
    DeletedWebhookStillDelivers,
    /// A receiver that answers 500 is sent the event again.
    Receiver500Retried,
    /// A receiver slower than 5 s is sent the event again.
    SlowReceiverRetried,
    /// A webhook's `topic_sequence_number` counts from 0, the stream's
    /// from 1.
    WebhookNumbersFromZero,
}

/// Numbers [`Fault::NumbersFromSix`] adds to the emulator's.
const OFFSET: u64 = 5;

pub(super) struct Proxy {
    pub(super) fault: Fault,
    pub(super) upstream: String,
    pub(super) api_key: String,
    pub(super) cache: String,
    pub(super) http: reqwest::Client,
    /// Webhooks registered through the relay, by number.
    hooks: std::sync::Mutex<Vec<webhooks::Relayed>>,
    /// The topics subscribed to so far, by path.
    subscribed: std::sync::Mutex<std::collections::HashSet<String>>,
    /// The proxy's own base URL, for the relay's `postUrl`s.
    own_url: std::sync::OnceLock<String>,
}

/// One request as the proxy received it.
#[derive(Clone)]
pub(super) struct Incoming {
    pub(super) method: Method,
    pub(super) path: String,
    pub(super) query: Vec<(String, String)>,
    pub(super) headers: HeaderMap,
    pub(super) body: Bytes,
}

impl Incoming {
    pub(super) fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub(super) fn set_param(&mut self, name: &str, value: String) {
        self.query.retain(|(n, _)| n != name);
        self.query.push((name.into(), value));
    }

    fn is_publish(&self) -> bool {
        self.method == Method::POST && self.path.starts_with("/topics/")
    }

    fn is_subscribe(&self) -> bool {
        self.method == Method::GET && self.path.starts_with("/topics/")
    }

    fn is_cache(&self) -> bool {
        self.path.starts_with("/cache/")
    }

    fn has_token(&self) -> bool {
        self.headers.contains_key("authorization") || self.param("token").is_some()
    }

    /// The same request with the account's token, in the header.
    fn as_account(&self, api_key: &str) -> Incoming {
        let mut account = self.clone();
        account
            .headers
            .insert("authorization", api_key.parse().unwrap());
        account.query.retain(|(n, _)| n != "token");
        account
    }
}

impl Proxy {
    pub(super) async fn send(&self, req: &Incoming) -> Answer {
        let mut url = reqwest::Url::parse(&format!("{}{}", self.upstream, req.path)).unwrap();
        if !req.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&req.query);
        }
        let body = req.body.clone();
        fetch(&self.http, req.method.clone(), url, &req.headers, body).await
    }

    /// The answer of the server with the fault.
    async fn answer(&self, mut req: Incoming) -> Answer {
        use Fault::*;
        let status = |a: &Answer| a.status.as_u16();
        if let Some(n) = req.path.strip_prefix(webhooks::RELAY) {
            let signature = req.headers.get("momento-signature");
            let signature = signature.and_then(|s| s.to_str().ok()).map(str::to_owned);
            return self
                .relay(n.parse().unwrap_or(usize::MAX), signature, req.body)
                .await;
        }
        if self.fault.breaks_webhooks() && req.path.contains("/webhooks/") {
            return self.webhook_admin(req).await;
        }
        match self.fault {
            None => {}
            UnheardPublishAnswers200 if req.is_subscribe() => {
                self.subscribed.lock().unwrap().insert(req.path.clone());
            }
            UnheardPublishAnswers200 if req.is_publish() => {
                let unheard = !self.subscribed.lock().unwrap().contains(&req.path);
                let a = self.send(&req).await;
                if unheard && status(&a) == 204 {
                    return Answer::new(200, "text/plain", "");
                }
                return a;
            }
            BytesPublishAnswers200 => {
                let binary = req.headers.get("content-type").is_some_and(|v| {
                    v.to_str()
                        .is_ok_and(|v| v.starts_with("application/octet-stream"))
                });
                let a = self.send(&req).await;
                if req.is_publish() && binary && status(&a) == 204 {
                    return Answer::new(200, "text/plain", "");
                }
                return a;
            }
            OverLimitPublishCutToFit => {
                let limit = momento_http::wire::MAX_PUBLISH_PAYLOAD_BYTES;
                if req.is_publish() && req.body.len() > limit {
                    req.body = req.body.slice(..limit);
                }
            }
            // The suite's unknown caches are named `…no-such-cache…`.
            CreatesCachesOnUse => {
                let mut parts: Vec<String> = req.path.split('/').map(str::to_owned).collect();
                let api = matches!(parts.get(1).map(String::as_str), Some("topics" | "cache"));
                if api && parts.len() > 2 && parts[2] != self.cache && parts[2].contains("no-such")
                {
                    parts[2] = self.cache.clone();
                    req.path = parts.join("/");
                }
            }
            IgnoresQueryToken => req.query.retain(|(n, _)| n != "token"),
            HeaderTokenWinsOverQuery if req.headers.contains_key("authorization") => {
                req.query.retain(|(n, _)| n != "token");
            }
            RefusedTokenServedAsAccount | ScopeNotEnforced => {
                let refused = if self.fault == ScopeNotEnforced {
                    403
                } else {
                    401
                };
                let a = self.send(&req).await;
                if status(&a) == refused && req.has_token() {
                    return self.send(&req.as_account(&self.api_key)).await;
                }
                return a;
            }
            NewlinesInTextBecomeSpaces | BinaryDeliveredAsText | NumbersFromSix
                if req.is_subscribe() =>
            {
                return self.rewrite_batch(req).await;
            }
            ZeroServedFromOldest
                if req.is_subscribe() && req.param("sequence_number").is_none_or(|n| n == "0") =>
            {
                req.set_param("sequence_number", "1".into());
            }
            _ if req.is_cache() => return self.cache_answer(req).await,
            _ => {}
        }
        self.send(&req).await
    }

    /// A subscribe whose answer's elements are rewritten by the fault.
    async fn rewrite_batch(&self, mut req: Incoming) -> Answer {
        if self.fault == Fault::NumbersFromSix
            && let Some(n) = req
                .param("sequence_number")
                .and_then(|n| n.parse::<u64>().ok())
            && n > 0
        {
            req.set_param(
                "sequence_number",
                n.saturating_sub(OFFSET).max(1).to_string(),
            );
        }
        let mut a = self.send(&req).await;
        let Ok(mut body) = serde_json::from_slice::<serde_json::Value>(&a.body) else {
            return a;
        };
        if let Some(items) = body["items"].as_array_mut() {
            items.iter_mut().for_each(|e| self.rewrite_element(e));
        }
        a.body = body.to_string().into();
        a
    }

    fn rewrite_element(&self, element: &mut serde_json::Value) {
        use base64::Engine as _;
        let shift = |v: &mut serde_json::Value| {
            if let Some(n) = v.as_u64() {
                *v = (n + OFFSET).into();
            }
        };
        match self.fault {
            Fault::NewlinesInTextBecomeSpaces => {
                if let Some(text) = element["item"]["value"]["text"].as_str() {
                    element["item"]["value"]["text"] = text.replace('\n', " ").into();
                }
            }
            Fault::BinaryDeliveredAsText => {
                let b64 = base64::engine::general_purpose::STANDARD;
                let bytes = element["item"]["value"]["binary"]
                    .as_str()
                    .and_then(|b| b64.decode(b).ok());
                if let Some(bytes) = bytes {
                    let text = String::from_utf8_lossy(&bytes).into_owned();
                    element["item"]["value"] = serde_json::json!({ "text": text });
                }
            }
            Fault::NumbersFromSix => {
                if let Some(item) = element.get_mut("item") {
                    shift(&mut item["topic_sequence_number"]);
                }
                if let Some(d) = element.get_mut("discontinuity") {
                    shift(&mut d["last_topic_sequence"]);
                    shift(&mut d["new_topic_sequence"]);
                }
            }
            _ => {}
        }
    }
}

async fn faulty(
    State(proxy): State<Arc<Proxy>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let query = uri
        .query()
        .map(|q| {
            reqwest::Url::parse(&format!("http://query/?{q}"))
                .map(|u| u.query_pairs().into_owned().collect())
                .unwrap_or_default()
        })
        .unwrap_or_default();
    let req = Incoming {
        method,
        path: uri.path().to_owned(),
        query,
        headers,
        body,
    };
    proxy.answer(req).await.into_response()
}

/// Run `ids` against the emulator behind `fault`, as an endpoint.
pub async fn run_faulty(fault: Fault, ids: &[&str]) -> HashMap<String, CheckResult> {
    let emulator = momento_http_emulator::Emulator::builder()
        .cache("faulty")
        .long_poll_wait(Duration::from_secs(1))
        .start()
        .await
        .expect("the emulator starts");
    let proxy = Arc::new(Proxy {
        fault,
        upstream: emulator.base_url(),
        api_key: emulator.api_key(),
        cache: "faulty".into(),
        http: momento_http::http_client_builder()
            .unwrap()
            .build()
            .unwrap(),
        hooks: Default::default(),
        subscribed: Default::default(),
        own_url: Default::default(),
    });
    let app = Router::new()
        .fallback(faulty)
        .with_state(proxy.clone())
        .layer(axum::extract::DefaultBodyLimit::disable());
    let url = super::serve(app).await;
    proxy.own_url.set(url.clone()).unwrap();
    let target = Target::endpoint(&url, &emulator.api_key(), "faulty", Pacing::UNPACED).await;
    run_checks(target, ids, Duration::from_secs(60)).await
}
