//! `momento-http-load`: benchmark, fault soak and malformed-input storm for
//! momento-http (issue 6). Run through `cargo xtask bench|soak|storm`.
//!
//! - `bench [--quick] [--format table|json] [--out FILE]`: every scenario,
//!   each compared with a baseline measured in the same run.
//! - `soak [--messages N] [--seed S]`: publisher and three subscriptions
//!   under seeded fault injection, judged by the history checker.
//! - `storm [--requests N] [--seed S]`: seeded malformed requests; 0 5xx,
//!   JSON errors only, still healthy afterwards.

mod bench;
mod floor;
mod report;
mod soak;
mod storm;

use std::process::ExitCode;

/// The in-process emulator runs on the allocator the emulator binary ships
/// with, so the figures describe the emulator users start.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "momento-http-load",
    version,
    about = "Benchmark, soak and storm momento-http"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    Table,
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run every benchmark scenario and compare each with its baseline.
    Bench {
        /// Short rounds (under 3 minutes in all).
        #[arg(long)]
        quick: bool,
        /// What to print.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Also write the JSON report here.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        /// Run only scenarios whose name contains this.
        #[arg(long)]
        only: Option<String>,
    },
    /// Publisher and three subscriptions under seeded random faults.
    Soak {
        /// Messages to publish.
        #[arg(long, default_value_t = 10_000)]
        messages: u64,
        /// Seed of the fault schedule.
        #[arg(long, default_value_t = 6)]
        seed: u64,
    },
    /// Seeded malformed requests against the emulator.
    Storm {
        /// Requests to send.
        #[arg(long, default_value_t = 10_000)]
        requests: u64,
        /// Seed of the generator.
        #[arg(long, default_value_t = 6)]
        seed: u64,
        /// Requests in flight at once.
        #[arg(long, default_value_t = 16)]
        concurrency: usize,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match rt.block_on(run(cli.command)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

async fn run(command: Command) -> anyhow::Result<bool> {
    match command {
        Command::Bench {
            quick,
            format,
            out,
            only,
        } => {
            let report = run_bench(quick, only.as_deref()).await;
            if let Some(path) = &out {
                std::fs::write(path, report.json())?;
            }
            match format {
                Format::Table => print!("{}", report.table()),
                Format::Json => println!("{}", report.json()),
            }
            Ok(report.all_met())
        }
        Command::Soak { messages, seed } => {
            let report = soak::run(soak::SoakConfig::new(messages, seed)).await?;
            print!("{}", report.render());
            Ok(report.ok())
        }
        Command::Storm {
            requests,
            seed,
            concurrency,
        } => {
            let report = storm::run(requests, seed, concurrency).await?;
            print!("{}", report.render());
            Ok(report.ok())
        }
    }
}

async fn run_bench(quick: bool, only: Option<&str>) -> report::Report {
    let plan = bench::Plan::new(quick);
    let wanted = |name: &str| only.is_none_or(|o| name.contains(o));
    let mut scenarios = Vec::new();
    macro_rules! scenario {
        ($name:literal, $fut:expr) => {
            if wanted($name) {
                eprintln!("bench: {} ...", $name);
                let started = std::time::Instant::now();
                match $fut.await {
                    Ok(s) => scenarios.push(s),
                    Err(e) => scenarios.push(bench::failed($name, &e)),
                }
                eprintln!(
                    "bench: {} done in {:.1} s",
                    $name,
                    started.elapsed().as_secs_f64()
                );
            }
        };
    }
    scenario!("conformance_wall", bench::conformance_wall());
    scenario!("publish_throughput", bench::publish_throughput(plan));
    scenario!("client_overhead", bench::client_overhead(plan));
    if wanted("delivery_latency") {
        eprintln!("bench: delivery_latency ...");
        match bench::delivery_latency(plan).await {
            Ok(s) => scenarios.extend(s),
            Err(e) => scenarios.push(bench::failed("delivery_latency", &e)),
        }
    }
    scenario!("idle_subscriber_memory", bench::idle_subscriber_memory());
    scenario!("fanout", bench::fanout(plan));
    report::Report { scenarios }
}
