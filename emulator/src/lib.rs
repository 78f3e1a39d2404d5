//! A local Momento Topics (and cache) server over HTTP: the emulated endpoint of
//! momento-http, as a library and a single binary (`momento-http-emulator`).
//!
//! It serves `POST`/`GET /topics/{cacheName}/{topicName}` as described in
//! `openapi/momento-http.yaml` (auth, long polls with the resume rule,
//! discontinuities, limits), `GET`/`PUT`/`DELETE /cache/{cacheName}` (items
//! with TTLs, a memory bound) and an admin API under `/_emulator/`
//! (`openapi/emulator-admin.yaml`): caches, tokens, topic state, fault
//! injection, staged outages and webhooks.
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
//!     .build()
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
//! Dependencies point one way: `server` → `routes` → `state` → the parts.
//!
//! - [`Emulator`] / [`EmulatorBuilder`] / [`RunningEmulator`] (this file):
//!   configure, start, stop.
//! - `server`: the routers and the accept loops ([`run`]`(listener, config,
//!   shutdown)`); the topics loop closes and re-binds its listener for a
//!   refusing outage.
//! - `connections`: one connection's life: the cap with its JSON 503, the
//!   idle timeout, the service stack around a router.
//! - `parse_errors`: JSON bodies for the requests hyper refuses before routing.
//! - `escapes`: invalid percent-escapes are a 400, before routing.
//! - `state`: `AppState`, what every handler shares, and
//!   how a configuration becomes one.
//! - `routes/`: one handler per operation (`publish`, `subscribe`, `admin`,
//!   `webhook_admin`, `outage`), the shared JSON error, token placement,
//!   fault and outage answers, and (`profiled`) what a profile does to every
//!   answer.
//! - `profile`: [`Profile`]s, each another choice the docs allow, and the
//!   behaviour they make together.
//! - `answers`: how items, discontinuities and batches are written, in the
//!   profile's shape.
//! - `topics`: caches and topics (a cheap handle over `Arc<Shared>` with a std
//!   `Mutex`), bounded buffers and the resume rule.
//! - `auth`: HS256 JWTs in Momento's v1 wrapper; scope checks.
//! - `limits`: operations per second, concurrent subscriptions, caches.
//! - `cache_store`: cache items, their TTLs against a clock tests can move
//!   ([`ManualClock`]), and least-recently-used eviction past a memory bound.
//! - `faults`: the fault-injection table.
//! - `outage`: the staged outage in force and its three modes.
//! - `webhooks`: the registry, the bounded delivery queue and its worker.

mod answers;
mod auth;
mod cache_store;
mod connections;
mod escapes;
mod faults;
mod limits;
mod outage;
mod parse_errors;
mod profile;
mod routes;
mod server;
mod state;
mod topics;
mod webhooks;

pub use auth::{Role, TokenSpec};
pub use cache_store::{DEFAULT_CACHE_MEMORY_BYTES, ManualClock};
pub use limits::Limits;
pub use profile::{Choice, ConflictingProfiles, Profile, help as profile_help};
pub use server::run;
pub use webhooks::USER_AGENT as WEBHOOK_USER_AGENT;

use std::net::{Ipv4Addr, SocketAddr};
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
    /// Two profiles choose one point two ways.
    #[error(transparent)]
    Profiles(#[from] ConflictingProfiles),
}

/// A configuration, made by [`Emulator::builder`] … [`EmulatorBuilder::build`];
/// [`Emulator::start`] serves it.
#[derive(Clone, Debug)]
pub struct Emulator {
    pub(crate) listen: SocketAddr,
    pub(crate) admin_listen: Option<SocketAddr>,
    pub(crate) caches: Vec<String>,
    pub(crate) long_poll_wait: Duration,
    pub(crate) topic_buffer: usize,
    pub(crate) topic_idle_expiry: Option<Duration>,
    pub(crate) limits: Limits,
    pub(crate) secret: Option<String>,
    pub(crate) idle_timeout: Duration,
    pub(crate) max_connections: Option<usize>,
    pub(crate) cache_memory_bytes: usize,
    pub(crate) cache_clock: Option<ManualClock>,
    pub(crate) webhook_timeout: Duration,
    pub(crate) profiles: Vec<Profile>,
}

