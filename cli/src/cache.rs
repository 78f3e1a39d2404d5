//! `cache get`, `cache set` and `cache delete`: one item at a time, over the
//! client's [`CacheClient`](momento_http::CacheClient) (docs/api.md §7).
//!
//! Values are bytes: `get` writes them to stdout exactly as stored, `set`
//! reads them like `topic publish` does. A key is text by default; with
//! `--key-base64` the argument is the base64 of a binary key. Either way
//! the client picks how the key travels (`key` or `key_base64`).

use std::io::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use clap::{Args, Subcommand};
use momento_http::{CACHE_MAX_TTL, CacheClient, CacheKey, RetryPolicy, decode_key_base64};

use crate::connect::Connection;
use crate::exit::{CliError, output_failed};
use crate::topic::read_stdin;

/// `cache ...`
#[derive(Subcommand, Debug)]
pub enum CacheCommand {
    /// Print the value stored under a key, byte for byte (exit 1 on a miss).
    #[command(long_about = GET_ABOUT, after_help = GET_EXAMPLES)]
    Get(Get),
    /// Store a value under a key for a while (--ttl).
    #[command(after_help = SET_EXAMPLES)]
    Set(Set),
    /// Remove a key (succeeds whether or not it was there).
    #[command(after_help = DELETE_EXAMPLES)]
    Delete(Delete),
}

/// `cache --help`: the three commands in one breath.
pub const GROUP_EXAMPLES: &str = "\
Examples:
  momento-http cache set my-cache greeting 'hello' --ttl 60
  momento-http cache get my-cache greeting          # prints hello, no newline added
  momento-http cache delete my-cache greeting

Keys are text, or any bytes with --key-base64. Values are bytes: `get` prints them
exactly as stored. Exit status: 0 done (for get, a hit); 1 a miss; 2 usage; 3 a
server or network error (a cache that does not exist is one, not a miss).";

const GET_ABOUT: &str = "\
Print the value stored under a key, byte for byte.

The value goes to stdout exactly as stored: no newline is added and binary
values are not encoded, so `> file` or `| xxd` gets the real bytes. A miss (the
key was never set, has expired, was deleted or evicted) prints nothing on
stdout, says so on stderr and exits 1; a cache that does not exist is an error
(exit 3), never a miss.";

const GET_EXAMPLES: &str = "\
Examples:
  momento-http cache get my-cache greeting
  momento-http cache get my-cache avatar > avatar.png
  momento-http cache get my-cache --key-base64 AAH_ | xxd
  if momento-http cache get my-cache lock >/dev/null 2>&1; then echo held; fi

Exit status: 0 a hit; 1 a miss; 2 usage; 3 a server or network error.";

const SET_EXAMPLES: &str = "\
Examples:
  momento-http cache set my-cache greeting 'hello world' --ttl 60
  date | momento-http cache set my-cache now --ttl 5m             # text from stdin
  momento-http cache set my-cache avatar --binary --file avatar.png --ttl 24h
  head -c 16 /dev/urandom | momento-http cache set my-cache --key-base64 AAH_ --binary --ttl 1h

The TTL is how long the item lives: a number of seconds or a duration (90s, 15m,
1h 30m), more than zero and at most 24h; it is sent in whole seconds, rounded up.
Setting a key that exists replaces its value and restarts its TTL.
Text must be UTF-8; from stdin, one trailing newline is dropped. With --binary the
bytes are stored exactly. A set is retried only when the server surely stored
nothing; after a timeout or a 5xx it may have been stored: check with `cache get`.";

const DELETE_EXAMPLES: &str = "\
Examples:
  momento-http cache delete my-cache greeting
  momento-http cache delete my-cache --key-base64 AAH_

Deleting a key that is not there succeeds (exit 0): afterwards it is not there.";

/// The cache and the key every command names.
#[derive(Args, Debug)]
pub struct Target {
    /// The cache (it must already exist).
    pub cache: String,
    /// The key: text, or with --key-base64 the base64 of the key's bytes.
    pub key: String,
}

/// The options every command shares. Flattened last, after each command's
/// own options: the connection options carry their own help heading.
#[derive(Args, Debug)]
pub struct Common {
    /// KEY is base64 (URL-safe or standard alphabet, padding optional), for a key that is not text.
    #[arg(long)]
    pub key_base64: bool,
    /// Failed attempts (429, 5xx, connection errors) retried before giving up.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub retries: u32,
    #[command(flatten)]
    pub connection: Connection,
}

/// `cache get`
#[derive(Args, Debug)]
pub struct Get {
    #[command(flatten)]
    pub target: Target,
    #[command(flatten)]
    pub common: Common,
}

/// `cache set`
#[derive(Args, Debug)]
pub struct Set {
    #[command(flatten)]
    pub target: Target,
    /// The value. Without it (and without --file) the value is read from stdin.
    #[arg(conflicts_with = "file")]
    pub value: Option<String>,
    /// How long the item lives: seconds (60) or a duration (90s, 15m, 24h); at most 24h.
    #[arg(long, value_name = "DURATION", value_parser = parse_ttl)]
    pub ttl: Duration,
    /// Read the value from FILE.
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Store the bytes exactly, instead of UTF-8 text (stdin keeps its last newline).
    #[arg(long)]
    pub binary: bool,
    #[command(flatten)]
    pub common: Common,
}

/// `cache delete`
#[derive(Args, Debug)]
pub struct Delete {
    #[command(flatten)]
    pub target: Target,
    #[command(flatten)]
    pub common: Common,
}

