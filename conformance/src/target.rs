//! The endpoint under test: the in-process emulator or any `--endpoint`.
//!
//! Checks talk to it through raw HTTP ([`Target::send`]) so that a failure
//! can show the exact request and a `curl` command that reproduces it, with
//! the token replaced by `$MOMENTO_API_KEY`. On live targets requests are
//! spaced to a configured rate and 429s are retried after `Retry-After`.

use crate::history::History;
use bytes::Bytes;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

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

/// Which kind of endpoint this is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetKind {
    /// The project's emulator (in-process): (C) checks fail when they fail.
    Emulator,
    /// Anything else: failing (C) checks are reported as "differs".
    Endpoint,
}

/// Why a check did not pass.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CheckError {
    /// The behaviour is broken.
    Fail(Failure),
    /// The check cannot run here, and why.
    Skip(String),
}

impl From<Failure> for CheckError {
    fn from(f: Failure) -> Self {
        CheckError::Fail(f)
    }
}

/// A failure message: which behaviour, expected, actual, and how to reproduce.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The behaviour in words.
    pub behaviour: String,
    /// What SPEC.md says.
    pub expected: String,
    /// What the target did.
    pub actual: String,
    /// A curl command, token replaced by `$MOMENTO_API_KEY`.
    pub repro: Option<String>,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "{}", self.behaviour)?;
        writeln!(f, "  expected: {}", self.expected)?;
        write!(f, "  actual:   {}", self.actual)?;
        if let Some(r) = &self.repro {
            write!(f, "\n  repro:    {r}")?;
        }
        Ok(())
    }
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
        }
    }
    /// Same request, another token placement.
    pub fn with_auth(mut self, auth: Auth) -> Req {
        self.auth = auth;
        self
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

/// The endpoint under test and what the suite knows about it.
pub struct Target {
    /// Base URL without a trailing slash.
    pub base_url: String,
    api_key: String,
    /// A cache that exists on the target.
    pub cache: String,
    /// Emulator or other endpoint.
    pub kind: TargetKind,
    /// Whether `/_emulator/` answers.
    pub admin: bool,
    http: reqwest::Client,
    /// Minimum spacing between requests (live targets).
    min_interval: Option<Duration>,
    next_slot: tokio::sync::Mutex<Instant>,
    counter: AtomicU64,
    run_id: u64,
    /// Everything subscribers received during the run.
    pub history: Mutex<History>,
    _emulator: Option<momento_http_emulator::RunningEmulator>,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("base_url", &self.base_url)
            .field("cache", &self.cache)
            .field("kind", &self.kind)
            .field("admin", &self.admin)
            .finish_non_exhaustive()
    }
}

/// The cache the in-process emulator starts with.
pub const IN_PROCESS_CACHE: &str = "conformance";

fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap_or_default()
}

impl Target {
    /// Start the emulator in this process (port 0, long polls of `long_poll`).
    pub async fn in_process(long_poll: Duration) -> anyhow::Result<Target> {
        let emulator = momento_http_emulator::Emulator::builder()
            .cache(IN_PROCESS_CACHE)
            .long_poll_wait(long_poll)
            .start()
            .await?;
        Ok(Target {
            base_url: emulator.base_url(),
            api_key: emulator.api_key(),
            cache: IN_PROCESS_CACHE.into(),
            kind: TargetKind::Emulator,
            admin: true,
            http: http_client(),
            min_interval: None,
            next_slot: tokio::sync::Mutex::new(Instant::now()),
            counter: AtomicU64::new(0),
            run_id: run_id(),
            history: Mutex::new(History::default()),
            _emulator: Some(emulator),
        })
    }

    /// Any endpoint; asks `GET /_emulator/health` (2 s) whether it has the
    /// admin API. `rps` bounds requests per second.
    pub async fn endpoint(base_url: &str, api_key: &str, cache: &str, rps: Option<f64>) -> Target {
        let http = http_client();
        let base_url = base_url.trim_end_matches('/').to_owned();
        let admin = matches!(
            tokio::time::timeout(
                Duration::from_secs(2),
                http.get(format!("{base_url}/_emulator/health")).send()
            )
            .await,
            Ok(Ok(r)) if r.status().is_success()
        );
        Target {
            base_url,
            api_key: api_key.to_owned(),
            cache: cache.to_owned(),
            kind: TargetKind::Endpoint,
            admin,
            http,
            min_interval: rps
                .filter(|r| *r > 0.0)
                .map(|r| Duration::from_secs_f64(1.0 / r)),
            next_slot: tokio::sync::Mutex::new(Instant::now()),
            counter: AtomicU64::new(0),
            run_id: run_id(),
            history: Mutex::new(History::default()),
            _emulator: None,
        }
    }

