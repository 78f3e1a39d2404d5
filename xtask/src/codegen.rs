//! `cargo xtask codegen [--check]`: runs the generator, `xtask-codegen`
//! (`xtask/codegen/`), as its own binary.
//!
//! The generator needs progenitor and its typify stack; it is its own
//! workspace, so neither the main job nor `cargo test --workspace` resolves
//! or compiles them. It builds into this workspace's `target/`, so the crates
//! both use are compiled once. See `xtask/codegen/src/main.rs` for what
//! generation does.

use anyhow::{Context, Result, bail};
use std::path::Path;
use std::process::Command;

/// The generator's manifest, relative to the workspace root.
pub const MANIFEST: &str = "xtask/codegen/Cargo.toml";

/// Build and run `xtask-codegen [--check]`; fails when it does.
pub fn run(root: &Path, check: bool) -> Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    // Cargo's own default would be xtask/codegen/target; an explicit
    // CARGO_TARGET_DIR still wins over both.
    let target_dir =
        std::env::var_os("CARGO_TARGET_DIR").unwrap_or_else(|| root.join("target").into());
    let status = Command::new(cargo)
        .current_dir(root)
        .args([
            "run",
            "--quiet",
            "--manifest-path",
            MANIFEST,
            "--target-dir",
        ])
        .arg(target_dir)
        .arg("--")
        .args(check.then_some("--check"))
        .status()
        .context("cannot run cargo")?;
    if !status.success() {
        bail!(
            "code generation failed (see above); \
             `cargo run --manifest-path {MANIFEST} -- --help` is the generator itself"
        );
    }
    Ok(())
}
