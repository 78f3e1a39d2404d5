//! `fanout`: one publisher, 1,000 subscriptions on one topic; nothing may go
//! missing.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use futures::StreamExt as _;
use momento_http::{TopicClient, TopicEvent};

use super::Plan;
use super::harness::{CACHE, start_emulator, subscriber_client};
use super::report::Scenario;
use crate::admin;

/// `fanout`: 1 publisher, 1,000 subscriptions on one topic.
pub async fn fanout(plan: Plan) -> anyhow::Result<Scenario> {
    const SUBSCRIBERS: usize = 1000;
    let emulator = start_emulator().await?;
    let topic = "fanout";
    let admin = admin::client(&emulator.base_url())?;
    let cursor = admin::next_cursor(&admin, CACHE, topic).await?;
    let client = subscriber_client(&emulator)?;
    let m = plan.fanout_messages;
    let subs: Vec<_> = (0..SUBSCRIBERS)
        .map(|_| {
            let mut sub = client.subscribe_from(CACHE, topic, cursor);
            tokio::spawn(async move {
                let mut got = 0u64;
                let mut broken = 0u64;
                let deadline = Instant::now() + Duration::from_secs(120);
                while got < m {
                    match tokio::time::timeout_at(deadline.into(), sub.next()).await {
                        Ok(Some(Ok(TopicEvent::Item { .. }))) => got += 1,
                        Ok(Some(Ok(TopicEvent::Discontinuity { .. }))) => broken += 1,
                        Ok(Some(Err(_))) => {}
                        _ => break,
                    }
                }
                (got, broken, Instant::now())
            })
        })
        .collect();
    let publisher = TopicClient::builder()
        .api_key(&emulator.api_key())
        .build()?;
    let started = Instant::now();
    for i in 0..m {
        publisher
            .publish(CACHE, topic, format!("fanout {i}"))
            .await
            .context("fan-out publish")?;
    }
    let mut delivered = 0u64;
    let mut missing = 0u64;
    let mut discontinuities = 0u64;
    let mut last = started;
    for s in subs {
        let (got, broken, at) = s.await?;
        delivered += got;
        missing += m - got.min(m);
        discontinuities += broken;
        last = last.max(at);
    }
    emulator.shutdown().await;
    let rate = delivered as f64 / (last - started).as_secs_f64();
    Ok(Scenario::absolute(
        "fanout",
        rate,
        "deliveries/s",
        "0 missing",
        missing == 0 && discontinuities == 0,
        format!(
            "{SUBSCRIBERS} subscriptions × {m} messages: {delivered} delivered, {missing} missing, {discontinuities} discontinuities in {:.2} s",
            (last - started).as_secs_f64()
        ),
    ))
}
