//! `momento-http-load`: benchmark, fault soak and malformed-input storm for
//! momento-http. Run through `cargo xtask bench|soak|storm`; see the
//! library's [`cli`](momento_http_load::cli) for the commands.

use std::process::ExitCode;

use clap::Parser as _;
use momento_http_load::cli::Cli;

/// The in-process emulator runs on the allocator the emulator binary ships
/// with, so the figures describe the emulator users start.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match rt.block_on(cli.command.run()) {
        Ok(outcome) => {
            print!("{}", outcome.text);
            if outcome.passed {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
