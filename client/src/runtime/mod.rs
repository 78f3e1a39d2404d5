//! What the client needs from the world, passed in: the time ([`Clock`])
//! and a timer ([`Sleep`]).
//!
//! Nothing else in the crate reads a clock or starts a timer (clippy's
//! `disallowed-methods`, in `client/clippy.toml`, keeps it so): on an edge
//! runtime `Instant::now` and `SystemTime::now` panic
//! (wasm32-unknown-unknown) and tokio's timers need a runtime the platform
//! does not have. [`TopicClientBuilder`](crate::TopicClientBuilder) takes
//! both; the defaults are [`SystemClock`] and [`TokioSleep`]. A program
//! that brings its own gives both, or `build()` says which is missing.
//!
//! [`ManualClock`] is time for tests: it moves only when told or when its
//! [`InstantSleep`] sleeps, so an outage and its backoff run in
//! microseconds, on any executor, and come out the same every time.
//!
//! ```
//! use std::time::Duration;
//! use momento_http::runtime::{Clock as _, ManualClock, Sleep as _};
//!
//! let clock = ManualClock::new();
//! let sleep = clock.instant_sleep();
//! futures::executor::block_on(sleep.sleep(Duration::from_secs(30)));
//! assert_eq!(clock.monotonic(), Duration::from_secs(30));
//! assert_eq!(clock.sleeps(), [Duration::from_secs(30)]);
//! ```
//!
//! # `Send`
//!
//! Natively, a clock, a timer and the futures they return are `Send`, so a
//! [`Subscription`](crate::Subscription) can move between a runtime's
//! threads. On wasm32 there are no threads and the platform's futures are
//! not `Send`, so there the bounds go: [`MaybeSend`] and [`MaybeSync`] are
//! `Send` and `Sync` natively and nothing on wasm32 (or under
//! `--cfg momento_http_unsend`, which type-checks that regime on a host).

use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use rand::{Rng as _, SeedableRng as _};

mod manual;
#[cfg(not(target_arch = "wasm32"))]
mod native;
#[cfg(test)]
mod tests;

pub use manual::{InstantSleep, ManualClock};
#[cfg(not(target_arch = "wasm32"))]
pub use native::{SystemClock, TokioSleep};

#[cfg(not(any(target_arch = "wasm32", momento_http_unsend)))]
mod bounds {
    /// `Send` where the target has threads; nothing on wasm32.
    pub trait MaybeSend: Send {}
    impl<T: Send + ?Sized> MaybeSend for T {}

    /// `Sync` where the target has threads; nothing on wasm32.
    pub trait MaybeSync: Sync {}
    impl<T: Sync + ?Sized> MaybeSync for T {}

    /// A boxed future, `Send` where the target has threads.
    pub type BoxFuture<'a, T> = std::pin::Pin<Box<dyn Future<Output = T> + Send + 'a>>;

    /// A boxed stream, `Send` where the target has threads.
    pub(crate) type BoxStream<'a, T> =
        std::pin::Pin<Box<dyn futures::Stream<Item = T> + Send + 'a>>;
}

#[cfg(any(target_arch = "wasm32", momento_http_unsend))]
mod bounds {
    /// `Send` where the target has threads; nothing on wasm32.
    pub trait MaybeSend {}
    impl<T: ?Sized> MaybeSend for T {}

    /// `Sync` where the target has threads; nothing on wasm32.
    pub trait MaybeSync {}
    impl<T: ?Sized> MaybeSync for T {}

    /// A boxed future, `Send` where the target has threads.
    pub type BoxFuture<'a, T> = std::pin::Pin<Box<dyn Future<Output = T> + 'a>>;

    /// A boxed stream, `Send` where the target has threads.
    pub(crate) type BoxStream<'a, T> = std::pin::Pin<Box<dyn futures::Stream<Item = T> + 'a>>;
}

pub(crate) use bounds::BoxStream;
pub use bounds::{BoxFuture, MaybeSend, MaybeSync};

