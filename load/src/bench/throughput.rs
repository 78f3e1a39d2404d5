//! `publish_throughput` (the emulator against a bare 204 handler) and
//! `client_overhead` (`TopicClient::publish` against raw reqwest POSTs).

use std::sync::Arc;

use momento_http::{DEFAULT_PUBLISH_TIMEOUT, TopicClient};

use super::Plan;
use super::baselines::{start_baseline, start_layered_baseline};
use super::harness::{BODY, CACHE, PUBLISHERS, Paired, raw_publish, start_emulator};
use super::report::Scenario;

/// `publish_throughput`: 64 keep-alive publishers, emulator vs a bare 204 handler.
pub async fn publish_throughput(plan: Plan) -> anyhow::Result<Scenario> {
    let emulator = start_emulator().await?;
    let (baseline_addr, baseline_task) = start_baseline().await?;
    let token: Arc<str> = emulator.api_key().into();
    let http = momento_http::http_client_builder()
        .expect("rustls accepts ring's defaults")
        .build()?;
    let emu_url = format!("{}/topics/{CACHE}/throughput", emulator.base_url());
    let base_url = format!("http://{baseline_addr}/topics/{CACHE}/throughput");
    let (layered_addr, layered_task) = start_layered_baseline().await?;
    let layered_url = format!("http://{layered_addr}/topics/{CACHE}/throughput");
    let bare = raw_publish(http.clone(), base_url, token.clone());
    let run = Paired::run(
        plan,
        bare.clone(),
        raw_publish(http.clone(), emu_url, token.clone()),
    )
    .await;
    // Diagnosis only: how much of the gap is reading the body and the layers.
    let layered = Paired::run(
        Plan {
            rounds: plan.rounds.min(3),
            ..plan
        },
        bare,
        raw_publish(http.clone(), layered_url, token.clone()),
    )
    .await;
    baseline_task.abort();
    layered_task.abort();
    emulator.shutdown().await;
    Ok(Scenario::ratio_at_least(
        "publish_throughput",
        "publishes/s",
        run.figures(),
        "axum handler answering 204 to the same POSTs",
        0.90,
        format!(
            "{PUBLISHERS} keep-alive publishers, 100-byte text, {} pairs of {:?} rounds in alternating order, ratio = median of the pairs' ratios (per pair: {}); {}; {} failed publishes; diagnosis: a 204 handler that reads the body behind the emulator's layers does {:.2} of the bare handler",
            plan.rounds,
            plan.round,
            run.pair_ratios(),
            run.cpu_note(),
            run.failures(),
            layered.ratio(),
        ),
    ))
}

/// `client_overhead`: `TopicClient::publish` vs raw reqwest POSTs, same emulator.
pub async fn client_overhead(plan: Plan) -> anyhow::Result<Scenario> {
    let emulator = start_emulator().await?;
    let token: Arc<str> = emulator.api_key().into();
    let client = TopicClient::builder().api_key(&token).build()?;
    let http = momento_http::http_client_builder()
        .expect("rustls accepts ring's defaults")
        .build()?;
    let url = format!("{}/topics/{CACHE}/overhead", emulator.base_url());
    let raw = raw_publish(http.clone(), url.clone(), token.clone());
    let run = Paired::run(plan, raw.clone(), {
        move || {
            let c = client.clone();
            async move { c.publish(CACHE, "overhead", BODY).await.is_ok() }
        }
    })
    .await;
    // Diagnosis only: what the client's publish timeout (a timer armed per
    // request, which a raw POST does without) costs by itself.
    let timed = momento_http::http_client_builder()
        .expect("rustls accepts ring's defaults")
        .timeout(DEFAULT_PUBLISH_TIMEOUT)
        .build()?;
    // As many pairs as the judged run: a handful swing by ±0.1 here.
    let timer = Paired::run(plan, raw, raw_publish(timed, url, token.clone())).await;
    emulator.shutdown().await;
    Ok(Scenario::ratio_at_least(
        "client_overhead",
        "publishes/s",
        run.figures(),
        "raw reqwest POSTs (same headers, same emulator)",
        1.0,
        format!(
            "{PUBLISHERS} concurrent publishers, {} pairs of {:?} rounds in alternating order, ratio = median of the pairs' ratios (per pair: {}); {}; {} failed publishes; diagnosis: raw POSTs with the client's {DEFAULT_PUBLISH_TIMEOUT:?} timeout do {:.2} of raw POSTs without ({})",
            plan.rounds,
            plan.round,
            run.pair_ratios(),
            run.cpu_note(),
            run.failures(),
            timer.ratio(),
            timer.cpu_note(),
        ),
    ))
}
