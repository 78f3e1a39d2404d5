//! The endpoint under test (the in-process emulator or any `--endpoint`),
//! as one check sees it ([`Target::for_check`]). Each job has its room:
//!
//! - `keys`: the further keys handed over with `--key NAME=KEY`;
//! - `transport`: sending a request ([`Target::send`]), raw HTTP so a
//!   failure can show it and its `curl`, with 429s waited out;
//! - `pacer` and `clock`: the suite's queue in front of the endpoint, and
//!   each check's account of its time queued and its time active;
//! - `line`: a connection of a check's own, warmed before a poll that must
//!   be waiting when the check publishes;
//! - `verdicts`: failures built from a request and its answer;
//! - `history_log`: what was published and received, per topic, for the
//!   run-wide check (`docs/api.md` §4);
//! - `admin`: the emulator's admin API, only through its typed client.

mod admin;
mod clock;
mod history_log;
mod keys;
mod line;
mod pacer;
mod transport;
mod verdicts;

pub use admin::admin_failed;
pub use clock::CheckClock;
pub use history_log::PUBLISHER;
pub use keys::{KeyArg, KeyRole};
pub use line::Line;
pub use pacer::{DOCUMENTED_LONG_POLLS, DOCUMENTED_RPS, Lane, Pacing};
pub use transport::RunFigures;
pub use verdicts::Refusal;

use crate::history::History;
use admin::admin_client;
use momento_http::EmulatorAdmin;
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
}

fn run_id() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as u64)
        .unwrap_or(0)
        ^ u64::from(std::process::id())
}
