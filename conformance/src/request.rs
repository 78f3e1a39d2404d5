//! Raw requests and responses, and the `curl` command that replays a
//! request with the token replaced by `$MOMENTO_API_KEY`.

use bytes::Bytes;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;

/// Characters left as they are in path segments (RFC 3986 unreserved).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encode one path segment.
pub fn encode_segment(s: &str) -> String {
    utf8_percent_encode(s, SEGMENT).to_string()
}

/// Where the token goes on a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Auth {
    /// No token at all.
    None,
    /// `Authorization: <token>`.
    Header(String),
    /// `?token=<token>`.
    Query(String),
    /// Both at once (must be 400).
    Both(String),
}

/// A raw request.
#[derive(Clone, Debug)]
pub struct Req {
    /// GET, POST, ...
    pub method: reqwest::Method,
    /// Path with encoded segments, e.g. `/topics/c/t`.
    pub path: String,
    /// Query pairs other than the token.
    pub query: Vec<(String, String)>,
    /// The token.
    pub auth: Auth,
    /// `Content-Type`, if any.
    pub content_type: Option<String>,
    /// The body.
    pub body: Vec<u8>,
    /// Do not retry a 429 (the check wants to see it).
    pub want_429: bool,
    /// `(cache, topic)` of a publish or subscribe: the run's history logs
    /// successful publishes under it.
    pub topic: Option<(String, String)>,
    /// The suite subscriber a subscribe is for: the run's history notes
    /// when its poll went out, which bounds what it is owed.
    pub listener: Option<String>,
}

impl Req {
    /// `POST /topics/{cache}/{topic}` with a text body and the header token.
    pub fn publish_text(cache: &str, topic: &str, token: &str, text: &str) -> Req {
        Req {
            method: reqwest::Method::POST,
            path: topic_path(cache, topic),
            query: vec![],
            auth: Auth::Header(token.to_owned()),
            content_type: Some("text/plain".into()),
            body: text.as_bytes().to_vec(),
            want_429: false,
            listener: None,
            topic: Some((cache.to_owned(), topic.to_owned())),
        }
    }
    /// `POST /topics/{cache}/{topic}` with bytes.
    pub fn publish_bytes(cache: &str, topic: &str, token: &str, bytes: &[u8]) -> Req {
        Req {
            content_type: Some("application/octet-stream".into()),
            body: bytes.to_vec(),
            ..Req::publish_text(cache, topic, token, "")
        }
    }
    /// `GET /topics/{cache}/{topic}?sequence_number=N&sequence_page=P`.
    pub fn subscribe(cache: &str, topic: &str, token: &str, seq: u64, page: u64) -> Req {
        Req {
            method: reqwest::Method::GET,
            path: topic_path(cache, topic),
            query: vec![
                ("sequence_number".into(), seq.to_string()),
                ("sequence_page".into(), page.to_string()),
            ],
            auth: Auth::Header(token.to_owned()),
            content_type: None,
            body: vec![],
            want_429: false,
            listener: None,
            topic: Some((cache.to_owned(), topic.to_owned())),
        }
    }
    /// Same request, another token placement.
    pub fn with_auth(mut self, auth: Auth) -> Req {
        self.auth = auth;
        self
    }
    /// Is this a publish (a POST to a topic)?
    pub fn is_publish(&self) -> bool {
        self.method == reqwest::Method::POST && self.topic.is_some()
    }
    /// Is this a subscribe (a GET of a topic: a long poll)?
    pub fn is_subscribe(&self) -> bool {
        self.method == reqwest::Method::GET && self.topic.is_some()
    }

    /// A curl command reproducing the request against `base_url`, token as
    /// `$MOMENTO_API_KEY`.
    pub fn curl(&self, base_url: &str) -> String {
        let mut query: Vec<String> = self
            .query
            .iter()
            .map(|(k, v)| format!("{k}={}", encode_segment(v)))
            .collect();
        let mut parts = vec!["curl -i".to_owned()];
        if self.method != reqwest::Method::GET {
            parts.push(format!("-X {}", self.method));
        }
        match &self.auth {
            Auth::None => {}
            Auth::Header(_) => parts.push("-H \"Authorization: $MOMENTO_API_KEY\"".into()),
            Auth::Query(_) => query.push("token=$MOMENTO_API_KEY".into()),
            Auth::Both(_) => {
                parts.push("-H \"Authorization: $MOMENTO_API_KEY\"".into());
                query.push("token=$MOMENTO_API_KEY".into());
            }
        }
        if let Some(ct) = &self.content_type {
            parts.push(format!("-H 'Content-Type: {ct}'"));
        }
        if !self.body.is_empty() {
            match std::str::from_utf8(&self.body) {
                Ok(s) if s.len() <= 200 && !s.contains('\'') => {
                    parts.push(format!("--data-binary '{s}'"))
                }
                _ => parts.push(format!(
                    "--data-binary @payload.bin  # {} bytes",
                    self.body.len()
                )),
            }
        }
        let q = if query.is_empty() {
            String::new()
        } else {
            format!("?{}", query.join("&"))
        };
        // The URL goes before any trailing comment.
        let url = format!("\"{base_url}{}{q}\"", self.path);
        if let Some(pos) = parts.iter().position(|p| p.contains("  # ")) {
            parts.insert(pos, url);
        } else {
            parts.push(url);
        }
        parts.join(" ")
    }
}

/// `/topics/{cache}/{topic}`, each segment percent-encoded.
pub fn topic_path(cache: &str, topic: &str) -> String {
    format!(
        "/topics/{}/{}",
        encode_segment(cache),
        encode_segment(topic)
    )
}

/// A raw response.
#[derive(Clone, Debug)]
pub struct Resp {
    /// Status code.
    pub status: u16,
    /// Headers.
    pub headers: reqwest::header::HeaderMap,
    /// The body bytes.
    pub body: Bytes,
    /// How long the endpoint took, from sending the request to the body's
    /// end (the suite's own queue not included).
    pub elapsed: std::time::Duration,
}

impl Resp {
    /// The body as (lossy) text, shortened for messages.
    pub fn body_text(&self) -> String {
        let s = String::from_utf8_lossy(&self.body);
        if s.len() > 400 {
            let mut end = 400;
            while !s.is_char_boundary(end) {
                end -= 1;
            }
            format!("{}…", &s[..end])
        } else {
            s.into_owned()
        }
    }
    /// `status N, body ...` for messages.
    pub fn describe(&self) -> String {
        format!("status {}, body {:?}", self.status, self.body_text())
    }
    /// A header as text.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }
    /// The body parsed as JSON.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }
}
