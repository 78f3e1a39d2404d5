//! `cargo xtask bench|soak|storm [ARGS]`: the benchmark harness, the fault
//! soak and the malformed-input storm.
//!
//! Kept thin, like `conformance.rs`: each command builds the `momento-http-load`
//! binary (`load/`) in release, with the emulator binary beside it for the
//! bench, in one cargo run, then runs it with the same arguments. xtask
//! compiles neither the emulator nor the client, and nothing is built twice:
//! the load tool never runs cargo itself.
//!
//! - `bench [--quick] [--format table|json] [--out FILE] [--only NAME]`
//! - `soak [--messages N] [--seed S] [--outage DUR [--outages N]]`
//! - `storm [--requests N] [--seed S] [--concurrency N]`

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const LOAD: &str = "momento-http-load";
const EMULATOR: &str = "momento-http-emulator";

/// Builds the `bins` (package = binary name) in release in one cargo run;
/// returns the path of `momento-http-load`'s executable.
fn build(root: &Path, bins: &[&str]) -> Result<PathBuf> {
    let mut cargo = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cargo.current_dir(root).args([
        "build",
        "--release",
        "--quiet",
        "--message-format=json-render-diagnostics",
    ]);
    for bin in bins {
        cargo.args(["-p", bin, "--bin", bin]);
    }
    let out = cargo
        .stderr(Stdio::inherit())
        .output()
        .context("cannot run cargo")?;
    if !out.status.success() {
        bail!("building {} failed (see above)", bins.join(" and "));
    }
    // One JSON message a line; the artifact of the load binary names its path.
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == LOAD)
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .with_context(|| format!("cargo built no {LOAD} executable"))
}

/// Run `momento-http-load <subcommand> <args>`, built with `also` beside it.
fn load(root: &Path, also: &[&str], subcommand: &str, args: &[String]) -> Result<()> {
    let bins: Vec<&str> = std::iter::once(LOAD).chain(also.iter().copied()).collect();
    let exe = build(root, &bins)?;
    let status = Command::new(&exe)
        .current_dir(root)
        .arg(subcommand)
        .args(args)
        .status()
        .with_context(|| format!("cannot run {}", exe.display()))?;
    if !status.success() {
        bail!(
            "{LOAD} {subcommand} exited with {} (see the report above)",
            status
                .code()
                .map_or_else(|| "a signal".to_owned(), |c| c.to_string())
        );
    }
    Ok(())
}

/// `cargo xtask bench`: every scenario, each as a ratio against its baseline.
/// `idle_subscriber_memory` runs the emulator binary as a child process,
/// looked for beside `momento-http-load`, so both are built together.
pub fn run_bench(root: &Path, args: &[String]) -> Result<()> {
    load(root, &[EMULATOR], "bench", args)
}

/// `cargo xtask soak`: publisher and three subscriptions under seeded faults,
/// or, with `--outage DUR [--outages N]`, through N staged outages of DUR.
pub fn run_soak(root: &Path, args: &[String]) -> Result<()> {
    load(root, &[], "soak", args)
}

/// `cargo xtask storm`: seeded malformed requests; 0 5xx, JSON errors only.
pub fn run_storm(root: &Path, args: &[String]) -> Result<()> {
    load(root, &[], "storm", args)
}
