//! What the integration tests share; each test binary uses part of it.

pub mod delay_proxy;
pub mod forward;
pub mod run;
