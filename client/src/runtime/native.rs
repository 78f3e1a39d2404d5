//! The native clock and timer: the operating system's clocks, tokio's timer.
//!
//! The one place in the crate that reads `Instant::now`, `SystemTime::now`
//! or starts a tokio timer (see `client/clippy.toml`).
#![allow(clippy::disallowed_methods)]

use std::time::{Duration, Instant, SystemTime};

use super::{BoxFuture, Clock, Sleep};

/// The operating system's clocks: [`Instant`] for [`Clock::monotonic`]
/// (counted from when this clock was made), [`SystemTime`] for the wall.
#[derive(Clone, Copy, Debug)]
pub struct SystemClock {
    origin: Instant,
}

impl SystemClock {
    /// A clock whose monotonic time starts now.
    pub fn new() -> SystemClock {
        SystemClock {
            origin: Instant::now(),
        }
    }
}

impl Default for SystemClock {
    fn default() -> SystemClock {
        SystemClock::new()
    }
}

impl Clock for SystemClock {
    fn monotonic(&self) -> Duration {
        self.origin.elapsed()
    }

    fn system_now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// tokio's timer (`tokio::time::sleep`): sleeps must run inside a tokio
/// runtime with its timer enabled, as every other tokio timer.
#[derive(Clone, Copy, Debug, Default)]
pub struct TokioSleep;

impl Sleep for TokioSleep {
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(duration))
    }
}
