//! Fault soak: one publisher and three `TopicClient` subscriptions against the
//! in-process emulator while seeded random faults (500/503, 429 with
//! `Retry-After`, dropped connections, delays) are injected through the admin
//! API. The conformance suite's history checker judges what arrived.
//!
//! Shared by the `momento-http-load soak` command and `tests/soak_small.rs`
//! (included there by `#[path]`), so it uses no binary-only dependency.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use futures::StreamExt as _;
use momento_http::{Cursor, RetryPolicy, TopicClient, TopicEvent, TopicValue};
use momento_http_conformance::history::{Event, History};
use momento_http_conformance::seeded::Rng;
use momento_http_emulator::{Emulator, Limits};

const CACHE: &str = "soak";
const TOPIC: &str = "soak-topic";
const SUBSCRIBERS: [&str; 3] = ["sub-a", "sub-b", "sub-c"];
const END: &str = "soak-end";

/// What to run.
#[derive(Clone, Debug)]
pub struct SoakConfig {
    /// Messages to publish (successful publishes; failed ones are retried under a new payload).
    pub messages: u64,
    /// Seed of the fault schedule.
    pub seed: u64,
    /// Chance, per publish, that a fault is armed first.
    pub fault_probability: f64,
    /// Give up after this long.
    pub deadline: Duration,
}

impl SoakConfig {
    /// Defaults for `messages` messages.
    pub fn new(messages: u64, seed: u64) -> SoakConfig {
        SoakConfig {
            messages,
            seed,
            fault_probability: if messages <= 1000 { 0.05 } else { 0.01 },
            deadline: Duration::from_secs(600),
        }
    }
}

/// What one subscriber saw.
#[derive(Clone, Debug, Default)]
pub struct SubscriberReport {
    /// Messages delivered (items).
    pub delivered: u64,
    /// Discontinuities the server announced.
    pub announced_discontinuities: u64,
    /// Discontinuities the client had to infer (the server skipped silently).
    pub synthesized_discontinuities: u64,
    /// Errors the stream yielded (it goes on after them).
    pub errors_seen: u64,
    /// Failed polls the subscription retried without yielding them
    /// ([`Subscription::retries`](momento_http::Subscription::retries)).
    pub retries: u64,
    /// Whether it saw the closing message before the deadline.
    pub finished: bool,
}

/// The outcome of a soak.
#[derive(Clone, Debug, Default)]
pub struct SoakReport {
    /// Seed used.
    pub seed: u64,
    /// Successful publishes (the closing message included).
    pub published: u64,
    /// Publishes that failed (each retried with a fresh payload).
    pub publish_failures: u64,
    /// Faults armed, by kind.
    pub faults: BTreeMap<&'static str, u64>,
    /// Per subscriber.
    pub subscribers: BTreeMap<String, SubscriberReport>,
    /// Violations by kind (gap, duplicate, reorder, divergent-numbering, lost).
    pub violations: BTreeMap<&'static str, u64>,
    /// The first few violations, spelled out.
    pub examples: Vec<String>,
    /// Wall time.
    pub elapsed: Duration,
}

impl SoakReport {
    /// Silent gaps: checker gaps plus gaps the client had to synthesize.
    pub fn silent_gaps(&self) -> u64 {
        self.violations.get("gap").copied().unwrap_or(0)
            + self
                .subscribers
                .values()
                .map(|s| s.synthesized_discontinuities)
                .sum::<u64>()
    }
    /// Duplicates found by the checker.
    pub fn duplicates(&self) -> u64 {
        self.violations.get("duplicate").copied().unwrap_or(0)
    }
    /// Reorders found by the checker.
    pub fn reorders(&self) -> u64 {
        self.violations.get("reorder").copied().unwrap_or(0)
    }
    /// True when nothing was skipped, repeated or reordered, nothing was lost
    /// without notice, and every subscriber finished.
    pub fn ok(&self) -> bool {
        self.violations.values().all(|&n| n == 0)
            && self.silent_gaps() == 0
            && self.subscribers.values().all(|s| s.finished)
    }
    /// A human-readable summary.
    pub fn render(&self) -> String {
        let mut s = format!(
            "soak: seed {} | published {} (failed attempts {}) | {:.1} s\n",
            self.seed,
            self.published,
            self.publish_failures,
            self.elapsed.as_secs_f64()
        );
        s += &format!("faults armed: {:?}\n", self.faults);
        for (name, r) in &self.subscribers {
            s += &format!(
                "  {name}: delivered {} | announced discontinuities {} | synthesized {} | failed polls retried {} | errors yielded {} | finished {}\n",
                r.delivered,
                r.announced_discontinuities,
                r.synthesized_discontinuities,
                r.retries,
                r.errors_seen,
                r.finished
            );
        }
        s += &format!(
            "silent gaps {} | duplicates {} | reorders {} | all violations {:?}\n",
            self.silent_gaps(),
            self.duplicates(),
            self.reorders(),
            self.violations
        );
        for e in &self.examples {
            s += &format!("  - {e}\n");
        }
        s += if self.ok() {
            "soak: PASS\n"
        } else {
            "soak: FAIL\n"
        };
        s
    }
}

