//! What the integration tests share.

pub mod delay_proxy;