    /// How the report names this target.
    pub fn describe(&self) -> String {
        match self.kind {
            TargetKind::Emulator => format!("in-process emulator ({})", self.base_url),
            TargetKind::Endpoint if self.admin => {
                format!("{} (emulator admin API present)", self.base_url)
            }
            TargetKind::Endpoint => self.base_url.clone(),
        }
    }

    /// The full-access token given to the suite.
    pub fn token(&self) -> &str {
        &self.api_key
    }

    /// A topic name no other check or run uses.
    pub fn fresh_topic(&self, label: &str) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        format!("conf-{label}-{:x}-{n}", self.run_id)
    }

    /// A cache name that surely does not exist.
    pub fn missing_cache(&self) -> String {
        format!("conf-no-such-cache-{:x}", self.run_id)
    }

    async fn pace(&self) {
        if let Some(interval) = self.min_interval {
            let wait = {
                let mut slot = self.next_slot.lock().await;
                let now = Instant::now();
                let at = (*slot).max(now);
                *slot = at + interval;
                at - now
            };
            tokio::time::sleep(wait).await;
        }
    }

    /// Send a request (paced; a 429 on a live target is retried twice after
    /// `Retry-After`, at most 10 s each, unless the check wants the 429).
    pub async fn send(&self, req: &Req) -> Result<Resp, Failure> {
        let mut attempt = 0;
        loop {
            self.pace().await;
            let resp = self.send_once(req).await?;
            if resp.status == 429
                && !req.want_429
                && self.kind == TargetKind::Endpoint
                && attempt < 2
            {
                attempt += 1;
                let secs = resp
                    .header("retry-after")
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .unwrap_or(1)
                    .min(10);
                tokio::time::sleep(Duration::from_secs(secs)).await;
                continue;
            }
            return Ok(resp);
        }
    }

    async fn send_once(&self, req: &Req) -> Result<Resp, Failure> {
        let url = format!("{}{}", self.base_url, req.path);
        let mut b = self.http.request(req.method.clone(), &url);
        let mut query = req.query.clone();
        match &req.auth {
            Auth::None => {}
            Auth::Header(t) => b = b.header("authorization", t),
            Auth::Query(t) => query.push(("token".into(), t.clone())),
            Auth::Both(t) => {
                b = b.header("authorization", t);
                query.push(("token".into(), t.clone()));
            }
        }
        if !query.is_empty() {
            b = b.query(&query);
        }
        if let Some(ct) = &req.content_type {
            b = b.header("content-type", ct);
        }
        if !req.body.is_empty() || req.method == reqwest::Method::POST {
            b = b.body(req.body.clone());
        }
        let resp = b.send().await.map_err(|e| Failure {
            behaviour: format!("{} {} could not be sent", req.method, req.path),
            expected: "an HTTP answer".into(),
            actual: format!("transport error: {e}"),
            repro: Some(self.curl(req)),
        })?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp.bytes().await.map_err(|e| Failure {
            behaviour: format!("{} {} body could not be read", req.method, req.path),
            expected: "a complete body".into(),
            actual: format!("transport error: {e}"),
            repro: Some(self.curl(req)),
        })?;
        Ok(Resp {
            status,
            headers,
            body,
        })
    }

    /// A curl command reproducing `req`, token as `$MOMENTO_API_KEY`.
    pub fn curl(&self, req: &Req) -> String {
        let mut query: Vec<String> = req
            .query
            .iter()
            .map(|(k, v)| format!("{k}={}", encode_segment(v)))
            .collect();
        let mut parts = vec!["curl -i".to_owned()];
        if req.method != reqwest::Method::GET {
            parts.push(format!("-X {}", req.method));
        }
        match &req.auth {
            Auth::None => {}
            Auth::Header(_) => parts.push("-H \"Authorization: $MOMENTO_API_KEY\"".into()),
            Auth::Query(_) => query.push("token=$MOMENTO_API_KEY".into()),
            Auth::Both(_) => {
                parts.push("-H \"Authorization: $MOMENTO_API_KEY\"".into());
                query.push("token=$MOMENTO_API_KEY".into());
            }
        }
        if let Some(ct) = &req.content_type {
            parts.push(format!("-H 'Content-Type: {ct}'"));
        }
        if !req.body.is_empty() {
            match std::str::from_utf8(&req.body) {
                Ok(s) if s.len() <= 200 && !s.contains('\'') => {
                    parts.push(format!("--data-binary '{s}'"))
                }
                _ => parts.push(format!(
                    "--data-binary @payload.bin  # {} bytes",
                    req.body.len()
                )),
            }
        }
        let q = if query.is_empty() {
            String::new()
        } else {
            format!("?{}", query.join("&"))
        };
        // The URL goes before any trailing comment.
        let url = format!("\"{}{}{}\"", self.base_url, req.path, q);
        if let Some(pos) = parts.iter().position(|p| p.contains("  # ")) {
            parts.insert(pos, url);
        } else {
            parts.push(url);
        }
        parts.join(" ")
    }

    /// A failure for `req` whose answer was `resp`.
    pub fn fail(&self, behaviour: &str, expected: &str, req: &Req, resp: &Resp) -> Failure {
        Failure {
            behaviour: behaviour.to_owned(),
            expected: expected.to_owned(),
            actual: resp.describe(),
            repro: Some(self.curl(req)),
        }
    }

    /// Expect `status` for `req`; on mismatch a failure naming `behaviour`.
    pub async fn expect_status(
        &self,
        behaviour: &str,
        req: &Req,
        status: u16,
    ) -> Result<Resp, CheckError> {
        let resp = self.send(req).await?;
        if resp.status != status {
            return Err(self
                .fail(behaviour, &format!("status {status}"), req, &resp)
                .into());
        }
        Ok(resp)
    }

    // ---- the emulator's admin API (raw JSON, same for in-process and --endpoint) ----

    /// Call `/_emulator/...`; skip when the target has no admin API.
    pub async fn admin(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, CheckError> {
        if !self.admin {
            return Err(CheckError::Skip(NO_ADMIN.into()));
        }
        let url = format!("{}/_emulator{}", self.base_url, path);
        let mut b = self.http.request(method.clone(), &url);
        if let Some(body) = &body {
            b = b.json(body);
        }
        let resp = b.send().await.map_err(|e| Failure {
            behaviour: format!("admin {method} {path}"),
            expected: "an answer".into(),
            actual: e.to_string(),
            repro: None,
        })?;
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        if !status.is_success() {
            return Err(Failure {
                behaviour: format!("admin {method} {path} (setting up the check)"),
                expected: "2xx".into(),
                actual: format!("status {}, body {text:?}", status.as_u16()),
                repro: None,
            }
            .into());
        }
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Mint a token through the admin API.
    pub async fn mint(&self, spec: Value) -> Result<String, CheckError> {
        let v = self
            .admin(reqwest::Method::POST, "/tokens", Some(spec))
            .await?;
        v.get("api_key")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| {
                CheckError::Fail(Failure {
                    behaviour: "admin mintToken".into(),
                    expected: "{\"api_key\": ...}".into(),
                    actual: v.to_string(),
                    repro: None,
                })
            })
    }

    /// Arm a fault for the next `count` requests of `operation` on one topic.
    pub async fn inject_fault(
        &self,
        operation: &str,
        topic: &str,
        count: u32,
        action: Value,
    ) -> Result<(), CheckError> {
        self.admin(
            reqwest::Method::POST,
            "/faults",
            Some(serde_json::json!({
                "operation": operation,
                "cache": self.cache,
                "topic": topic,
                "count": count,
                "action": action,
            })),
        )
        .await
        .map(|_| ())
    }

    /// `POST .../topics/{topic}/{verb}` (reset, evict).
    pub async fn topic_admin(
        &self,
        topic: &str,
        verb: &str,
        body: Option<Value>,
    ) -> Result<Value, CheckError> {
        let path = format!(
            "/caches/{}/topics/{}{}",
            encode_segment(&self.cache),
            encode_segment(topic),
            verb
        );
        let method = if verb.is_empty() {
            reqwest::Method::GET
        } else {
            reqwest::Method::POST
        };
        self.admin(method, &path, body).await
    }
}

/// Why admin checks are skipped on targets without the emulator's admin API.
pub const NO_ADMIN: &str =
    "needs the emulator's admin API (GET /_emulator/health did not answer on this target)";

fn run_id() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as u64)
        .unwrap_or(0)
        ^ u64::from(std::process::id())
}
