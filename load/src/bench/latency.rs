//! Publish → receipt by 100 long-polling subscriptions, in two regimes:
//!
//! - `delivery_latency_light`: 10 msg/s, judged against loopback round trips
//!   (p50 ≤ 2×, p99 ≤ 5×): what a subscriber waits when the machine is idle;
//! - `delivery_saturation`: one publisher as fast as it can go, judged against
//!   the bare long-poll floor (`floor.rs`) under the same load in the same
//!   run: delivered messages/s ≥ 0.9× and p50 ≤ 1.1× the floor's. At this
//!   load the HTTP exchanges themselves fill the cores, whoever serves them.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures::StreamExt as _;
use momento_http::{TopicClient, TopicEvent, TopicValue};
use momento_http_emulator::RunningEmulator;

use super::Plan;
use super::baselines::loopback_round_trips;
use super::floor;
use super::harness::{CACHE, STALL, median, percentile, start_emulator, subscriber_client};
use super::report::{Figures, Scenario};
use crate::admin;

/// Long-polling subscriptions in both scenarios.
const SUBSCRIBERS: usize = 100;

/// How the publisher paces itself.
#[derive(Clone, Copy, Debug)]
pub enum Pace {
    /// One message per period (`MissedTickBehavior::Delay` when it falls behind).
    Every(Duration),
    /// Each publish as soon as the previous one is answered.
    FlatOut,
}

impl Pace {
    /// The ticker to await before each publish, if any.
    pub fn ticker(self) -> Option<tokio::time::Interval> {
        match self {
            Pace::Every(period) => {
                let mut tick = tokio::time::interval(period);
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                Some(tick)
            }
            Pace::FlatOut => None,
        }
    }
}

/// What one delivery run saw, over every subscriber.
#[derive(Clone, Debug)]
pub struct Delivery {
    /// Publish → receipt, µs, sorted.
    pub latencies: Vec<f64>,
    /// Messages published (attempts).
    pub messages: u64,
    /// How long publishing took.
    pub publish_secs: f64,
    /// Publishes that failed.
    pub failed_publishes: u64,
    /// Messages received, over every subscriber.
    pub delivered: u64,
    /// Messages some subscriber never received.
    pub missing: u64,
    /// Discontinuities the subscribers saw.
    pub discontinuities: u64,
    /// Deliveries per second, from the first publish to the last receipt.
    pub delivered_per_sec: f64,
}

impl Delivery {
    /// From each subscriber's latencies (µs) and time of its last receipt.
    pub fn from_subscribers(
        messages: u64,
        publish_secs: f64,
        failed_publishes: u64,
        publish_started: Instant,
        subscribers: Vec<(Vec<f64>, Instant)>,
        discontinuities: u64,
    ) -> Delivery {
        let mut latencies = Vec::new();
        let mut missing = 0;
        let mut last = publish_started;
        for (lat, at) in subscribers {
            missing += messages.saturating_sub(lat.len() as u64);
            last = last.max(at);
            latencies.extend(lat);
        }
        latencies.sort_by(f64::total_cmp);
        let delivered = latencies.len() as u64;
        let secs = last.duration_since(publish_started).as_secs_f64();
        Delivery {
            latencies,
            messages,
            publish_secs,
            failed_publishes,
            delivered,
            missing,
            discontinuities,
            delivered_per_sec: if secs > 0.0 {
                delivered as f64 / secs
            } else {
                0.0
            },
        }
    }

    /// The `p` quantile of the latencies, µs.
    pub fn latency(&self, p: f64) -> f64 {
        percentile(&self.latencies, p)
    }

    /// Counts for a note.
    pub fn describe(&self) -> String {
        format!(
            "{} messages published in {:.2} s ({:.0} msg/s), {} deliveries ({:.0}/s), {} missing, {} discontinuities, {} failed publishes, p50 {:.0} µs, p99 {:.0} µs",
            self.messages,
            self.publish_secs,
            self.messages as f64 / self.publish_secs.max(f64::MIN_POSITIVE),
            self.delivered,
            self.delivered_per_sec,
            self.missing,
            self.discontinuities,
            self.failed_publishes,
            self.latency(0.50),
            self.latency(0.99),
        )
    }
}

/// `SUBSCRIBERS` `TopicClient` subscriptions receive `messages` published by
/// one `TopicClient` at `pace`, on a fresh emulator. Each message carries the
/// time its publish started and its index.
async fn emulator_delivery(messages: u64, pace: Pace) -> anyhow::Result<Delivery> {
    let emulator = start_emulator().await?;
    let delivery = deliver_through(&emulator, messages, pace).await;
    emulator.shutdown().await;
    delivery
}

