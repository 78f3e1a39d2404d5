//! `momento-http-emulator`: run the emulator, or mint a token offline.

use clap::{Parser, Subcommand, ValueEnum};
use momento_http_emulator::{Emulator, Limits, Profile, Role, TokenSpec};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// hyper reserves 16 KiB of buffers per connection that an idle long poll
/// barely writes to. glibc's allocator writes a header beside each block and
/// so makes part of those pages resident; jemalloc keeps its metadata apart
/// and they stay untouched: an idle poll costs about 12 KiB instead of 16
/// (`cargo xtask bench --only idle`). Not on MSVC, which jemalloc does not support.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// A local Momento Topics server over HTTP (auth, long polls, webhooks, fault injection).
#[derive(Parser, Debug)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: Serve,
}

#[derive(clap::Args, Debug)]
struct Serve {
    /// Address to listen on (port 0 picks a free port).
    #[arg(
        long,
        default_value = "127.0.0.1:8080",
        env = "MOMENTO_EMULATOR_LISTEN"
    )]
    listen: SocketAddr,
    /// Serve the admin API (/_emulator/) on this address of its own instead of
    /// --listen, so it stays reachable while a staged outage refuses connections.
    #[arg(long, value_name = "ADDR")]
    admin_listen: Option<SocketAddr>,
    /// Create this cache at start (repeatable).
    #[arg(long = "cache", value_name = "NAME")]
    caches: Vec<String>,
    /// Write a full-access API key (v1 format) to this file at start.
    #[arg(long, value_name = "FILE")]
    write_api_key: Option<PathBuf>,
    /// Token-signing secret: read from FILE, or created there when missing, so
    /// `token` can mint keys offline that this server accepts. Random per run when absent.
    #[arg(long, value_name = "FILE")]
    secret_file: Option<PathBuf>,
    /// Enforce Momento's documented limits (10 ops/s, 100 subscriptions, 3 caches).
    #[arg(long)]
    documented_limits: bool,
    /// Take another behaviour the docs allow (repeatable): see `--help`.
    #[arg(
        long = "profile",
        value_enum,
        value_name = "NAME",
        hide_possible_values = true,
        long_help = momento_http_emulator::profile_help()
    )]
    profiles: Vec<Profile>,
    /// Log format.
    #[arg(long, value_enum, default_value = "human")]
    log_format: LogFormat,
    /// How long a subscribe waits before answering an empty batch (e.g. 30s, 500ms).
    #[arg(long, default_value = "30s", value_parser = humantime::parse_duration)]
    long_poll_wait: Duration,
    /// Messages buffered per topic; older ones are evicted (subscribers behind get a discontinuity).
    #[arg(long, default_value_t = 1000)]
    topic_buffer: usize,
    /// Memory for cache items (keys and values, all caches), in MiB; past it the least recently used are evicted.
    #[arg(long, default_value_t = 64)]
    cache_memory_mib: usize,
    /// Topics idle this long expire and come back with a new page (e.g. 1h; 0s = never).
    #[arg(long, default_value = "1h", value_parser = humantime::parse_duration)]
    topic_idle_expiry: Duration,
    /// Close a connection that sends no complete request head for this long
    /// (idle keep-alives, silent or slow clients); long polls are not idle.
    #[arg(long, default_value = "30s", value_parser = humantime::parse_duration)]
    idle_timeout: Duration,
    /// Most connections served at once; beyond it a new one gets a JSON 503
    /// and is closed. Default: the open-file limit less 160 (at most 10,000).
    #[arg(long, value_name = "N")]
    max_connections: Option<usize>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Mint an API key offline from --secret-file (the running emulator must use the same file).
    Token {
        /// Secret file shared with the server.
        #[arg(long, value_name = "FILE")]
        secret_file: PathBuf,
        /// Base URL written into the key's `endpoint`.
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        endpoint: String,
        /// Cache the key may use (repeatable; none = all).
        #[arg(long = "cache")]
        caches: Vec<String>,
        /// Topic the key may use (repeatable; none = all).
        #[arg(long = "topic")]
        topics: Vec<String>,
        /// publish, subscribe or publish-subscribe.
        #[arg(long, default_value = "publish-subscribe")]
        role: Role,
        /// Lifetime (e.g. 60s, 1h).
        #[arg(long, default_value = "1h", value_parser = humantime::parse_duration)]
        ttl: Duration,
        /// Token id (shows up as the webhook body's token_id).
        #[arg(long)]
        token_id: Option<String>,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum LogFormat {
    Human,
    Json,
}

fn read_or_create_secret(path: &Path) -> anyhow::Result<String> {
    match std::fs::read_to_string(path) {
        Ok(s) if !s.trim().is_empty() => Ok(s.trim().to_string()),
        Ok(_) => anyhow::bail!("secret file {} is empty", path.display()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let secret = momento_http_emulator::random_secret();
            std::fs::write(path, &secret)?;
            Ok(secret)
        }
        Err(e) => Err(anyhow::anyhow!("cannot read {}: {e}", path.display())),
    }
}

/// Raise the soft open-file limit to the hard one, as Go programs do at
/// start: the default 1,024 would cap the connections served near 860.
fn raise_open_file_limit() {
    #[cfg(unix)]
    {
        use rustix::process::{Resource, getrlimit, setrlimit};
        let limit = getrlimit(Resource::Nofile);
        if limit.current < limit.maximum
            && let Err(e) = setrlimit(
                Resource::Nofile,
                rustix::process::Rlimit {
                    current: limit.maximum,
                    maximum: limit.maximum,
                },
            )
        {
            tracing::debug!(error = %e, "cannot raise the open-file limit");
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Some(Command::Token {
        secret_file,
        endpoint,
        caches,
        topics,
        role,
        ttl,
        token_id,
    }) = cli.command
    {
        let secret = std::fs::read_to_string(&secret_file)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", secret_file.display()))?;
        let spec = TokenSpec {
            caches: (!caches.is_empty()).then_some(caches),
            topics: (!topics.is_empty()).then_some(topics),
            role,
            ttl_seconds: i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX / 4),
            token_id,
        };
        println!(
            "{}",
            momento_http_emulator::mint_offline(secret.trim(), &endpoint, &spec)
        );
        return Ok(());
    }
    let s = cli.serve;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    match s.log_format {
        LogFormat::Human => tracing_subscriber::fmt().with_env_filter(filter).init(),
        LogFormat::Json => tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .init(),
    }
    raise_open_file_limit();
    let mut builder = Emulator::builder()
        .listen(s.listen)
        .idle_timeout(s.idle_timeout)
        .long_poll_wait(s.long_poll_wait)
        .topic_buffer(s.topic_buffer)
        .cache_memory(s.cache_memory_mib.saturating_mul(1024 * 1024))
        .limits(if s.documented_limits {
            Limits::documented()
        } else {
            Limits::default()
        });
    builder = if s.topic_idle_expiry.is_zero() {
        builder.no_topic_idle_expiry()
    } else {
        builder.topic_idle_expiry(s.topic_idle_expiry)
    };
    if let Some(addr) = s.admin_listen {
        builder = builder.admin_listen(addr);
    }
    if let Some(n) = s.max_connections {
        builder = builder.max_connections(n);
    }
    for c in s.caches {
        builder = builder.cache(c);
    }
    for p in s.profiles {
        builder = builder.profile(p);
    }
    if let Some(path) = &s.secret_file {
        builder = builder.secret(read_or_create_secret(path)?);
    }
    let emulator = builder.start().await?;
    if let Some(path) = &s.write_api_key {
        // Written whole or not at all: a script waiting for the file never
        // reads half a key.
        let partial = path.with_extension("partial");
        std::fs::write(&partial, emulator.api_key())?;
        std::fs::rename(&partial, path)?;
        tracing::info!(file = %path.display(), "wrote a full-access API key");
    }
    tracing::info!(
        url = %emulator.base_url(),
        admin = %emulator.admin_url(),
        "Momento Topics emulator ready; admin API under /_emulator/ (Ctrl-C to stop)"
    );
    tokio::signal::ctrl_c().await?;
    tracing::info!("shutting down: answering waiting long polls");
    emulator.shutdown().await;
    Ok(())
}
