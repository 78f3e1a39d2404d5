//! Malformed-input storm: seeded bad requests over raw TCP against the
//! in-process emulator. Every answer must be below 500, every 4xx a JSON error
//! `{"status", "title", "detail"}` with a non-empty detail, and the emulator
//! must still serve correct requests afterwards.
//!
//! Shared by the `momento-http-load storm` command and `tests/storm_small.rs`
//! (included there by `#[path]`), so it uses no binary-only dependency.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::StreamExt as _;
use momento_http::{TopicClient, TopicEvent};
pub use momento_http_conformance::seeded::Rng;
use momento_http_emulator::{Emulator, Limits, Role, TokenSpec};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

const CACHE: &str = "storm";

/// How the body is sent.
#[derive(Clone, Debug)]
pub enum BodyMode {
    /// All at once.
    Whole,
    /// In `pieces` pieces, `pause` apart.
    Slow {
        /// Pieces.
        pieces: usize,
        /// Pause between pieces.
        pause: Duration,
    },
    /// Only this many bytes, then the write half is closed.
    Truncated(usize),
}

/// One generated request.
#[derive(Clone, Debug)]
pub struct BadRequest {
    /// Category, for the report.
    pub kind: &'static str,
    /// The head (request line and headers, ending in CRLF CRLF).
    pub head: Vec<u8>,
    /// The body.
    pub body: Vec<u8>,
    /// How to send it.
    pub mode: BodyMode,
    /// Whether the request is not valid HTTP/1.1 (so the HTTP layer may answer
    /// a bare 400 or close without answering).
    pub malformed_http: bool,
    /// A HEAD request: answers carry no body.
    pub head_only: bool,
}

impl BadRequest {
    /// A printable rendering (head as lossy text, body length).
    pub fn describe(&self) -> String {
        let head = String::from_utf8_lossy(&self.head);
        let head: String = head.chars().take(300).collect();
        format!(
            "[{}] {:?} + {} body bytes ({:?})",
            self.kind,
            head,
            self.body.len(),
            self.mode
        )
    }
}

/// Tokens to pick from.
#[derive(Clone, Debug)]
pub struct Tokens {
    /// Full access.
    pub good: String,
    /// Expired.
    pub expired: String,
    /// Subscribe only (publishing with it is 403).
    pub subscribe_only: String,
    /// For another cache.
    pub other_cache: String,
}

fn pct(b: u8) -> String {
    format!("%{b:02X}")
}

fn random_segment(rng: &mut Rng) -> String {
    match rng.below(12) {
        0 => String::new(),
        1 => "%20".into(),
        2 => "%20%20".into(),
        3 => "a".repeat(256 + rng.below(4000) as usize),
        4 => "%".into(),
        5 => "%G1%zz%".into(),
        6 => "%C3%28%FF%FE".into(), // invalid UTF-8 once decoded
        7 => "%00nul%0A%0D".into(),
        8 => "..".into(),
        9 => "%2F%2e%2e%2F".into(),
        10 => {
            // Random bytes, percent-encoded or raw where legal in a path.
            let legal = b"abcXYZ019-._~!$&'()*+,;=:@";
            (0..1 + rng.below(40))
                .map(|_| {
                    if rng.one_in(3) {
                        pct(rng.below(256) as u8)
                    } else {
                        (legal[rng.below(legal.len() as u64) as usize] as char).to_string()
                    }
                })
                .collect()
        }
        _ => CACHE.into(),
    }
}

fn random_path(rng: &mut Rng) -> String {
    match rng.below(10) {
        0 => "/topics".into(),
        1 => format!("/topics/{}", random_segment(rng)),
        2 => format!(
            "/topics/{}/{}/{}",
            random_segment(rng),
            random_segment(rng),
            random_segment(rng)
        ),
        3 => format!("/topics//{}", random_segment(rng)),
        4 => format!("/{}", random_segment(rng)),
        5 => format!("/_emulator/{}", random_segment(rng)),
        6 => "/topics/storm/".into(),
        _ => {
            let cache = if rng.one_in(3) {
                random_segment(rng)
            } else if rng.one_in(4) {
                "no-such-cache".into()
            } else {
                CACHE.into()
            };
            format!("/topics/{cache}/{}", random_segment(rng))
        }
    }
}

