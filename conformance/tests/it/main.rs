//! The suite's integration tests: one binary, one module per subject.
//! `certify` (the whole suite against the in-process emulator, one test per
//! check) is the other binary: it has its own harness.
//!
//! One binary rather than one per file, because each test binary links the
//! whole dependency graph again: on two cores that was most of a fresh
//! build's time.
//!
//! To add a test, put it in the module of its subject, or add a file (or a
//! directory with a `mod.rs`) here and a `mod` line below. `support` holds
//! what the modules share (a forwarding proxy, a delaying proxy, a quiet
//! suite run). Snapshots live in `snapshots/` as
//! `it__<module>__<name>.snap`; proptest keeps its regressions in
//! `../proptest-regressions/`, mirroring this tree. Run one module with
//! `cargo test --workspace --test it -- broken_server::`.

mod support;

mod broken_server;
mod cli;
mod client_wire;
mod far_endpoint;
mod history_checker;
mod report_formats;
mod round_trips;
mod subscription_model;
mod throttled_endpoint;
mod webhook_schema;
