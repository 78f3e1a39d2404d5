//! `conformance_wall`: how long the whole certification suite takes against
//! the in-process emulator.

use std::time::Instant;

use super::report::Scenario;

/// The target: the suite gains checks and must stay fast (independent
/// checks run concurrently).
const MAX_SECONDS: f64 = 15.0;

/// `conformance_wall`: the whole certification suite against the in-process emulator.
pub async fn conformance_wall() -> anyhow::Result<Scenario> {
    use momento_http_conformance::cli::{Args, run};
    let out = std::env::temp_dir().join(format!(
        "momento-http-load-conf-{}.json",
        std::process::id()
    ));
    // Through the parser, so the suite runs with the defaults a user gets.
    let args = <Args as clap::Parser>::try_parse_from(
        ["momento-http-conformance", "--format", "json", "--out"]
            .map(std::ffi::OsStr::new)
            .into_iter()
            .chain([out.as_os_str()]),
    )?;
    let started = Instant::now();
    let _ = run(args).await;
    let secs = started.elapsed().as_secs_f64();
    let summary = std::fs::read_to_string(&out)
        .ok()
        .and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok())
        .map(|v| v["summary"].to_string())
        .unwrap_or_else(|| "no report".into());
    let _ = std::fs::remove_file(&out);
    Ok(Scenario::absolute(
        "conformance_wall",
        secs,
        "s",
        &format!("<= {MAX_SECONDS} s"),
        secs <= MAX_SECONDS,
        format!("summary {summary}"),
    ))
}