fn random_number(rng: &mut Rng) -> String {
    rng.pick(&[
        "abc",
        "-1",
        "-0",
        "18446744073709551615",
        "18446744073709551616",
        "99999999999999999999999999",
        "1e5",
        "",
        "0x10",
        "%201",
        "1.5",
        "%FF",
        "0",
        "1",
        "+1",
        "NaN",
    ])
    .to_owned()
}

fn random_query(rng: &mut Rng, tokens: &Tokens) -> (Vec<String>, Option<String>) {
    // (query pairs, Authorization header)
    let mut q = Vec::new();
    for _ in 0..rng.below(4) {
        let key = rng.pick(&["sequence_number", "sequence_page", "token", "x", "", "%ZZ"]);
        let val = if key == "token" {
            random_token(rng, tokens).replace(' ', "%20")
        } else {
            random_number(rng)
        };
        q.push(format!("{key}={val}"));
    }
    if rng.one_in(6) {
        q.push("sequence_number".into()); // no '='
    }
    let auth = match rng.below(5) {
        0 => None,
        _ => Some(random_token(rng, tokens)),
    };
    (q, auth)
}

fn random_token(rng: &mut Rng, tokens: &Tokens) -> String {
    match rng.below(12) {
        0 => tokens.good.clone(),
        1 => tokens.expired.clone(),
        2 => tokens.subscribe_only.clone(),
        3 => tokens.other_cache.clone(),
        4 => String::new(),
        5 => format!("Bearer {}", tokens.good),
        6 => "garbage".into(),
        7 => "eyJhbGciOiJub25lIn0.e30.".into(),
        8 => {
            // A v1 wrapper around a broken JWT.
            use base64::Engine as _;
            base64::engine::general_purpose::URL_SAFE
                .encode(r#"{"endpoint":"http://127.0.0.1:1","api_key":"a.b.c"}"#)
        }
        9 => format!("{}x", tokens.good),
        10 => "%ZZ%".into(),
        _ => "x".repeat(1 + rng.below(9000) as usize),
    }
}

/// Generate request `i` of a storm seeded by `seed`.
pub fn generate(rng: &mut Rng, tokens: &Tokens) -> BadRequest {
    let mut malformed_http = false;
    let method = match rng.below(14) {
        0 => "PUT",
        1 => "DELETE",
        2 => "PATCH",
        3 => "OPTIONS",
        4 => "HEAD",
        5 => "TRACE",
        6 => "FOO",
        7 => "get",
        8..=10 => "POST",
        _ => "GET",
    };
    // Keep DELETE away from admin routes that would delete the cache; and
    // never send a valid fault to the admin API.
    let mut path = random_path(rng);
    if path.starts_with("/_emulator") && method != "GET" && method != "POST" {
        path = "/_emulator/nothing-here".into();
    }
    let (query, auth) = random_query(rng, tokens);
    let mut target = path.clone();
    if !query.is_empty() {
        target.push('?');
        target.push_str(&query.join("&"));
    }
    let mut kind = "path/query/token";
    let mut headers: Vec<(String, Vec<u8>)> = Vec::new();
    if let Some(a) = auth {
        headers.push(("Authorization".into(), a.into_bytes()));
        if rng.one_in(5) {
            headers.push(("Authorization".into(), tokens.good.clone().into_bytes()));
            kind = "doubled token";
        }
    }
    if rng.one_in(25) {
        // Bytes outside ASCII in a header value (obs-text).
        headers.push(("Authorization".into(), vec![0xC3, 0x28, 0xFF, b'x']));
        kind = "non-ASCII token";
    }
    let mut body = Vec::new();
    let mut mode = BodyMode::Whole;
    let mut declared_len: Option<String> = None;
    if method == "POST" || method == "PUT" || rng.one_in(10) {
        let ct = rng.pick(&[
            "text/plain",
            "text/plain; charset=utf-8",
            "application/octet-stream",
            "application/json",
            "application/x-www-form-urlencoded",
            "",
            "garbage/",
        ]);
        if !ct.is_empty() {
            headers.push(("Content-Type".into(), ct.as_bytes().to_vec()));
        }
        match rng.below(10) {
            0 => {
                body = vec![0xC3, 0x28, 0xA0, 0xA1, 0xFF, 0xFE, b'h', b'i'];
                kind = "invalid UTF-8 body";
            }
            1 => {
                body = vec![b'x'; 4097 + rng.below(70_000) as usize];
                kind = "body over limit";
            }
            2 => {
                body = b"{\"operation\": \"publish\", \"count\": -1, \"action\": {}}".to_vec();
                kind = "bad JSON";
            }
            3 => {
                body = b"{\"millis\": \"soon\"".to_vec();
                kind = "truncated JSON";
            }
            4 => {
                body = vec![b'y'; 200];
                mode = BodyMode::Slow {
                    pieces: 4,
                    pause: Duration::from_millis(100),
                };
                kind = "slow body";
            }
            5 => {
                body = vec![b'z'; 300];
                mode = BodyMode::Truncated(100);
                kind = "truncated body";
            }
            6 => {
                body = b"hi".to_vec();
                declared_len = Some(rng.pick(&["abc", "-1", "99999999999999", "2, 3"]).into());
                kind = "bad Content-Length";
                malformed_http = true;
            }
            _ => body = format!("hello {}", rng.next_u64()).into_bytes(),
        }
    }
    let mut head =
        format!("{method} {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n")
            .into_bytes();
    for (k, v) in headers {
        head.extend_from_slice(k.as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(&v);
        head.extend_from_slice(b"\r\n");
    }
    if !body.is_empty() || declared_len.is_some() {
        let len = declared_len.unwrap_or_else(|| body.len().to_string());
        head.extend_from_slice(format!("Content-Length: {len}\r\n").as_bytes());
    }
    head.extend_from_slice(b"\r\n");
    BadRequest {
        kind,
        head,
        body,
        mode,
        malformed_http,
        head_only: method == "HEAD",
    }
}

/// What came back.
#[derive(Clone, Debug)]
pub enum Answer {
    /// A response.
    Response {
        /// Status code.
        status: u16,
        /// Content-Type, lower-cased.
        content_type: String,
        /// The body (de-chunked).
        body: Vec<u8>,
    },
    /// The connection closed without a response.
    Closed,
    /// No response in time.
    Timeout,
}

async fn send(addr: SocketAddr, req: &BadRequest) -> std::io::Result<Answer> {
    let mut stream = TcpStream::connect(addr).await?;
    stream.write_all(&req.head).await?;
    let written = match &req.mode {
        BodyMode::Whole => stream.write_all(&req.body).await,
        BodyMode::Slow { pieces, pause } => {
            let mut r = Ok(());
            for chunk in req.body.chunks(req.body.len().div_ceil(*pieces).max(1)) {
                tokio::time::sleep(*pause).await;
                r = stream.write_all(chunk).await;
                if r.is_err() {
                    break;
                }
            }
            r
        }
        BodyMode::Truncated(n) => {
            let r = stream.write_all(&req.body[..*n.min(&req.body.len())]).await;
            let _ = stream.shutdown().await;
            r
        }
    };
    // The server may answer (e.g. 400 for an oversized body) before reading
    // all of it and reset the connection: read what is there either way.
    let _ = written;
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), async {
        let mut chunk = [0u8; 8192];
        loop {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
    })
    .await;
    if read.is_err() && buf.is_empty() {
        return Ok(Answer::Timeout);
    }
    Ok(parse_response(&buf).unwrap_or(Answer::Closed))
}

fn parse_response(buf: &[u8]) -> Option<Answer> {
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&buf[..end]);
    let mut lines = head.split("\r\n");
    let status: u16 = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let mut content_type = String::new();
    let mut chunked = false;
    for line in lines {
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        let (k, v) = (k.trim().to_ascii_lowercase(), v.trim().to_ascii_lowercase());
        if k == "content-type" {
            content_type = v;
        } else if k == "transfer-encoding" && v.contains("chunked") {
            chunked = true;
        }
    }
    let raw = &buf[end + 4..];
    let body = if chunked { dechunk(raw) } else { raw.to_vec() };
    Some(Answer::Response {
        status,
        content_type,
        body,
    })
}

fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = raw.windows(2).position(|w| w == b"\r\n") {
        let size = std::str::from_utf8(&raw[..eol])
            .ok()
            .and_then(|s| usize::from_str_radix(s.split(';').next()?.trim(), 16).ok());
        let Some(size) = size else { break };
        if size == 0 {
            break;
        }
        let start = eol + 2;
        let stop = (start + size).min(raw.len());
        out.extend_from_slice(&raw[start..stop]);
        raw = raw.get(stop + 2..).unwrap_or_default();
    }
    out
}

/// Why an answer breaks the rules, if it does.
pub fn judge(req: &BadRequest, answer: &Answer) -> Option<String> {
    match answer {
        Answer::Response {
            status,
            content_type,
            body,
        } => {
            if *status >= 500 {
                return Some(format!("{status} (5xx)"));
            }
            if (400..500).contains(status) {
                if req.malformed_http && body.is_empty() {
                    return None; // the HTTP layer's bare 400 for non-HTTP input
                }
                if req.head_only && body.is_empty() {
                    // HEAD answers have no body; the type must still say JSON.
                    return (!content_type.starts_with("application/json"))
                        .then(|| format!("{status} to HEAD with content-type {content_type:?}"));
                }
                if !content_type.starts_with("application/json") {
                    return Some(format!(
                        "{status} with content-type {content_type:?}, body {:?}",
                        String::from_utf8_lossy(&body[..body.len().min(200)])
                    ));
                }
                let v: serde_json::Value = match serde_json::from_slice(body) {
                    Ok(v) => v,
                    Err(e) => return Some(format!("{status}: body is not JSON ({e})")),
                };
                let detail_ok = v["detail"].as_str().is_some_and(|d| !d.trim().is_empty());
                if !detail_ok || v["title"].as_str().is_none() {
                    return Some(format!("{status}: JSON error without title/detail: {v}"));
                }
                if v["status"].as_u64() != Some(u64::from(*status)) {
                    return Some(format!("{status}: JSON error says status {}", v["status"]));
                }
            }
            None
        }
        Answer::Closed => {
            if req.malformed_http || matches!(req.mode, BodyMode::Truncated(_)) {
                None
            } else {
                Some("connection closed without an answer".into())
            }
        }
        Answer::Timeout => Some("no answer within 10 s".into()),
    }
}

