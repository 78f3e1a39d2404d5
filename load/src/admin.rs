//! Every call the load tool makes to the emulator's admin API
//! (`openapi/emulator-admin.yaml`), through its typed client
//! [`EmulatorAdmin`]: no URL or JSON body is built by hand here or anywhere
//! else in this crate. (`startOutage`/`endOutage`, which `EmulatorAdmin` does
//! not wrap, go through the generated admin client in `soak/outage.rs`; the
//! storm sends deliberately malformed admin requests as raw bytes.)

use std::time::{Duration, Instant};

use momento_http::admin_wire::{FaultRequest, TopicState};
use momento_http::{Cursor, EmulatorAdmin};

/// The admin client of the emulator at `base_url` (`http://127.0.0.1:PORT`).
pub fn client(base_url: &str) -> anyhow::Result<EmulatorAdmin> {
    Ok(EmulatorAdmin::new(base_url)?)
}

/// `inspectTopic`: the state of one topic.
pub async fn topic(admin: &EmulatorAdmin, cache: &str, topic: &str) -> anyhow::Result<TopicState> {
    Ok(admin.inspect_topic(cache, topic).await?)
}

/// Where a subscription must start to see every message published from now
/// on: the topic's next number on its current page.
pub async fn next_cursor(
    admin: &EmulatorAdmin,
    cache: &str,
    topic_name: &str,
) -> anyhow::Result<Cursor> {
    let state = topic(admin, cache, topic_name).await?;
    Ok(Cursor {
        sequence_number: state.next_sequence_number,
        sequence_page: state.sequence_page,
    })
}

/// Waits until `at_least` long polls wait on the topic, or `timeout` passes;
/// returns how many wait.
pub async fn await_waiting_subscribers(
    admin: &EmulatorAdmin,
    cache: &str,
    topic_name: &str,
    at_least: u64,
    timeout: Duration,
) -> anyhow::Result<u64> {
    let until = Instant::now() + timeout;
    loop {
        let waiting = topic(admin, cache, topic_name).await?.waiting_subscribers;
        if waiting >= at_least || Instant::now() > until {
            return Ok(waiting);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// `health`: whether the emulator answers.
pub async fn is_up(admin: &EmulatorAdmin) -> bool {
    admin.health().await.is_ok()
}

/// `injectFault`: arm a fault.
pub async fn inject_fault(admin: &EmulatorAdmin, fault: &FaultRequest) -> anyhow::Result<()> {
    admin.inject_fault(fault).await?;
    Ok(())
}

/// `clearFaults`: disarm every fault.
pub async fn clear_faults(admin: &EmulatorAdmin) -> anyhow::Result<()> {
    admin.clear_faults().await?;
    Ok(())
}
