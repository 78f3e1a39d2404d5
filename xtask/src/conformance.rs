//! `cargo xtask conformance [ARGS]`: run the certification suite.
//!
//! Kept thin: it runs the `momento-http-conformance` binary with the same
//! arguments (`--endpoint URL --api-key KEY --cache NAME`, `--only PATTERN`,
//! `--format table|json|junit`, `--out FILE`, `--list`), so xtask does not
//! compile the emulator and the two commands cannot drift.

use anyhow::{Context, Result, bail};
use std::path::Path;
use std::process::Command;

/// Build and run the suite; fails when the suite reports a failure.
pub fn run(root: &Path, args: &[String]) -> Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(root)
        .args([
            "run",
            "--quiet",
            "-p",
            "momento-http-conformance",
            "--bin",
            "momento-http-conformance",
            "--",
        ])
        .args(args)
        .status()
        .context("cannot run cargo")?;
    if !status.success() {
        bail!(
            "conformance suite exited with {} (see the report above)",
            status
                .code()
                .map_or_else(|| "a signal".to_owned(), |c| c.to_string())
        );
    }
    Ok(())
}
