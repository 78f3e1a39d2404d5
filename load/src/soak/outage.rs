//! The outage soak's schedule: N staged outages of one length, cycling
//! through the modes a real outage takes (connections refused, connections
//! accepted and never answered, 503s), driven through the emulator's admin
//! API on its own listener so that it stays reachable throughout.

use std::time::{Duration, Instant};

use momento_http::EmulatorAdmin;
use momento_http::admin_wire::{OutageMode, OutageRequest};

/// How many outages and how long each.
#[derive(Clone, Copy, Debug)]
pub struct OutagePlan {
    /// How long the endpoint is blocked each time.
    pub duration: Duration,
    /// How many times.
    pub count: u32,
    /// Publishing (and subscribing) without an outage: before the first,
    /// between two, and after the last.
    pub settle: Duration,
}

impl OutagePlan {
    /// `count` outages of `duration`, with the settling time scaled to the
    /// client's backoff (it reaches 30 s only after about 5 minutes away).
    pub fn new(duration: Duration, count: u32) -> OutagePlan {
        let settle = if duration <= Duration::from_secs(5) {
            Duration::from_secs(3)
        } else {
            Duration::from_secs(35)
        };
        OutagePlan {
            duration,
            count,
            settle,
        }
    }

    /// The mode of outage `i` (0-based): refuse, hang, unavailable, refuse, …
    pub fn mode(i: u32) -> OutageMode {
        match i % 3 {
            0 => OutageMode::Refuse,
            1 => OutageMode::Hang,
            _ => OutageMode::Unavailable,
        }
    }

    /// From the first outage's start to the end of the last settling time.
    pub fn span(&self) -> Duration {
        self.settle + (self.duration + self.settle) * self.count
    }
}

/// One outage as staged: its mode and how long the endpoint was blocked.
#[derive(Clone, Debug)]
pub struct StagedOutage {
    /// `refuse`, `hang` or `unavailable`.
    pub mode: String,
    /// From `startOutage` answering to `endOutage` answering.
    pub blocked: Duration,
}

/// Stage every outage of `plan` through the admin API at `admin_url`.
pub async fn drive(admin_url: String, plan: OutagePlan) -> anyhow::Result<Vec<StagedOutage>> {
    let admin = EmulatorAdmin::new(&admin_url)?;
    let mut staged = Vec::new();
    tokio::time::sleep(plan.settle).await;
    for i in 0..plan.count {
        let mode = OutagePlan::mode(i);
        let request = OutageRequest {
            duration_ms: None,
            mode,
            retry_after_seconds: None,
        };
        admin
            .start_outage(&request)
            .await
            .map_err(|e| anyhow::anyhow!("startOutage ({mode}) failed: {e}"))?;
        let began = Instant::now();
        tracing::info!(%mode, "outage started");
        tokio::time::sleep(plan.duration).await;
        admin
            .end_outage()
            .await
            .map_err(|e| anyhow::anyhow!("endOutage ({mode}) failed: {e}"))?;
        staged.push(StagedOutage {
            mode: mode.to_string(),
            blocked: began.elapsed(),
        });
        tracing::info!(%mode, "outage ended");
        tokio::time::sleep(plan.settle).await;
    }
    Ok(staged)
}

#[cfg(test)]
mod tests {
    use super::OutagePlan;
    use momento_http::admin_wire::OutageMode;

    #[test]
    fn outages_cycle_through_refuse_hang_and_unavailable() {
        let modes: Vec<_> = (0..4).map(OutagePlan::mode).collect();
        assert_eq!(
            modes,
            [
                OutageMode::Refuse,
                OutageMode::Hang,
                OutageMode::Unavailable,
                OutageMode::Refuse
            ]
        );
    }
}