/// Runs a `cache` command.
pub async fn run(command: CacheCommand) -> Result<(), CliError> {
    match command {
        CacheCommand::Get(get) => run_get(get).await,
        CacheCommand::Set(set) => run_set(set).await,
        CacheCommand::Delete(delete) => run_delete(delete).await,
    }
}

async fn run_get(args: Get) -> Result<(), CliError> {
    let (client, key) = args.target.open(&args.common)?;
    let target = &args.target;
    match client.get(&target.cache, key).await? {
        Some(value) => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(&value)
                .and_then(|()| stdout.flush())
                .map_err(output_failed)
        }
        None => Err(CliError::negative(format!(
            "miss: {} has no item under {} (never set, expired, deleted or evicted)",
            target.cache,
            target.describe_key(&args.common)
        ))),
    }
}

async fn run_set(args: Set) -> Result<(), CliError> {
    let (client, key) = args.target.open(&args.common)?;
    let bytes = match (&args.value, &args.file) {
        (Some(value), _) => value.clone().into_bytes(),
        (None, Some(path)) => std::fs::read(path)
            .map_err(|e| CliError::usage(format!("cannot read {}: {e}", path.display())))?,
        (None, None) => read_stdin(args.binary)?,
    };
    if !args.binary
        && let Err(e) = std::str::from_utf8(&bytes)
    {
        return Err(CliError::usage(format!(
            "the value is not UTF-8 text ({e}); to store bytes, add --binary"
        )));
    }
    let len = bytes.len();
    let target = &args.target;
    client.set(&target.cache, key, bytes, args.ttl).await?;
    // The TTL as it travelled: whole seconds, rounded up (docs/api.md §7).
    let sent = Duration::from_secs(args.ttl.as_secs() + u64::from(args.ttl.subsec_nanos() > 0));
    eprintln!(
        "stored {len} bytes under {} in {} for {}",
        target.describe_key(&args.common),
        target.cache,
        humantime::format_duration(sent)
    );
    Ok(())
}

async fn run_delete(args: Delete) -> Result<(), CliError> {
    let (client, key) = args.target.open(&args.common)?;
    let target = &args.target;
    client.delete(&target.cache, key).await?;
    eprintln!(
        "deleted {} from {} (if it was there)",
        target.describe_key(&args.common),
        target.cache
    );
    Ok(())
}

impl Target {
    /// The client (with `--retries`) and the key, or a usage error.
    fn open(&self, common: &Common) -> Result<(CacheClient, CacheKey), CliError> {
        let key = self.key(common)?;
        let client = common
            .connection
            .builder()?
            .retry_policy(RetryPolicy::default().max_retries(Some(common.retries)))
            .build()?;
        Ok((client.cache(), key))
    }

    /// KEY as the item's name: its text, or the bytes its base64 names.
    fn key(&self, common: &Common) -> Result<CacheKey, CliError> {
        if !common.key_base64 {
            return Ok(CacheKey::from(self.key.as_str()));
        }
        let text = self.key.trim();
        decode_key_base64(text)
            .or_else(|| STANDARD.decode(text).ok())
            .or_else(|| STANDARD_NO_PAD.decode(text).ok())
            .map(CacheKey::from)
            .ok_or_else(|| {
                CliError::usage(format!(
                    "--key-base64: {:?} is not base64; give the key's bytes in base64 (e.g. `printf 'k' | base64`), or drop --key-base64 for a text key",
                    self.key
                ))
            })
    }

    /// The key as the user gave it, for messages.
    fn describe_key(&self, common: &Common) -> String {
        if common.key_base64 {
            format!("key (base64) {}", self.key.trim())
        } else {
            format!("key {:?}", self.key)
        }
    }
}

/// `--ttl`: whole seconds (`60`) or a humantime duration (`90s`, `1h 30m`),
/// within what the server accepts (docs/api.md §7): more than zero, at most
/// 24 hours. Refused here, as a usage error, rather than by the server.
fn parse_ttl(text: &str) -> Result<Duration, String> {
    let ttl = match text.trim().parse::<u64>() {
        Ok(seconds) => Duration::from_secs(seconds),
        Err(_) => humantime::parse_duration(text).map_err(|e| {
            format!("{e}; write the TTL as seconds (60) or a duration (90s, 15m, 1h 30m, 24h)")
        })?,
    };
    if ttl.is_zero() {
        return Err("a TTL of zero would expire the item at once; give at least 1s".into());
    }
    if ttl > CACHE_MAX_TTL {
        return Err(format!(
            "{text:?} is over the longest TTL the server accepts, 24h ({} s); store it for at most 24h and set it again to keep it longer",
            CACHE_MAX_TTL.as_secs()
        ));
    }
    Ok(ttl)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttls_are_seconds_or_durations_within_one_second_and_a_day() {
        assert_eq!(parse_ttl("60"), Ok(Duration::from_secs(60)));
        assert_eq!(parse_ttl("1h 30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_ttl("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_ttl("24h"), Ok(CACHE_MAX_TTL));
        assert!(parse_ttl("0").unwrap_err().contains("zero"));
        assert!(parse_ttl("0s").unwrap_err().contains("zero"));
        assert!(parse_ttl("86401").unwrap_err().contains("24h"));
        assert!(parse_ttl("soon").unwrap_err().contains("seconds (60)"));
        assert!(parse_ttl("").is_err());
    }
}