/// The outcome of a storm.
#[derive(Clone, Debug, Default)]
pub struct StormReport {
    /// Seed used.
    pub seed: u64,
    /// Requests sent.
    pub requests: u64,
    /// Answers by status ("closed" and "timeout" for no answer).
    pub by_status: BTreeMap<String, u64>,
    /// Requests by category.
    pub by_kind: BTreeMap<&'static str, u64>,
    /// 5xx answers.
    pub server_errors: u64,
    /// Rule breaches, with the request that caused each (first 20 kept).
    pub violations: Vec<String>,
    /// How many breaches in all.
    pub violation_count: u64,
    /// Why a publish and a subscribe through the client failed afterwards (None: they worked).
    pub unhealthy_after: Option<String>,
    /// Wall time.
    pub elapsed: Duration,
}

impl StormReport {
    /// Zero 5xx, zero breaches, healthy afterwards.
    pub fn ok(&self) -> bool {
        self.server_errors == 0 && self.violation_count == 0 && self.unhealthy_after.is_none()
    }
    /// A human-readable summary.
    pub fn render(&self) -> String {
        let mut s = format!(
            "storm: seed {} | {} requests | {:.1} s\n",
            self.seed,
            self.requests,
            self.elapsed.as_secs_f64()
        );
        s += &format!("by status: {:?}\n", self.by_status);
        s += &format!("by kind:   {:?}\n", self.by_kind);
        s += &format!(
            "5xx: {} | rule breaches: {} | correct requests afterwards: {}\n",
            self.server_errors,
            self.violation_count,
            match &self.unhealthy_after {
                None => "ok".to_owned(),
                Some(e) => format!("FAILED ({e})"),
            }
        );
        for v in &self.violations {
            s += &format!("  - {v}\n");
        }
        s += if self.ok() {
            "storm: PASS\n"
        } else {
            "storm: FAIL\n"
        };
        s
    }
}

