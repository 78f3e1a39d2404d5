//! `completions SHELL`: tab completion scripts, generated from the same
//! definitions as the parser, so they never drift.

use clap::{Args, CommandFactory as _};
use clap_complete::Shell;

use crate::exit::{CliError, output_failed};

/// `completions`
#[derive(Args, Debug)]
pub struct Completions {
    /// The shell to write a completion script for.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Writes the script for `args.shell` to stdout.
pub fn run(args: Completions) -> Result<(), CliError> {
    let mut command = crate::Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "momento-http", &mut script);
    use std::io::Write as _;
    std::io::stdout()
        .lock()
        .write_all(&script)
        .map_err(output_failed)
}
