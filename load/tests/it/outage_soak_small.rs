//! A small outage soak: two outages of 1.5 s (connections refused, then
//! accepted and never answered) while the publisher keeps going; every
//! subscription is told it lost and regained its connection, and the history
//! checker finds no silent gap, duplicate or reorder. `cargo xtask soak
//! --outage 180s` runs the full one.

use std::time::Duration;

use momento_http_load::soak;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscriptions_live_through_two_short_outages_and_lose_nothing_silently() {
    let plan = soak::OutagePlan::new(Duration::from_millis(1500), 2);
    let mut config = soak::SoakConfig::with_outages(plan, 6);
    config.deadline = Duration::from_secs(25);
    let report = tokio::time::timeout(Duration::from_secs(28), soak::run(config))
        .await
        .expect("the outage soak finished in time")
        .expect("the outage soak ran");
    let text = report.render();
    let modes: Vec<_> = report.outages.iter().map(|o| o.mode.as_str()).collect();
    assert_eq!(modes, ["refuse", "hang"], "{text}");
    assert!(report.published > 100, "the publisher kept going: {text}");
    assert!(
        report.publish_failures > 0,
        "publishes failed during the outages: {text}"
    );
    for (name, sub) in &report.subscribers {
        assert!(sub.finished, "{name} is not alive at the end: {text}");
        assert!(
            sub.connection_lost >= 2,
            "{name} was told of each outage: {text}"
        );
        assert_eq!(
            sub.connection_restored, sub.connection_lost,
            "{name}: {text}"
        );
        assert!(
            sub.longest_away >= Duration::from_millis(1000),
            "{name} was away about as long as the outage: {text}"
        );
    }
    assert_eq!(report.silent_gaps(), 0, "{text}");
    assert_eq!(report.duplicates(), 0, "{text}");
    assert_eq!(report.reorders(), 0, "{text}");
    assert!(report.ok(), "{text}");
}
