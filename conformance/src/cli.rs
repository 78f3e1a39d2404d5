//! `momento-http-conformance [--endpoint URL --api-key KEY --cache NAME
//! [--key NAME=KEY ...]] [--only PATTERN] [--format table|json|junit]
//! [--out FILE]`

use crate::registry::{RunOptions, run_all};
use crate::report::{Outcome, ReportFormat};
use crate::target::{DOCUMENTED_LONG_POLLS, DOCUMENTED_RPS, KeyArg, KeyRole, Pacing, Target};
use clap::Parser;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// Certify a Momento Topics HTTP endpoint (the in-process emulator by default).
#[derive(Debug, Parser)]
#[command(name = "momento-http-conformance", version)]
pub struct Args {
    /// Base URL of the endpoint to certify; without it the suite starts the emulator in-process.
    #[arg(long, requires_all = ["api_key", "cache"])]
    pub endpoint: Option<String>,
    /// The token for --endpoint (never printed; repros show $MOMENTO_API_KEY).
    #[arg(long, env = "MOMENTO_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// An existing cache on --endpoint.
    #[arg(long)]
    pub cache: Option<String>,
    /// A further key for --endpoint, so the 401/403 checks run there:
    /// publish-only=KEY, subscribe-only=KEY, other-cache=KEY (valid for
    /// another cache only), expired=KEY. Repeatable; never printed.
    #[arg(long = "key", value_name = "NAME=KEY", value_parser = KeyRole::parse_arg)]
    pub keys: Vec<KeyArg>,
    /// Run only checks whose id matches (substring, or a glob with `*`).
    #[arg(long)]
    pub only: Option<String>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
    /// Write the report here instead of stdout.
    #[arg(long)]
    pub out: Option<std::path::PathBuf>,
    /// Requests per second against --endpoint, at most. The default stays
    /// under Momento's documented 10 operations per second; a 429 is waited
    /// out as its Retry-After says and the request sent again.
    #[arg(long, default_value_t = DOCUMENTED_RPS)]
    pub rps: f64,
    /// Long polls in progress at once against --endpoint, at most. The
    /// default stays under Momento's documented 100 concurrent subscriptions.
    #[arg(long, default_value_t = DOCUMENTED_LONG_POLLS)]
    pub long_polls: usize,
    /// Budget for the whole run, in seconds.
    #[arg(long, default_value_t = 600)]
    pub total_budget_secs: u64,
    /// How many checks run at once (each uses its own topics).
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
    /// List the checks (id, evidence, spec, admin) and exit.
    #[arg(long)]
    pub list: bool,
}

/// Long-poll wait of the in-process emulator: short, so the suite takes
/// seconds, and well above the head start a poll gets before a check
/// publishes, so a slow machine does not turn a late poll into a failure.
pub const IN_PROCESS_LONG_POLL: Duration = Duration::from_secs(1);

/// Parse the command line and run.
pub fn main() -> ExitCode {
    let args = Args::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    rt.block_on(run(args))
}

/// Run with parsed arguments; 0 when nothing failed, 1 on failures, 2 on usage errors.
pub async fn run(args: Args) -> ExitCode {
    let checks = crate::checks::all();
    if args.list {
        for c in &checks {
            println!(
                "{:<48} {} {:<6} {}",
                c.id,
                c.evidence,
                c.spec,
                if c.needs_admin { "admin" } else { "" }
            );
        }
        return ExitCode::SUCCESS;
    }
    let target = match (&args.endpoint, &args.api_key, &args.cache) {
        (Some(url), Some(key), Some(cache)) => {
            let pacing = Pacing {
                rps: Some(args.rps),
                long_polls: Some(args.long_polls),
            };
            let mut t = Target::endpoint(url, key, cache, pacing).await;
            for k in &args.keys {
                t = t.with_key(k.role, k.key.clone());
            }
            t
        }
        (Some(_), _, _) => {
            eprintln!("error: --endpoint needs --api-key (or MOMENTO_API_KEY) and --cache");
            return ExitCode::from(2);
        }
        _ => match Target::in_process(IN_PROCESS_LONG_POLL).await {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: cannot start the in-process emulator: {e:#}");
                return ExitCode::from(2);
            }
        },
    };
    let target = Arc::new(target);
    let options = RunOptions {
        only: args.only.clone(),
        total_budget: Duration::from_secs(args.total_budget_secs),
        concurrency: args.concurrency,
    };
    let interactive = std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
    let report = run_all(target, &checks, &options, |r| {
        if interactive {
            let mark = match r.outcome {
                Outcome::Pass => "ok",
                Outcome::Fail => "FAIL",
                Outcome::Skip => "skip",
                Outcome::Differs => "differs",
            };
            eprintln!("{:<7} {} ({} ms)", mark, r.id, r.duration_ms);
        }
    })
    .await;
    if report.checks.is_empty() {
        eprintln!(
            "error: no check matches --only {:?} (try --list)",
            args.only.unwrap_or_default()
        );
        return ExitCode::from(2);
    }
    let rendered = report.render(args.format);
    let written = match &args.out {
        Some(path) => std::fs::write(path, &rendered)
            .map_err(|e| format!("cannot write {}: {e}", path.display())),
        None => std::io::stdout()
            .write_all(rendered.as_bytes())
            .map_err(|e| e.to_string()),
    };
    if let Err(e) = written {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    if args.out.is_some() || args.format != ReportFormat::Table {
        // The closing line goes to the terminal whatever the format.
        eprintln!("{}", report.closing_line());
    }
    if report.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
