//! Every profile is a server the docs allow, so the conformance suite must
//! pass each: the emulator *binary* started with `--profile NAME`, its
//! admin API on a port of its own (the suite sees a plain endpoint), a key
//! for every `--key` role, and the whole suite; no check may fail (C checks
//! may differ, and say so).
//!
//! Two tests, which run side by side:
//! - every other profile alone, and the non-default sides together,
//!   unpaced, four runs at a time, each against its own emulator (about
//!   32 s: `empty-wait-30s` holds its empty polls 30 s while the others,
//!   1 to 7 s each, go through the other three places);
//! - `documented-limits` with `no-retry-after`, as users run the suite
//!   against a live endpoint:
//!   the command line with its default flags (8 requests a second), the
//!   emulator's default 30 s wait, keys minted by its `token` command
//!   (about 40 s).

use crate::common;
use futures::StreamExt as _;
use momento_http_conformance::checks;
use momento_http_conformance::registry::{RunOptions, run_all};
use momento_http_conformance::report::{Outcome, Report};
use momento_http_conformance::target::{KeyRole, Pacing, Target};
use momento_http_emulator::{Profile, Role, TokenSpec};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_momento-http-emulator");

/// The profiles each unpaced run takes: every profile is in one, alone,
/// and the last run takes them together.
const RUNS: &[&[Profile]] = &[
    // First: it takes longest (its empty polls are held 30 s).
    &[Profile::EmptyWait30s],
    &[Profile::RoundTrip150ms],
    &[Profile::ExtraFields],
    &[Profile::FutureToNext],
    &[Profile::FutureToOldest],
    &[Profile::NumberFrom0],
    &[Profile::NumberFrom1],
    &[Profile::OneItemPerAnswer],
    &[Profile::HundredItemsPerAnswer],
    &[Profile::NoSequencePage],
    &[Profile::EmptyWait1s],
    &[Profile::PlainTextErrors],
    &[Profile::JsonErrors],
    &[Profile::UrlSafeUnpaddedBinary],
    &[Profile::StandardPaddedBinary],
    // Every side that is not the default at once, but the long wait: what
    // one profile hides another may show.
    &[
        Profile::RoundTrip150ms,
        Profile::ExtraFields,
        Profile::FutureToNext,
        Profile::NumberFrom0,
        Profile::OneItemPerAnswer,
        Profile::NoSequencePage,
        Profile::EmptyWait1s,
        Profile::PlainTextErrors,
        Profile::NoRetryAfter,
        Profile::UrlSafeUnpaddedBinary,
    ],
];

/// How many runs go at once.
const RUNS_AT_ONCE: usize = 4;

/// The profiles run with the suite's default flags, by the second test:
/// the documented limits, whose 429s (if the suite meets any) say nothing
/// of when to retry.
const WITH_DEFAULT_FLAGS: &[Profile] = &[Profile::DocumentedLimits, Profile::NoRetryAfter];

