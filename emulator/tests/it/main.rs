//! The emulator's integration tests: one binary, one module per behaviour,
//! each over real sockets.
//!
//! One binary rather than one per file, because each test binary links the
//! whole dependency graph again: on two cores that was most of a fresh
//! build's time.
//!
//! To add a test, put it in the module of the behaviour it pins, or add a
//! file here and a `mod` line below; `common` starts an emulator on port 0
//! and speaks the Topics API with every wait bounded (and captures a test's
//! logs); `raw_socket` writes requests byte for byte. Run one module with
//! `cargo test --workspace --test it -- resume::`.

mod common;
mod raw_socket;

mod admin_client;
mod api;
mod cache;
mod cli;
mod hostile_clients;
mod logs;
mod outage;
mod profiles;
mod resume;
mod webhooks;
