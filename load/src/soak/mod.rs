//! Fault soak: one publisher and three `TopicClient` subscriptions against the
//! in-process emulator while seeded random faults (500/503, 429 with
//! `Retry-After`, dropped connections, delays) are injected through the admin
//! API. The conformance suite's history checker judges what arrived.
//!
//! With [`SoakConfig::outages`] it is an outage soak instead: no random
//! faults, but the endpoint blocked N times (refused, hung, 503) while the
//! publisher keeps going at a steady pace; the subscriptions run on the
//! client's default retry policy (for ever, capped backoff) and must come
//! back by themselves.
//!
//! - `faults`: the seeded fault schedule.
//! - `outage`: [`OutagePlan`], the staged outages.
//! - `findings`: [`SoakReport`], what the run saw, and its rendering.

mod faults;
mod findings;
mod outage;

pub use findings::{SoakReport, SubscriberReport};
pub use outage::{OutagePlan, StagedOutage};

use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use futures::StreamExt as _;
use momento_http::{RetryPolicy, TopicClient, TopicEvent, TopicValue};
use momento_http_conformance::history::{DEFAULT_PUBLISHER, Event, History};
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
    /// Stage these outages instead of random faults (`messages` is then
    /// ignored: the publisher goes on until the last outage has settled).
    pub outages: Option<OutagePlan>,
}

impl SoakConfig {
    /// Defaults for `messages` messages.
    pub fn new(messages: u64, seed: u64) -> SoakConfig {
        SoakConfig {
            messages,
            seed,
            fault_probability: if messages <= 1000 { 0.05 } else { 0.01 },
            deadline: Duration::from_secs(600),
            outages: None,
        }
    }

    /// An outage soak: `plan`'s outages, the deadline sized to them.
    pub fn with_outages(plan: OutagePlan, seed: u64) -> SoakConfig {
        SoakConfig {
            messages: 0,
            seed,
            fault_probability: 0.0,
            deadline: plan.span() + Duration::from_secs(120),
            outages: Some(plan),
        }
    }
}

/// The publisher's pause between two publishes in an outage soak (about 50
/// a second: the point is to publish throughout, not to load the emulator).
const OUTAGE_PUBLISH_PAUSE: Duration = Duration::from_millis(20);

/// Run a soak against a fresh in-process emulator.
pub async fn run(config: SoakConfig) -> anyhow::Result<SoakReport> {
    let started = Instant::now();
    let emulator = Emulator::builder()
        .cache(CACHE)
        .long_poll_wait(Duration::from_millis(500))
        .no_topic_idle_expiry()
        // The admin API on a listener of its own stays up through a `refuse` outage.
        .admin_listen(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .limits(Limits {
            ops_per_second: None,
            ..Limits::default()
        })
        .start()
        .await?;
    let admin = admin::client(&emulator.admin_url())?;
    let cursor = admin::next_cursor(&admin, CACHE, TOPIC).await?;
    // Random faults are short: retry fast. Outages are long: the default
    // policy (for ever, capped and jittered) is what is on trial.
    let retry_policy = if config.outages.is_some() {
        RetryPolicy::default()
    } else {
        RetryPolicy::default()
            .initial_backoff(Duration::from_millis(10))
            .max_backoff(Duration::from_millis(200))
            .max_retries(None)
    };
    let client = TopicClient::builder()
        .api_key(&emulator.api_key())
        .publish_timeout(Duration::from_secs(if config.outages.is_some() {
            2
        } else {
            5
        }))
        .poll_timeout(Duration::from_secs(5))
        .retry_policy(retry_policy)
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
                    Ok(TopicEvent::ConnectionLost { failures, .. }) => {
                        report.failed_polls += 1;
                        if failures == 1 {
                            report.connection_lost += 1;
                        }
                    }
                    Ok(TopicEvent::ConnectionRestored { away, .. }) => {
                        report.connection_restored += 1;
                        report.longest_away = report.longest_away.max(away);
                    }
                    // NoProgress and later additions: nothing to judge here.
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
    // Every publish that went out or may have, in publish order, and which
    // of them got no answer: the checker holds both to publish order.
    let mut sent = Vec::with_capacity(config.messages as usize + 1);
    let mut uncertain = std::collections::HashSet::new();
    let mut attempt = 0u64;
    let driver = config
        .outages
        .map(|plan| tokio::spawn(outage::drive(emulator.admin_url(), plan)));
    let publishing = |published: &Vec<String>, driver: &Option<_>| match driver {
        Some(d) => !tokio::task::JoinHandle::is_finished(d),
        None => (published.len() as u64) < config.messages,
    };
    while publishing(&published, &driver) && Instant::now() < deadline {
        if rng.unit() < config.fault_probability {
            let (kind, fault) = faults::random_fault(&mut rng, CACHE, TOPIC);
            admin::inject_fault(&admin, &fault).await?;
            *report.faults.entry(kind).or_default() += 1;
        }
        let i = published.len();
        let payload = format!("m{i}-a{attempt}");
        attempt += 1;
        match client.publish(CACHE, TOPIC, payload.as_str()).await {
            Ok(()) => {
                sent.push(payload.clone());
                published.push(payload);
            }
            Err(e) => {
                report.publish_failures += 1;
                // No answer and the request may have gone out: the checker
                // accepts it delivered or not, but never twice or out of order.
                if e.status().is_none() && e.may_have_been_delivered() {
                    report.publish_unanswered += 1;
                    sent.push(payload.clone());
                    uncertain.insert(payload);
                }
                if let Some(wait) = e.retry_after() {
                    tokio::time::sleep(wait).await;
                }
            }
        }
        if driver.is_some() {
            tokio::time::sleep(OUTAGE_PUBLISH_PAUSE).await;
        }
    }
    if let Some(driver) = driver {
        report.outages = driver.await??;
    }
    // Disarm what is left, then close with a marker every subscriber waits for.
    admin::clear_faults(&admin).await?;
    loop {
        match client.publish(CACHE, TOPIC, END).await {
            Ok(()) => {
                sent.push(END.to_owned());
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
        for p in &sent {
            if uncertain.contains(p) {
                history.maybe_published(DEFAULT_PUBLISHER, p);
            } else {
                history.published(name, p);
            }
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
