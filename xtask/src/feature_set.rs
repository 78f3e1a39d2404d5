//! The main job and the tests build every crate they share with one feature
//! set, so whichever of the README's two commands runs second reuses what the
//! first compiled.
//!
//! `cargo xtask` and `cargo xtask conformance` build their packages alone
//! (`cargo run -p`) and without dev-dependencies; `cargo test --workspace`
//! builds every package with them. Where a dev-dependency turns on a feature
//! of a crate the main job also builds, cargo compiles that crate, and
//! everything above it, a second time. `emulator/Cargo.toml` asks for those
//! features itself; this test fails when a new one appears.
//!
//! Only the suite's build is held to this: xtask's own (anyhow, clap,
//! serde_json) builds syn, clap_derive and serde_json with fewer features than
//! the workspace does, about 19 of its 32 unit-seconds, before the suite's
//! build starts. Matching them would take a feature-unification crate that
//! lists what other crates' proc macros ask of syn, for a dozen seconds.

use std::collections::BTreeSet;
use std::process::Command;

/// Each package cargo would compile for `selection`, with its features: one
/// `name version [source] features` line per build of it.
fn builds(selection: &[&str]) -> BTreeSet<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(super::workspace_root())
        .args(["tree", "--prefix", "none", "--format", "{p} {f}"])
        .args(selection)
        .output()
        .expect("cannot run cargo tree");
    assert!(
        out.status.success(),
        "cargo tree {selection:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("cargo tree prints UTF-8")
        .lines()
        // cargo tree marks a package it has already printed with " (*)".
        .map(|line| line.trim_end_matches(" (*)").trim_end().to_owned())
        .filter(|line| !line.is_empty())
        .collect()
}

#[test]
fn the_main_job_builds_nothing_the_tests_build_with_other_features() {
    let tests = builds(&["--workspace"]);
    // What `cargo xtask conformance` builds (see conformance.rs).
    let main_job = ["-p", "momento-http-conformance", "-e", "no-dev"];
    let differs: Vec<_> = builds(&main_job)
        .into_iter()
        .filter(|build| !tests.contains(build))
        .collect();
    assert!(
        differs.is_empty(),
        "`cargo tree {}` builds these with features `cargo test --workspace` does not \
         (so one of the README's commands compiles them twice); ask for the tests' \
         features in the crate's Cargo.toml (see emulator/Cargo.toml):\n{}",
        main_job.join(" "),
        differs.join("\n")
    );
}
