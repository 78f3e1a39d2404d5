//! The endpoint under test (the in-process emulator or any `--endpoint`),
//! the keys the suite holds for it, pacing, and the run's history.
//!
//! Checks talk to it through raw HTTP ([`Target::send`]) so that a failure
//! can show the exact request and a `curl` command that reproduces it. On
//! live targets requests are spaced to a configured rate and 429s are
//! retried after `Retry-After`. The emulator's admin API is spoken only
//! through the generated typed client ([`Target::admin`]).
//!
//! Every publish that answers 2xx is logged in the run's history under its
//! topic, and every suite subscriber records what it received there; the
//! run-wide check judges it (`docs/api.md` §4).

use crate::failure::{CheckError, Failure, NO_ADMIN};
use crate::history::{History, payload_key};
use crate::request::{Req, Resp};
use momento_http::{EmulatorAdmin, admin_wire};
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Which kind of endpoint this is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetKind {
    /// The project's emulator (in-process): (C) checks fail when they fail.
    Emulator,
    /// Anything else: failing (C) checks are reported as "differs".
    Endpoint,
}

/// The further keys a user can hand the suite (`--key NAME=KEY`), so the
/// 401/403 checks run against a live endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum KeyRole {
    /// `publish-only`: may publish, not subscribe.
    PublishOnly,
    /// `subscribe-only`: may subscribe, not publish.
    SubscribeOnly,
    /// `other-cache`: valid, but for another cache only.
    OtherCache,
    /// `expired`: once valid, now expired.
    Expired,
}

impl KeyRole {
    /// Every role, in `--key` order.
    pub const ALL: [KeyRole; 4] = [
        KeyRole::PublishOnly,
        KeyRole::SubscribeOnly,
        KeyRole::OtherCache,
        KeyRole::Expired,
    ];

    /// The name used with `--key NAME=KEY`.
    pub fn name(self) -> &'static str {
        match self {
            KeyRole::PublishOnly => "publish-only",
            KeyRole::SubscribeOnly => "subscribe-only",
            KeyRole::OtherCache => "other-cache",
            KeyRole::Expired => "expired",
        }
    }

    /// Parse `NAME=KEY`.
    pub fn parse_arg(arg: &str) -> Result<KeyArg, String> {
        let (name, key) = arg.split_once('=').ok_or_else(|| {
            format!(
                "--key wants NAME=KEY, got {} characters without '=' (not shown: it may be a key)",
                arg.chars().count()
            )
        })?;
        let role = KeyRole::ALL
            .into_iter()
            .find(|r| r.name() == name)
            .ok_or_else(|| {
                format!(
                    "unknown key name {name:?}; use one of {}",
                    KeyRole::ALL.map(KeyRole::name).join(", ")
                )
            })?;
        if key.is_empty() {
            return Err(format!("--key {name}= has no key"));
        }
        Ok(KeyArg {
            role,
            key: key.to_owned(),
        })
    }
}

/// One `--key NAME=KEY`; its Debug output never shows the key.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyArg {
    /// Which key it is.
    pub role: KeyRole,
    /// The key itself.
    pub key: String,
}

