//! The whole certification suite against the in-process emulator, one
//! libtest-mimic trial per check, so `cargo test` filtering works:
//! `cargo test -p momento-http-conformance --test certify -- publish.`

use libtest_mimic::{Arguments, Failed, Trial};
use momento_http_conformance::checks;
use momento_http_conformance::cli::IN_PROCESS_LONG_POLL;
use momento_http_conformance::registry::run_one;
use momento_http_conformance::report::Outcome;
use momento_http_conformance::target::Target;
use std::sync::Arc;

fn main() -> std::process::ExitCode {
    let args = Arguments::from_args();
    let rt = Arc::new(
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("tokio runtime"),
    );
    let target = Arc::new(
        rt.block_on(Target::in_process(IN_PROCESS_LONG_POLL))
            .expect("the in-process emulator starts"),
    );
    let trials = checks::all()
        .into_iter()
        .map(|check| {
            let rt = rt.clone();
            let target = target.clone();
            let name = check.id;
            Trial::test(name, move || {
                let result = rt.block_on(run_one(target, &check));
                match result.outcome {
                    Outcome::Pass => Ok(()),
                    Outcome::Skip | Outcome::Differs | Outcome::Fail => Err(Failed::from(format!(
                        "{:?}: {}",
                        result.outcome, result.detail
                    ))),
                }
            })
            .with_kind(format!("{}", check.evidence))
        })
        .collect();
    let conclusion = libtest_mimic::run(&args, trials);
    drop(target);
    conclusion.exit_code()
}
