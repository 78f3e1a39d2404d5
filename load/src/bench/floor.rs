//! The fan-out floor: the delivery latency of the least an HTTP long-poll
//! server can do, measured beside `delivery_latency` with the same load.
//!
//! A bare axum handler keeps the latest message in a `watch` channel; a POST
//! replaces it and a GET waits until it is newer than the poller's last.
//! Raw reqwest pollers and a raw reqwest publisher drive it at the same rate
//! as the measured run. No auth, no buffer, no JSON, no client layer: what is
//! left is the HTTP itself, one response per subscriber per message, on the
//! same cores. Dividing the measured latency by this one shows what the
//! emulator and the client add; dividing this one by the round trip shows
//! what the machine allows.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Query, State};
use axum::http::StatusCode;
use tokio::sync::watch;

/// The latest message: its number and its publish time (ns since the run's start).
type Latest = (u64, u128);

#[derive(serde::Deserialize)]
struct After {
    after: u64,
}

async fn publish(State(tx): State<Arc<watch::Sender<Latest>>>, body: String) -> StatusCode {
    let stamp: u128 = body.parse().unwrap_or(0);
    tx.send_modify(|(n, s)| {
        *n += 1;
        *s = stamp;
    });
    StatusCode::NO_CONTENT
}

async fn poll(State(tx): State<Arc<watch::Sender<Latest>>>, Query(q): Query<After>) -> String {
    let mut rx = tx.subscribe();
    let latest = rx
        .wait_for(|(n, _)| *n > q.after)
        .await
        .map(|v| *v)
        .unwrap_or((q.after, 0));
    format!("{} {}", latest.0, latest.1)
}

/// Latencies (µs, sorted) and the publish rate reached, for `subscribers`
/// pollers and `messages` messages at one per millisecond at most.
pub async fn measure(subscribers: usize, messages: u64) -> anyhow::Result<(Vec<f64>, f64)> {
    let (tx, _) = watch::channel::<Latest>((0, 0));
    let app = axum::Router::new()
        .route("/publish", axum::routing::post(publish))
        .route("/poll", axum::routing::get(poll))
        .with_state(Arc::new(tx));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let t0 = Instant::now();
    let http = reqwest::Client::new();
    let pollers: Vec<_> = (0..subscribers)
        .map(|_| {
            let http = http.clone();
            tokio::spawn(async move {
                let mut lat = Vec::with_capacity(messages as usize);
                let mut last = 0u64;
                let deadline = Instant::now() + Duration::from_secs(messages / 1000 + 30);
                while last < messages && Instant::now() < deadline {
                    let Ok(r) = http
                        .get(format!("http://{addr}/poll?after={last}"))
                        .send()
                        .await
                    else {
                        break;
                    };
                    let Ok(text) = r.text().await else { break };
                    let now = t0.elapsed().as_nanos();
                    let mut parts = text.split(' ');
                    let n: u64 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(last);
                    let stamp: u128 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(now);
                    // Messages that came and went while this poller was away
                    // are not delivered here (the floor keeps only the latest).
                    last = n;
                    lat.push(now.saturating_sub(stamp) as f64 / 1e3);
                }
                lat
            })
        })
        .collect();
    // Let the first polls arrive, as the measured run does.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut tick = tokio::time::interval(Duration::from_millis(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let started = Instant::now();
    for _ in 0..messages {
        tick.tick().await;
        let stamp = t0.elapsed().as_nanos();
        http.post(format!("http://{addr}/publish"))
            .body(stamp.to_string())
            .send()
            .await?;
    }
    let rate = messages as f64 / started.elapsed().as_secs_f64();
    let mut all = Vec::new();
    for p in pollers {
        all.extend(p.await?);
    }
    server.abort();
    all.sort_by(f64::total_cmp);
    Ok((all, rate))
}
