//! momento-http-conformance: certify that an endpoint speaks the Momento
//! Topics HTTP API as `docs/api.md` describes.
//!
//! `cargo xtask conformance` (or the `momento-http-conformance` binary) runs
//! every check against the in-process emulator, or against `--endpoint URL
//! --api-key KEY --cache NAME [--key NAME=KEY ...]`, and prints a report
//! (table, JSON or JUnit). `cargo test` runs the same checks, one named test
//! each (`tests/certify.rs`).
//!
//! # Layout
//!
//! - [`checks`]: the registry ([`checks::all`]), one file per behaviour group;
//!   every check has a stable id, an evidence mark (D/I/C) and a section of
//!   `docs/api.md`. The suite's subscribers validate every answer against
//!   the spec's schema and record it in the run's history.
//! - [`registry`]: the [`registry::Check`] type and the runner (concurrent
//!   checks, per-check and total time budgets, `--only`, outcome mapping: a
//!   failing (C) check on a non-emulator target is "differs").
//! - [`target`]: the endpoint under test (in-process emulator or
//!   `--endpoint`), the further keys, pacing and `Retry-After`, the run's
//!   history, and the admin API through the generated typed client.
//! - [`request`]: raw requests and responses, and their curl repros.
//! - [`failure`]: why a check did not pass (a failure or a skip).
//! - [`history`]: the Jepsen-style checker of what subscribers received
//!   against what was published.
//! - [`report`]: results and their formats.
//! - [`schema`]: the spec's `SubscribeResponse` and `WebhookEvent` schemas,
//!   read from `openapi/momento-http.yaml`.
//! - [`cli`]: the command line.
//! - [`seeded`]: reproducible randomness for the soak and the storm.

pub mod checks;
pub mod cli;
pub mod failure;
pub mod history;
pub mod registry;
pub mod report;
pub mod request;
pub mod schema;
pub mod seeded;
pub mod target;