/// The time, as the client reads it.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use momento_http::runtime::Clock;
///
/// /// A clock that reads the platform's own (say, `Date.now()` on a Worker).
/// #[derive(Debug)]
/// struct PlatformClock;
///
/// impl Clock for PlatformClock {
///     fn monotonic(&self) -> Duration {
///         # let platform_millis = || 0.0;
///         Duration::from_secs_f64(platform_millis() / 1000.0)
///     }
///     fn system_now(&self) -> SystemTime {
///         # let platform_millis = || 0.0;
///         SystemTime::UNIX_EPOCH + Duration::from_secs_f64(platform_millis() / 1000.0)
///     }
/// }
/// ```
pub trait Clock: fmt::Debug + MaybeSend + MaybeSync + 'static {
    /// The time since an origin of the clock's choosing; it never goes
    /// back. Deadlines, outages and the spacing of polls are measured on it.
    fn monotonic(&self) -> Duration;

    /// The wall clock: what a `Retry-After` given as an HTTP date counts from.
    fn system_now(&self) -> SystemTime;
}

/// A timer.
///
/// ```
/// use std::time::Duration;
/// use momento_http::runtime::{BoxFuture, Sleep};
///
/// /// The platform's timer (say, `worker::Delay` on a Worker).
/// #[derive(Debug)]
/// struct PlatformSleep;
///
/// impl Sleep for PlatformSleep {
///     fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
///         # let platform_delay = |_| async {};
///         Box::pin(platform_delay(duration))
///     }
/// }
/// ```
pub trait Sleep: fmt::Debug + MaybeSend + MaybeSync + 'static {
    /// A future that completes once `duration` has passed.
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()>;
}

/// The clock, the timer and the jitter a client and its subscriptions share.
#[derive(Clone, Debug)]
pub(crate) struct Runtime {
    clock: Arc<dyn Clock>,
    sleep: Arc<dyn Sleep>,
    /// The source of the retry policy's jitter: seeded once per client, so
    /// nothing reaches for a global generator.
    jitter: Arc<Mutex<rand::rngs::SmallRng>>,
}

impl Runtime {
    /// A runtime over `clock` and `sleep`, its jitter seeded by the
    /// operating system (or the platform's `crypto.getRandomValues`).
    pub(crate) fn new(clock: Arc<dyn Clock>, sleep: Arc<dyn Sleep>) -> Runtime {
        Runtime {
            clock,
            sleep,
            jitter: Arc::new(Mutex::new(rand::rngs::SmallRng::from_os_rng())),
        }
    }

    /// The monotonic time (see [`Clock::monotonic`]).
    pub(crate) fn now(&self) -> Duration {
        self.clock.monotonic()
    }

    /// The wall clock (see [`Clock::system_now`]).
    pub(crate) fn system_now(&self) -> SystemTime {
        self.clock.system_now()
    }

    /// A future that completes after `duration`.
    pub(crate) fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        self.sleep.sleep(duration)
    }

    /// A uniformly drawn fraction in `[0.5, 1]`: how much of a backoff to wait.
    pub(crate) fn jitter(&self) -> f64 {
        self.jitter
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .random_range(0.5..=1.0)
    }

    /// Runs `work` until it completes or `deadline` (on the monotonic
    /// clock) passes, whichever is first: `None` when the deadline won.
    /// `work` is polled first, so an answer ready at the deadline counts.
    pub(crate) async fn before<F: Future>(&self, deadline: Duration, work: F) -> Option<F::Output> {
        let work = std::pin::pin!(work);
        let timer = self.sleep(deadline.saturating_sub(self.now()));
        match futures::future::select(work, timer).await {
            futures::future::Either::Left((output, _)) => Some(output),
            futures::future::Either::Right(((), _)) => None,
        }
    }
}

/// The clock a builder uses when given none: the system's, where the
/// target has one that works.
pub(crate) fn default_clock() -> Option<Arc<dyn Clock>> {
    #[cfg(not(target_arch = "wasm32"))]
    return Some(Arc::new(SystemClock::new()));
    #[cfg(target_arch = "wasm32")]
    return None;
}

/// The timer a builder uses when given none: tokio's, where it works.
pub(crate) fn default_sleep() -> Option<Arc<dyn Sleep>> {
    #[cfg(not(target_arch = "wasm32"))]
    return Some(Arc::new(TokioSleep));
    #[cfg(target_arch = "wasm32")]
    return None;
}
