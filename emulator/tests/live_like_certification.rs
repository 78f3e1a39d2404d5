//! The suite as users run it against a live endpoint: the emulator
//! *binary* with Momento's documented limits (10 operations per second,
//! 100 subscriptions), its admin API on another port so the suite sees a
//! plain endpoint, a minted key for every `--key` role, and the suite's
//! default flags. A correct endpoint must pass: no failures, at least 75%
//! of the checks run, and the report gives its 429s and wall time.
//!
//! Cost: about 40 s (the default pacing of 8 requests per second).

mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_momento-http-emulator");

/// Kills the emulator however the test ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn mint(secret: &Path, endpoint: &str, args: &[&str]) -> String {
    let out = Command::new(BIN)
        .args(["token", "--secret-file"])
        .arg(secret)
        .args(["--endpoint", endpoint])
        .args(args)
        .output()
        .expect("run the token subcommand");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_correct_endpoint_passes_with_default_flags_under_documented_limits() {
    let dir = std::env::temp_dir().join(format!("emu-live-like-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (secret, key_file, report_file) =
        (dir.join("secret"), dir.join("key"), dir.join("report.json"));
    let _emulator = Running(
        Command::new(BIN)
            .args(["--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0"])
            .args(["--documented-limits", "--cache", "conf", "--cache", "other"])
            .arg("--secret-file")
            .arg(&secret)
            .arg("--write-api-key")
            .arg(&key_file)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn the emulator"),
    );
    let (key, endpoint) = common::written_key(&key_file).await;
    // Minted first, so it has expired (1 s, whole seconds) before the run.
    let expired = mint(&secret, &endpoint, &["--cache", "conf", "--ttl", "1s"]);
    let minted_at = Instant::now();
    let publish_only = mint(
        &secret,
        &endpoint,
        &["--cache", "conf", "--role", "publish"],
    );
    let subscribe_only = mint(
        &secret,
        &endpoint,
        &["--cache", "conf", "--role", "subscribe"],
    );
    let other_cache = mint(&secret, &endpoint, &["--cache", "other"]);
    let until_expired = Duration::from_secs(2).saturating_sub(minted_at.elapsed());
    tokio::time::sleep(until_expired).await;

    let args = <momento_http_conformance::cli::Args as clap::Parser>::parse_from([
        "momento-http-conformance".to_owned(),
        format!("--endpoint={endpoint}"),
        format!("--api-key={key}"),
        "--cache=conf".to_owned(),
        format!("--key=publish-only={publish_only}"),
        format!("--key=subscribe-only={subscribe_only}"),
        format!("--key=other-cache={other_cache}"),
        format!("--key=expired={expired}"),
        "--format=json".to_owned(),
        format!("--out={}", report_file.display()),
    ]);
    let exit = tokio::time::timeout(
        Duration::from_secs(300),
        momento_http_conformance::cli::run(args),
    )
    .await
    .expect("the run ends within 5 minutes");

    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report_file).unwrap()).unwrap();
    let checks = report["checks"].as_array().unwrap();
    let failed: Vec<&serde_json::Value> =
        checks.iter().filter(|c| c["outcome"] == "fail").collect();
    assert!(failed.is_empty(), "{failed:#?}");
    assert_eq!(exit, std::process::ExitCode::SUCCESS);
    let ran = checks.iter().filter(|c| c["outcome"] != "skip").count();
    assert!(
        ran * 4 >= checks.len() * 3,
        "only {ran} of {} checks ran",
        checks.len()
    );
    let summary = &report["summary"];
    assert!(summary["answered_429"].is_u64(), "{summary}");
    assert!(summary["wall_time_ms"].as_u64().unwrap() > 0, "{summary}");
    // The figures for whoever reads the test's output.
    println!(
        "live-like run: {ran} of {} checks ran, {} failed, {} differ; {summary}",
        checks.len(),
        failed.len(),
        summary["differs"]
    );
    let _ = std::fs::remove_dir_all(&dir);
}
