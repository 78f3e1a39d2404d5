//! momento-http-conformance: certify that an endpoint speaks the Momento
//! Topics HTTP API as `shared/SPEC.md` describes.
//!
//! `cargo xtask conformance` (or the `momento-http-conformance` binary) runs
//! every check against the in-process emulator, or against `--endpoint URL
//! --api-key KEY --cache NAME`, and prints a report (table, JSON or JUnit).
//! `cargo test` runs the same checks, one named test each (`tests/certify.rs`).
//!
//! # Layout
//!
//! - [`checks`]: the registry ([`checks::all`]), one file per behaviour group;
//!   every check has a stable id, an evidence mark (D/I/C) and a SPEC section.
//! - [`registry`]: the [`registry::Check`] type and the runner (per-check and
//!   total time budgets, `--only`, outcome mapping: a failing (C) check on a
//!   non-emulator target is "differs").
//! - [`target`]: the endpoint under test (in-process emulator or `--endpoint`),
//!   raw requests with curl repros, pacing and `Retry-After`, the admin API.
//! - [`history`]: the Jepsen-style checker over what subscribers received.
//! - [`report`]: results and their formats.
//! - [`schema`]: the `WebhookEvent` JSON schema, read from `openapi/momento-http.yaml`.
//! - [`cli`]: the command line.

pub mod checks;
pub mod cli;
pub mod history;
pub mod registry;
pub mod report;
pub mod schema;
pub mod target;
