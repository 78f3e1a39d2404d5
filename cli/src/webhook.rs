//! `webhook verify` and `webhook sign`: the receiver's check, and its mirror
//! for tests and demos.

use std::io::Read as _;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::{Args, Subcommand};
use momento_http::webhook::{Verifier, WebhookError, sign};

use crate::exit::{CliError, output_failed};

/// The environment variable `--secret` falls back to.
const SECRET_ENV: &str = "MOMENTO_WEBHOOK_SECRET";

/// `webhook ...`
#[derive(Subcommand, Debug)]
pub enum WebhookCommand {
    /// Check that a webhook delivery (its raw body on stdin) was signed with the secret.
    #[command(long_about = VERIFY_ABOUT, after_help = VERIFY_EXAMPLES)]
    Verify(Verify),
    /// Print the signature Momento would send for a body (read from stdin).
    #[command(after_help = SIGN_EXAMPLES)]
    Sign(Sign),
}

const VERIFY_ABOUT: &str = "\
Check that a webhook delivery was signed with the webhook's secret.

Momento signs each delivery: the momento-signature header is the hex of
HMAC-SHA3-256 over the raw body, keyed by the secret. Feed the body on stdin
exactly as received (not re-formatted JSON) and pass the header with
--signature. Then the body must be a webhook event whose publish_timestamp is
within --max-age of now (replays are refused).

Exit status: 0 when valid (the event is printed on stdout as JSON), 1 when not
(the reason on stderr), 2 on bad arguments.";

const VERIFY_EXAMPLES: &str = "\
Examples:
  momento-http webhook verify --secret \"$SECRET\" --signature \"$SIG\" < body.json
  # during a rotation, accept the old and the new secret:
  momento-http webhook verify --secret \"$NEW\" --secret \"$OLD\" --signature \"$SIG\" < body.json
  # a recorded delivery, checked against the time it arrived:
  momento-http webhook verify --secret s --signature \"$SIG\" --now 2023-11-14T22:13:20Z < body.json";

const SIGN_EXAMPLES: &str = "\
Example:
  momento-http webhook sign --secret s < body.json";

/// `webhook verify`
#[derive(Args, Debug)]
pub struct Verify {
    /// The webhook's secret (or $MOMENTO_WEBHOOK_SECRET). Repeat it during a rotation: any one may have signed.
    #[arg(long, value_name = "SECRET", env = SECRET_ENV, hide_env_values = true, required = true)]
    pub secret: Vec<String>,
    /// The momento-signature header: 64 hex digits (case and surrounding spaces ignored).
    #[arg(long, value_name = "HEX")]
    pub signature: String,
    /// Judge the replay window at this time instead of now: epoch milliseconds, or RFC 3339 (2023-11-14T22:13:20Z).
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub now: Option<SystemTime>,
    /// How old (or how far ahead) publish_timestamp may be.
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = humantime::parse_duration)]
    pub max_age: Duration,
}

/// `webhook sign`
#[derive(Args, Debug)]
pub struct Sign {
    /// The secret to sign with (or $MOMENTO_WEBHOOK_SECRET).
    #[arg(long, value_name = "SECRET", env = SECRET_ENV, hide_env_values = true)]
    pub secret: String,
}

/// Runs a `webhook` command.
pub fn run(command: WebhookCommand) -> Result<(), CliError> {
    match command {
        WebhookCommand::Verify(verify) => run_verify(verify),
        WebhookCommand::Sign(args) => {
            refuse_empty(std::slice::from_ref(&args.secret))?;
            let body = read_body()?;
            println!("{}", sign(&args.secret, &body));
            Ok(())
        }
    }
}

fn run_verify(args: Verify) -> Result<(), CliError> {
    refuse_empty(&args.secret)?;
    let body = read_body()?;
    let mut secrets = args.secret.into_iter();
    let first = secrets.next().unwrap_or_default();
    let verifier = secrets
        .fold(Verifier::new(first), Verifier::also_accept)
        .max_age(args.max_age);
    let now = args.now.unwrap_or_else(SystemTime::now);
    let event = verifier
        .verify(Some(&args.signature), &body, now)
        .map_err(|err| CliError::negative(format!("invalid: {}", reason(&err))))?;
    let which = verifier.matching_secret(Some(&args.signature), &body);
    let json = serde_json::to_string(&event).map_err(|e| CliError {
        exit: crate::exit::Exit::Failure,
        message: format!("cannot print the event: {e}"),
    })?;
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{json}").map_err(output_failed)?;
    match which {
        Ok(0) | Err(_) => eprintln!("valid"),
        Ok(n) => eprintln!(
            "valid, signed with --secret number {} (not the first): the sender still uses an older secret",
            n + 1
        ),
    }
    Ok(())
}

/// Refuses an empty secret before anything is read: an unset variable in a
/// deploy script (`--secret "$SECRET"`, or an empty $MOMENTO_WEBHOOK_SECRET)
/// must not make every body signed with the empty key pass.
fn refuse_empty(secrets: &[String]) -> Result<(), CliError> {
    let Some(index) = secrets.iter().position(String::is_empty) else {
        return Ok(());
    };
    let which = if secrets.len() == 1 {
        "the secret".to_owned()
    } else {
        format!("--secret number {}", index + 1)
    };
    Err(CliError::usage(format!(
        "{which} is empty: pass the webhook's signing secret with --secret or set {SECRET_ENV} (is the variable unset in this shell or deploy?); an empty key would accept bodies anyone can sign"
    )))
}

/// The verifier's message, with a hint where the command line can do better.
fn reason(err: &WebhookError) -> String {
    match err {
        WebhookError::TooOld { .. } | WebhookError::InTheFuture { .. } => {
            format!("{err} (for a recorded delivery, pass --now with the time it arrived)")
        }
        _ => err.to_string(),
    }
}

fn read_body() -> Result<Vec<u8>, CliError> {
    let mut body = Vec::new();
    if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        eprintln!(
            "reading the body from stdin; end it with Ctrl-D (or redirect a file: < body.json)"
        );
    }
    std::io::stdin()
        .read_to_end(&mut body)
        .map_err(|e| CliError::usage(format!("cannot read the body from stdin: {e}")))?;
    Ok(body)
}

/// `--now`: epoch milliseconds, or an RFC 3339 time.
fn parse_time(s: &str) -> Result<SystemTime, String> {
    if let Ok(ms) = s.trim().parse::<u64>() {
        return Ok(UNIX_EPOCH + Duration::from_millis(ms));
    }
    humantime::parse_rfc3339_weak(s.trim()).map_err(|e| {
        format!(
            "{e}: expected epoch milliseconds (1700000000000) or RFC 3339 (2023-11-14T22:13:20Z)"
        )
    })
}
