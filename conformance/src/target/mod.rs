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

mod clock;
mod pacer;
mod transport;

pub use clock::CheckClock;
pub use pacer::{DOCUMENTED_LONG_POLLS, DOCUMENTED_RPS, Pacing};
pub use transport::RunFigures;

use crate::failure::{CheckError, Failure, NO_ADMIN};
use crate::history::History;
use crate::request::{Req, Resp};
use momento_http::{EmulatorAdmin, admin_wire};
use pacer::Pacer;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

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

/// The endpoint under test and what the suite knows about it, as one check
/// sees it: the endpoint, its keys and the run's queue and history are
/// shared by every check; the [`CheckClock`] is this check's own
/// ([`Target::for_check`]).
pub struct Target {
    /// Base URL without a trailing slash.
    pub base_url: String,
    /// A cache that exists on the target.
    pub cache: String,
    /// Emulator or other endpoint.
    pub kind: TargetKind,
    keys: BTreeMap<KeyRole, String>,
    shared: Arc<Shared>,
    clock: Arc<CheckClock>,
}

/// What every check of a run shares.
struct Shared {
    api_key: String,
    admin: Option<EmulatorAdmin>,
    http: reqwest::Client,
    pacer: Pacer,
    figures: transport::Counters,
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
            .field("admin", &self.shared.admin.is_some())
            .field("keys", &self.keys.keys().collect::<Vec<_>>())
            .field("pacing", &self.shared.pacer.pacing())
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
        pacing: Pacing,
        emulator: Option<momento_http_emulator::RunningEmulator>,
    ) -> Target {
        Target {
            base_url,
            cache,
            kind,
            keys: BTreeMap::new(),
            shared: Arc::new(Shared {
                api_key,
                admin,
                http: http_client(),
                pacer: Pacer::new(pacing),
                figures: transport::Counters::default(),
                counter: AtomicU64::new(0),
                run_id: run_id(),
                history: Mutex::new(BTreeMap::new()),
                _emulator: emulator,
            }),
            clock: Arc::new(CheckClock::start()),
        }
    }

    /// The same target for one check, with a clock of its own that starts now.
    pub fn for_check(&self) -> Target {
        Target {
            base_url: self.base_url.clone(),
            cache: self.cache.clone(),
            kind: self.kind,
            keys: self.keys.clone(),
            shared: self.shared.clone(),
            clock: Arc::new(CheckClock::start()),
        }
    }

    /// This check's clock: its time queued in the suite and its time active.
    pub fn clock(&self) -> &CheckClock {
        &self.clock
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
            Pacing::UNPACED,
            Some(emulator),
        ))
    }

    /// Any endpoint; asks the admin API's health operation (2 s) whether
    /// it is an emulator. `pacing` bounds how hard the suite drives it.
    pub async fn endpoint(base_url: &str, api_key: &str, cache: &str, pacing: Pacing) -> Target {
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
        Target::new(
            base_url,
            api_key.to_owned(),
            cache.to_owned(),
            TargetKind::Endpoint,
            admin.filter(|_| has_admin),
            pacing,
            None,
        )
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
            TargetKind::Endpoint if self.shared.admin.is_some() => {
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
        &self.shared.api_key
    }

    /// Whether the emulator's admin API answers.
    pub fn has_admin(&self) -> bool {
        self.shared.admin.is_some()
    }

    /// A topic name no other check or run uses.
    pub fn fresh_topic(&self, label: &str) -> String {
        let n = self.shared.counter.fetch_add(1, Ordering::Relaxed);
        format!("conf-{label}-{:x}-{n}", self.shared.run_id)
    }

    /// A name unique in this run (subscribers, webhooks).
    pub fn fresh_name(&self, label: &str) -> String {
        format!(
            "{label}-{}",
            self.shared.counter.fetch_add(1, Ordering::Relaxed)
        )
    }

    /// A cache name that surely does not exist.
    pub fn missing_cache(&self) -> String {
        format!("conf-no-such-cache-{:x}", self.shared.run_id)
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
        let mut all = self
            .shared
            .history
            .lock()
            .unwrap_or_else(|e| e.into_inner());
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
        self.shared
            .history
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    // ---- the emulator's admin API, through its typed client ----

    /// The admin client; a skip when the target has no admin API.
    pub fn admin(&self) -> Result<&EmulatorAdmin, CheckError> {
        self.shared
            .admin
            .as_ref()
            .ok_or_else(|| CheckError::Skip(NO_ADMIN.into()))
    }

    /// A key for `role`: the one handed over with `--key`, else one minted
    /// through the admin API, else a skip that says what to pass.
    pub async fn key(&self, role: KeyRole) -> Result<String, CheckError> {
        if let Some(k) = self.keys.get(&role) {
            return Ok(k.clone());
        }
        if self.shared.admin.is_none() {
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
