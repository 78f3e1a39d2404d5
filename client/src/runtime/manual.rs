//! Time for tests: a clock that moves only when told, and a timer that
//! moves it instead of waiting.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use super::{BoxFuture, Clock, Sleep};

/// A clock that moves only when [`advance`](Self::advance)d or when its
/// [`InstantSleep`] sleeps. Clones share one time.
///
/// Its wall clock starts at 2026-01-01T00:00:00Z (a `Retry-After` date
/// counts from there) and moves with the monotonic time.
#[derive(Clone, Debug, Default)]
pub struct ManualClock {
    state: Arc<Mutex<State>>,
}

#[derive(Debug, Default)]
struct State {
    /// The monotonic time.
    now: Duration,
    /// Every sleep its timer was asked for, in order.
    sleeps: Vec<Duration>,
}

/// The wall clock's start: 2026-01-01T00:00:00Z.
const WALL_START: Duration = Duration::from_secs(1_767_225_600);

impl ManualClock {
    /// A clock at 0 (its wall clock at 2026-01-01T00:00:00Z).
    pub fn new() -> ManualClock {
        ManualClock::default()
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        let mut state = self.lock();
        state.now = state.now.saturating_add(by);
    }

    /// A timer that, asked to sleep, advances this clock by that much and
    /// completes at once.
    pub fn instant_sleep(&self) -> InstantSleep {
        InstantSleep {
            clock: self.clone(),
        }
    }

    /// Every sleep its [`InstantSleep`]s were asked for, in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.lock().sleeps.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Clock for ManualClock {
    fn monotonic(&self) -> Duration {
        self.lock().now
    }

    fn system_now(&self) -> SystemTime {
        SystemTime::UNIX_EPOCH + WALL_START + self.lock().now
    }
}

/// A timer whose sleeps complete at their first poll, moving their
/// [`ManualClock`] forward by what was asked (from
/// [`ManualClock::instant_sleep`]).
#[derive(Clone, Debug)]
pub struct InstantSleep {
    clock: ManualClock,
}

impl Sleep for InstantSleep {
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        // Time moves when the sleep is first polled, not when it is made: a
        // deadline raced against an answer that is already there never
        // moves the clock.
        let clock = self.clock.clone();
        Box::pin(async move {
            let mut state = clock.lock();
            state.now = state.now.saturating_add(duration);
            state.sleeps.push(duration);
        })
    }
}
