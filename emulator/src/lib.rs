//! A local Momento Topics (and cache) server over HTTP: the emulated endpoint of
//! momento-http, as a library and a single binary (`momento-http-emulator`).
//!
//! It serves `POST`/`GET /topics/{cacheName}/{topicName}` as described in
//! `openapi/momento-http.yaml` (auth, long polls with the resume rule,
//! discontinuities, limits), `GET`/`PUT`/`DELETE /cache/{cacheName}` (items
//! with TTLs, a memory bound) and an admin API under `/_emulator/`
//! (`openapi/emulator-admin.yaml`): caches, tokens, topic state, fault
//! injection and webhooks.
//!
//! # Getting started
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use momento_http_emulator::Emulator;
//! use std::time::Duration;
//!
//! let emulator = Emulator::builder()
//!     .cache("my-cache")
//!     .long_poll_wait(Duration::from_millis(200))
//!     .start()
//!     .await?;
//! let url = emulator.base_url();      // http://127.0.0.1:PORT
//! let key = emulator.api_key();       // full-access v1 API key
//! # let _ = (url, key);
//! emulator.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! # Layout
//!
//! - [`Emulator`] / [`RunningEmulator`] (this file): configure, start, stop.
//! - `server`: the router, [`run`]`(listener, config, shutdown)`, and a
//!   listener that takes a permit per connection before `accept`.
//! - `routes/`: one handler per operation (`publish`, `subscribe`, `admin`,
//!   `webhooks`) and the shared JSON error, token placement and fault helpers.
//! - `topics`: caches and topics, the shared state (a cheap handle over
//!   `Arc<Shared>` with a std `Mutex`), bounded buffers and the resume rule.
//! - `auth`: HS256 JWTs in Momento's v1 wrapper; scope checks.
//! - `limits`: operations per second, concurrent subscriptions, caches.
//! - `cache_store`: cache items, their TTLs against a clock tests can move
//!   ([`ManualClock`]), and least-recently-used eviction past a memory bound.
//! - `faults`: the fault-injection table.
//! - `webhooks`: the registry, the bounded delivery queue and its worker.

mod auth;
mod cache_store;
mod faults;
mod limits;
mod routes;
mod server;
mod topics;
mod webhooks;

pub use auth::{Role, TokenSpec};
pub use cache_store::{DEFAULT_CACHE_MEMORY_BYTES, ManualClock};
pub use limits::Limits;
pub use server::run;
pub use webhooks::USER_AGENT as WEBHOOK_USER_AGENT;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// Why the emulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

/// Configuration; start with [`Emulator::builder`].
#[derive(Clone, Debug)]
pub struct Emulator {
    listen: SocketAddr,
    caches: Vec<String>,
    long_poll_wait: Duration,
    topic_buffer: usize,
    topic_idle_expiry: Option<Duration>,
    limits: Limits,
    secret: Option<String>,
    cache_memory_bytes: usize,
    cache_clock: Option<ManualClock>,
}

impl Default for Emulator {
    fn default() -> Self {
        Emulator {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            caches: Vec::new(),
            long_poll_wait: Duration::from_secs(30),
            topic_buffer: 1000,
            topic_idle_expiry: Some(Duration::from_secs(3600)),
            limits: Limits::default(),
            secret: None,
            cache_memory_bytes: DEFAULT_CACHE_MEMORY_BYTES,
            cache_clock: None,
        }
    }
}

/// Handles whose drop stops background tasks.
#[derive(Debug)]
pub(crate) struct Guards {
    _sweeper: topics::SweeperGuard,
    _webhooks: webhooks::WorkerGuard,
}

