//! `cargo xtask`: the project's chores, one subcommand each.
//!
//! - `codegen [--check]`: regenerate (or verify) `client/src/generated*.rs`
//!   from `openapi/`, by running the `xtask-codegen` package (its own workspace).
//! - `conformance [ARGS]`: run the certification suite (in-process emulator by
//!   default; `--endpoint URL --api-key KEY --cache NAME` for any other).
//! - `bench [--quick]`, `soak [--messages N]`, `storm [--requests N]`: measure
//!   and harden (release builds; figures are ratios against a same-run baseline).

mod bench;
mod codegen;
mod conformance;
#[cfg(test)]
mod feature_set;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "cargo xtask", about = "momento-http project chores")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate client/src/generated*.rs from openapi/ (runs the xtask-codegen package).
    Codegen {
        /// Write nothing; fail if the checked-in code differs from what the spec generates.
        #[arg(long)]
        check: bool,
    },
    /// Certify an endpoint (the in-process emulator by default); see `-- --help`.
    Conformance {
        /// Passed to momento-http-conformance: [--endpoint URL --api-key KEY --cache NAME]
        /// [--only PATTERN] [--format table|json|junit] [--out FILE] [--list].
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Benchmark scenarios on loopback; see `cargo xtask bench -- --help`.
    Bench {
        /// Passed to momento-http-load bench: [--quick] [--only NAME] [--format table|json] [--out FILE].
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Publish through random faults and judge every subscriber's history.
    Soak {
        /// Passed to momento-http-load soak: [--messages N] [--seed S] [--outage DUR [--outages N]].
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Fire malformed requests at the emulator and count the answers.
    Storm {
        /// Passed to momento-http-load storm: [--requests N] [--seed S] [--concurrency N].
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Codegen { check } => codegen::run(&workspace_root(), check),
        Command::Conformance { args } => conformance::run(&workspace_root(), &args),
        Command::Bench { args } => bench::run_bench(&workspace_root(), &args),
        Command::Soak { args } => bench::run_soak(&workspace_root(), &args),
        Command::Storm { args } => bench::run_storm(&workspace_root(), &args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: xtask lives one level below it.
fn workspace_root() -> PathBuf {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .map(PathBuf::from)
        .unwrap_or(manifest_dir)
}
