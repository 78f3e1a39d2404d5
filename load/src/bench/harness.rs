//! Benchmark scenarios. Every figure is compared with a baseline measured in
//! the same run, on the same machine, with the same load generator, because
//! the machines are shared and noisy: only ratios are meaningful.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use axum::http::StatusCode;
use futures::StreamExt as _;
use momento_http::{
    Cursor, DEFAULT_PUBLISH_TIMEOUT, RetryPolicy, TopicClient, TopicEvent, TopicValue,
};
use momento_http_emulator::{Emulator, Limits, RunningEmulator};

use crate::report::{Figures, Scenario};

/// Run lengths.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    /// Baseline/measured pairs per throughput scenario. Many short pairs
    /// rather than a few long ones: the median of their ratios then shrugs
    /// off the seconds when a neighbour on this shared machine takes the CPU.
    pub rounds: usize,
    /// Length of one throughput round.
    pub round: Duration,
    /// Length of the 1,000 msg/s latency run.
    pub latency_run: Duration,
    /// Messages in the fan-out run.
    pub fanout_messages: u64,
}

impl Plan {
    /// `--quick` (well under 3 minutes) or the full run.
    pub fn new(quick: bool) -> Plan {
        if quick {
            Plan {
                rounds: 5,
                round: Duration::from_secs(1),
                latency_run: Duration::from_secs(3),
                fanout_messages: 20,
            }
        } else {
            Plan {
                rounds: 15,
                round: Duration::from_secs(1),
                latency_run: Duration::from_secs(10),
                fanout_messages: 100,
            }
        }
    }
}

const CACHE: &str = "bench";
const PUBLISHERS: usize = 64;
const BODY: &str = "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789";

/// The emulator as benchmarked: no rate limit (it would cap throughput at
/// 10,000 ops/s), long polls that outlast every scenario.
async fn start_emulator() -> anyhow::Result<RunningEmulator> {
    Ok(Emulator::builder()
        .cache(CACHE)
        .long_poll_wait(Duration::from_secs(20))
        .no_topic_idle_expiry()
        .limits(Limits {
            ops_per_second: None,
            concurrent_subscriptions: None,
            ..Limits::default()
        })
        .start()
        .await?)
}

/// The baseline: an axum handler answering 204 to the same POSTs.
async fn start_baseline() -> anyhow::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let app = axum::Router::new().route(
        "/topics/{cache}/{topic}",
        axum::routing::post(|| async { StatusCode::NO_CONTENT }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((addr, task))
}

/// A second reference for diagnosis: a handler that, like the emulator,
/// reads the body, checks a header and runs inside the same layers (panic
/// catching and a body limit, around the whole router), then answers 204.
async fn start_layered_baseline() -> anyhow::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    use tower::{Layer as _, ServiceExt};
    use tower_http::catch_panic::CatchPanicLayer;
    let router = axum::Router::new().route(
        "/topics/{cache}/{topic}",
        axum::routing::post(
            |axum::extract::Path((_c, _t)): axum::extract::Path<(String, String)>,
             request: axum::extract::Request| async move {
                let has_token = request.headers().get("authorization").is_some();
                match axum::body::to_bytes(request.into_body(), 4096).await {
                    Ok(_) if has_token => StatusCode::NO_CONTENT,
                    _ => StatusCode::BAD_REQUEST,
                }
            },
        ),
    );
    let layered =
        CatchPanicLayer::new().layer(axum::extract::DefaultBodyLimit::max(64 * 1024).layer(router));
    // axum::serve wants axum's body type.
    let app = ServiceExt::<axum::extract::Request>::map_response(layered, |r| {
        r.map(axum::body::Body::new)
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            axum::ServiceExt::<axum::extract::Request>::into_make_service(app),
        )
        .await;
    });
    Ok((addr, task))
}

/// One throughput round.
struct Round {
    /// Successful operations per wall-clock second.
    per_sec: f64,
    /// This process's CPU time (every thread, user and system) per
    /// successful operation, when the platform tells.
    cpu_per_op: Option<f64>,
    failed: u64,
}

