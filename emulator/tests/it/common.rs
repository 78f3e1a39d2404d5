//! Shared helpers: an emulator on port 0, raw reqwest calls for the Topics
//! API, the typed `EmulatorAdmin` for the admin API; every wait bounded.

use momento_http::EmulatorAdmin;
use momento_http::admin_wire::{MintTokenRequest, TokenRole};
use momento_http::wire::{SubscribeElement, SubscribeResponse};
use momento_http_emulator::{Emulator, EmulatorBuilder, RunningEmulator};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const WAIT: Duration = Duration::from_millis(200);
pub const BOUND: Duration = Duration::from_secs(10);

pub struct Env {
    pub emu: RunningEmulator,
    pub http: reqwest::Client,
    /// The admin API, each request bounded by `BOUND`.
    pub admin: EmulatorAdmin,
    pub base: String,
    pub key: String,
}

pub async fn start() -> Env {
    start_with(Emulator::builder()).await
}

pub async fn start_with(builder: EmulatorBuilder) -> Env {
    let emu = builder
        .cache("c")
        .long_poll_wait(WAIT)
        .start()
        .await
        .expect("emulator starts");
    let admin = EmulatorAdmin::builder()
        .base_url(&emu.base_url())
        .timeout(BOUND)
        .build()
        .expect("admin client builds");
    Env {
        base: emu.base_url(),
        key: emu.api_key(),
        emu,
        http: momento_http::http_client_builder()
            .expect("rustls accepts ring's defaults")
            .build()
            .expect("reqwest client"),
        admin,
    }
}

/// A token request for `role` living `ttl_seconds`, any cache and topic,
/// random id; change fields with struct update syntax.
pub fn token(role: TokenRole, ttl_seconds: i64) -> MintTokenRequest {
    MintTokenRequest {
        caches: vec![],
        topics: vec![],
        role,
        ttl_seconds,
        token_id: None,
    }
}

/// What a subscribe poll returned, simplified: ("item", seq, page) or ("disc", new, page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum El {
    Item(u64, u64, String),
    Disc { last: u64, new: u64, page: u64 },
}

impl Env {
    pub fn topic_url(&self, cache: &str, topic: &str) -> String {
        format!("{}/topics/{cache}/{topic}", self.base)
    }

    pub async fn publish(&self, topic: &str, text: &str) -> u16 {
        self.publish_with(&self.key, "c", topic, text).await
    }

    pub async fn publish_with(&self, key: &str, cache: &str, topic: &str, text: &str) -> u16 {
        tokio::time::timeout(
            BOUND,
            self.http
                .post(self.topic_url(cache, topic))
                .header("authorization", key)
                .header("content-type", "text/plain")
                .body(text.to_string())
                .send(),
        )
        .await
        .expect("bounded")
        .expect("publish sent")
        .status()
        .as_u16()
    }

    pub async fn poll(&self, topic: &str, seq: u64, page: u64) -> Vec<El> {
        let resp = tokio::time::timeout(
            BOUND,
            self.http
                .get(self.topic_url("c", topic))
                .header("authorization", &self.key)
                .query(&[("sequence_number", seq), ("sequence_page", page)])
                .send(),
        )
        .await
        .expect("bounded")
        .expect("poll sent");
        assert_eq!(resp.status(), 200);
        let body: SubscribeResponse = resp.json().await.expect("SubscribeResponse");
        body.items
            .into_iter()
            .map(|e| match e {
                SubscribeElement::Item(i) => El::Item(
                    i.topic_sequence_number,
                    i.sequence_page.expect("page"),
                    match i.value {
                        momento_http::wire::TopicValue::Text(t) => t,
                        momento_http::wire::TopicValue::Binary(b) => format!("b:{b}"),
                    },
                ),
                SubscribeElement::Discontinuity(d) => El::Disc {
                    last: d.last_topic_sequence,
                    new: d.new_topic_sequence,
                    page: d.new_sequence_page.expect("page"),
                },
            })
            .collect()
    }

    /// The topic's current sequence page (cache "c").
    pub async fn page(&self, topic: &str) -> u64 {
        self.admin
            .inspect_topic("c", topic)
            .await
            .expect("inspect_topic")
            .sequence_page
    }

    /// A minted key (through the admin API).
    pub async fn mint(&self, request: MintTokenRequest) -> String {
        self.admin
            .mint_token(&request)
            .await
            .expect("mint_token")
            .api_key
    }
}

pub fn items(els: &[El]) -> Vec<u64> {
    els.iter()
        .filter_map(|e| match e {
            El::Item(n, _, _) => Some(*n),
            El::Disc { .. } => None,
        })
        .collect()
}

/// The full-access key an emulator binary wrote to `key_file`
/// (`--write-api-key`) and the endpoint it names, waiting (bounded) for
/// the file to appear.
pub async fn written_key(key_file: &std::path::Path) -> (String, String) {
    let started = std::time::Instant::now();
    let key = loop {
        if let Ok(k) = std::fs::read_to_string(key_file)
            && !k.trim().is_empty()
        {
            break k.trim().to_owned();
        }
        assert!(started.elapsed() < BOUND, "no key written to {key_file:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let endpoint = momento_http::Credential::parse(&key)
        .unwrap()
        .endpoint()
        .expect("the key names the endpoint")
        .to_string();
    (key, endpoint)
}

/// Everything logged on this thread while it lives, at every level and
/// without colours (a `#[tokio::test]` runs on one thread).
pub struct CapturedLogs {
    buf: Arc<Mutex<Vec<u8>>>,
    _default: tracing::subscriber::DefaultGuard,
}

/// Start capturing this thread's logs.
pub fn capture_logs() -> CapturedLogs {
    let buf = Arc::new(Mutex::new(Vec::new()));
    let writer = SharedBuf(buf.clone());
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    CapturedLogs {
        buf,
        _default: tracing::subscriber::set_default(subscriber),
    }
}

impl CapturedLogs {
    /// What was logged so far.
    pub fn text(&self) -> String {
        String::from_utf8(self.buf.lock().unwrap().clone()).expect("logs are UTF-8")
    }
}

#[derive(Clone)]
struct SharedBuf(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for SharedBuf {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