async fn deliver_through(
    emulator: &RunningEmulator,
    messages: u64,
    pace: Pace,
) -> anyhow::Result<Delivery> {
    let topic = "latency";
    let admin = admin::client(&emulator.base_url())?;
    let cursor = admin::next_cursor(&admin, CACHE, topic).await?;
    let client = subscriber_client(emulator)?;
    let t0 = Instant::now();
    let discontinuities = Arc::new(AtomicU64::new(0));
    let subs: Vec<_> = (0..SUBSCRIBERS)
        .map(|_| {
            let mut sub = client.subscribe_from(CACHE, topic, cursor);
            let discontinuities = discontinuities.clone();
            tokio::spawn(async move {
                let mut lat = Vec::with_capacity(messages as usize);
                let mut at = t0;
                // Until the last message arrives. Not a deadline for the
                // whole run: on a loaded machine the publisher falls behind,
                // and a fixed deadline would count its late messages as
                // missing; STALL without any event means the stream is stuck.
                loop {
                    let Ok(Some(ev)) = tokio::time::timeout(STALL, sub.next()).await else {
                        break;
                    };
                    match ev {
                        Ok(TopicEvent::Item {
                            value: TopicValue::Text(t),
                            ..
                        }) => {
                            let now = t0.elapsed().as_nanos();
                            at = Instant::now();
                            let mut parts = t.split(' ');
                            let stamp: u128 =
                                parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
                            let index: u64 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
                            lat.push(now.saturating_sub(stamp) as f64 / 1e3);
                            if index + 1 >= messages {
                                break;
                            }
                        }
                        Ok(TopicEvent::Discontinuity { .. }) => {
                            discontinuities.fetch_add(1, Ordering::Relaxed);
                        }
                        _ => {}
                    }
                }
                (lat, at)
            })
        })
        .collect();
    // Let every subscription's first poll arrive before publishing.
    admin::await_waiting_subscribers(
        &admin,
        CACHE,
        topic,
        SUBSCRIBERS as u64,
        Duration::from_secs(10),
    )
    .await?;
    let publisher = TopicClient::builder()
        .api_key(&emulator.api_key())
        .build()?;
    let mut tick = pace.ticker();
    let mut failed = 0;
    let started = Instant::now();
    for i in 0..messages {
        if let Some(tick) = tick.as_mut() {
            tick.tick().await;
        }
        let stamp = t0.elapsed().as_nanos();
        if publisher
            .publish(CACHE, topic, format!("{stamp} {i}"))
            .await
            .is_err()
        {
            failed += 1;
        }
    }
    let publish_secs = started.elapsed().as_secs_f64();
    let mut received = Vec::with_capacity(SUBSCRIBERS);
    for s in subs {
        received.push(s.await?);
    }
    Ok(Delivery::from_subscribers(
        messages,
        publish_secs,
        failed,
        started,
        received,
        discontinuities.load(Ordering::Relaxed),
    ))
}

/// `delivery_latency_light`: 100 subscriptions, 10 msg/s, against sequential
/// loopback round trips to the 204 handler.
pub async fn delivery_latency_light(plan: Plan) -> anyhow::Result<Scenario> {
    let emulator = start_emulator().await?;
    let measured = async {
        let rtt = loopback_round_trips(plan.round_trips, &emulator.api_key()).await?;
        let period = Pace::Every(Duration::from_millis(100));
        let run = deliver_through(&emulator, plan.light_messages, period).await?;
        anyhow::Ok((rtt, run))
    }
    .await;
    emulator.shutdown().await;
    let (rtt, run) = measured?;
    let p = |q: f64| Figures::of(run.latency(q), percentile(&rtt, q));
    Ok(Scenario::ratio_at_most(
        "delivery_latency_light",
        "µs (p50)",
        p(0.50),
        "loopback POST round trip to the 204 handler (p50; p99 below)",
        2.0,
        format!(
            "{SUBSCRIBERS} subscriptions at 10 msg/s: {}; baseline = {} sequential round trips",
            run.describe(),
            rtt.len(),
        ),
    )
    .and_ratio_at_most("p99", "µs", p(0.99), 5.0))
}

/// `delivery_saturation`: 100 subscriptions, one publisher as fast as it can
/// go, against the bare long-poll floor under the same load, in pairs whose
/// order alternates.
pub async fn delivery_saturation(plan: Plan) -> anyhow::Result<Scenario> {
    let messages = plan.saturation_messages;
    let mut pairs = Vec::new();
    for round in 0..plan.saturation_pairs {
        let (floor, measured) = if round % 2 == 0 {
            let f = floor::deliver(SUBSCRIBERS, messages, Pace::FlatOut).await?;
            (f, emulator_delivery(messages, Pace::FlatOut).await?)
        } else {
            let m = emulator_delivery(messages, Pace::FlatOut).await?;
            (
                floor::deliver(SUBSCRIBERS, messages, Pace::FlatOut).await?,
                m,
            )
        };
        pairs.push((floor, measured));
    }
    let med = |f: &dyn Fn(&Delivery) -> f64, side: usize| {
        median(
            pairs
                .iter()
                .map(|(fl, m)| if side == 0 { f(fl) } else { f(m) })
                .collect(),
        )
    };
    let ratio =
        |f: &dyn Fn(&Delivery) -> f64| median(pairs.iter().map(|(fl, m)| f(m) / f(fl)).collect());
    let rate = |d: &Delivery| d.delivered_per_sec;
    let p50 = |d: &Delivery| d.latency(0.50);
    let rates = Figures {
        value: med(&rate, 1),
        baseline: med(&rate, 0),
        ratio: ratio(&rate),
    };
    let latencies = Figures {
        value: med(&p50, 1),
        baseline: med(&p50, 0),
        ratio: ratio(&p50),
    };
    let runs = pairs
        .iter()
        .enumerate()
        .map(|(i, (fl, m))| {
            format!(
                "pair {}: emulator {}; floor {}",
                i + 1,
                m.describe(),
                fl.describe()
            )
        })
        .collect::<Vec<_>>()
        .join(" | ");
    let missing: u64 = pairs.iter().map(|(_, m)| m.missing).sum();
    Ok(Scenario::ratio_at_least(
        "delivery_saturation",
        "deliveries/s",
        rates,
        "bare axum long-poll handler, raw reqwest pollers and publisher, same load (floor.rs)",
        0.9,
        format!(
            "{SUBSCRIBERS} subscriptions, {messages} messages published flat out, {} pairs in alternating order, ratios = medians of the pairs' ratios; {missing} messages missing on the emulator's side; {runs}",
            pairs.len()
        ),
    )
    .and_ratio_at_most("p50 vs floor", "µs", latencies, 1.1))
}
