//! What every scenario shares: the emulator as benchmarked, throughput
//! rounds run in alternating pairs against a baseline, percentiles, this
//! process's CPU time, the subscribers' client.
//!
//! Every figure is compared with a baseline measured in the same run, on the
//! same machine, with the same load generator, because the machines are
//! shared and noisy: only ratios are meaningful.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use momento_http::{RetryPolicy, TopicClient};
use momento_http_emulator::{Emulator, Limits, RunningEmulator};

use super::Plan;
use super::report::Figures;

/// The cache every scenario uses.
pub const CACHE: &str = "bench";
/// Concurrent publishers in the throughput scenarios.
pub const PUBLISHERS: usize = 64;
/// 100 bytes of text: every benchmark publish.
pub const BODY: &str = "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789";

/// The emulator as benchmarked: no rate limit (it would cap throughput at
/// 10,000 ops/s), long polls that outlast every scenario.
pub async fn start_emulator() -> anyhow::Result<RunningEmulator> {
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

/// One throughput round.
pub struct Round {
    /// Successful operations per wall-clock second.
    per_sec: f64,
    /// This process's CPU time (every thread, user and system) per
    /// successful operation, when the platform tells.
    cpu_per_op: Option<f64>,
    failed: u64,
}

/// This process's CPU time so far, from `/proc/self/stat` (Linux; in
/// USER_HZ ticks, which the kernel ABI fixes at 100 per second).
pub fn process_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised name: state is field 3, utime 14, stime 15.
    let mut fields = stat.rsplit_once(')')?.1.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some((utime + stime) as f64 / 100.0)
}

/// Runs `op` from `concurrency` tasks for `run`.
pub async fn hammer<F, Fut>(concurrency: usize, run: Duration, op: F) -> Round
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
pub fn raw_publish(
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

/// The median (the upper one of an even count); 0 when empty.
pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    if v.is_empty() { 0.0 } else { v[v.len() / 2] }
}

/// Throughput rounds of a baseline and a measured operation, run in adjacent
/// pairs whose order alternates, so that drifts in the machine's load (it is
/// shared) fall on both sides of each pair.
pub struct Paired {
    baseline: Vec<Round>,
    measured: Vec<Round>,
}

impl Paired {
    pub async fn run<B, BF, M, MF>(plan: Plan, baseline: B, measured: M) -> Paired
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
    pub fn figures(&self) -> Figures {
        let per_sec = |rounds: &[Round]| median(rounds.iter().map(|r| r.per_sec).collect());
        Figures {
            value: per_sec(&self.measured),
            baseline: per_sec(&self.baseline),
            ratio: self.ratio(),
        }
    }

    /// The median of the per-pair throughput ratios (measured / baseline).
    pub fn ratio(&self) -> f64 {
        median(self.pairs().map(|(b, m)| m.per_sec / b.per_sec).collect())
    }

    /// The same comparison in work per CPU-second (baseline's CPU time per
    /// operation / measured's): what the ratio would be on an idle machine,
    /// since a neighbour's load takes wall time from a round, not CPU time.
    pub fn cpu_ratio(&self) -> Option<f64> {
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
    pub fn failures(&self) -> u64 {
        self.measured.iter().map(|r| r.failed).sum()
    }

    /// Each pair's throughput ratio, for the note.
    pub fn pair_ratios(&self) -> String {
        self.pairs()
            .map(|(b, m)| format!("{:.2}", m.per_sec / b.per_sec))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The CPU-time ratio for the note.
    pub fn cpu_note(&self) -> String {
        self.cpu_ratio().map_or_else(
            || "per CPU-second: not measurable here".to_owned(),
            |r| format!("per CPU-second (this process, all threads): {r:.3}"),
        )
    }
}

/// The `p` quantile (0..=1) of sorted figures; NaN when there are none.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// A client for long-polling subscribers: polls that outlast every scenario,
/// retries without end.
pub fn subscriber_client(emulator: &RunningEmulator) -> anyhow::Result<TopicClient> {
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
pub const STALL: Duration = Duration::from_secs(10);

#[cfg(test)]
mod tests {
    use super::{median, percentile};

    #[test]
    fn percentiles_pick_the_nearest_rank_and_nan_when_empty() {
        let sorted: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&sorted, 0.5), 51.0);
        assert_eq!(percentile(&sorted, 0.99), 99.0);
        assert_eq!(percentile(&sorted, 1.0), 100.0);
        assert!(percentile(&[], 0.5).is_nan());
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
    }
}
