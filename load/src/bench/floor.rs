//! The fan-out floor: the least an HTTP long-poll server can do, driven
//! exactly as `delivery_saturation` drives the emulator.
//!
//! A bare axum handler keeps every message's publish time in a `Vec`; a POST
//! appends one, a GET waits until there is a message after the poller's last
//! and answers up to [`MAX_BATCH`] of them (as many as the emulator's batch),
//! one line each. Raw reqwest pollers and a raw reqwest publisher drive it.
//! No auth, no JSON, no buffer bound, no client layer: what is left is the
//! HTTP itself, one response per subscriber per batch, on the same cores.
//! Dividing the emulator's figures by these shows what the emulator and the
//! client add.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Query, State};
use axum::http::StatusCode;
use tokio::sync::Notify;

use super::latency::{Delivery, Pace};

/// Messages per answer at most: the emulator's batch size.
const MAX_BATCH: usize = 100;

/// The server's state: every message's publish time (ns since the run's
/// start; message `n` is at index `n - 1`), and who is waiting.
#[derive(Default)]
struct Topic {
    stamps: Mutex<Vec<u128>>,
    published: Notify,
    waiting: AtomicU64,
}

#[derive(serde::Deserialize)]
struct After {
    after: usize,
}

async fn publish(State(topic): State<Arc<Topic>>, body: String) -> StatusCode {
    let stamp: u128 = body.parse().unwrap_or(0);
    topic
        .stamps
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(stamp);
    topic.published.notify_waiters();
    StatusCode::NO_CONTENT
}

/// `after` and the stamps of the messages after it, one a line: `n stamp`.
async fn poll(State(topic): State<Arc<Topic>>, Query(q): Query<After>) -> String {
    topic.waiting.fetch_add(1, Ordering::Relaxed);
    let batch = loop {
        // Register for the next publish before looking, so none slips between.
        let published = topic.published.notified();
        {
            let stamps = topic.stamps.lock().unwrap_or_else(|e| e.into_inner());
            if stamps.len() > q.after {
                let end = stamps.len().min(q.after + MAX_BATCH);
                break (q.after + 1..=end)
                    .zip(&stamps[q.after..end])
                    .map(|(n, s)| format!("{n} {s}\n"))
                    .collect::<String>();
            }
        }
        published.await;
    };
    topic.waiting.fetch_sub(1, Ordering::Relaxed);
    batch
}

/// `subscribers` raw pollers receive `messages` published by one raw
/// publisher at `pace`.
pub async fn deliver(subscribers: usize, messages: u64, pace: Pace) -> anyhow::Result<Delivery> {
    let topic = Arc::new(Topic::default());
    let app = axum::Router::new()
        .route("/publish", axum::routing::post(publish))
        .route("/poll", axum::routing::get(poll))
        .with_state(topic.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let t0 = Instant::now();
    let http = momento_http::http_client_builder()
        .expect("rustls accepts ring's defaults")
        .build()?;
    let pollers: Vec<_> = (0..subscribers)
        .map(|_| {
            let http = http.clone();
            tokio::spawn(async move {
                let mut lat = Vec::with_capacity(messages as usize);
                let mut last = 0u64;
                let mut at = t0;
                while last < messages {
                    let get = http.get(format!("http://{addr}/poll?after={last}")).send();
                    let Ok(Ok(r)) = tokio::time::timeout(super::harness::STALL, get).await else {
                        break;
                    };
                    let Ok(text) = r.text().await else { break };
                    let now = t0.elapsed().as_nanos();
                    at = Instant::now();
                    for line in text.lines() {
                        let mut parts = line.split(' ');
                        let n = parts.next().and_then(|p| p.parse().ok());
                        let stamp = parts.next().and_then(|p| p.parse::<u128>().ok());
                        if let (Some(n), Some(stamp)) = (n, stamp) {
                            last = n;
                            lat.push(now.saturating_sub(stamp) as f64 / 1e3);
                        }
                    }
                }
                (lat, at)
            })
        })
        .collect();
    // Let every first poll arrive, as the measured run does.
    let until = Instant::now() + Duration::from_secs(10);
    while topic.waiting.load(Ordering::Relaxed) < subscribers as u64 && Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut tick = pace.ticker();
    let started = Instant::now();
    let mut failed = 0;
    for _ in 0..messages {
        if let Some(tick) = tick.as_mut() {
            tick.tick().await;
        }
        let stamp = t0.elapsed().as_nanos();
        let sent = http
            .post(format!("http://{addr}/publish"))
            .body(stamp.to_string())
            .send()
            .await;
        if !sent.is_ok_and(|r| r.status() == StatusCode::NO_CONTENT) {
            failed += 1;
        }
    }
    let publish_secs = started.elapsed().as_secs_f64();
    let mut received = Vec::with_capacity(subscribers);
    for p in pollers {
        received.push(p.await?);
    }
    server.abort();
    Ok(Delivery::from_subscribers(
        messages,
        publish_secs,
        failed,
        started,
        received,
        0,
    ))
}

#[cfg(test)]
mod tests {
    use super::deliver;
    use crate::bench::latency::Pace;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_floor_delivers_every_message_to_every_poller_in_batches() {
        // More messages than one batch holds, published flat out.
        let d = tokio::time::timeout(
            std::time::Duration::from_secs(20),
            deliver(3, 250, Pace::FlatOut),
        )
        .await
        .expect("the floor finished in time")
        .expect("the floor ran");
        assert_eq!(d.failed_publishes, 0, "{}", d.describe());
        assert_eq!(d.missing, 0, "{}", d.describe());
        assert_eq!(d.delivered, 750, "{}", d.describe());
        assert!(d.delivered_per_sec > 0.0, "{}", d.describe());
        assert!(d.latencies.iter().all(|l| l.is_finite() && *l >= 0.0));
    }
}
