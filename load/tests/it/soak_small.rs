//! A small fault soak: 300 messages, one publisher, three subscriptions,
//! seeded faults; the history checker finds no silent gap, duplicate or
//! reorder. `cargo xtask soak` runs the full one.

use std::time::Duration;

use momento_http_load::soak;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_small_soak_under_seeded_faults_loses_nothing_silently() {
    let mut config = soak::SoakConfig::new(300, 6);
    config.deadline = Duration::from_secs(60);
    let report = tokio::time::timeout(Duration::from_secs(90), soak::run(config))
        .await
        .expect("the soak finished in time")
        .expect("the soak ran");
    let text = report.render();
    assert_eq!(report.published, 301, "{text}");
    assert!(
        report.faults.values().sum::<u64>() > 0,
        "faults were armed: {text}"
    );
    assert!(
        report.subscribers.values().map(|s| s.retries).sum::<u64>() > 0,
        "the faults reached the subscriptions, which retried: {text}"
    );
    assert_eq!(report.silent_gaps(), 0, "{text}");
    assert_eq!(report.duplicates(), 0, "{text}");
    assert_eq!(report.reorders(), 0, "{text}");
    assert!(report.ok(), "{text}");
    for (name, sub) in &report.subscribers {
        assert!(sub.finished, "{name} did not finish: {text}");
    }
}
