//! `topic publish` and `topic subscribe`.

use std::io::{IsTerminal as _, Read as _, Write as _};
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Subcommand};
use futures::StreamExt as _;
use momento_http::{Cursor, PublishValue, RetryPolicy};

use crate::connect::Connection;
use crate::exit::{CliError, Exit, output_failed};
use crate::output::{Format, Kind, Rendered};

/// `topic ...`
#[derive(Subcommand, Debug)]
pub enum TopicCommand {
    /// Publish one message to a topic.
    #[command(after_help = PUBLISH_EXAMPLES)]
    Publish(Publish),
    /// Print a topic's messages as they arrive, with every gap announced.
    #[command(long_about = SUBSCRIBE_ABOUT, after_help = SUBSCRIBE_EXAMPLES)]
    Subscribe(Subscribe),
}

const PUBLISH_EXAMPLES: &str = "\
Examples:
  momento-http topic publish my-cache my-topic 'hello world'
  date | momento-http topic publish my-cache my-topic          # text from stdin
  momento-http topic publish my-cache my-topic --binary --file image.png

Text must be UTF-8; from stdin, one trailing newline is dropped. With --binary the
bytes are sent exactly (application/octet-stream) and subscribers see base64.
A publish is never retried: on a timeout or a 5xx it may have been delivered.";

const SUBSCRIBE_ABOUT: &str = "\
Print a topic's messages as they arrive, with every gap announced.

Each message is a line `#N value` (N is its sequence number). A gap, where
messages were lost (the subscriber fell behind, the topic was reset or expired),
is a line starting with `!! gap:` that names what was lost: gaps are never
silent. When the connection fails (refused, reset, timed out, 429, 5xx) it says
so on stderr (`connection lost: ...`), keeps trying with a growing wait, and says
`connection restored after ...` when it is back; what was published meanwhile
then follows, or a gap says what the server no longer held.

When it stops (Ctrl-C, --count, --timeout or an error) it prints on
stderr where to resume, as `--from N --page P`: run again with those to get
every message published meanwhile that the server still holds.";

const SUBSCRIBE_EXAMPLES: &str = "\
Examples:
  momento-http topic subscribe my-cache my-topic
  momento-http topic subscribe my-cache my-topic --count 1 --timeout 30s
  momento-http topic subscribe my-cache my-topic --from 43 --page 7 --format jsonl | jq .

Exit status: 0 when stopped by Ctrl-C, --count or --timeout; 1 when --timeout
ended it before --count messages arrived; 3 on an error the server will keep
giving (a bad key, an unknown cache) or after --retries failed polls in a row.";

/// `topic publish`
#[derive(Args, Debug)]
pub struct Publish {
    /// The cache (it must already exist).
    pub cache: String,
    /// The topic (created by the first publish).
    pub topic: String,
    /// The message. Without it (and without --file) the message is read from stdin.
    #[arg(conflicts_with = "file")]
    pub value: Option<String>,
    /// Read the message from FILE.
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Send bytes (application/octet-stream) instead of UTF-8 text.
    #[arg(long)]
    pub binary: bool,
    #[command(flatten)]
    pub connection: Connection,
}

/// `topic subscribe`
#[derive(Args, Debug)]
pub struct Subscribe {
    /// The cache.
    pub cache: String,
    /// The topic.
    pub topic: String,
    /// Resume: the sequence number to start from (the --from printed when a subscription stopped).
    ///
    /// Messages from N on that the server still holds arrive first; if N is no
    /// longer held, a gap says what was lost. Without it: from now on.
    #[arg(long, value_name = "N")]
    pub from: Option<u64>,
    /// The topic instance N belongs to (printed with --from). A stale page gives a gap, never a silent skip.
    #[arg(long, value_name = "P", requires = "from")]
    pub page: Option<u64>,
    /// Stop after N messages (gaps are printed but not counted).
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,
    /// Stop after this long (e.g. 30s, 5m, 1h 30m).
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub timeout: Option<Duration>,
    /// Output: readable lines, or one JSON object per event.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Give up after N failed polls in a row (429, 5xx, connection errors). Without it: retry for ever.
    ///
    /// Each failure is reported (`connection lost: ...` on stderr, or a
    /// connection_lost object with --format jsonl) and the first success after
    /// it too (`connection restored after ...`); the wait between tries grows
    /// to at most 30 s. Nothing published meanwhile is skipped silently.
    #[arg(long, value_name = "N")]
    pub retries: Option<u32>,
    #[command(flatten)]
    pub connection: Connection,
}

/// Runs a `topic` command.
pub async fn run(command: TopicCommand) -> Result<(), CliError> {
    match command {
        TopicCommand::Publish(publish) => run_publish(publish).await,
        TopicCommand::Subscribe(subscribe) => run_subscribe(subscribe).await,
    }
}