/// Builds an [`Emulator`] configuration; see [`Emulator::builder`].
#[derive(Clone, Debug)]
pub struct EmulatorBuilder {
    config: Emulator,
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        EmulatorBuilder {
            config: Emulator {
                listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
                admin_listen: None,
                caches: Vec::new(),
                long_poll_wait: Duration::from_secs(30),
                topic_buffer: 1000,
                topic_idle_expiry: Some(Duration::from_secs(3600)),
                limits: Limits::default(),
                secret: None,
                idle_timeout: Duration::from_secs(30),
                max_connections: None,
                cache_memory_bytes: DEFAULT_CACHE_MEMORY_BYTES,
                cache_clock: None,
                webhook_timeout: webhooks::DELIVERY_TIMEOUT,
                profiles: Vec::new(),
            },
        }
    }
}

impl Emulator {
    /// Defaults: 127.0.0.1:0 for everything, no caches, 30 s long polls,
    /// 1,000-message buffers, topics idle for an hour expire, generous
    /// limits, random secret, idle connections closed after 30 s, as many
    /// connections as the open-file limit allows.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }
}

impl EmulatorBuilder {
    /// Where to listen (port 0 picks a free one).
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.config.listen = addr;
        self
    }
    /// Serve the admin API on a listener of its own at `addr` (and not on the
    /// topics listener), so that it stays reachable while a staged outage
    /// refuses connections to the topic routes.
    pub fn admin_listen(mut self, addr: SocketAddr) -> Self {
        self.config.admin_listen = Some(addr);
        self
    }
    /// Pre-create a cache (repeatable).
    pub fn cache(mut self, name: impl Into<String>) -> Self {
        self.config.caches.push(name.into());
        self
    }
    /// How long a subscribe waits before answering `{"items": []}`.
    pub fn long_poll_wait(mut self, wait: Duration) -> Self {
        self.config.long_poll_wait = wait;
        self
    }
    /// Messages buffered per topic; older ones are evicted.
    pub fn topic_buffer(mut self, messages: usize) -> Self {
        self.config.topic_buffer = messages.max(1);
        self
    }
    /// Topics without activity for this long expire and come back with a new page.
    pub fn topic_idle_expiry(mut self, expiry: Duration) -> Self {
        self.config.topic_idle_expiry = Some(expiry);
        self
    }
    /// Never expire idle topics.
    pub fn no_topic_idle_expiry(mut self) -> Self {
        self.config.topic_idle_expiry = None;
        self
    }
    /// How long a webhook receiver has to answer before the event is
    /// dropped (the documented 5 s by default). Shorter is a server the
    /// docs do not allow: the conformance suite uses one to prove its
    /// webhook checks fail it.
    pub fn webhook_timeout(mut self, timeout: Duration) -> Self {
        self.config.webhook_timeout = timeout;
        self
    }
    /// Take `profile`'s choice on a point the docs leave open (repeatable,
    /// one profile per point: [`Profile::choice`]). A profile wins over the
    /// setting it names (a long-poll wait, the limits) whatever the order;
    /// [`start`](Self::start) refuses two profiles that choose one point
    /// two ways.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// use momento_http_emulator::{Emulator, Profile};
    ///
    /// // A far endpoint whose answers carry fields no document names.
    /// let emulator = Emulator::builder()
    ///     .cache("my-cache")
    ///     .profile(Profile::RoundTrip150ms)
    ///     .profile(Profile::ExtraFields)
    ///     .start()
    ///     .await?;
    /// # drop(emulator); Ok(()) }
    /// ```
    pub fn profile(mut self, profile: Profile) -> Self {
        self.config.profiles.push(profile);
        self
    }
    /// The limits to enforce.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.config.limits = limits;
        self
    }
    /// Enforce Momento's documented defaults ([`Limits::documented`]).
    pub fn documented_limits(self) -> Self {
        self.limits(Limits::documented())
    }
    /// The token-signing secret (e.g. from `--secret-file`); random by default.
    pub fn secret(mut self, secret: impl Into<String>) -> Self {
        self.config.secret = Some(secret.into());
        self
    }
    /// How long a connection may go without sending a complete request head
    /// before it is closed: a new connection that sends nothing, a slow or
    /// half-sent head, an idle keep-alive. A long poll in progress is not
    /// idle. At least 1 ms.
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.config.idle_timeout = timeout.max(Duration::from_millis(1));
        self
    }
    /// Most connections open at once; beyond it a new connection is answered
    /// 503 (JSON) and closed. By default the open-file limit less a reserve
    /// (at most 10,000), so the emulator never runs out of file descriptors.
    pub fn max_connections(mut self, connections: usize) -> Self {
        self.config.max_connections = Some(connections.max(1));
        self
    }
    /// The configuration.
    pub fn build(self) -> Emulator {
        self.config
    }
    /// Shorthand for `build().start()`.
    pub async fn start(self) -> Result<RunningEmulator, EmulatorError> {
        self.build().start().await
    }
    /// The bound on cache items' key and value bytes, all caches together
    /// (default 64 MiB); past it the least recently used items are evicted.
    pub fn cache_memory(mut self, bytes: usize) -> Self {
        self.config.cache_memory_bytes = bytes;
        self
    }
    /// Expire cache items on `clock` instead of real time (tests advance it
    /// rather than sleep).
    pub fn cache_clock(mut self, clock: ManualClock) -> Self {
        self.config.cache_clock = Some(clock);
        self
    }
}

