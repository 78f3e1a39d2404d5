//! The command line: `bench`, `soak` and `storm`, each run to an [`Outcome`].

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::{bench, soak, storm};

/// `momento-http-load`.
#[derive(Debug, Parser)]
#[command(
    name = "momento-http-load",
    version,
    about = "Benchmark, soak and storm momento-http"
)]
pub struct Cli {
    /// What to run.
    #[command(subcommand)]
    pub command: Command,
}

/// How the bench prints its report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// An aligned table, notes below.
    Table,
    /// The JSON report.
    Json,
}

/// A subcommand.
#[derive(Debug, Subcommand)]
pub enum Command {
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
        out: Option<PathBuf>,
        /// Run only the scenario with this name, or, when none has it, those whose name contains it.
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
        /// An outage soak: block the endpoint this long (`180s`, `1500ms`,
        /// `3m`) instead of arming random faults; `--messages` is ignored.
        #[arg(long, value_parser = humantime::parse_duration)]
        outage: Option<std::time::Duration>,
        /// How many outages (cycling refuse, hang, unavailable).
        #[arg(long, default_value_t = 1, requires = "outage")]
        outages: u32,
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

/// What a command hands back: the text to print and whether it passed.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The rendered report.
    pub text: String,
    /// Every target met (bench), nothing lost silently (soak), no rule
    /// broken (storm).
    pub passed: bool,
}

impl Command {
    /// Run the command. `Err` means it could not run at all (exit 2);
    /// a run that breaks its rules is an [`Outcome`] with `passed: false`.
    pub async fn run(self) -> anyhow::Result<Outcome> {
        match self {
            Command::Bench {
                quick,
                format,
                out,
                only,
            } => {
                let report = bench::run(bench::Plan::new(quick), only.as_deref()).await?;
                if let Some(path) = &out {
                    std::fs::write(path, report.json())?;
                }
                let text = match format {
                    Format::Table => report.table(),
                    Format::Json => report.json() + "\n",
                };
                Ok(Outcome {
                    text,
                    passed: report.all_met(),
                })
            }
            Command::Soak {
                messages,
                seed,
                outage,
                outages,
            } => {
                let config = match outage {
                    Some(duration) => soak::SoakConfig::with_outages(
                        soak::OutagePlan::new(duration, outages),
                        seed,
                    ),
                    None => soak::SoakConfig::new(messages, seed),
                };
                let report = soak::run(config).await?;
                Ok(Outcome {
                    text: report.render(),
                    passed: report.ok(),
                })
            }
            Command::Storm {
                requests,
                seed,
                concurrency,
            } => {
                let report = storm::run(requests, seed, concurrency).await?;
                Ok(Outcome {
                    text: report.render(),
                    passed: report.ok(),
                })
            }
        }
    }
}