async fn run_publish(args: Publish) -> Result<(), CliError> {
    let client = args.connection.client()?;
    let bytes = match (&args.value, &args.file) {
        (Some(value), _) => value.clone().into_bytes(),
        (None, Some(path)) => std::fs::read(path)
            .map_err(|e| CliError::usage(format!("cannot read {}: {e}", path.display())))?,
        (None, None) => read_stdin(args.binary)?,
    };
    let value = if args.binary {
        PublishValue::from(bytes)
    } else {
        PublishValue::Text(String::from_utf8(bytes).map_err(|e| {
            CliError::usage(format!(
                "the message is not UTF-8 text ({e}); to send bytes, add --binary"
            ))
        })?)
    };
    let (len, kind) = (value.len(), if args.binary { "binary" } else { "text" });
    client.publish(&args.cache, &args.topic, value).await?;
    eprintln!(
        "published {len} bytes ({kind}) to {}/{}",
        args.cache, args.topic
    );
    Ok(())
}

/// The message from stdin; for text, without one trailing newline (as `$(...)` drops it).
pub(crate) fn read_stdin(binary: bool) -> Result<Vec<u8>, CliError> {
    let mut stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprintln!("reading from stdin; end it with Ctrl-D");
    }
    let mut bytes = Vec::new();
    stdin
        .read_to_end(&mut bytes)
        .map_err(|e| CliError::usage(format!("cannot read stdin: {e}")))?;
    if !binary {
        if bytes.ends_with(b"\r\n") {
            bytes.truncate(bytes.len() - 2);
        } else if bytes.ends_with(b"\n") {
            bytes.pop();
        }
    }
    Ok(bytes)
}

/// Why a subscription stopped.
enum Stop {
    Interrupted,
    Count,
    TimedOut,
    Failed(CliError),
}

async fn run_subscribe(args: Subscribe) -> Result<(), CliError> {
    let client = args
        .connection
        .builder()?
        .retry_policy(RetryPolicy::default().max_retries(args.retries))
        .build()?;
    let start = Cursor {
        sequence_number: args.from.unwrap_or(0),
        sequence_page: args.page.unwrap_or(0),
    };
    // Listen for Ctrl-C before the first poll, so an early one is caught too.
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let deadline = async {
        match args.timeout {
            Some(timeout) => tokio::time::sleep(timeout).await,
            None => std::future::pending().await,
        }
    };
    tokio::pin!(deadline);

    let mut subscription = client.subscribe_from(&args.cache, &args.topic, start);
    let mut stdout = std::io::stdout().lock();
    let (mut items, mut gaps, mut lost, mut lost_unknown) = (0u64, 0u64, 0u64, false);
    // The cursor after the last event actually written: an event the stream
    // yielded but stdout refused (a closed pipe) must come again on resume.
    let mut delivered = start;
    let stop = loop {
        if args.count.is_some_and(|count| items >= count) {
            break Stop::Count;
        }
        // Where this subscriber stands before the event: what a gap is judged against.
        let before = subscription.cursor();
        tokio::select! {
            _ = &mut ctrl_c => break Stop::Interrupted,
            _ = &mut deadline => break Stop::TimedOut,
            event = subscription.next() => match event {
                Some(Ok(event)) => {
                    // A kind of event this build does not know: skipped, as
                    // the client promises nothing is lost by ignoring one.
                    let Some(rendered) = Rendered::of(&event, before) else { continue };
                    if let Err(err) = rendered.write(args.format, &mut stdout, &mut std::io::stderr()) {
                        break Stop::Failed(output_failed(err));
                    }
                    delivered = subscription.cursor();
                    match rendered.kind {
                        Kind::Item => items += 1,
                        Kind::Gap { lost: Some(n) } => { gaps += 1; lost += n }
                        Kind::Gap { lost: None } => { gaps += 1; lost_unknown = true }
                        Kind::Lifecycle => {}
                    }
                }
                Some(Err(err)) => break Stop::Failed(err.into()),
                None => break Stop::Failed(CliError {
                    exit: Exit::Failure,
                    message: "the subscription ended without saying why; run again with -v to see its requests".into(),
                }),
            },
        }
    };
    drop(stdout);

    let mut summary = format!("received {items} message{}", plural(items));
    if gaps > 0 {
        let lost = if lost_unknown && lost == 0 {
            "how many messages were lost is unknown".to_owned()
        } else if lost_unknown {
            format!("{lost} message{} known lost, maybe more", plural(lost))
        } else {
            format!("{lost} message{} lost", plural(lost))
        };
        summary.push_str(&format!(", {gaps} gap{} ({lost})", plural(gaps)));
    }
    let cursor = delivered;
    let resume = if cursor.sequence_number == 0 {
        "nothing to resume from yet (a new subscription starts from now)".to_owned()
    } else {
        format!(
            "resume with: --from {} --page {}",
            cursor.sequence_number, cursor.sequence_page
        )
    };
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{summary}; {resume}");
    match stop {
        Stop::Interrupted | Stop::Count => Ok(()),
        Stop::TimedOut => match args.count {
            Some(count) if items < count => Err(CliError::negative(format!(
                "timed out after {items} of {count} messages"
            ))),
            _ => Ok(()),
        },
        Stop::Failed(err) => Err(err),
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}
