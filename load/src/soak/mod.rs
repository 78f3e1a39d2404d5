//! Fault soak: one publisher and three `TopicClient` subscriptions against the
//! in-process emulator while seeded random faults (500/503, 429 with
//! `Retry-After`, dropped connections, delays) are injected through the admin
//! API. The conformance suite's history checker judges what arrived.
//!
//! - `faults`: the seeded fault schedule.
//! - `findings`: [`SoakReport`], what the run saw, and its rendering.

mod faults;
mod findings;

pub use findings::{SoakReport, SubscriberReport};

use std::time::{Duration, Instant};

use futures::StreamExt as _;
use momento_http::{RetryPolicy, TopicClient, TopicEvent, TopicValue};
use momento_http_conformance::history::{Event, History};
use momento_http_emulator::{Emulator, Limits};

use crate::admin;
use crate::seeded::Rng;

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
    let admin = admin::client(&emulator.base_url())?;
    let cursor = admin::next_cursor(&admin, CACHE, TOPIC).await?;
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
            let (kind, fault) = faults::random_fault(&mut rng, CACHE, TOPIC);
            admin::inject_fault(&admin, &fault).await?;
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
    admin::clear_faults(&admin).await?;
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
