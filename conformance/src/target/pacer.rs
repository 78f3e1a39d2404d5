//! The suite's queue in front of the endpoint: requests go out at most at
//! a set rate, long polls hold one of a bounded number of slots, and a
//! 429's `Retry-After` holds every request back (the limits are the
//! account's, not one check's). A publish a waiting poll is owed goes
//! ahead of the rest ([`Lane::Ahead`]). Waiting here is the suite's time, not the
//! endpoint's: it is counted on the waiting check's [`CheckClock`].

use super::clock::CheckClock;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};

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

/// Where a request waits in the suite's queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Lane {
    /// A publish that a waiting long poll is owed: it goes before every
    /// request in [`Lane::InTurn`], so the poll's wait on the endpoint is
    /// not spent in the suite's queue (an endpoint may end an empty wait
    /// after a second: docs/api.md §4).
    Ahead,
    /// Every other request, first come first served.
    InTurn,
}

/// The queue itself, shared by every check of a run.
#[derive(Debug)]
pub struct Pacer {
    pacing: Pacing,
    interval: Duration,
    queue: Mutex<Queue>,
    /// Told whenever the head of the queue or its time may have changed.
    changed: Notify,
    long_polls: Option<Arc<Semaphore>>,
}

#[derive(Debug)]
struct Queue {
    /// The earliest time the next request may go out.
    next_free: Instant,
    /// The requests waiting, by lane, then by arrival.
    waiting: BTreeSet<(Lane, u64)>,
    arrivals: u64,
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
            queue: Mutex::new(Queue {
                next_free: Instant::now(),
                waiting: BTreeSet::new(),
                arrivals: 0,
            }),
            changed: Notify::new(),
            long_polls: pacing
                .long_polls
                .map(|n| Arc::new(Semaphore::new(n.clamp(1, Semaphore::MAX_PERMITS)))),
        }
    }

    /// The pacing it enforces.
    pub fn pacing(&self) -> Pacing {
        self.pacing
    }

    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Wait for a turn (a long-poll slot first when `long_poll`, then a
    /// time slot in `lane`), counting the wait on `clock`.
    pub async fn turn(&self, clock: &CheckClock, long_poll: bool, lane: Lane) -> Turn {
        let _queued = clock.enter_queue();
        let permit = match (&self.long_polls, long_poll) {
            // The semaphore is never closed, so acquiring cannot fail.
            (Some(slots), true) => slots.clone().acquire_owned().await.ok(),
            _ => None,
        };
        let place = Place::join(self, lane);
        loop {
            let notified = self.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let due = {
                let mut q = self.lock();
                if q.waiting.first() != Some(&place.key) {
                    None
                } else {
                    let now = Instant::now();
                    if q.next_free <= now {
                        q.next_free = now + self.interval;
                        drop(q);
                        drop(place);
                        return Turn { _long_poll: permit };
                    }
                    Some(q.next_free)
                }
            };
            match due {
                Some(at) => {
                    tokio::select! {
                        () = tokio::time::sleep_until(at.into()) => {}
                        () = &mut notified => {}
                    }
                }
                None => notified.await,
            }
        }
    }

    /// An endpoint's advice to wait: no request takes a turn before `until`.
    pub async fn hold_until(&self, until: Instant) {
        let mut q = self.lock();
        q.next_free = q.next_free.max(until);
        drop(q);
        self.changed.notify_waiters();
    }
}

/// A request's place in the queue; leaving it (with a turn, or because the
/// check gave up) lets the next one move up.
struct Place<'a> {
    pacer: &'a Pacer,
    key: (Lane, u64),
}

impl<'a> Place<'a> {
    fn join(pacer: &'a Pacer, lane: Lane) -> Place<'a> {
        let mut q = pacer.lock();
        q.arrivals += 1;
        let key = (lane, q.arrivals);
        // No one need be told: a waiter takes a turn only while it is the
        // head, so one this place went ahead of waits for it to leave.
        q.waiting.insert(key);
        drop(q);
        Place { pacer, key }
    }
}

impl Drop for Place<'_> {
    fn drop(&mut self) {
        self.pacer.lock().waiting.remove(&self.key);
        self.pacer.changed.notify_waiters();
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
            let _turn = pacer.turn(&clock, false, Lane::InTurn).await;
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
        let _turn = pacer.turn(&clock, false, Lane::InTurn).await;
        assert!(Instant::now() >= until);
    }

    #[tokio::test]
    async fn a_long_poll_waits_for_a_free_slot() {
        let pacer = Arc::new(Pacer::new(Pacing {
            rps: None,
            long_polls: Some(1),
        }));
        let clock = Arc::new(CheckClock::start());
        let first = pacer.turn(&clock, true, Lane::InTurn).await;
        let second = tokio::spawn({
            let (pacer, clock) = (pacer.clone(), clock.clone());
            async move {
                let _turn = pacer.turn(&clock, true, Lane::InTurn).await;
            }
        });
        // Other requests are not held back by the long polls.
        let _publish = pacer.turn(&clock, false, Lane::InTurn).await;
        assert!(!second.is_finished());
        drop(first);
        tokio::time::timeout(Duration::from_secs(5), second)
            .await
            .expect("the freed slot goes to the waiting poll")
            .unwrap();
    }

    #[tokio::test]
    async fn a_publish_for_a_waiting_poll_goes_before_the_queue() {
        let pacer = Arc::new(Pacer::new(Pacing {
            rps: Some(20.0),
            long_polls: None,
        }));
        let clock = Arc::new(CheckClock::start());
        let order = Arc::new(std::sync::Mutex::new(Vec::new()));
        let take = |lane: Lane, name: &'static str| {
            let (pacer, clock, order) = (pacer.clone(), clock.clone(), order.clone());
            tokio::spawn(async move {
                let _turn = pacer.turn(&clock, false, lane).await;
                order.lock().unwrap().push(name);
            })
        };
        // The first takes the free slot at once; four queue behind it.
        let mut queued = vec![take(Lane::InTurn, "first")];
        tokio::time::sleep(Duration::from_millis(10)).await;
        for name in ["a", "b", "c", "d"] {
            queued.push(take(Lane::InTurn, name));
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
        queued.push(take(Lane::Ahead, "ahead"));
        for task in queued {
            tokio::time::timeout(Duration::from_secs(5), task)
                .await
                .expect("every turn comes")
                .unwrap();
        }
        let order = order.lock().unwrap().clone();
        assert_eq!(order, ["first", "ahead", "a", "b", "c", "d"]);
    }

    #[tokio::test]
    async fn a_check_that_gives_up_its_place_does_not_hold_up_the_queue() {
        let pacer = Arc::new(Pacer::new(Pacing {
            rps: Some(20.0),
            long_polls: None,
        }));
        let clock = CheckClock::start();
        let _first = pacer.turn(&clock, false, Lane::InTurn).await;
        // Gives up while waiting for the next slot.
        let gave_up = tokio::time::timeout(
            Duration::from_millis(10),
            pacer.turn(&clock, false, Lane::InTurn),
        )
        .await;
        assert!(gave_up.is_err());
        tokio::time::timeout(
            Duration::from_secs(5),
            pacer.turn(&clock, false, Lane::InTurn),
        )
        .await
        .expect("the next request takes the slot");
    }
}
