//! `cargo xtask codegen [--check]`: runs the generator, `xtask-codegen`
//! (`xtask/codegen/`), as its own binary.
//!
//! The generator needs progenitor and its typify stack; keeping it out of
//! this crate means `cargo xtask conformance` (the main job) never compiles
//! them. See `xtask/codegen/src/main.rs` for what generation does.

use anyhow::{Context, Result, bail};
use std::path::Path;
use std::process::Command;

/// Build and run `xtask-codegen [--check]`; fails when it does.
pub fn run(root: &Path, check: bool) -> Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(root)
        .args(["run", "--quiet", "-p", "xtask-codegen", "--"])
        .args(check.then_some("--check"))
        .status()
        .context("cannot run cargo")?;
    if !status.success() {
        bail!(
            "code generation failed (see above); `cargo run -p xtask-codegen -- --help` \
             is the generator itself"
        );
    }
    Ok(())
}
