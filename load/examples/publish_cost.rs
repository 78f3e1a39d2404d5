//! Instructions per publish (and per delivery) for `valgrind --tool=callgrind`,
//! which do not move with the machine's load the way the benchmark's
//! throughputs do:
//!
//! - `bare`: raw reqwest POSTs to an axum handler answering 204
//!   (`publish_throughput`'s baseline);
//! - `raw`: the same POSTs to the emulator (`publish_throughput`, and
//!   `client_overhead`'s baseline);
//! - `client`: `TopicClient::publish` to the emulator (`client_overhead`);
//! - `deliver`: `PUBLISHES / 20` messages published one after another to 20
//!   long-polling `Subscription`s, so `PUBLISHES` deliveries
//!   (the delivery scenarios' work, without their timing);
//! - `none`: start-up and warm-up only, to subtract.
//!
//! One thread runs the servers and 16 publishers, so each count holds client
//! and server. Run the modes and subtract `none` from the others:
//!
//! ```sh
//! cargo build --release -p momento-http-load --example publish_cost
//! for mode in none bare raw client; do
//!   valgrind --tool=callgrind --callgrind-out-file=cg.$mode \
//!     target/release/examples/publish_cost $mode 4000 2>&1 | grep Collected
//! done
//! ```
//!
//! `(bare - none) / (raw - none)` is the ratio `publish_throughput` would
//! show on a CPU-bound machine, `(raw - none) / (client - none)` the one
//! `client_overhead` would; `callgrind_annotate` on two files says where the
//! difference goes.

use std::sync::Arc;

use momento_http::TopicClient;
use momento_http_emulator::{Emulator, Limits};

/// The allocator of `momento-http-load` and of the emulator binary.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

const CACHE: &str = "bench";
const TOPIC: &str = "overhead";
const PUBLISHERS: usize = 16;
/// 100 bytes of text, as in the benchmark.
const BODY: &str = "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789";

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_default();
    let publishes: usize = args.next().map(|n| n.parse()).transpose()?.unwrap_or(4000);
    anyhow::ensure!(
        matches!(
            mode.as_str(),
            "none" | "bare" | "raw" | "client" | "deliver"
        ),
        "usage: publish_cost none|bare|raw|client|deliver [PUBLISHES]"
    );

    let emulator = Emulator::builder()
        .cache(CACHE)
        .no_topic_idle_expiry()
        .limits(Limits {
            ops_per_second: None,
            concurrent_subscriptions: None,
            ..Limits::default()
        })
        .start()
        .await?;
    let token: Arc<str> = emulator.api_key().into();
    let client = TopicClient::builder().api_key(&token).build()?;
    let subscriber = client.clone();
    let http = momento_http::http_client_builder()
        .expect("rustls accepts ring's defaults")
        .build()
        .expect("reqwest client");
    let url: Arc<str> = format!("{}/topics/{CACHE}/{TOPIC}", emulator.base_url()).into();
    let bare_url: Arc<str> =
        format!("http://{}/topics/{CACHE}/{TOPIC}", start_bare().await?).into();

    let post = |url: Arc<str>| {
        let (http, token) = (http.clone(), token.clone());
        move || {
            let request = http
                .post(&*url)
                .header("authorization", &*token)
                .header("content-type", "text/plain")
                .body(BODY);
            async move {
                let status = request.send().await?.status();
                anyhow::ensure!(status == 204, "raw publish answered {status}");
                Ok(())
            }
        }
    };
    let raw = post(url);
    let bare = post(bare_url);
    let topic_client = move || {
        let client = client.clone();
        async move { anyhow::Ok(client.publish(CACHE, TOPIC, BODY).await?) }
    };

    // Every mode opens the same connections first, so `none` subtracts them.
    for _ in 0..PUBLISHERS {
        bare().await?;
        raw().await?;
        topic_client().await?;
    }
    if mode == "deliver" {
        deliver(&subscriber, publishes).await?;
        emulator.shutdown().await;
        return Ok(());
    }
    let mut publishers = tokio::task::JoinSet::new();
    for _ in 0..PUBLISHERS {
        let (bare, raw, topic_client) = (bare.clone(), raw.clone(), topic_client.clone());
        let mode = mode.clone();
        publishers.spawn(async move {
            for _ in 0..publishes / PUBLISHERS {
                match mode.as_str() {
                    "bare" => bare().await?,
                    "raw" => raw().await?,
                    "client" => topic_client().await?,
                    _ => {}
                }
            }
            anyhow::Ok(())
        });
    }
    while let Some(done) = publishers.join_next().await {
        done??;
    }
    emulator.shutdown().await;
    Ok(())
}

/// `publish_throughput`'s baseline: an axum handler answering 204.
async fn start_bare() -> anyhow::Result<std::net::SocketAddr> {
    let app = axum::Router::new().route(
        "/topics/{cache}/{topic}",
        axum::routing::post(|| async { axum::http::StatusCode::NO_CONTENT }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(addr)
}

/// 20 subscriptions, each receiving `deliveries / 20` messages published one
/// at a time.
async fn deliver(client: &TopicClient, deliveries: usize) -> anyhow::Result<()> {
    use futures::StreamExt as _;
    const SUBSCRIBERS: usize = 20;
    const TOPIC: &str = "deliver";
    let messages = deliveries / SUBSCRIBERS;
    let mut subscribers = tokio::task::JoinSet::new();
    for _ in 0..SUBSCRIBERS {
        let mut subscription = client.subscribe(CACHE, TOPIC);
        subscribers.spawn(async move {
            let mut received = 0;
            while received < messages {
                match subscription.next().await {
                    Some(Ok(momento_http::TopicEvent::Item { .. })) => received += 1,
                    Some(Ok(other)) => anyhow::bail!("unexpected {other:?}"),
                    Some(Err(e)) => return Err(e.into()),
                    None => anyhow::bail!("the subscription ended"),
                }
            }
            Ok(())
        });
    }
    // Let every subscription reach its first long poll.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    for _ in 0..messages {
        client.publish(CACHE, TOPIC, BODY).await?;
    }
    while let Some(done) = subscribers.join_next().await {
        done??;
    }
    Ok(())
}
