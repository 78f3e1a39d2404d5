//! momento-http-load: the benchmark, the fault soak and the malformed-input
//! storm of momento-http, as a library and one binary (`momento-http-load`,
//! run through `cargo xtask bench|soak|storm`).
//!
//! Every command returns a value ([`bench::Report`], [`soak::SoakReport`],
//! [`storm::StormReport`]) that renders itself and says whether it passed;
//! [`cli`] only picks the command and prints what it returned.
//!
//! # Layout
//!
//! - [`cli`]: the command line and [`cli::Outcome`], what every command hands back.
//! - [`bench`](mod@bench): the scenario table and the run (`bench/mod.rs`); `harness`
//!   (throughput rounds in alternating pairs, percentiles, CPU time),
//!   `baselines` (the 204 handler, which also answers the cache mix;
//!   loopback round trips), `floor` (the bare long-poll server), one file
//!   per family of scenarios (`throughput`, `cache`, `latency`, `fanout`,
//!   `memory`, `suite`) and `report` (table and JSON).
//! - [`soak`]: publisher and three subscriptions under seeded faults, or
//!   through staged outages, judged by the conformance suite's history
//!   checker; `faults` draws the schedule, `outage` stages the outages,
//!   `findings` holds what was seen.
//! - [`storm`]: seeded malformed requests over raw TCP; `generate` draws them
//!   (`emulator_cases` those with one exact answer), `raw_http` sends them
//!   and reads the answer, `judge` applies the rules; `idle_sockets` and
//!   `log_probe` check service under idle sockets and an unforgeable log.
//! - [`admin`]: every call to the emulator's admin API, through
//!   `momento_http::EmulatorAdmin` (the outages through the generated admin
//!   client, which alone has `startOutage`/`endOutage`).
//! - [`seeded`]: reproducible randomness (`--seed`) for the soak and the storm.
//!
//! `examples/publish_cost.rs` counts instructions per publish under callgrind.

pub mod admin;
pub mod bench;
pub mod cli;
pub mod seeded;
pub mod soak;
pub mod storm;
