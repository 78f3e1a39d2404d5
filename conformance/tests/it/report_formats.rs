//! Snapshots of each report format, built from a fixed set of results.

use momento_http_conformance::report::{CheckResult, Evidence, Outcome, Report};
use momento_http_conformance::target::RunFigures;

fn fixed() -> Report {
    let r = |id: &str, evidence, outcome, detail: &str, ms| CheckResult {
        id: id.into(),
        evidence,
        spec: "§3".into(),
        outcome,
        detail: detail.into(),
        duration_ms: ms,
    };
    Report {
        target: "https://api.cache.example.test".into(),
        checks: vec![
            r("publish.text.204", Evidence::D, Outcome::Pass, "", 12),
            r(
                "publish.unknown-cache.404",
                Evidence::D,
                Outcome::Fail,
                "publish.unknown-cache.404: publish to an unknown cache answers 404 (Cache Not Found)\n  expected: status 404\n  actual:   status 200, body \"\"\n  repro:    curl -i -X POST -H \"Authorization: $MOMENTO_API_KEY\" -H 'Content-Type: text/plain' --data-binary 'x' \"https://api.cache.example.test/topics/nope/t\"",
                30,
            ),
            r(
                "auth.expired.401",
                Evidence::D,
                Outcome::Skip,
                "needs the emulator's admin API (its health operation did not answer on this target)",
                0,
            ),
            r(
                "error.body.json-shape",
                Evidence::C,
                Outcome::Differs,
                "error.body.json-shape: error answers are application/json {status, title, detail}\n  expected: JSON\n  actual:   status 404, body \"Cache Not Found\"",
                1234,
            ),
        ],
        figures: RunFigures {
            wall_time_ms: 61_240,
            requests: 512,
            answered_429: 3,
        },
    }
}

#[test]
fn the_table_lists_each_check_then_details_then_the_closing_line() {
    insta::assert_snapshot!(fixed().to_table());
}

#[test]
fn the_json_report_has_target_checks_and_summary() {
    insta::assert_snapshot!(fixed().to_json());
}

#[test]
fn the_junit_report_marks_failures_and_skips() {
    insta::assert_snapshot!(fixed().to_junit());
}

#[test]
fn the_closing_line_counts_outcomes() {
    assert_eq!(
        fixed().closing_line(),
        "1 passed, 1 failed, 1 skipped, 1 differs from the project's choice; \
         in 61.2 s, 512 requests, 3 answered 429 (waited out and sent again)"
    );
    assert!(!fixed().success());
}
