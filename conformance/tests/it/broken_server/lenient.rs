//! The emulator behind a proxy that relaxes one documented requirement, as
//! a lenient real server could: everything else stays correct, so a check
//! that fails through it accuses that leniency alone.

use crate::support::forward::forward;
use crate::support::run::run_checks;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::Response;
use momento_http_conformance::report::CheckResult;
use momento_http_conformance::target::{Pacing, Target};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// What the server lets through that the docs do not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Leniency {
    /// Nothing: the proxy only forwards.
    None,
    /// A request without a token is served as the account's.
    AnonymousAsAccount,
    /// A cache PUT without `ttl_seconds` is stored for 60 s.
    DefaultTtl,
    /// With both `key` and `key_base64`, `key` wins; with neither, the key
    /// is `unnamed`.
    FirstKeyWins,
    /// A cache item over 5 MiB is cut to fit and stored.
    TruncatesOversize,
    /// Cache keys are folded to lower case (`key_base64` too, byte-wise).
    FoldsKeyCase,
    /// Cache keys are normalised to Unicode NFC (`key_base64` too, when
    /// its bytes are UTF-8).
    NormalisesKeys,
    /// A cache `key` is the query value as spelled, its escapes undecoded.
    KeepsEscapesLiteral,
}

/// `key` and `key_base64` rewritten by `text` (for `key`) and `bytes` (for
/// the decoded `key_base64`).
fn rewrite_keys(
    query: &mut [(String, String)],
    text: impl Fn(&str) -> String,
    bytes: impl Fn(&[u8]) -> Vec<u8>,
) {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    for (name, value) in query.iter_mut() {
        if name == "key" {
            *value = text(value);
        } else if name == "key_base64"
            && let Ok(decoded) = b64.decode(value.trim_end_matches('='))
        {
            *value = b64.encode(bytes(&decoded));
        }
    }
}

struct Proxy {
    leniency: Leniency,
    upstream: String,
    api_key: String,
    http: reqwest::Client,
}

impl Proxy {
    /// The request as the lenient server understands it.
    fn relax(&self, uri: &Uri, headers: &mut HeaderMap, body: &mut Bytes) -> reqwest::Url {
        let mut url = reqwest::Url::parse(&format!("{}{uri}", self.upstream)).unwrap();
        let mut query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let has = |query: &[(String, String)], k: &str| query.iter().any(|(n, _)| n == k);
        let cache = uri.path().starts_with("/cache/");
        match self.leniency {
            // Keys are relaxed below.
            Leniency::None
            | Leniency::FoldsKeyCase
            | Leniency::NormalisesKeys
            | Leniency::KeepsEscapesLiteral => {}
            Leniency::AnonymousAsAccount => {
                if !headers.contains_key("authorization") && !has(&query, "token") {
                    headers.insert("authorization", self.api_key.parse().unwrap());
                }
            }
            Leniency::DefaultTtl => {
                if cache && !has(&query, "ttl_seconds") {
                    query.push(("ttl_seconds".into(), "60".into()));
                }
            }
            Leniency::FirstKeyWins => {
                if cache && has(&query, "key") {
                    query.retain(|(n, _)| n != "key_base64");
                } else if cache && !has(&query, "key_base64") {
                    query.push(("key".into(), "unnamed".into()));
                }
            }
            Leniency::TruncatesOversize => {
                let key = query
                    .iter()
                    .find(|(n, _)| n == "key")
                    .map_or(0, |(_, v)| v.len());
                let room = momento_http::CACHE_MAX_ITEM_BYTES - key;
                if cache && body.len() > room {
                    *body = body.slice(..room);
                }
            }
        }
        if cache {
            self.relax_keys(uri, &mut query);
        }
        if query.is_empty() {
            url.set_query(None);
        } else {
            url.query_pairs_mut().clear().extend_pairs(&query);
        }
        url
    }
}

impl Proxy {
    fn relax_keys(&self, uri: &Uri, query: &mut [(String, String)]) {
        use unicode_normalization::UnicodeNormalization as _;
        match self.leniency {
            Leniency::FoldsKeyCase => {
                rewrite_keys(query, str::to_lowercase, <[u8]>::to_ascii_lowercase);
            }
            Leniency::NormalisesKeys => rewrite_keys(
                query,
                |k| k.nfc().collect(),
                |b| match std::str::from_utf8(b) {
                    Ok(k) => k.nfc().collect::<String>().into_bytes(),
                    Err(_) => b.to_vec(),
                },
            ),
            Leniency::KeepsEscapesLiteral => {
                let raw = uri.query().unwrap_or_default();
                let spelled = raw.split('&').find_map(|pair| pair.strip_prefix("key="));
                if let Some(spelled) = spelled {
                    rewrite_keys(query, |_| spelled.to_owned(), <[u8]>::to_vec);
                }
            }
            _ => {}
        }
    }
}

async fn relaxed(
    State(proxy): State<Arc<Proxy>>,
    method: Method,
    uri: Uri,
    mut headers: HeaderMap,
    mut body: Bytes,
) -> Response {
    let url = proxy.relax(&uri, &mut headers, &mut body);
    forward(&proxy.http, method, url, &headers, body).await
}

/// Run `ids` against the emulator behind `leniency`, as an endpoint.
pub async fn run_lenient(leniency: Leniency, ids: &[&str]) -> HashMap<String, CheckResult> {
    let emulator = momento_http_emulator::Emulator::builder()
        .cache("lenient")
        .long_poll_wait(Duration::from_secs(1))
        .start()
        .await
        .expect("the emulator starts");
    let proxy = Arc::new(Proxy {
        leniency,
        upstream: emulator.base_url(),
        api_key: emulator.api_key(),
        http: momento_http::http_client_builder()
            .unwrap()
            .build()
            .unwrap(),
    });
    let app = Router::new()
        .fallback(relaxed)
        .with_state(proxy)
        .layer(axum::extract::DefaultBodyLimit::disable());
    let url = super::serve(app).await;
    let target = Target::endpoint(&url, &emulator.api_key(), "lenient", Pacing::UNPACED).await;
    run_checks(target, ids, Duration::from_secs(60)).await
}