async fn bind(addr: SocketAddr) -> Result<(TcpListener, SocketAddr), EmulatorError> {
    let error = |source| EmulatorError::Bind { addr, source };
    let listener = TcpListener::bind(addr).await.map_err(error)?;
    let bound = listener.local_addr().map_err(error)?;
    Ok((listener, bound))
}

impl Emulator {
    /// Bind and serve in the background.
    pub async fn start(self) -> Result<RunningEmulator, EmulatorError> {
        let (listener, addr) = bind(self.listen).await?;
        let admin = match self.admin_listen {
            Some(a) => Some(bind(a).await?),
            None => None,
        };
        let admin_url = admin.as_ref().map_or_else(
            || state::endpoint_for(addr),
            |(_, a)| state::endpoint_for(*a),
        );
        let (state, guards) = state::AppState::new(&self, addr, admin.is_some())?;
        let api_key = state
            .auth
            .mint(
                &state.endpoint,
                &TokenSpec::full_access(Duration::from_secs(10 * 365 * 24 * 3600)),
            )
            .api_key;
        let listeners = server::Listeners {
            topics: (listener, addr),
            admin,
        };
        let running = RunningEmulator {
            addr,
            base_url: state.endpoint.to_string(),
            admin_url,
            api_key,
            auth: state.auth.clone(),
            cancel: state.shutdown.clone(),
            task: tokio::spawn(server::serve(listeners, self.clone(), state, guards)),
        };
        tracing::info!(url = %running.base_url, admin = %running.admin_url, profiles = ?self.profiles.iter().map(|p| p.name()).collect::<Vec<_>>(), "emulator listening");
        Ok(running)
    }
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
    admin_url: String,
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
    /// Where the admin API is served: [`base_url`](Self::base_url) unless
    /// [`EmulatorBuilder::admin_listen`] gave it a listener of its own.
    pub fn admin_url(&self) -> String {
        self.admin_url.clone()
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
