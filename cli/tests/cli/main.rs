//! The real `momento-http` binary against the real emulator (in-process, on
//! port 0), one module per command group.

mod cache;
mod common;
mod help;
mod key;
mod topic;
mod webhook;