/// A random fault: (kind for the report, admin JSON body).
fn random_fault(rng: &mut Rng) -> (&'static str, serde_json::Value) {
    let operation = if rng.below(2) == 0 {
        "publish"
    } else {
        "subscribe"
    };
    let count = 1 + rng.below(3);
    let (kind, action) = match rng.below(100) {
        0..=24 => ("500", serde_json::json!({"status": 500})),
        25..=34 => ("503", serde_json::json!({"status": 503})),
        35..=44 => (
            "429+Retry-After",
            serde_json::json!({"status": 429, "retry_after_seconds": 1}),
        ),
        45..=69 => ("drop", serde_json::json!({"drop": true})),
        _ => (
            "delay",
            serde_json::json!({"delay_ms": 20 + rng.below(600)}),
        ),
    };
    let body = serde_json::json!({
        "operation": operation,
        "cache": CACHE,
        "topic": TOPIC,
        "count": count,
        "action": action,
    });
    (kind, body)
}

/// Run a soak against a fresh in-process emulator.
pub async fn run(config: SoakConfig) -> anyhow::Result<SoakReport> {
    let started = Instant::now();
    let emulator = Emulator::builder()
        .cache(CACHE)
        .long_poll_wait(Duration::from_millis(500))
        .no_topic_idle_expiry()
        .limits(Limits {
            ops_per_second: None,
            ..Limits::default()
        })
        .start()
        .await?;
    let base = emulator.base_url();
    let admin = reqwest::Client::new();
    let state: serde_json::Value = admin
        .get(format!("{base}/_emulator/caches/{CACHE}/topics/{TOPIC}"))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let cursor = Cursor {
        sequence_number: state["next_sequence_number"].as_u64().unwrap_or(0),
        sequence_page: state["sequence_page"].as_u64().unwrap_or(0),
    };
    let client = TopicClient::builder()
        .api_key(&emulator.api_key())
        .publish_timeout(Duration::from_secs(5))
        .poll_timeout(Duration::from_secs(5))
        .retry_policy(
            RetryPolicy::default()
                .initial_backoff(Duration::from_millis(10))
                .max_backoff(Duration::from_millis(200))
                .max_retries(None),
        )
        .build()?;

    // Subscribers first, from the topic's next number: nothing can slip by.
    let deadline = started + config.deadline;
    let mut tasks = Vec::new();
    for name in SUBSCRIBERS {
        let mut sub = client.subscribe_from(CACHE, TOPIC, cursor);
        tasks.push(tokio::spawn(async move {
            let mut events = Vec::new();
            let mut report = SubscriberReport::default();
            loop {
                let next = tokio::time::timeout_at(deadline.into(), sub.next()).await;
                let Ok(Some(next)) = next else { break };
                match next {
                    Ok(TopicEvent::Item {
                        sequence_number,
                        sequence_page,
                        value,
                        ..
                    }) => {
                        report.delivered += 1;
                        let payload = match value {
                            TopicValue::Text(t) => t,
                            TopicValue::Binary(b) => format!("{b:?}"),
                        };
                        let end = payload == END;
                        events.push(Event::Item {
                            seq: sequence_number,
                            page: sequence_page,
                            payload,
                        });
                        if end {
                            report.finished = true;
                            break;
                        }
                    }
                    Ok(TopicEvent::Discontinuity {
                        last,
                        new,
                        new_page,
                        synthesized,
                        ..
                    }) => {
                        if synthesized {
                            report.synthesized_discontinuities += 1;
                        } else {
                            report.announced_discontinuities += 1;
                        }
                        events.push(Event::Discontinuity {
                            last,
                            new,
                            new_page,
                        });
                    }
                    // Lifecycle events: retries are counted below.
                    Ok(_) => {}
                    Err(_) => report.errors_seen += 1,
                }
            }
            report.retries = sub.retries();
            (name, events, report)
        }));
    }

    let mut rng = Rng::new(config.seed);
    let mut report = SoakReport {
        seed: config.seed,
        ..SoakReport::default()
    };
    let mut published = Vec::with_capacity(config.messages as usize + 1);
    let mut attempt = 0u64;
    while (published.len() as u64) < config.messages && Instant::now() < deadline {
        if rng.unit() < config.fault_probability {
            let (kind, body) = random_fault(&mut rng);
            admin
                .post(format!("{base}/_emulator/faults"))
                .json(&body)
                .send()
                .await?
                .error_for_status()?;
            *report.faults.entry(kind).or_default() += 1;
        }
        let i = published.len();
        let payload = format!("m{i}-a{attempt}");
        attempt += 1;
        match client.publish(CACHE, TOPIC, payload.as_str()).await {
            Ok(()) => published.push(payload),
            Err(e) => {
                report.publish_failures += 1;
                if let Some(wait) = e.retry_after() {
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }
    // Disarm what is left, then close with a marker every subscriber waits for.
    admin
        .delete(format!("{base}/_emulator/faults"))
        .send()
        .await?
        .error_for_status()?;
    loop {
        match client.publish(CACHE, TOPIC, END).await {
            Ok(()) => {
                published.push(END.to_owned());
                break;
            }
            Err(e) if Instant::now() < deadline => {
                report.publish_failures += 1;
                tracing::debug!(error = %e, "closing publish failed; again");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => return Err(e.into()),
        }
    }
    report.published = published.len() as u64;

    let mut history = History::default();
    for task in tasks {
        let (name, events, sub_report) = task.await?;
        for p in &published {
            history.published(name, p);
        }
        for e in events {
            history.record(name, e);
        }
        report.subscribers.insert(name.to_owned(), sub_report);
    }
    for v in history.check() {
        *report.violations.entry(v.kind()).or_default() += 1;
        if report.examples.len() < 10 {
            report.examples.push(v.to_string());
        }
    }
    report.elapsed = started.elapsed();
    emulator.shutdown().await;
    Ok(report)
}
