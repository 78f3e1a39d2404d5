//! `momento-http`: Momento Topics from a terminal, over the HTTP API.
//!
//! # Layout
//!
//! - `main.rs`: the command tree, logging, and turning results into exit statuses.
//! - `connect.rs`: the API key and endpoint (`MOMENTO_API_KEY`,
//!   `MOMENTO_ENDPOINT`, `--api-key-file`, `--endpoint`, `--region`, `--auth`).
//! - `topic.rs`: `topic publish`, `topic subscribe`.
//! - `cache.rs`: `cache get`, `cache set`, `cache delete`.
//! - `output.rs`: how subscription events are printed (text or JSON lines);
//!   the one match on the client's `TopicEvent`.
//! - `webhook.rs`: `webhook verify`, `webhook sign`.
//! - `key.rs`: `key inspect`.
//! - `completions.rs`: shell completion scripts.
//! - `exit.rs`: the exit statuses (0 ok, 1 negative, 2 usage, 3 server or network).

mod cache;
mod completions;
mod connect;
mod exit;
mod key;
mod output;
mod topic;
mod webhook;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::exit::{CliError, Exit};

const ABOUT: &str = "Momento Topics and cache from a terminal, over the HTTP API: publish, subscribe \
(with resume and every gap announced), get and set cache items byte for byte, verify webhook \
signatures, inspect API keys.";

const AFTER_HELP: &str = "\
Credentials:
  The API key comes from $MOMENTO_API_KEY or --api-key-file FILE; the endpoint from
  the key itself, $MOMENTO_ENDPOINT, --endpoint or --region. Against the local
  emulator:
    cargo run -p momento-http-emulator -- --cache my-cache --write-api-key key.txt
    export MOMENTO_API_KEY=$(cat key.txt)

Output:
  Data (messages, events, cache values, signatures) goes to stdout; messages to stderr.

Exit status:
  0  done
  1  a negative answer: a cache miss, invalid signature, expired key, --timeout
     before --count
  2  usage: bad arguments, no or malformed API key, unreadable input
  3  the server refused the request, or could not be reached

Run `momento-http <COMMAND> --help` for each command's options and examples.";

/// The command line.
#[derive(Parser, Debug)]
#[command(
    name = "momento-http",
    version,
    about = ABOUT,
    after_help = AFTER_HELP,
    propagate_version = true
)]
pub struct Cli {
    /// Log to stderr what the client does: -v retries and errors, -vv every request.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Publish messages and subscribe to topics.
    #[command(subcommand)]
    Topic(topic::TopicCommand),
    /// Get, set and delete cache items.
    #[command(subcommand, after_help = cache::GROUP_EXAMPLES)]
    Cache(cache::CacheCommand),
    /// Verify or sign webhook deliveries.
    #[command(subcommand)]
    Webhook(webhook::WebhookCommand),
    /// Look inside an API key.
    #[command(subcommand)]
    Key(key::KeyCommand),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    #[command(
        after_help = "Example:\n  momento-http completions bash > ~/.local/share/bash-completion/completions/momento-http"
    )]
    Completions(completions::Completions),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    let result = match cli.command {
        Command::Topic(command) => run_async(topic::run(command)),
        Command::Cache(command) => run_async(cache::run(command)),
        Command::Webhook(command) => webhook::run(command),
        Command::Key(command) => key::run(command),
        Command::Completions(args) => completions::run(args),
    };
    match result {
        Ok(()) => Exit::Ok.into(),
        Err(err) => {
            if !err.message.is_empty() {
                eprintln!("error: {}", err.message);
            }
            err.exit.into()
        }
    }
}

/// Runs a command that talks to the network on a single-threaded runtime.
fn run_async(command: impl Future<Output = Result<(), CliError>>) -> Result<(), CliError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError {
            exit: Exit::Failure,
            message: format!("cannot start the async runtime: {e}"),
        })?
        .block_on(command)
}

/// `-v` turns on the client's logs (to stderr); `RUST_LOG` wins when set.
fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => return,
        1 => "momento_http=info",
        _ => "momento_http=debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
