//! The client's integration tests: one binary, one module per behaviour.
//!
//! One binary rather than one per file, because each test binary links the
//! whole dependency graph again: on two cores that was most of a fresh
//! build's time.
//!
//! To add a test, put it in the module of the behaviour it pins, or add a
//! file here and a `mod` line below. `common` (keys, clients, bounded waits)
//! and `raw_http` (a server over a raw socket, for endpoints a framework
//! will not imitate) are the shared helpers. Snapshots live in `snapshots/`
//! as `it__<module>__<name>.snap`. Run one module with
//! `cargo test --workspace --test it -- requests::`.

mod common;
mod raw_http;

mod cache;
#[cfg(feature = "emulator-admin")]
mod emulator_admin;
mod hostile_server;
mod lifecycle;
mod poll_failures;
mod publish;
mod requests;
mod subscribe;
mod traced_requests;
mod webhook_verify;
