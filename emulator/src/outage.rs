//! Staged outages of the topic routes (the admin API's `/_emulator/outage`),
//! in the three shapes a real one takes:
//!
//! - **refuse**: the topics listener is closed, so the kernel refuses new
//!   connections (`ECONNREFUSED`); a topic request on a connection opened
//!   before is answered by closing that connection. Ending the outage binds
//!   the same address again. With the admin API on the same listener (the
//!   default) it would be unreachable too, so there a refusal must carry a
//!   duration and ends by itself.
//! - **hang**: connections are accepted and requests read, but topic requests
//!   are never answered; when the outage ends their connections are closed
//!   without an answer (the request was not processed), as a server that
//!   comes back would have lost them.
//! - **unavailable**: topic requests are answered 503 (JSON, `Retry-After`
//!   when asked for).
//!
//! Long polls waiting when an outage starts get the same treatment at once.
//! The admin API is never affected.
//!
//! A handle is cheap to clone; a request checks one atomic when no outage is on.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// The shape of an outage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OutageKind {
    /// Connections refused.
    Refuse,
    /// Connections accepted, requests never answered.
    Hang,
    /// 503 answers, with `Retry-After` when set.
    Unavailable {
        /// Seconds for `Retry-After`.
        retry_after: Option<u64>,
    },
}

/// The outage in force: its mode and a number that tells one outage from the next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Current {
    pub mode: OutageKind,
    pub epoch: u64,
}

/// Whether the topics listener is bound, as its accept loop reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Listening {
    /// Accepting connections.
    Open,
    /// Closed for a refusing outage.
    Closed,
    /// Could not bind again; the accept loop keeps trying.
    BindFailed(String),
}

/// Why an outage could not be started or ended.
#[derive(Debug, thiserror::Error)]
pub(crate) enum OutageError {
    /// A refusal on the shared listener would lock the admin API out for good.
    #[error(
        "mode \"refuse\" closes the listener the admin API shares with the topic routes, so it needs \
         duration_ms (the outage then ends by itself); or start the emulator with a separate admin \
         listener (--admin-listen) to end it with DELETE /_emulator/outage"
    )]
    RefuseNeedsDuration,
    /// The accept loop did not report in time.
    #[error("the topics listener did not {0} within 5 s")]
    ListenerSlow(&'static str),
    /// Binding the topics address again failed.
    #[error(
        "cannot listen on the topics address again: {0}; the emulator keeps trying every 100 ms"
    )]
    Rebind(String),
}

#[derive(Debug)]
struct Inner {
    /// `true` while an outage is on: the only thing a request reads otherwise.
    active: AtomicBool,
    current: watch::Sender<Option<Current>>,
    listening: watch::Sender<Listening>,
    next_epoch: AtomicU64,
    admin_separate: bool,
    shutdown: CancellationToken,
}

/// Handle to the outage state.
#[derive(Clone, Debug)]
pub(crate) struct Outage {
    inner: Arc<Inner>,
}

/// How long a handler waits for the accept loop to close or re-open the listener.
const LISTENER_REPORT: Duration = Duration::from_secs(5);

impl Outage {
    /// No outage; `admin_separate` when the admin API has its own listener.
    pub(crate) fn new(admin_separate: bool, shutdown: CancellationToken) -> Self {
        Outage {
            inner: Arc::new(Inner {
                active: AtomicBool::new(false),
                current: watch::Sender::new(None),
                listening: watch::Sender::new(Listening::Open),
                next_epoch: AtomicU64::new(1),
                admin_separate,
                shutdown,
            }),
        }
    }

    /// Whether the admin API has a listener of its own.
    pub(crate) fn admin_separate(&self) -> bool {
        self.inner.admin_separate
    }

    /// The outage in force (one atomic load when there is none).
    pub(crate) fn current(&self) -> Option<Current> {
        if !self.inner.active.load(Ordering::Acquire) {
            return None;
        }
        *self.inner.current.borrow()
    }