impl std::fmt::Debug for KeyArg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyArg({}=…)", self.role.name())
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
    admin: Option<EmulatorAdmin>,
    keys: BTreeMap<KeyRole, String>,
    http: reqwest::Client,
    /// Minimum spacing between requests (live targets).
    min_interval: Option<Duration>,
    next_slot: tokio::sync::Mutex<Instant>,
    counter: AtomicU64,
    run_id: u64,
    /// Per `cache/topic`, what was published and what subscribers received.
    history: Mutex<BTreeMap<String, History>>,
    _emulator: Option<momento_http_emulator::RunningEmulator>,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("base_url", &self.base_url)
            .field("cache", &self.cache)
            .field("kind", &self.kind)
            .field("admin", &self.admin.is_some())
            .field("keys", &self.keys.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// The cache the in-process emulator starts with.
pub const IN_PROCESS_CACHE: &str = "conformance";

/// The admin client for an emulator at `base_url`, on the suite's HTTP settings.
fn admin_client(base_url: &str) -> Result<EmulatorAdmin, momento_http::Error> {
    EmulatorAdmin::builder()
        .base_url(base_url)
        .reqwest_client(http_client())
        .build()
}

fn http_client() -> reqwest::Client {
    momento_http::http_client_builder()
        .expect("rustls accepts ring's defaults")
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap_or_default()
}

impl Target {
    fn new(
        base_url: String,
        api_key: String,
        cache: String,
        kind: TargetKind,
        admin: Option<EmulatorAdmin>,
        emulator: Option<momento_http_emulator::RunningEmulator>,
    ) -> Target {
        Target {
            base_url,
            api_key,
            cache,
            kind,
            admin,
            keys: BTreeMap::new(),
            http: http_client(),
            min_interval: None,
            next_slot: tokio::sync::Mutex::new(Instant::now()),
            counter: AtomicU64::new(0),
            run_id: run_id(),
            history: Mutex::new(BTreeMap::new()),
            _emulator: emulator,
        }
    }

    /// Start the emulator in this process (port 0, long polls of `long_poll`).
    pub async fn in_process(long_poll: Duration) -> anyhow::Result<Target> {
        let emulator = momento_http_emulator::Emulator::builder()
            .cache(IN_PROCESS_CACHE)
            .long_poll_wait(long_poll)
            .start()
            .await?;
        let base_url = emulator.base_url();
        let admin = admin_client(&base_url)?;
        Ok(Target::new(
            base_url,
            emulator.api_key(),
            IN_PROCESS_CACHE.into(),
            TargetKind::Emulator,
            Some(admin),
            Some(emulator),
        ))
    }

    /// Any endpoint; asks the admin API's health operation (2 s) whether
    /// it is an emulator. `rps` bounds requests per second.
    pub async fn endpoint(base_url: &str, api_key: &str, cache: &str, rps: Option<f64>) -> Target {
        let base_url = base_url.trim_end_matches('/').to_owned();
        // A base URL the admin client cannot use is not an emulator either.
        let admin = admin_client(&base_url).ok();
        let has_admin = match &admin {
            Some(admin) => matches!(
                tokio::time::timeout(Duration::from_secs(2), admin.health()).await,
                Ok(Ok(_))
            ),
            None => false,
        };
        let mut t = Target::new(
            base_url,
            api_key.to_owned(),
            cache.to_owned(),
            TargetKind::Endpoint,
            admin.filter(|_| has_admin),
            None,
        );
        t.min_interval = rps
            .filter(|r| *r > 0.0)
            .map(|r| Duration::from_secs_f64(1.0 / r));
        t
    }

    /// Hand the suite a further key (`--key NAME=KEY`).
    pub fn with_key(mut self, role: KeyRole, key: String) -> Target {
        self.keys.insert(role, key);
        self
    }

    /// How the report names this target.
    pub fn describe(&self) -> String {
        let mut s = match self.kind {
            TargetKind::Emulator => format!("in-process emulator ({})", self.base_url),
            TargetKind::Endpoint if self.admin.is_some() => {
                format!("{} (emulator admin API present)", self.base_url)
            }
            TargetKind::Endpoint => self.base_url.clone(),
        };
        if !self.keys.is_empty() {
            let names: Vec<&str> = self.keys.keys().map(|r| r.name()).collect();
            s.push_str(&format!(" with keys {}", names.join(", ")));
        }
        s
    }

    /// The full-access token given to the suite.
    pub fn token(&self) -> &str {
        &self.api_key
    }

    /// Whether the emulator's admin API answers.
    pub fn has_admin(&self) -> bool {
        self.admin.is_some()
    }

    /// A topic name no other check or run uses.
    pub fn fresh_topic(&self, label: &str) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        format!("conf-{label}-{:x}-{n}", self.run_id)
    }

    /// A name unique in this run (subscribers, webhooks).
    pub fn fresh_name(&self, label: &str) -> String {
        format!("{label}-{}", self.counter.fetch_add(1, Ordering::Relaxed))
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
    /// A publish is logged in the run's history: 2xx as published, no
    /// answer as maybe published.
    pub async fn send(&self, req: &Req) -> Result<Resp, Failure> {
        self.send_with(&self.http, req).await
    }

    /// [`Target::send`] on a connection of its own, not the pool the other
    /// requests share ("from another connection").
    pub async fn send_on_new_connection(&self, req: &Req) -> Result<Resp, Failure> {
        self.send_with(&http_client(), req).await
    }

    async fn send_with(&self, http: &reqwest::Client, req: &Req) -> Result<Resp, Failure> {
        let mut attempt = 0;
        loop {
            self.pace().await;
            let resp = self.send_once(http, req).await;
            if let Some((cache, topic)) = req.topic.as_ref().filter(|_| req.is_publish()) {
                let key = payload_key(&req.body);
                self.with_history(cache, topic, |h| match &resp {
                    Ok(r) if (200..300).contains(&r.status) => h.publish(PUBLISHER, &key),
                    Ok(_) => {}
                    Err(_) => h.maybe_published(&key),
                });
            }
            let resp = resp?;
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

    async fn send_once(&self, http: &reqwest::Client, req: &Req) -> Result<Resp, Failure> {
        let url = format!("{}{}", self.base_url, req.path);
        let mut b = http.request(req.method.clone(), &url);
        let mut query = req.query.clone();
        match &req.auth {
            crate::request::Auth::None => {}
            crate::request::Auth::Header(t) => b = b.header("authorization", t),
            crate::request::Auth::Query(t) => query.push(("token".into(), t.clone())),
            crate::request::Auth::Both(t) => {
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
        req.curl(&self.base_url)
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

    // ---- the run's history ----

    fn with_history<R>(&self, cache: &str, topic: &str, f: impl FnOnce(&mut History) -> R) -> R {
        let mut all = self.history.lock().unwrap_or_else(|e| e.into_inner());
        let h = all
            .entry(format!("{cache}/{topic}"))
            .or_insert_with(History::with_publish_log);
        f(h)
    }

    /// Run `f` on the history of `topic` in the suite's cache.
    pub fn history_of<R>(&self, topic: &str, f: impl FnOnce(&mut History) -> R) -> R {
        self.with_history(&self.cache, topic, f)
    }

    /// Everything published and received so far, per `cache/topic`.
    pub fn run_history(&self) -> BTreeMap<String, History> {
        self.history
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    // ---- the emulator's admin API, through its typed client ----

    /// The admin client; a skip when the target has no admin API.
    pub fn admin(&self) -> Result<&EmulatorAdmin, CheckError> {
        self.admin
            .as_ref()
            .ok_or_else(|| CheckError::Skip(NO_ADMIN.into()))
    }

    /// A key for `role`: the one handed over with `--key`, else one minted
    /// through the admin API, else a skip that says what to pass.
    pub async fn key(&self, role: KeyRole) -> Result<String, CheckError> {
        if let Some(k) = self.keys.get(&role) {
            return Ok(k.clone());
        }
        if self.admin.is_none() {
            return Err(CheckError::Skip(format!(
                "needs a {} key: pass --key {}=KEY (or run against the emulator, which mints one)",
                role.name(),
                role.name()
            )));
        }
        let (token_role, ttl, caches) = match role {
            KeyRole::PublishOnly => (admin_wire::TokenRole::Publish, 600, vec![]),
            KeyRole::SubscribeOnly => (admin_wire::TokenRole::Subscribe, 600, vec![]),
            KeyRole::OtherCache => (
                admin_wire::TokenRole::PublishSubscribe,
                600,
                vec![format!("{}-other", self.cache)],
            ),
            KeyRole::Expired => (admin_wire::TokenRole::PublishSubscribe, 0, vec![]),
        };
        Ok(self.mint(token_role, ttl, caches, None).await?.api_key)
    }

    /// Mint a token through the admin API.
    pub async fn mint(
        &self,
        role: admin_wire::TokenRole,
        ttl_seconds: i64,
        caches: Vec<String>,
        token_id: Option<String>,
    ) -> Result<momento_http::MintedKey, CheckError> {
        let body = admin_wire::MintTokenRequest {
            caches,
            role,
            token_id,
            topics: vec![],
            ttl_seconds,
        };
        self.admin()?
            .mint_token(&body)
            .await
            .map_err(|e| admin_failed("mintToken", e))
    }

    /// Arm a fault for the next `count` requests of `operation` on one topic.
    pub async fn inject_fault(
        &self,
        operation: admin_wire::FaultOperation,
        topic: &str,
        count: u32,
        action: admin_wire::FaultAction,
    ) -> Result<(), CheckError> {
        let body = admin_wire::FaultRequest {
            action,
            cache: Some(self.cache.clone()),
            count: std::num::NonZeroU32::new(count.max(1)).unwrap_or(std::num::NonZeroU32::MIN),
            operation,
            topic: Some(topic.to_owned()),
        };
        self.admin()?
            .inject_fault(&body)
            .await
            .map_err(|e| admin_failed("injectFault", e))
    }

    /// Reset a topic (a new page, numbering from 1).
    pub async fn reset_topic(&self, topic: &str) -> Result<admin_wire::TopicState, CheckError> {
        self.admin()?
            .reset_topic(&self.cache, topic)
            .await
            .map_err(|e| admin_failed("resetTopic", e))
    }

    /// Evict the `count` oldest buffered messages of a topic.
    pub async fn evict(
        &self,
        topic: &str,
        count: u64,
    ) -> Result<admin_wire::TopicState, CheckError> {
        self.admin()?
            .evict_messages(&self.cache, topic, count)
            .await
            .map_err(|e| admin_failed("evictMessages", e))
    }
}

/// The publisher the run's history logs the suite's publishes under: within
/// a topic the suite publishes one message at a time, so one order.
pub const PUBLISHER: &str = "suite";

/// A failure of an admin call made to set a check up.
pub fn admin_failed(operation: &str, e: momento_http::Error) -> CheckError {
    CheckError::Fail(Failure::new(
        &format!("admin {operation} (setting up the check)"),
        "a 2xx answer",
        format!("{e}"),
    ))
}

fn run_id() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as u64)
        .unwrap_or(0)
        ^ u64::from(std::process::id())
}

#[cfg(test)]
mod tests {
    use super::KeyRole;

    #[test]
    fn key_arguments_name_the_role_and_never_show_the_key() {
        let k = KeyRole::parse_arg("subscribe-only=s3cr3t").unwrap();
        assert_eq!(k.role, KeyRole::SubscribeOnly);
        assert_eq!(k.key, "s3cr3t");
        assert!(!format!("{k:?}").contains("s3cr3t"));
        let e = KeyRole::parse_arg("admin=s3cr3t-and-more-than-sixteen").unwrap_err();
        assert!(
            e.contains("publish-only, subscribe-only, other-cache, expired"),
            "{e}"
        );
        let e = KeyRole::parse_arg("s3cr3t").unwrap_err();
        assert!(!e.contains("s3c"), "{e}");
    }
}
