//! The binary: JSON report shape, exit statuses, --list.

use std::process::Command;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_momento-http-conformance"));
    c.env("CI", "1");
    c
}

#[test]
fn the_json_report_has_target_checks_and_summary() {
    let out = bin()
        .args(["--only", "publish.text", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["target"].as_str().unwrap().contains("emulator"));
    let check = &v["checks"][0];
    assert_eq!(check["id"], "publish.text.204");
    assert_eq!(check["evidence"], "D");
    assert_eq!(check["spec"], "§3");
    assert_eq!(check["outcome"], "pass");
    assert!(check["detail"].is_string() && check["duration_ms"].is_u64());
    let summary = &v["summary"];
    for (field, count) in [("passed", 1), ("failed", 0), ("skipped", 0), ("differs", 0)] {
        assert_eq!(summary[field], count, "{field} in {summary}");
    }
    // The run's figures: the one publish, no 429, and how long it took.
    assert_eq!(summary["requests"], 1, "{summary}");
    assert_eq!(summary["answered_429"], 0, "{summary}");
    assert!(summary["wall_time_ms"].is_u64(), "{summary}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("1 passed, 0 failed, 0 skipped"), "{stderr}");
}

#[test]
fn a_pattern_matching_nothing_is_a_usage_error() {
    let out = bin().args(["--only", "no-such-check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}

#[test]
fn list_names_every_check_with_evidence_and_section() {
    let out = bin().arg("--list").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("auth.both-placements.publish.400"));
    assert!(text.contains("subscribe.discontinuity.after-reset"));
    assert_eq!(
        text.lines().count(),
        momento_http_conformance::checks::all().len()
    );
}

#[test]
fn a_failing_run_exits_non_zero() {
    // A closed port: every check that sends a request fails.
    let out = bin()
        .args([
            "--endpoint",
            "http://127.0.0.1:9",
            "--api-key",
            "k",
            "--cache",
            "c",
            "--only",
            "publish.text.204",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("0 passed, 1 failed, 0 skipped"), "{stdout}");
    assert!(stdout.contains("curl"), "{stdout}");
}