    /// Notified of every start and end, from now on.
    pub(crate) fn subscribe(&self) -> watch::Receiver<Option<Current>> {
        self.inner.current.subscribe()
    }

    /// For the accept loop: report whether the topics listener is bound.
    pub(crate) fn report_listening(&self, state: Listening) {
        self.inner.listening.send_replace(state);
    }

    /// Start (or replace) an outage; it ends by itself after `duration` when given.
    /// Returns once a refusal has closed the listener.
    pub(crate) async fn start(
        &self,
        mode: OutageKind,
        duration: Option<Duration>,
    ) -> Result<(), OutageError> {
        if mode == OutageKind::Refuse && !self.inner.admin_separate && duration.is_none() {
            return Err(OutageError::RefuseNeedsDuration);
        }
        let epoch = self.inner.next_epoch.fetch_add(1, Ordering::Relaxed);
        // The flag changes under the channel's lock, so it never disagrees for long.
        self.inner.current.send_modify(|c| {
            *c = Some(Current { mode, epoch });
            self.inner.active.store(true, Ordering::Release);
        });
        tracing::warn!(?mode, ?duration, "outage started (admin API)");
        if let Some(d) = duration {
            let this = self.clone();
            tokio::spawn(async move {
                tokio::select! {
                    () = tokio::time::sleep(d) => {}
                    () = this.inner.shutdown.cancelled() => return,
                }
                let _ = this.end_if(|c| c.epoch == epoch).await;
            });
        }
        if mode == OutageKind::Refuse {
            self.wait_listening("close", |l| *l == Listening::Closed)
                .await?;
        }
        Ok(())
    }

    /// End any outage; returns once the topics listener accepts again.
    pub(crate) async fn end(&self) -> Result<(), OutageError> {
        self.end_if(|_| true).await
    }

    /// End the outage in force if `which` says so (a timer ends only its own).
    async fn end_if(&self, which: impl Fn(&Current) -> bool) -> Result<(), OutageError> {
        let ended = self.inner.current.send_if_modified(|c| {
            if c.as_ref().is_some_and(&which) {
                *c = None;
                self.inner.active.store(false, Ordering::Release);
                true
            } else {
                false
            }
        });
        if ended {
            tracing::warn!("outage ended");
        }
        self.wait_listening("listen again", |l| *l != Listening::Closed)
            .await
    }

    async fn wait_listening(
        &self,
        what: &'static str,
        done: impl Fn(&Listening) -> bool,
    ) -> Result<(), OutageError> {
        let mut rx = self.inner.listening.subscribe();
        let reported = tokio::time::timeout(LISTENER_REPORT, rx.wait_for(|l| done(l))).await;
        match reported {
            Ok(Ok(l)) => match &*l {
                Listening::BindFailed(e) => Err(OutageError::Rebind(e.clone())),
                _ => Ok(()),
            },
            _ => Err(OutageError::ListenerSlow(what)),
        }
    }

    /// Resolves when the outage `epoch` is over (ended, replaced) or at shutdown.
    pub(crate) async fn over(&self, epoch: u64) {
        let mut rx = self.subscribe();
        tokio::select! {
            _ = rx.wait_for(|c| c.is_none_or(|c| c.epoch != epoch)) => {}
            () = self.inner.shutdown.cancelled() => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_refusal_on_the_shared_listener_needs_a_duration() {
        let outage = Outage::new(false, CancellationToken::new());
        assert!(matches!(
            outage.start(OutageKind::Refuse, None).await,
            Err(OutageError::RefuseNeedsDuration)
        ));
        assert_eq!(outage.current(), None);
    }

    #[tokio::test]
    async fn a_timed_outage_ends_by_itself() {
        let outage = Outage::new(false, CancellationToken::new());
        outage
            .start(OutageKind::Hang, Some(Duration::from_millis(50)))
            .await
            .unwrap();
        let epoch = outage.current().expect("on").epoch;
        tokio::time::timeout(Duration::from_secs(5), outage.over(epoch))
            .await
            .expect("ends within its duration");
        assert_eq!(outage.current(), None);
    }
}
