//! What the integration tests share; each test binary uses part of it.
#![allow(dead_code)]

pub mod delay_proxy;
pub mod forward;
pub mod run;
