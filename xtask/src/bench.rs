//! `cargo xtask bench|soak|storm [ARGS]`: the benchmark harness, the fault
//! soak and the malformed-input storm (issue 6).
//!
//! Kept thin, like `conformance.rs`: each command builds in release and runs
//! the `momento-http-load` binary of the conformance crate with the same
//! arguments, so xtask compiles neither the emulator nor the client.
//!
//! - `bench [--quick] [--format table|json] [--out FILE] [--only NAME]`
//! - `soak [--messages N] [--seed S]`
//! - `storm [--requests N] [--seed S] [--concurrency N]`

use anyhow::{Context, Result, bail};
use std::path::Path;
use std::process::Command;

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// Run `momento-http-load <subcommand> <args>` in release.
fn load(root: &Path, subcommand: &str, args: &[String]) -> Result<()> {
    let status = Command::new(cargo())
        .current_dir(root)
        .args([
            "run",
            "--release",
            "--quiet",
            "-p",
            "momento-http-conformance",
            "--bin",
            "momento-http-load",
            "--",
            subcommand,
        ])
        .args(args)
        .status()
        .context("cannot run cargo")?;
    if !status.success() {
        bail!(
            "momento-http-load {subcommand} exited with {} (see the report above)",
            status
                .code()
                .map_or_else(|| "a signal".to_owned(), |c| c.to_string())
        );
    }
    Ok(())
}

/// `cargo xtask bench`: every scenario, each as a ratio against its baseline.
pub fn run_bench(root: &Path, args: &[String]) -> Result<()> {
    // idle_subscriber_memory runs the emulator binary as a child process; it
    // is looked for beside momento-http-load.
    let status = Command::new(cargo())
        .current_dir(root)
        .args([
            "build",
            "--release",
            "--quiet",
            "-p",
            "momento-http-emulator",
        ])
        .status()
        .context("cannot run cargo")?;
    if !status.success() {
        bail!("building the emulator failed");
    }
    load(root, "bench", args)
}

/// `cargo xtask soak`: publisher and three subscriptions under seeded faults.
pub fn run_soak(root: &Path, args: &[String]) -> Result<()> {
    load(root, "soak", args)
}

/// `cargo xtask storm`: seeded malformed requests; 0 5xx, JSON errors only.
pub fn run_storm(root: &Path, args: &[String]) -> Result<()> {
    load(root, "storm", args)
}
