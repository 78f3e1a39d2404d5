//! One check's clock: how long it has run, how much of that it spent
//! waiting in the suite's own queue (the pacer, a free long-poll slot, a
//! 429's advice), and how many of its requests have gone out.
//!
//! A check's budget and its own deadlines are for the endpoint's answers,
//! so they run on [`CheckClock::active`]: the time the check was not
//! waiting for the suite. Time counts as queued while at least one of the
//! check's requests waits, so two requests waiting together count once.

use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// The clock of one check (shared by the tasks the check spawns).
#[derive(Debug)]
pub struct CheckClock {
    started: Instant,
    queue: Mutex<Queue>,
    /// Requests of this check that have left the queue for the endpoint.
    sent: watch::Sender<u64>,
}

#[derive(Debug)]
struct Queue {
    waiting: u32,
    /// When `waiting` last went from 0 to 1.
    since: Instant,
    /// Closed queue intervals so far.
    total: Duration,
}

impl Default for CheckClock {
    fn default() -> Self {
        CheckClock::start()
    }
}

impl CheckClock {
    /// A clock starting now.
    pub fn start() -> CheckClock {
        let now = Instant::now();
        CheckClock {
            started: now,
            queue: Mutex::new(Queue {
                waiting: 0,
                since: now,
                total: Duration::ZERO,
            }),
            sent: watch::Sender::new(0),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// One request starts waiting; it stops when the guard drops.
    pub fn enter_queue(&self) -> Queued<'_> {
        let mut q = self.lock();
        if q.waiting == 0 {
            q.since = Instant::now();
        }
        q.waiting += 1;
        Queued { clock: self }
    }

    /// Time spent waiting for the suite so far.
    pub fn queued(&self) -> Duration {
        let q = self.lock();
        if q.waiting > 0 {
            q.total + q.since.elapsed()
        } else {
            q.total
        }
    }

    /// Whether one of the check's requests waits in the suite's queue now.
    pub fn is_queued(&self) -> bool {
        self.lock().waiting > 0
    }

    /// Time since the start, less the time queued: what the endpoint took.
    pub fn active(&self) -> Duration {
        // Read the queue first: a later `elapsed` can only be larger.
        let queued = self.queued();
        self.started.elapsed().saturating_sub(queued)
    }

    /// How many of this check's requests have gone out so far.
    pub fn sent(&self) -> u64 {
        *self.sent.borrow()
    }

    /// Count one request as gone out.
    pub fn mark_sent(&self) {
        self.sent.send_modify(|n| *n += 1);
    }

    /// Wait until at least `count` requests have gone out.
    pub async fn wait_sent(&self, count: u64) {
        let mut rx = self.sent.subscribe();
        // The sender lives in `self`, so the channel cannot close here.
        let _ = rx.wait_for(|n| *n >= count).await;
    }
}

/// A request waiting in the suite's queue; dropping it ends the wait.
#[derive(Debug)]
pub struct Queued<'a> {
    clock: &'a CheckClock,
}

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        let mut q = self.clock.lock();
        q.waiting -= 1;
        if q.waiting == 0 {
            let waited = q.since.elapsed();
            q.total += waited;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn overlapping_waits_count_once_and_active_time_excludes_them() {
        let clock = CheckClock::start();
        {
            let _a = clock.enter_queue();
            let _b = clock.enter_queue();
            tokio::time::sleep(Duration::from_millis(60)).await;
        }
        let queued = clock.queued();
        assert!(queued >= Duration::from_millis(60), "{queued:?}");
        // Both waited the same 60 ms: counted once, the queue time fits in
        // the time that passed (counted twice, it would be twice as long).
        assert!(clock.started.elapsed() >= queued);
        assert!(clock.active() + queued <= clock.started.elapsed() + Duration::from_millis(1));
        let before = clock.queued();
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert_eq!(clock.queued(), before, "nothing waits: no queue time");
    }

    #[tokio::test]
    async fn wait_sent_returns_once_the_count_is_reached() {
        let clock = std::sync::Arc::new(CheckClock::start());
        let waiter = tokio::spawn({
            let clock = clock.clone();
            async move { clock.wait_sent(2).await }
        });
        clock.mark_sent();
        assert!(!waiter.is_finished());
        clock.mark_sent();
        tokio::time::timeout(Duration::from_secs(5), waiter)
            .await
            .expect("the second send wakes the waiter")
            .unwrap();
    }
}
