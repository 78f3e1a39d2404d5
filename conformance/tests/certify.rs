//! The whole certification suite against the in-process emulator, one
//! libtest-mimic trial per check, so `cargo test` filtering works:
//! `cargo test -p momento-http-conformance --test certify -- publish.`
//!
//! The checks selected by the filter run once, concurrently, as the binary
//! runs them (the run-wide history checks judge what the others did); each
//! trial then reports its check's result.

use libtest_mimic::{Arguments, Failed, Trial};
use momento_http_conformance::checks;
use momento_http_conformance::cli::IN_PROCESS_LONG_POLL;
use momento_http_conformance::registry::{Check, RunOptions, run_all};
use momento_http_conformance::report::{CheckResult, Outcome};
use momento_http_conformance::target::Target;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

fn selected(args: &Arguments, check: &Check) -> bool {
    let name = check.id;
    let by_filter = match &args.filter {
        None => true,
        Some(f) if args.exact => name == f,
        Some(f) => name.contains(f.as_str()),
    };
    by_filter && !args.skip.iter().any(|s| name.contains(s.as_str()))
}

/// Every selected check's result, from the one run.
static RESULTS: OnceLock<HashMap<String, CheckResult>> = OnceLock::new();

fn main() -> std::process::ExitCode {
    let args = Arguments::from_args();
    let rt = Arc::new(
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("tokio runtime"),
    );
    let all = checks::all();
    let chosen: Vec<Check> = all.iter().copied().filter(|c| selected(&args, c)).collect();
    let chosen = Arc::new(chosen);
    let run = move || -> &'static HashMap<String, CheckResult> {
        RESULTS.get_or_init(|| {
            rt.block_on(async {
                let target = Arc::new(
                    Target::in_process(IN_PROCESS_LONG_POLL)
                        .await
                        .expect("the in-process emulator starts"),
                );
                run_all(target, &chosen, &RunOptions::default(), |_| {})
                    .await
                    .checks
                    .into_iter()
                    .map(|r| (r.id.clone(), r))
                    .collect()
            })
        })
    };
    let run = Arc::new(run);
    let trials =
        all.into_iter()
            .map(|check| {
                let run = run.clone();
                let name = check.id;
                Trial::test(name, move || {
                    let Some(result) = run().get(name) else {
                        return Err(Failed::from("the check did not run"));
                    };
                    match result.outcome {
                        Outcome::Pass => Ok(()),
                        Outcome::Skip | Outcome::Differs | Outcome::Fail => Err(Failed::from(
                            format!("{:?}: {}", result.outcome, result.detail),
                        )),
                    }
                })
                .with_kind(format!("{}", check.evidence))
            })
            .collect();
    libtest_mimic::run(&args, trials).exit_code()
}
