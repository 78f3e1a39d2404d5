//! The suite's queue in front of the endpoint: requests go out at most at
//! a set rate, long polls hold one of a bounded number of slots, and a
//! 429's `Retry-After` holds every request back (the limits are the
//! account's, not one check's). Waiting here is the suite's time, not the
//! endpoint's: it is counted on the waiting check's [`CheckClock`].

use super::clock::CheckClock;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How hard the suite may drive the endpoint.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pacing {
    /// Requests per second, at most; `None` sends at once.
    pub rps: Option<f64>,
    /// Long polls in progress at once, at most; `None` for no bound.
    pub long_polls: Option<usize>,
}

impl Pacing {
    /// No pacing (the in-process emulator).
    pub const UNPACED: Pacing = Pacing {
        rps: None,
        long_polls: None,
    };

    /// Below Momento's documented limits (docs/api.md §8: 10 operations per
    /// second, 100 concurrent subscriptions), with room for another client
    /// of the same account and for a rate window that does not line up
    /// with ours.
    pub const DOCUMENTED: Pacing = Pacing {
        rps: Some(DOCUMENTED_RPS),
        long_polls: Some(DOCUMENTED_LONG_POLLS),
    };
}

/// The default rate against an endpoint: 8 of the documented 10 per second.
pub const DOCUMENTED_RPS: f64 = 8.0;

/// The default bound on long polls: 80 of the documented 100 subscriptions.
pub const DOCUMENTED_LONG_POLLS: usize = 80;

/// The queue itself, shared by every check of a run.
#[derive(Debug)]
pub struct Pacer {
    pacing: Pacing,
    interval: Duration,
    /// The earliest time the next request may go out.
    next_slot: tokio::sync::Mutex<Instant>,
    long_polls: Option<Arc<Semaphore>>,
}

/// A request's turn: it may go out; a long poll holds its slot until this drops.
#[derive(Debug)]
pub struct Turn {
    _long_poll: Option<OwnedSemaphorePermit>,
}

impl Pacer {
    /// A queue for `pacing`.
    pub fn new(pacing: Pacing) -> Pacer {
        let interval = pacing
            .rps
            .filter(|r| r.is_finite() && *r > 0.0)
            .map_or(Duration::ZERO, |r| Duration::from_secs_f64(1.0 / r));
        Pacer {
            pacing,
            interval,
            next_slot: tokio::sync::Mutex::new(Instant::now()),
            long_polls: pacing
                .long_polls
                .map(|n| Arc::new(Semaphore::new(n.clamp(1, Semaphore::MAX_PERMITS)))),
        }
    }

    /// The pacing it enforces.
    pub fn pacing(&self) -> Pacing {
        self.pacing
    }

    /// Wait for a turn (a long-poll slot first when `long_poll`, then a
    /// time slot), counting the wait on `clock`.
    pub async fn turn(&self, clock: &CheckClock, long_poll: bool) -> Turn {
        let _queued = clock.enter_queue();
        let permit = match (&self.long_polls, long_poll) {
            // The semaphore is never closed, so acquiring cannot fail.
            (Some(slots), true) => slots.clone().acquire_owned().await.ok(),
            _ => None,
        };
        let wait = {
            let mut slot = self.next_slot.lock().await;
            let now = Instant::now();
            let at = (*slot).max(now);
            *slot = at + self.interval;
            at - now
        };
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
        Turn { _long_poll: permit }
    }

    /// An endpoint's advice to wait: no request takes a turn before `until`.
    pub async fn hold_until(&self, until: Instant) {
        let mut slot = self.next_slot.lock().await;
        *slot = (*slot).max(until);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn turns_are_spaced_and_the_wait_is_the_checks_queue_time() {
        let pacer = Pacer::new(Pacing {
            rps: Some(20.0),
            long_polls: None,
        });
        let clock = CheckClock::start();
        let start = Instant::now();
        for _ in 0..4 {
            let _turn = pacer.turn(&clock, false).await;
        }
        // Four turns at 50 ms spacing: the last goes out 150 ms in.
        assert!(start.elapsed() >= Duration::from_millis(150));
        assert!(
            clock.queued() >= Duration::from_millis(150),
            "{:?}",
            clock.queued()
        );
    }

    #[tokio::test]
    async fn a_hold_delays_every_later_turn() {
        let pacer = Pacer::new(Pacing::UNPACED);
        let clock = CheckClock::start();
        let until = Instant::now() + Duration::from_millis(100);
        pacer.hold_until(until).await;
        let _turn = pacer.turn(&clock, false).await;
        assert!(Instant::now() >= until);
    }

    #[tokio::test]
    async fn a_long_poll_waits_for_a_free_slot() {
        let pacer = Arc::new(Pacer::new(Pacing {
            rps: None,
            long_polls: Some(1),
        }));
        let clock = Arc::new(CheckClock::start());
        let first = pacer.turn(&clock, true).await;
        let second = tokio::spawn({
            let (pacer, clock) = (pacer.clone(), clock.clone());
            async move {
                let _turn = pacer.turn(&clock, true).await;
            }
        });
        // Other requests are not held back by the long polls.
        let _publish = pacer.turn(&clock, false).await;
        assert!(!second.is_finished());
        drop(first);
        tokio::time::timeout(Duration::from_secs(5), second)
            .await
            .expect("the freed slot goes to the waiting poll")
            .unwrap();
    }
}
