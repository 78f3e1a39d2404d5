//! The state every handler shares, and how a configuration becomes one.
//!
//! Its own module so that `server` (which serves it) and `routes` (which use
//! it) both depend on it and never on each other's internals.

use crate::auth::Authority;
use crate::faults::Faults;
use crate::limits::Enforcer;
use crate::outage::Outage;
use crate::profile::{Behaviour, ConflictingProfiles};
use crate::topics::Topics;
use crate::webhooks::Webhooks;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Everything a handler needs; cheap to clone (all handles).
#[derive(Clone, Debug)]
pub(crate) struct AppState {
    /// Caches, topics, buffers.
    pub topics: Topics,
    /// Signs and checks tokens.
    pub auth: Authority,
    /// Rate, subscription and cache limits.
    pub limits: Enforcer,
    /// Armed faults.
    pub faults: Faults,
    /// A staged outage of the topic routes, if any.
    pub outage: Outage,
    /// Webhook registry and delivery queue.
    pub webhooks: Webhooks,
    /// Cache items, their TTLs and the memory bound.
    pub cache_items: crate::cache_store::CacheItems,
    /// The long-poll wait in milliseconds (changeable through the admin API).
    pub long_poll_wait_ms: Arc<AtomicU64>,
    /// Cancelled at shutdown: waiting long polls answer at once.
    pub shutdown: CancellationToken,
    /// The `endpoint` written into minted keys (`http://127.0.0.1:PORT`).
    pub endpoint: Arc<str>,
    /// How long a request head, or a publish body, may take to arrive.
    pub idle_timeout: Duration,
    /// The choices the profiles made on points the docs leave open.
    pub behaviour: Behaviour,
}

/// Handles whose drop stops background tasks.
#[derive(Debug)]
pub(crate) struct Guards {
    _sweeper: crate::topics::SweeperGuard,
    _webhooks: crate::webhooks::WorkerGuard,
}

impl AppState {
    /// The state for `config`, serving topics at `addr`; `admin_separate`
    /// when the admin API has a listener of its own. Refused when two of its
    /// profiles choose one point two ways.
    pub(crate) fn new(
        config: &crate::Emulator,
        addr: SocketAddr,
        admin_separate: bool,
    ) -> Result<(AppState, Guards), ConflictingProfiles> {
        let behaviour = Behaviour::of(&config.profiles)?;
        let secret = config
            .secret
            .clone()
            .unwrap_or_else(Authority::random_secret);
        let topics = Topics::new(
            &config.caches,
            config.topic_buffer,
            config.topic_idle_expiry,
            config.limits.max_topics,
            behaviour,
        );
        let sweeper = topics.start_sweeper();
        let (webhooks, worker) = Webhooks::start(config.webhook_timeout);
        let shutdown = CancellationToken::new();
        let state = AppState {
            topics,
            auth: Authority::new(secret.as_bytes()),
            limits: Enforcer::new(if behaviour.documented_limits {
                crate::Limits::documented()
            } else {
                config.limits.clone()
            }),
            faults: Faults::default(),
            outage: Outage::new(admin_separate, shutdown.clone()),
            webhooks,
            cache_items: crate::cache_store::CacheItems::new(
                config.cache_memory_bytes,
                match &config.cache_clock {
                    Some(clock) => crate::cache_store::Clock::Manual(clock.clone()),
                    None => crate::cache_store::Clock::System(std::time::Instant::now()),
                },
            ),
            long_poll_wait_ms: Arc::new(AtomicU64::new(
                u64::try_from(
                    behaviour
                        .empty_wait
                        .unwrap_or(config.long_poll_wait)
                        .as_millis(),
                )
                .unwrap_or(u64::MAX),
            )),
            shutdown,
            endpoint: endpoint_for(addr).into(),
            idle_timeout: config.idle_timeout,
            behaviour,
        };
        Ok((
            state,
            Guards {
                _sweeper: sweeper,
                _webhooks: worker,
            },
        ))
    }

    pub(crate) fn long_poll_wait(&self) -> Duration {
        Duration::from_millis(self.long_poll_wait_ms.load(Ordering::Relaxed))
    }
}

/// The URL clients use for `addr` (an unspecified address becomes loopback).
pub(crate) fn endpoint_for(addr: SocketAddr) -> String {
    let ip = if addr.ip().is_unspecified() {
        Ipv4Addr::LOCALHOST.into()
    } else {
        addr.ip()
    };
    format!("http://{}", SocketAddr::new(ip, addr.port()))
}