/// Send `requests` seeded bad requests (`concurrency` at a time) to a fresh
/// in-process emulator, then check it still serves a publish and a subscribe.
pub async fn run(requests: u64, seed: u64, concurrency: usize) -> anyhow::Result<StormReport> {
    let started = Instant::now();
    let emulator = Emulator::builder()
        .cache(CACHE)
        .cache("other")
        .long_poll_wait(Duration::from_millis(100))
        .limits(Limits {
            ops_per_second: None,
            ..Limits::default()
        })
        .start()
        .await?;
    let addr = emulator.local_addr();
    let tokens = Tokens {
        good: emulator.api_key(),
        expired: emulator.mint_token(&TokenSpec {
            caches: None,
            topics: None,
            role: Role::PublishSubscribe,
            ttl_seconds: -10,
            token_id: None,
        }),
        subscribe_only: emulator.mint_token(&TokenSpec {
            caches: Some(vec![CACHE.into()]),
            topics: None,
            role: Role::Subscribe,
            ttl_seconds: 3600,
            token_id: Some("storm".into()),
        }),
        other_cache: emulator.mint_token(&TokenSpec {
            caches: Some(vec!["other".into()]),
            topics: None,
            role: Role::PublishSubscribe,
            ttl_seconds: 3600,
            token_id: None,
        }),
    };
    let mut rng = Rng::new(seed);
    let generated: Vec<BadRequest> = (0..requests).map(|_| generate(&mut rng, &tokens)).collect();
    let report = Arc::new(Mutex::new(StormReport {
        seed,
        requests,
        ..StormReport::default()
    }));
    futures::stream::iter(generated)
        .for_each_concurrent(concurrency.max(1), |req| {
            let report = report.clone();
            async move {
                let answer = send(addr, &req).await.unwrap_or(Answer::Closed);
                let verdict = judge(&req, &answer);
                let mut r = report.lock().unwrap_or_else(|e| e.into_inner());
                *r.by_kind.entry(req.kind).or_default() += 1;
                let key = match &answer {
                    Answer::Response { status, .. } => {
                        if *status >= 500 {
                            r.server_errors += 1;
                        }
                        status.to_string()
                    }
                    Answer::Closed => "closed".into(),
                    Answer::Timeout => "timeout".into(),
                };
                *r.by_status.entry(key).or_default() += 1;
                if let Some(why) = verdict {
                    r.violation_count += 1;
                    if r.violations.len() < 20 {
                        r.violations.push(format!("{why}  <=  {}", req.describe()));
                    }
                }
            }
        })
        .await;
    let healthy = healthy_after(&emulator.base_url(), &emulator.api_key()).await;
    let mut report = Arc::try_unwrap(report)
        .map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner()))
        .unwrap_or_else(|arc| arc.lock().unwrap_or_else(|e| e.into_inner()).clone());
    report.unhealthy_after = healthy.err();
    report.elapsed = started.elapsed();
    emulator.shutdown().await;
    Ok(report)
}

/// A publish and a subscribe through the real client, and the health route.
async fn healthy_after(base: &str, key: &str) -> Result<(), String> {
    let client = TopicClient::builder()
        .api_key(key)
        .build()
        .map_err(|e| e.to_string())?;
    let health = reqwest::get(format!("{base}/_emulator/health"))
        .await
        .map_err(|e| e.to_string())?;
    if !health.status().is_success() {
        return Err(format!("health answered {}", health.status()));
    }
    let topic = "after-the-storm";
    let mut sub = client.subscribe(CACHE, topic);
    let check = async {
        // The first poll must be waiting before the publish ("from now on").
        let first = tokio::spawn(async move {
            let ev = sub.next().await;
            (ev, sub)
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        for _ in 0..50 {
            client
                .publish(CACHE, topic, "still here")
                .await
                .map_err(|e| format!("publish: {e}"))?;
            if first.is_finished() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let (ev, _sub) = first.await.map_err(|e| e.to_string())?;
        match ev {
            Some(Ok(TopicEvent::Item { .. })) => Ok(()),
            other => Err(format!("subscribe got {other:?}")),
        }
    };
    tokio::time::timeout(Duration::from_secs(10), check)
        .await
        .map_err(|_| "no message within 10 s".to_owned())?
}