impl Emulator {
    /// Defaults: 127.0.0.1:0, no caches, 30 s long polls, 1,000-message
    /// buffers, topics idle for an hour expire, generous limits, random secret.
    pub fn builder() -> Self {
        Self::default()
    }
    /// Where to listen (port 0 picks a free one).
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }
    /// Pre-create a cache (repeatable).
    pub fn cache(mut self, name: impl Into<String>) -> Self {
        self.caches.push(name.into());
        self
    }
    /// How long a subscribe waits before answering `{"items": []}`.
    pub fn long_poll_wait(mut self, wait: Duration) -> Self {
        self.long_poll_wait = wait;
        self
    }
    /// Messages buffered per topic; older ones are evicted.
    pub fn topic_buffer(mut self, messages: usize) -> Self {
        self.topic_buffer = messages.max(1);
        self
    }
    /// Topics without activity for this long expire and come back with a new page.
    pub fn topic_idle_expiry(mut self, expiry: Duration) -> Self {
        self.topic_idle_expiry = Some(expiry);
        self
    }
    /// Never expire idle topics.
    pub fn no_topic_idle_expiry(mut self) -> Self {
        self.topic_idle_expiry = None;
        self
    }
    /// The limits to enforce.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }
    /// Enforce Momento's documented defaults ([`Limits::documented`]).
    pub fn documented_limits(self) -> Self {
        self.limits(Limits::documented())
    }
    /// The token-signing secret (e.g. from `--secret-file`); random by default.
    pub fn secret(mut self, secret: impl Into<String>) -> Self {
        self.secret = Some(secret.into());
        self
    }

    /// The bound on cache items' key and value bytes, all caches together
    /// (default 64 MiB); past it the least recently used items are evicted.
    pub fn cache_memory(mut self, bytes: usize) -> Self {
        self.cache_memory_bytes = bytes;
        self
    }
    /// Expire cache items on `clock` instead of real time (tests advance it
    /// rather than sleep).
    pub fn cache_clock(mut self, clock: ManualClock) -> Self {
        self.cache_clock = Some(clock);
        self
    }

    /// Bind and serve in the background.
    pub async fn start(self) -> Result<RunningEmulator, EmulatorError> {
        let listener =
            TcpListener::bind(self.listen)
                .await
                .map_err(|source| EmulatorError::Bind {
                    addr: self.listen,
                    source,
                })?;
        let addr = listener
            .local_addr()
            .map_err(|source| EmulatorError::Bind {
                addr: self.listen,
                source,
            })?;
        let (state, guards) = build_state(&self, addr);
        let api_key = state
            .auth
            .mint(
                &state.endpoint,
                &TokenSpec::full_access(Duration::from_secs(10 * 365 * 24 * 3600)),
            )
            .api_key;
        let cancel = state.shutdown.clone();
        let running = RunningEmulator {
            addr,
            base_url: state.endpoint.to_string(),
            api_key,
            auth: state.auth.clone(),
            cancel,
            task: tokio::spawn(server::serve(listener, state, guards)),
        };
        tracing::info!(url = %running.base_url, "emulator listening");
        Ok(running)
    }
}

/// The URL clients use for `addr` (an unspecified address becomes loopback).
fn endpoint_for(addr: SocketAddr) -> String {
    let ip = if addr.ip().is_unspecified() {
        Ipv4Addr::LOCALHOST.into()
    } else {
        addr.ip()
    };
    format!("http://{}", SocketAddr::new(ip, addr.port()))
}

pub(crate) fn build_state(config: &Emulator, addr: SocketAddr) -> (server::AppState, Guards) {
    let secret = config
        .secret
        .clone()
        .unwrap_or_else(auth::Authority::random_secret);
    let topics = topics::Topics::new(
        &config.caches,
        config.topic_buffer,
        config.topic_idle_expiry,
        config.limits.max_topics,
    );
    let sweeper = topics.start_sweeper();
    let (webhooks, worker) = webhooks::Webhooks::start();
    let state = server::AppState {
        topics,
        auth: auth::Authority::new(secret.as_bytes()),
        limits: limits::Enforcer::new(config.limits.clone()),
        faults: faults::Faults::default(),
        webhooks,
        cache_items: cache_store::CacheItems::new(
            config.cache_memory_bytes,
            match &config.cache_clock {
                Some(clock) => cache_store::Clock::Manual(clock.clone()),
                None => cache_store::Clock::System(std::time::Instant::now()),
            },
        ),
        long_poll_wait_ms: Arc::new(AtomicU64::new(
            u64::try_from(config.long_poll_wait.as_millis()).unwrap_or(u64::MAX),
        )),
        shutdown: CancellationToken::new(),
        endpoint: endpoint_for(addr).into(),
    };
    (
        state,
        Guards {
            _sweeper: sweeper,
            _webhooks: worker,
        },
    )
}

/// Mint a v1 API key offline from a secret (what `momento-http-emulator token` does).
pub fn mint_offline(secret: &str, endpoint: &str, spec: &TokenSpec) -> String {
    auth::Authority::new(secret.as_bytes())
        .mint(endpoint, spec)
        .api_key
}

/// A random token-signing secret, as written to a new `--secret-file`.
pub fn random_secret() -> String {
    auth::Authority::random_secret()
}

/// A started emulator. Dropping it stops the server (waiting long polls are
/// answered); [`RunningEmulator::shutdown`] also waits for that to finish.
#[derive(Debug)]
pub struct RunningEmulator {
    addr: SocketAddr,
    base_url: String,
    api_key: String,
    auth: auth::Authority,
    cancel: CancellationToken,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl RunningEmulator {
    /// `http://127.0.0.1:PORT`
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }
    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }
    /// A full-access v1 API key (`{"endpoint": base_url, "api_key": JWT}`).
    pub fn api_key(&self) -> String {
        self.api_key.clone()
    }
    /// Mint a scoped v1 API key.
    pub fn mint_token(&self, spec: &TokenSpec) -> String {
        self.auth.mint(&self.base_url, spec).api_key
    }
    /// Answer waiting long polls, stop serving and wait until done.
    /// (Dropping the handle also stops the server, without waiting.)
    pub async fn shutdown(mut self) {
        self.cancel.cancel();
        match (&mut self.task).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "server ended with an error"),
            Err(e) => tracing::warn!(error = %e, "server task failed"),
        }
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}
