//! A small malformed-input storm: 400 seeded bad requests, the emulator's
//! hostile-client cases among them, a few hundred idle sockets and a log
//! probe; no 5xx, every 4xx a JSON error with a detail, each emulator case
//! its exact answer, and the emulator still serves a publish and a
//! subscribe afterwards. `cargo xtask storm` runs the full one.

use std::time::Duration;

use momento_http_load::seeded::Rng;
use momento_http_load::storm;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_small_storm_gets_json_errors_and_leaves_the_emulator_healthy() {
    let report = tokio::time::timeout(Duration::from_secs(60), storm::run(400, 6, 8))
        .await
        .expect("the storm finished in time")
        .expect("the storm ran");
    let text = report.render();
    assert_eq!(report.server_errors, 0, "{text}");
    assert_eq!(report.violation_count, 0, "{text}");
    assert_eq!(report.unhealthy_after, None, "{text}");
    assert!(report.idle_sockets.is_ok(), "{text}");
    assert!(report.log_forging.is_ok(), "{text}");
    for kind in [
        "header without colon",
        "differing Content-Length",
        "control byte in path",
        "101 headers",
        "70 KiB target",
        "1xx fault",
        "half-sent head",
        "body 9 of 100 bytes",
        "CR LF in a name",
        "invalid escape",
    ] {
        assert!(
            report.by_kind.get(kind).is_some_and(|&n| n > 0),
            "no {kind}: {text}"
        );
    }
    assert!(
        report.by_status.keys().any(|s| s.starts_with('4')),
        "{text}"
    );
}

#[test]
fn the_generator_is_reproducible() {
    let tokens = storm::Tokens {
        good: "good".into(),
        expired: "expired".into(),
        subscribe_only: "sub".into(),
        other_cache: "other".into(),
    };
    let (mut a, mut b) = (Rng::new(42), Rng::new(42));
    for _ in 0..100 {
        assert_eq!(
            storm::generate(&mut a, &tokens).head,
            storm::generate(&mut b, &tokens).head
        );
    }
}
