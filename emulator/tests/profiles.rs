//! Every profile is a server the docs allow, so the conformance suite must
//! pass each: the emulator *binary* started with `--profile NAME`, its
//! admin API on a port of its own (the suite sees a plain endpoint), a key
//! for every `--key` role, and the whole suite; no check may fail (C checks
//! may differ, and say so). The runs go at once, unpaced, each against its
//! own emulator; the default-flag run under the documented limits is
//! `live_like_certification.rs`.
//!
//! Cost: about 20 s for all the runs together (the run-wide checks wait for
//! the others; the rest is long polls and round trips).

mod common;

use momento_http_conformance::checks;
use momento_http_conformance::registry::{RunOptions, run_all};
use momento_http_conformance::report::{Outcome, Report};
use momento_http_conformance::target::{KeyRole, Pacing, Target};
use momento_http_emulator::{Profile, Role, TokenSpec};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_momento-http-emulator");

/// The profiles each run takes: every profile is in one, alone.
const RUNS: &[&[Profile]] = &[
    &[Profile::RoundTrip150ms],
    &[Profile::ExtraFields],
    &[Profile::FutureToNext],
    &[Profile::FutureToOldest],
    &[Profile::NumberFrom0],
    &[Profile::NumberFrom1],
    &[Profile::OneItemPerAnswer],
    &[Profile::HundredItemsPerAnswer],
    &[Profile::NoSequencePage],
];

/// An emulator process, killed however the test ends, and its files.
struct Running {
    child: Child,
    dir: PathBuf,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn label(profiles: &[Profile]) -> String {
    profiles
        .iter()
        .map(|p| p.name())
        .collect::<Vec<_>>()
        .join(" + ")
}

/// Start the binary with `profiles` and run the whole suite against it.
async fn certify(n: usize, profiles: &[Profile]) -> (Report, Duration) {
    let dir = std::env::temp_dir().join(format!("emu-profile-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (secret_file, key_file) = (dir.join("secret"), dir.join("key"));
    let mut command = Command::new(BIN);
    command
        .args(["--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0"])
        .args(["--cache", "conf", "--cache", "other"])
        // A profile that names the wait wins over this.
        .args(["--long-poll-wait", "1s"])
        .arg("--secret-file")
        .arg(&secret_file)
        .arg("--write-api-key")
        .arg(&key_file);
    for p in profiles {
        command.args(["--profile", p.name()]);
    }
    let _running = Running {
        child: command
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn the emulator"),
        dir: dir.clone(),
    };
    let (key, endpoint) = common::written_key(&key_file).await;
    let secret = std::fs::read_to_string(&secret_file).unwrap();
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
        .filter(|p| !RUNS.iter().any(|run| run.contains(p)))
        .collect();
    assert!(
        unrun.is_empty(),
        "profiles without a run: {unrun:?}; add one to RUNS"
    );
    let runs = RUNS
        .iter()
        .enumerate()
        .map(|(n, profiles)| certify(n, profiles));
    let results = futures::future::join_all(runs).await;
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