/// This process's CPU time so far, from `/proc/self/stat` (Linux; in
/// USER_HZ ticks, which the kernel ABI fixes at 100 per second).
fn process_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised name: state is field 3, utime 14, stime 15.
    let mut fields = stat.rsplit_once(')')?.1.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some((utime + stime) as f64 / 100.0)
}

/// Runs `op` from `concurrency` tasks for `run`.
async fn hammer<F, Fut>(concurrency: usize, run: Duration, op: F) -> Round
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let ok = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let cpu_before = process_cpu_seconds();
    let started = Instant::now();
    let deadline = started + run;
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let (ok, failed, op) = (ok.clone(), failed.clone(), op.clone());
            tokio::spawn(async move {
                while Instant::now() < deadline {
                    if op().await {
                        ok.fetch_add(1, Ordering::Relaxed);
                    } else {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    for t in tasks {
        let _ = t.await;
    }
    let secs = started.elapsed().as_secs_f64();
    let ok = ok.load(Ordering::Relaxed) as f64;
    Round {
        per_sec: ok / secs,
        cpu_per_op: cpu_before
            .zip(process_cpu_seconds())
            .filter(|_| ok > 0.0)
            .map(|(before, after)| (after - before) / ok),
        failed: failed.load(Ordering::Relaxed),
    }
}

/// A raw keep-alive publisher as the load generator: POST 100 bytes of text.
fn raw_publish(
    http: reqwest::Client,
    url: String,
    token: Arc<str>,
) -> impl Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = bool> + Send>>
+ Clone
+ Send
+ 'static {
    move || {
        let req = http
            .post(&url)
            .header("authorization", &*token)
            .header("content-type", "text/plain")
            .body(BODY);
        Box::pin(async move {
            match req.send().await {
                Ok(r) => r.status() == reqwest::StatusCode::NO_CONTENT,
                Err(_) => false,
            }
        })
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    if v.is_empty() { 0.0 } else { v[v.len() / 2] }
}

/// Throughput rounds of a baseline and a measured operation, run in adjacent
/// pairs whose order alternates, so that drifts in the machine's load (it is
/// shared) fall on both sides of each pair.
struct Paired {
    baseline: Vec<Round>,
    measured: Vec<Round>,
}

impl Paired {
    async fn run<B, BF, M, MF>(plan: Plan, baseline: B, measured: M) -> Paired
    where
        B: Fn() -> BF + Clone + Send + 'static,
        BF: std::future::Future<Output = bool> + Send,
        M: Fn() -> MF + Clone + Send + 'static,
        MF: std::future::Future<Output = bool> + Send,
    {
        let mut p = Paired {
            baseline: Vec::new(),
            measured: Vec::new(),
        };
        for round in 0..plan.rounds {
            let (baseline, measured) = (baseline.clone(), measured.clone());
            let (b, m) = if round % 2 == 1 {
                let m = hammer(PUBLISHERS, plan.round, measured).await;
                (hammer(PUBLISHERS, plan.round, baseline).await, m)
            } else {
                let b = hammer(PUBLISHERS, plan.round, baseline).await;
                (b, hammer(PUBLISHERS, plan.round, measured).await)
            };
            p.baseline.push(b);
            p.measured.push(m);
        }
        p
    }

    /// Medians of both sides, judged on the median of the pairs' ratios.
    fn figures(&self) -> Figures {
        let per_sec = |rounds: &[Round]| median(rounds.iter().map(|r| r.per_sec).collect());
        Figures {
            value: per_sec(&self.measured),
            baseline: per_sec(&self.baseline),
            ratio: self.ratio(),
        }
    }

    /// The median of the per-pair throughput ratios (measured / baseline).
    fn ratio(&self) -> f64 {
        median(self.pairs().map(|(b, m)| m.per_sec / b.per_sec).collect())
    }

    /// The same comparison in work per CPU-second (baseline's CPU time per
    /// operation / measured's): what the ratio would be on an idle machine,
    /// since a neighbour's load takes wall time from a round, not CPU time.
    fn cpu_ratio(&self) -> Option<f64> {
        let ratios: Option<Vec<f64>> = self
            .pairs()
            .map(|(b, m)| Some(b.cpu_per_op? / m.cpu_per_op?))
            .collect();
        ratios.map(median)
    }

    fn pairs(&self) -> impl Iterator<Item = (&Round, &Round)> {
        self.baseline.iter().zip(&self.measured)
    }

    /// Failed operations on the measured side.
    fn failures(&self) -> u64 {
        self.measured.iter().map(|r| r.failed).sum()
    }

    /// Each pair's throughput ratio, for the note.
    fn pair_ratios(&self) -> String {
        self.pairs()
            .map(|(b, m)| format!("{:.2}", m.per_sec / b.per_sec))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The CPU-time ratio for the note.
    fn cpu_note(&self) -> String {
        self.cpu_ratio().map_or_else(
            || "per CPU-second: not measurable here".to_owned(),
            |r| format!("per CPU-second (this process, all threads): {r:.3}"),
        )
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// `publish_throughput`: 64 keep-alive publishers, emulator vs a bare 204 handler.
pub async fn publish_throughput(plan: Plan) -> anyhow::Result<Scenario> {
    let emulator = start_emulator().await?;
    let (baseline_addr, baseline_task) = start_baseline().await?;
    let token: Arc<str> = emulator.api_key().into();
    let http = reqwest::Client::new();
    let emu_url = format!("{}/topics/{CACHE}/throughput", emulator.base_url());
    let base_url = format!("http://{baseline_addr}/topics/{CACHE}/throughput");
    let (layered_addr, layered_task) = start_layered_baseline().await?;
    let layered_url = format!("http://{layered_addr}/topics/{CACHE}/throughput");
    let bare = raw_publish(http.clone(), base_url, token.clone());
    let run = Paired::run(
        plan,
        bare.clone(),
        raw_publish(http.clone(), emu_url, token.clone()),
    )
    .await;
    // Diagnosis only: how much of the gap is reading the body and the layers.
    let layered = Paired::run(
        Plan {
            rounds: plan.rounds.min(3),
            ..plan
        },
        bare,
        raw_publish(http.clone(), layered_url, token.clone()),
    )
    .await;
    baseline_task.abort();
    layered_task.abort();
    emulator.shutdown().await;
    Ok(Scenario::ratio_at_least(
        "publish_throughput",
        "publishes/s",
        run.figures(),
        "axum handler answering 204 to the same POSTs",
        0.85,
        format!(
            "{PUBLISHERS} keep-alive publishers, 100-byte text, {} pairs of {:?} rounds in alternating order, ratio = median of the pairs' ratios (per pair: {}); {}; {} failed publishes; diagnosis: a 204 handler that reads the body behind the emulator's layers does {:.2} of the bare handler",
            plan.rounds,
            plan.round,
            run.pair_ratios(),
            run.cpu_note(),
            run.failures(),
            layered.ratio(),
        ),
    ))
}

/// `client_overhead`: `TopicClient::publish` vs raw reqwest POSTs, same emulator.
pub async fn client_overhead(plan: Plan) -> anyhow::Result<Scenario> {
    let emulator = start_emulator().await?;
    let token: Arc<str> = emulator.api_key().into();
    let client = TopicClient::builder().api_key(&token).build()?;
    let http = reqwest::Client::new();
    let url = format!("{}/topics/{CACHE}/overhead", emulator.base_url());
    let raw = raw_publish(http.clone(), url.clone(), token.clone());
    let run = Paired::run(plan, raw.clone(), {
        move || {
            let c = client.clone();
            async move { c.publish(CACHE, "overhead", BODY).await.is_ok() }
        }
    })
    .await;
    // Diagnosis only: what the client's publish timeout (a timer armed per
    // request, which a raw POST does without) costs by itself.
    let timed = reqwest::Client::builder()
        .timeout(DEFAULT_PUBLISH_TIMEOUT)
        .build()?;
    // As many pairs as the judged run: a handful swing by ±0.1 here.
    let timer = Paired::run(plan, raw, raw_publish(timed, url, token.clone())).await;
    emulator.shutdown().await;
    Ok(Scenario::ratio_at_least(
        "client_overhead",
        "publishes/s",
        run.figures(),
        "raw reqwest POSTs (same headers, same emulator)",
        0.95,
        format!(
            "{PUBLISHERS} concurrent publishers, {} pairs of {:?} rounds in alternating order, ratio = median of the pairs' ratios (per pair: {}); {}; {} failed publishes; diagnosis: raw POSTs with the client's {DEFAULT_PUBLISH_TIMEOUT:?} timeout do {:.2} of raw POSTs without ({})",
            plan.rounds,
            plan.round,
            run.pair_ratios(),
            run.cpu_note(),
            run.failures(),
            timer.ratio(),
            timer.cpu_note(),
        ),
    ))
}

/// The next number and the page of a topic, from the admin API.
async fn topic_cursor(http: &reqwest::Client, base: &str, topic: &str) -> anyhow::Result<Cursor> {
    let state: serde_json::Value = http
        .get(format!("{base}/_emulator/caches/{CACHE}/topics/{topic}"))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    Ok(Cursor {
        sequence_number: state["next_sequence_number"].as_u64().unwrap_or(0),
        sequence_page: state["sequence_page"].as_u64().unwrap_or(0),
    })
}

fn subscriber_client(emulator: &RunningEmulator) -> anyhow::Result<TopicClient> {
    Ok(TopicClient::builder()
        .api_key(&emulator.api_key())
        .poll_timeout(Duration::from_secs(60))
        .retry_policy(
            RetryPolicy::default()
                .initial_backoff(Duration::from_millis(20))
                .max_retries(None),
        )
        .build()?)
}

/// How long a benchmark subscription may go without an event before it is
/// counted as stuck (its remaining messages as missing).
const STALL: Duration = Duration::from_secs(10);

/// `delivery_latency`: publish → receipt by 100 long-polling subscriptions at
/// 1,000 msg/s, against sequential loopback round trips to the 204 handler.
pub async fn delivery_latency(plan: Plan) -> anyhow::Result<Vec<Scenario>> {
    const SUBSCRIBERS: usize = 100;
    let emulator = start_emulator().await?;
    let (baseline_addr, baseline_task) = start_baseline().await?;
    let http = reqwest::Client::new();
    let token: Arc<str> = emulator.api_key().into();

    // Baseline: one keep-alive connection, sequential round trips.
    let url = format!("http://{baseline_addr}/topics/{CACHE}/latency");
    let mut rtt = Vec::new();
    let warm_until = Instant::now() + Duration::from_millis(300);
    let until = Instant::now() + plan.latency_run.min(Duration::from_secs(3));
    while Instant::now() < until {
        let t = Instant::now();
        let r = http
            .post(&url)
            .header("authorization", &*token)
            .header("content-type", "text/plain")
            .body(BODY)
            .send()
            .await?;
        if r.status() != reqwest::StatusCode::NO_CONTENT {
            bail!("baseline answered {}", r.status());
        }
        if t > warm_until {
            rtt.push(t.elapsed().as_secs_f64() * 1e6);
        }
    }
    baseline_task.abort();
    rtt.sort_by(f64::total_cmp);

    // Measured: 100 subscriptions, a publisher ticking every millisecond.
    let base = emulator.base_url();
    let topic = "latency";
    let cursor = topic_cursor(&http, &base, topic).await?;
    let client = subscriber_client(&emulator)?;
    let t0 = Instant::now();
    let total = (plan.latency_run.as_millis() as u64).max(1);
    let subs: Vec<_> = (0..SUBSCRIBERS)
        .map(|_| {
            let mut sub = client.subscribe_from(CACHE, topic, cursor);
            tokio::spawn(async move {
                let mut lat = Vec::with_capacity(total as usize);
                let mut discontinuities = 0u64;
                // Not a deadline for the whole run: on a loaded machine the
                // publisher falls behind 1,000 msg/s, and a fixed deadline
                // counted its late messages as missing. A message arrives
                // every few milliseconds while it publishes, so 10 s without
                // one means the stream is stuck.
                while (lat.len() as u64) < total {
                    let Ok(Some(ev)) = tokio::time::timeout(STALL, sub.next()).await else {
                        break;
                    };
                    match ev {
                        Ok(TopicEvent::Item {
                            value: TopicValue::Text(t),
                            ..
                        }) => {
                            let now = t0.elapsed().as_nanos() as f64;
                            let sent: f64 =
                                t.split(' ').next().unwrap_or("0").parse().unwrap_or(0.0);
                            lat.push((now - sent) / 1e3);
                        }
                        Ok(TopicEvent::Discontinuity { .. }) => discontinuities += 1,
                        _ => {}
                    }
                }
                (lat, discontinuities)
            })
        })
        .collect();
    // Let every subscription's first poll arrive before publishing.
    let wait_until = Instant::now() + Duration::from_secs(10);
    loop {
        let state: serde_json::Value = http
            .get(format!("{base}/_emulator/caches/{CACHE}/topics/{topic}"))
            .send()
            .await?
            .json()
            .await?;
        if state["waiting_subscribers"].as_u64().unwrap_or(0) >= SUBSCRIBERS as u64
            || Instant::now() > wait_until
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let publisher = TopicClient::builder().api_key(&token).build()?;
    // One publisher, paced at 1,000 msg/s at most (it falls behind when the
    // machine cannot keep up: the note gives the rate reached). Each message
    // carries the time its publish started.
    let mut tick = tokio::time::interval(Duration::from_millis(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let failed = AtomicU64::new(0);
    let publish_started = Instant::now();
    for i in 0..total {
        tick.tick().await;
        let stamp = t0.elapsed().as_nanos();
        if publisher
            .publish(CACHE, topic, format!("{stamp} {i}"))
            .await
            .is_err()
        {
            failed.fetch_add(1, Ordering::Relaxed);
        }
    }
    let publish_elapsed = publish_started.elapsed();
    let mut all = Vec::new();
    let (mut missing, mut discontinuities) = (0u64, 0u64);
    for s in subs {
        let (lat, d) = s.await?;
        missing += total.saturating_sub(lat.len() as u64);
        discontinuities += d;
        all.extend(lat);
    }
    emulator.shutdown().await;
    all.sort_by(f64::total_cmp);
    let (floor, floor_rate) = crate::floor::measure(SUBSCRIBERS, total).await?;
    let ratios = |p: f64| {
        let (m, f, r) = (
            percentile(&all, p),
            percentile(&floor, p),
            percentile(&rtt, p),
        );
        format!(
            "{f:.0} µs = {:.1}× the round trip; measured / floor = {:.2}",
            f / r,
            m / f
        )
    };
    let note = format!(
        "{SUBSCRIBERS} subscriptions, {total} messages in {:.1} s ({:.0} msg/s reached), {} deliveries, {missing} missing, {discontinuities} discontinuities, {} failed publishes; baseline = {} sequential round trips; diagnosis, the fan-out floor (bare axum long-poll handler, raw reqwest pollers, same load, {floor_rate:.0} msg/s reached): p50 {}, p99 {}",
        publish_elapsed.as_secs_f64(),
        total as f64 / publish_elapsed.as_secs_f64(),
        all.len(),
        failed.load(Ordering::Relaxed),
        rtt.len(),
        ratios(0.50),
        ratios(0.99),
    );
    let baseline = "loopback POST round trip to the 204 handler";
    Ok(vec![
        Scenario::ratio_at_most(
            "delivery_latency_p50",
            "µs",
            Figures::of(percentile(&all, 0.50), percentile(&rtt, 0.50)),
            baseline,
            2.0,
            note.clone(),
        ),
        Scenario::ratio_at_most(
            "delivery_latency_p99",
            "µs",
            Figures::of(percentile(&all, 0.99), percentile(&rtt, 0.99)),
            baseline,
            5.0,
            note,
        ),
    ])
}

/// `fanout`: 1 publisher, 1,000 subscriptions on one topic.
pub async fn fanout(plan: Plan) -> anyhow::Result<Scenario> {
    const SUBSCRIBERS: usize = 1000;
    let emulator = start_emulator().await?;
    let http = reqwest::Client::new();
    let base = emulator.base_url();
    let topic = "fanout";
    let cursor = topic_cursor(&http, &base, topic).await?;
    let client = subscriber_client(&emulator)?;
    let m = plan.fanout_messages;
    let subs: Vec<_> = (0..SUBSCRIBERS)
        .map(|_| {
            let mut sub = client.subscribe_from(CACHE, topic, cursor);
            tokio::spawn(async move {
                let mut got = 0u64;
                let mut broken = 0u64;
                let deadline = Instant::now() + Duration::from_secs(120);
                while got < m {
                    match tokio::time::timeout_at(deadline.into(), sub.next()).await {
                        Ok(Some(Ok(TopicEvent::Item { .. }))) => got += 1,
                        Ok(Some(Ok(TopicEvent::Discontinuity { .. }))) => broken += 1,
                        Ok(Some(Err(_))) => {}
                        _ => break,
                    }
                }
                (got, broken, Instant::now())
            })
        })
        .collect();
    let publisher = TopicClient::builder()
        .api_key(&emulator.api_key())
        .build()?;
    let started = Instant::now();
    for i in 0..m {
        publisher
            .publish(CACHE, topic, format!("fanout {i}"))
            .await
            .context("fan-out publish")?;
    }
    let mut delivered = 0u64;
    let mut missing = 0u64;
    let mut discontinuities = 0u64;
    let mut last = started;
    for s in subs {
        let (got, broken, at) = s.await?;
        delivered += got;
        missing += m - got.min(m);
        discontinuities += broken;
        last = last.max(at);
    }
    emulator.shutdown().await;
    let rate = delivered as f64 / (last - started).as_secs_f64();
    Ok(Scenario {
        name: "fanout".into(),
        value: rate,
        unit: "deliveries/s".into(),
        baseline: None,
        baseline_name: None,
        ratio: None,
        target: "0 missing".into(),
        meets: missing == 0 && discontinuities == 0,
        note: format!(
            "{SUBSCRIBERS} subscriptions × {m} messages: {delivered} delivered, {missing} missing, {discontinuities} discontinuities in {:.2} s",
            (last - started).as_secs_f64()
        ),
    })
}

/// `conformance_wall`: the whole certification suite against the in-process emulator.
pub async fn conformance_wall() -> anyhow::Result<Scenario> {
    use momento_http_conformance::cli::{Args, run};
    let out = std::env::temp_dir().join(format!(
        "momento-http-load-conf-{}.json",
        std::process::id()
    ));
    // Through the parser, so the suite runs with the defaults a user gets.
    let args = <Args as clap::Parser>::try_parse_from(
        ["momento-http-conformance", "--format", "json", "--out"]
            .map(std::ffi::OsStr::new)
            .into_iter()
            .chain([out.as_os_str()]),
    )?;
    let started = Instant::now();
    let _ = run(args).await;
    let secs = started.elapsed().as_secs_f64();
    let summary = std::fs::read_to_string(&out)
        .ok()
        .and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok())
        .map(|v| v["summary"].to_string())
        .unwrap_or_else(|| "no report".into());
    let _ = std::fs::remove_file(&out);
    Ok(Scenario {
        name: "conformance_wall".into(),
        value: secs,
        unit: "s".into(),
        baseline: None,
        baseline_name: None,
        ratio: None,
        target: "<= 30 s".into(),
        meets: secs <= 30.0,
        note: format!("summary {summary}"),
    })
}

/// `idle_subscriber_memory`: the emulator as a child process; its VmRSS with
/// 1,000 idle long polls minus without, per poll.
pub async fn idle_subscriber_memory() -> anyhow::Result<Scenario> {
    const POLLS: usize = 1000;
    let exe = emulator_binary()?;
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0")?;
        l.local_addr()?.port()
    };
    let key_file =
        std::env::temp_dir().join(format!("momento-http-load-key-{}", std::process::id()));
    let _ = std::fs::remove_file(&key_file);
    let child = std::process::Command::new(&exe)
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .args(["--cache", CACHE, "--long-poll-wait", "600s"])
        .arg("--write-api-key")
        .arg(&key_file)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .with_context(|| format!("cannot start {}", exe.display()))?;
    let child = KillOnDrop(child);
    let pid = child.0.id();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let up_until = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(r) = http.get(format!("{base}/_emulator/health")).send().await
            && r.status().is_success()
            && key_file.exists()
        {
            break;
        }
        if Instant::now() > up_until {
            bail!("the emulator child did not come up on {base}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let key = std::fs::read_to_string(&key_file)?.trim().to_owned();
    let _ = std::fs::remove_file(&key_file);
    // Warm up: a publish and a few answered polls, so lazily built state is there.
    let topic_url = format!("{base}/topics/{CACHE}/idle");
    for _ in 0..5 {
        http.post(&topic_url)
            .header("authorization", &key)
            .header("content-type", "text/plain")
            .body("warm")
            .send()
            .await?;
        http.get(format!("{topic_url}?sequence_number=1&sequence_page=0"))
            .header("authorization", &key)
            .send()
            .await?;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let without = vm_rss_kib(pid)?;
    let next = {
        let s: serde_json::Value = http
            .get(format!("{base}/_emulator/caches/{CACHE}/topics/idle"))
            .send()
            .await?
            .json()
            .await?;
        s["next_sequence_number"].as_u64().unwrap_or(0)
    };
    // 1,000 idle polls, each on its own connection.
    let pollers: Vec<_> = (0..POLLS)
        .map(|_| {
            let http = reqwest::Client::new();
            let url = format!("{topic_url}?sequence_number={next}&sequence_page=0");
            let key = key.clone();
            tokio::spawn(async move { http.get(url).header("authorization", key).send().await })
        })
        .collect();
    let until = Instant::now() + Duration::from_secs(60);
    let waiting = loop {
        let s: serde_json::Value = http
            .get(format!("{base}/_emulator/caches/{CACHE}/topics/idle"))
            .send()
            .await?
            .json()
            .await?;
        let w = s["waiting_subscribers"].as_u64().unwrap_or(0);
        if w >= POLLS as u64 || Instant::now() > until {
            break w;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    let with = vm_rss_kib(pid)?;
    // Diagnosis: how much of that is the connection alone? 1,000 more
    // connections that never send a byte.
    let mut bare = Vec::with_capacity(POLLS);
    for _ in 0..POLLS {
        bare.push(tokio::net::TcpStream::connect(("127.0.0.1", port)).await?);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let with_bare = vm_rss_kib(pid)?;
    drop(bare);
    let per_bare = (with_bare as f64 - with as f64) / POLLS as f64;
    for p in pollers {
        p.abort();
    }
    drop(child);
    let per = (with as f64 - without as f64) / POLLS as f64;
    Ok(Scenario {
        name: "idle_subscriber_memory".into(),
        value: per,
        unit: "KiB/subscriber".into(),
        baseline: Some(without as f64),
        baseline_name: Some("emulator VmRSS (KiB) without the polls".into()),
        ratio: None,
        target: "<= 16 KiB each".into(),
        meets: per <= 16.0 && waiting >= POLLS as u64,
        note: format!(
            "VmRSS {without} KiB -> {with} KiB with {waiting} waiting polls (emulator child pid {pid}); diagnosis: {POLLS} more connections that send nothing add {per_bare:.1} KiB each ({with_bare} KiB), so about {:.1} KiB of each poll is the request and the waiting handler",
            per - per_bare
        ),
    })
}

struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn vm_rss_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .context("no VmRSS in /proc/PID/status")
}

/// `target/release/momento-http-emulator` beside this binary, built if missing.
fn emulator_binary() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let dir = exe
        .parent()
        .context("no directory for the current executable")?;
    let candidate = dir.join("momento-http-emulator");
    if candidate.exists() {
        return Ok(candidate);
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = std::process::Command::new(cargo)
        .args([
            "build",
            "--release",
            "--quiet",
            "-p",
            "momento-http-emulator",
        ])
        .status()
        .context("cannot run cargo to build the emulator")?;
    if !status.success() || !candidate.exists() {
        bail!(
            "the emulator binary is not at {} (run `cargo build --release -p momento-http-emulator`)",
            candidate.display()
        );
    }
    Ok(candidate)
}

/// Wraps a scenario that failed to run as a missed target.
pub fn failed(name: &str, error: &anyhow::Error) -> Scenario {
    Scenario {
        name: name.into(),
        value: f64::NAN,
        unit: String::new(),
        baseline: None,
        baseline_name: None,
        ratio: None,
        target: "runs".into(),
        meets: false,
        note: format!("did not run: {error:#}"),
    }
}
