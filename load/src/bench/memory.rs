//! `idle_subscriber_memory`: what an idle long poll costs the emulator
//! binary, measured on a child process's resident set.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

use super::harness::CACHE;
use super::report::Scenario;
use crate::admin;

/// The target per idle long poll.
const MAX_KIB: f64 = 8.0;

/// `idle_subscriber_memory`: the emulator as a child process; its VmRSS with
/// 1,000 idle long polls minus without, per poll.
pub async fn idle_subscriber_memory() -> anyhow::Result<Scenario> {
    const POLLS: usize = 1000;
    let exe = emulator_binary()?;
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0")?;
        l.local_addr()?.port()
    };
    let key_file =
        std::env::temp_dir().join(format!("momento-http-load-key-{}", std::process::id()));
    let _ = std::fs::remove_file(&key_file);
    let child = std::process::Command::new(&exe)
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .args(["--cache", CACHE, "--long-poll-wait", "600s"])
        .arg("--write-api-key")
        .arg(&key_file)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .with_context(|| format!("cannot start {}", exe.display()))?;
    let child = KillOnDrop(child);
    let pid = child.0.id();
    let base = format!("http://127.0.0.1:{port}");
    let http = momento_http::http_client_builder()
        .expect("rustls accepts ring's defaults")
        .build()?;
    let admin = admin::client(&base)?;
    let up_until = Instant::now() + Duration::from_secs(20);
    loop {
        if admin::is_up(&admin).await && key_file.exists() {
            break;
        }
        if Instant::now() > up_until {
            bail!("the emulator child did not come up on {base}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let key = std::fs::read_to_string(&key_file)?.trim().to_owned();
    let _ = std::fs::remove_file(&key_file);
    // Warm up: a publish and a few answered polls, so lazily built state is there.
    let topic_url = format!("{base}/topics/{CACHE}/idle");
    for _ in 0..5 {
        http.post(&topic_url)
            .header("authorization", &key)
            .header("content-type", "text/plain")
            .body("warm")
            .send()
            .await?;
        http.get(format!("{topic_url}?sequence_number=1&sequence_page=0"))
            .header("authorization", &key)
            .send()
            .await?;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let without = vm_rss_kib(pid)?;
    let next = admin::next_cursor(&admin, CACHE, "idle").await?;
    // 1,000 idle polls, each on its own connection.
    let pollers: Vec<_> = (0..POLLS)
        .map(|_| {
            let http = momento_http::http_client_builder()
                .expect("rustls accepts ring's defaults")
                .build()
                .expect("a plain reqwest client builds");
            let url = format!(
                "{topic_url}?sequence_number={}&sequence_page={}",
                next.sequence_number, next.sequence_page
            );
            let key = key.clone();
            tokio::spawn(async move { http.get(url).header("authorization", key).send().await })
        })
        .collect();
    let waiting = admin::await_waiting_subscribers(
        &admin,
        CACHE,
        "idle",
        POLLS as u64,
        Duration::from_secs(60),
    )
    .await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let with = vm_rss_kib(pid)?;
    // Diagnosis: how much of that is the connection alone? 1,000 more
    // connections that never send a byte.
    let mut bare = Vec::with_capacity(POLLS);
    for _ in 0..POLLS {
        bare.push(tokio::net::TcpStream::connect(("127.0.0.1", port)).await?);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let with_bare = vm_rss_kib(pid)?;
    drop(bare);
    let per_bare = (with_bare as f64 - with as f64) / POLLS as f64;
    for p in pollers {
        p.abort();
    }
    drop(child);
    let per = (with as f64 - without as f64) / POLLS as f64;
    Ok(Scenario {
        baseline: Some(without as f64),
        baseline_name: Some("emulator VmRSS (KiB) without the polls".into()),
        ..Scenario::absolute(
            "idle_subscriber_memory",
            per,
            "KiB/subscriber",
            &format!("<= {MAX_KIB} KiB each"),
            per <= MAX_KIB && waiting >= POLLS as u64,
            format!(
                "VmRSS {without} KiB -> {with} KiB with {waiting} waiting polls (emulator child pid {pid}); diagnosis: {POLLS} more connections that send nothing add {per_bare:.1} KiB each ({with_bare} KiB), so about {:.1} KiB of each poll is the request and the waiting handler",
                per - per_bare
            ),
        )
    })
}

struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn vm_rss_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .context("no VmRSS in /proc/PID/status")
}

/// The emulator binary beside this one (`target/release/momento-http-emulator`
/// beside `target/release/momento-http-load`). `cargo xtask bench` builds
/// both in one cargo run; this never runs cargo itself.
fn emulator_binary() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let dir = exe
        .parent()
        .context("no directory for the current executable")?;
    let candidate = dir.join(format!(
        "momento-http-emulator{}",
        std::env::consts::EXE_SUFFIX
    ));
    if !candidate.exists() {
        bail!(
            "the emulator binary is not at {}: run the bench through `cargo xtask bench`, or `cargo build --release -p momento-http-emulator -p momento-http-load` first",
            candidate.display()
        );
    }
    Ok(candidate)
}