/// An emulator process, killed however the test ends, and its files.
struct Running {
    child: Child,
    dir: PathBuf,
    secret_file: PathBuf,
    key_file: PathBuf,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Start the binary with `profiles` and `args`, caches `conf` and `other`,
/// its admin API apart; its key and endpoint once it has written them.
async fn start(name: &str, profiles: &[Profile], args: &[&str]) -> (Running, String, String) {
    let dir = std::env::temp_dir().join(format!("emu-profile-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (secret_file, key_file) = (dir.join("secret"), dir.join("key"));
    let mut command = Command::new(BIN);
    command
        .args(["--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0"])
        .args(["--cache", "conf", "--cache", "other"])
        .args(args)
        .arg("--secret-file")
        .arg(&secret_file)
        .arg("--write-api-key")
        .arg(&key_file);
    for p in profiles {
        command.args(["--profile", p.name()]);
    }
    let child = command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn the emulator");
    let running = Running {
        child,
        dir,
        secret_file,
        key_file,
    };
    let (key, endpoint) = common::written_key(&running.key_file).await;
    (running, key, endpoint)
}

fn label(profiles: &[Profile]) -> String {
    profiles
        .iter()
        .map(|p| p.name())
        .collect::<Vec<_>>()
        .join(" + ")
}

/// Start the binary with `profiles` and run the whole suite against it, unpaced.
async fn certify(profiles: &[Profile]) -> (Report, Duration) {
    let (running, key, endpoint) =
        start(&label(profiles), profiles, &["--long-poll-wait", "1s"]).await;
    let secret = std::fs::read_to_string(&running.secret_file).unwrap();
    let mint =
        |spec: TokenSpec| momento_http_emulator::mint_offline(secret.trim(), &endpoint, &spec);
    let scoped = |cache: &str, role: Role| TokenSpec {
        caches: Some(vec![cache.to_owned()]),
        role,
        ..TokenSpec::full_access(Duration::from_secs(3600))
    };
    let target = Target::endpoint(&endpoint, &key, "conf", Pacing::UNPACED)
        .await
        .with_key(KeyRole::PublishOnly, mint(scoped("conf", Role::Publish)))
        .with_key(
            KeyRole::SubscribeOnly,
            mint(scoped("conf", Role::Subscribe)),
        )
        .with_key(
            KeyRole::OtherCache,
            mint(scoped("other", Role::PublishSubscribe)),
        )
        .with_key(
            KeyRole::Expired,
            mint(TokenSpec {
                ttl_seconds: 0,
                ..scoped("conf", Role::PublishSubscribe)
            }),
        );
    assert!(!target.has_admin(), "the suite must see a plain endpoint");
    let started = Instant::now();
    let report = tokio::time::timeout(
        Duration::from_secs(120),
        run_all(
            Arc::new(target),
            &checks::all(),
            &RunOptions::default(),
            |_| {},
        ),
    )
    .await
    .unwrap_or_else(|_| panic!("the run against {} ends in 2 minutes", label(profiles)));
    (report, started.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_suite_passes_every_profile() {
    let unrun: Vec<Profile> = Profile::ALL
        .into_iter()
        .filter(|p| !WITH_DEFAULT_FLAGS.contains(p) && !RUNS.iter().any(|run| run.contains(p)))
        .collect();
    assert!(
        unrun.is_empty(),
        "profiles without a run: {unrun:?}; add one to RUNS"
    );
    // A few at a time: 17 runs at once on 2 cores delayed publishes past
    // a 1 s empty wait, and the checks skipped rather than judged.
    let results: Vec<_> = futures::stream::iter(RUNS.iter().map(|profiles| certify(profiles)))
        .buffered(RUNS_AT_ONCE)
        .collect()
        .await;
    let mut accusations = Vec::new();
    for (profiles, (report, took)) in RUNS.iter().zip(&results) {
        let count = |o: Outcome| report.checks.iter().filter(|c| c.outcome == o).count();
        println!(
            "profile {}: {} pass, {} differ, {} skip, {} fail in {:.1} s",
            label(profiles),
            count(Outcome::Pass),
            count(Outcome::Differs),
            count(Outcome::Skip),
            count(Outcome::Fail),
            took.as_secs_f64()
        );
        let differing: Vec<&str> = report
            .checks
            .iter()
            .filter(|c| c.outcome == Outcome::Differs)
            .map(|c| c.id.as_str())
            .collect();
        if !differing.is_empty() {
            println!("  differs (C): {}", differing.join(", "));
        }
        for c in report.checks.iter().filter(|c| c.outcome == Outcome::Fail) {
            accusations.push(format!("{}: {}: {}", label(profiles), c.id, c.detail));
        }
        let ran = report.checks.len() - count(Outcome::Skip);
        assert!(
            ran * 4 >= report.checks.len() * 3,
            "{}: only {ran} of {} checks ran",
            label(profiles),
            report.checks.len()
        );
    }
    assert!(
        accusations.is_empty(),
        "the suite failed servers the docs allow:\n{}",
        accusations.join("\n")
    );
}

/// A key from the binary's `token` command.
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

/// A correct endpoint must pass as users run the suite: no failures, at
/// least 75% of the checks run, and the report gives its 429s and wall time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_correct_endpoint_passes_with_default_flags_under_documented_limits() {
    let (running, key, endpoint) = start("default-flags", WITH_DEFAULT_FLAGS, &[]).await;
    let secret = running.secret_file.clone();
    let report_file = running.dir.join("report.json");
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
        "profile {} with default flags: {ran} of {} checks ran, {} failed, {} differ; {summary}",
        label(WITH_DEFAULT_FLAGS),
        checks.len(),
        failed.len(),
        summary["differs"]
    );
}
