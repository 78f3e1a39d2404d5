//! Malformed-input storm: seeded bad requests over raw TCP against the
//! in-process emulator. Every answer must be below 500, every 4xx a JSON error
//! `{"status", "title", "detail"}` with a non-empty detail, and the emulator
//! must still serve correct requests afterwards.
//!
//! - `generate`: the seeded requests ([`generate()`], [`BadRequest`]).
//! - `raw_http`: send one over TCP, read the answer ([`Answer`]).
//! - `emulator_cases`: the hostile-client cases with one exact answer each.
//! - `judge`: the rules ([`judge()`]).
//! - `idle_sockets`: a few hundred idle sockets; service goes on.
//! - `log_probe`: names with an encoded CR LF never reach the log raw.

mod emulator_cases;
mod generate;
mod idle_sockets;
mod judge;
mod log_probe;
mod raw_http;

pub use emulator_cases::Expect;
pub use generate::{BadRequest, BodyMode, Tokens, generate};
pub use judge::judge;
pub use raw_http::Answer;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::StreamExt as _;
use momento_http::{TopicClient, TopicEvent};
use momento_http_emulator::{Emulator, Limits, Role, TokenSpec};

use crate::admin;
use crate::seeded::Rng;

const CACHE: &str = "storm";

/// The outcome of a storm.
#[derive(Clone, Debug)]
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
    /// The idle-sockets probe: what it saw, or why it broke the rules.
    pub idle_sockets: Result<String, String>,
    /// The log probe: what it saw, or how the log was forged.
    pub log_forging: Result<String, String>,
    /// Wall time.
    pub elapsed: Duration,
}

impl StormReport {
    /// Zero 5xx, zero breaches, healthy afterwards.
    pub fn ok(&self) -> bool {
        self.server_errors == 0
            && self.violation_count == 0
            && self.unhealthy_after.is_none()
            && self.idle_sockets.is_ok()
            && self.log_forging.is_ok()
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
        for (what, probe) in [
            ("idle sockets", &self.idle_sockets),
            ("log forging", &self.log_forging),
        ] {
            s += &match probe {
                Ok(seen) => format!("{what}: ok ({seen})\n"),
                Err(why) => format!("{what}: FAILED ({why})\n"),
            };
        }
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
        .idle_timeout(emulator_cases::IDLE_TIMEOUT)
        .max_connections(idle_sockets::MAX_CONNECTIONS)
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
    // Every emulator case once, then the seeded storm.
    let mut generated = emulator_cases::every_case(&tokens);
    generated.extend((0..requests).map(|_| generate(&mut rng, &tokens)));
    let requests = generated.len() as u64;
    let report = Arc::new(Mutex::new(StormReport {
        seed,
        requests,
        by_status: BTreeMap::new(),
        by_kind: BTreeMap::new(),
        server_errors: 0,
        violations: Vec::new(),
        violation_count: 0,
        unhealthy_after: None,
        idle_sockets: Err("not run".into()),
        log_forging: Err("not run".into()),
        elapsed: Duration::ZERO,
    }));
    futures::stream::iter(generated)
        .for_each_concurrent(concurrency.max(1), |req| {
            let report = report.clone();
            async move {
                let answer = raw_http::send(addr, &req).await.unwrap_or(Answer::Closed);
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
    let idle = idle_sockets::probe(addr, &emulator.api_key()).await;
    let healthy = healthy_after(&emulator.base_url(), &emulator.api_key()).await;
    let log_forging = tokio::task::spawn_blocking(log_probe::probe)
        .await
        .unwrap_or_else(|e| Err(format!("the log probe did not run: {e}")));
    let mut report = Arc::try_unwrap(report)
        .map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner()))
        .unwrap_or_else(|arc| arc.lock().unwrap_or_else(|e| e.into_inner()).clone());
    report.unhealthy_after = healthy.err();
    report.idle_sockets = idle;
    report.log_forging = log_forging;
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
    let admin = admin::client(base).map_err(|e| e.to_string())?;
    if !admin::is_up(&admin).await {
        return Err("the admin API's health check failed".into());
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
