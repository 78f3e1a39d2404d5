//! `key inspect`: what an API key says about itself, never its secret part.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use clap::{Args, Subcommand, ValueEnum};
use momento_http::{Credential, CredentialKind, Region};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::connect::Connection;
use crate::exit::{CliError, output_failed};

/// `key ...`
#[derive(Subcommand, Debug)]
pub enum KeyCommand {
    /// Show what the API key says: kind, endpoint, region, expiry, scopes. Never the secret part.
    #[command(long_about = INSPECT_ABOUT, after_help = INSPECT_EXAMPLES)]
    Inspect(Inspect),
}

const INSPECT_ABOUT: &str = "\
Show what the API key says about itself: its kind (v1 key or disposable token,
v2 key, older JWT), the endpoint and region requests go to, when it was issued
and expires, and the scopes it carries where they are readable (the emulator's
keys carry caches, topics and role; other claims are listed by name only). The
token and its signature are never printed; nothing is sent anywhere.

Exit status: 0 when the key is usable, 1 when it has expired, 2 when there is no
key or it is malformed.";

const INSPECT_EXAMPLES: &str = "\
Examples:
  momento-http key inspect
  momento-http key inspect --api-key-file key.txt --format json";

/// `key inspect`
#[derive(Args, Debug)]
pub struct Inspect {
    /// Output: readable lines, or one JSON object.
    #[arg(long, value_enum, default_value_t = KeyFormat::Text)]
    pub format: KeyFormat,
    #[command(flatten)]
    pub connection: Connection,
}

/// `--format` of `key inspect`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum KeyFormat {
    /// `field: value` lines.
    Text,
    /// One JSON object.
    Json,
}

/// What `key inspect` reports.
#[derive(Debug, Serialize)]
struct Report {
    kind: &'static str,
    endpoint: Option<String>,
    base_url: Option<String>,
    region: Option<String>,
    token_id: Option<String>,
    issued_at: Option<String>,
    expires_at: Option<String>,
    expired: bool,
    scopes: Map<String, Value>,
    other_claims: Vec<String>,
}

/// Claims shown as scopes, when present: the emulator's (docs/api.md §9).
/// Any other claim is listed by name only: its meaning is not documented,
/// so its value is not interpreted (or shown).
const SCOPE_CLAIMS: [&str; 3] = ["caches", "topics", "role"];
/// Claims shown in their own fields (`c`/`cp`, the older keys' endpoints
/// (docs/api.md §2), as the endpoint).
const KNOWN_CLAIMS: [&str; 7] = ["id", "sub", "exp", "iat", "t", "c", "cp"];

/// Runs a `key` command.
pub fn run(command: KeyCommand) -> Result<(), CliError> {
    let KeyCommand::Inspect(args) = command;
    let credential = args.connection.credential()?;
    let report = inspect(
        &credential,
        args.connection.region.as_ref(),
        SystemTime::now(),
    );
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match args.format {
        KeyFormat::Json => {
            let json = serde_json::to_string_pretty(&report).unwrap_or_default();
            writeln!(out, "{json}").map_err(output_failed)?;
        }
        KeyFormat::Text => write_text(&report, &mut out).map_err(output_failed)?,
    }
    if report.expired {
        return Err(CliError::negative(format!(
            "the key expired at {}; ask for a new one",
            report.expires_at.as_deref().unwrap_or("?")
        )));
    }
    Ok(())
}

fn write_text(r: &Report, out: &mut impl std::io::Write) -> std::io::Result<()> {
    let or = |v: &Option<String>, none: &str| v.clone().unwrap_or_else(|| none.to_owned());
    writeln!(out, "kind:        {}", r.kind)?;
    writeln!(
        out,
        "endpoint:    {}",
        or(&r.endpoint, "(none: give --endpoint or --region)")
    )?;
    writeln!(out, "base URL:    {}", or(&r.base_url, "(unknown)"))?;
    writeln!(
        out,
        "region:      {}",
        or(&r.region, "(not a Momento region)")
    )?;
    writeln!(out, "token id:    {}", or(&r.token_id, "(not in the key)"))?;
    writeln!(out, "issued at:   {}", or(&r.issued_at, "(not in the key)"))?;
    let expiry = match (&r.expires_at, r.expired) {
        (Some(at), true) => format!("{at} (EXPIRED)"),
        (Some(at), false) => at.clone(),
        (None, _) => "never (no exp claim)".to_owned(),
    };
    writeln!(out, "expires at:  {expiry}")?;
    if r.scopes.is_empty() {
        writeln!(out, "scopes:      (none readable in the key)")?;
    }
    for (name, value) in &r.scopes {
        let shown = match value {
            Value::String(s) => s.clone(),
            Value::Array(items) => items
                .iter()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                .collect::<Vec<_>>()
                .join(", "),
            other => other.to_string(),
        };
        writeln!(out, "{:<13}{shown}", format!("{name}:"))?;
    }
    if !r.other_claims.is_empty() {
        writeln!(out, "other claims: {}", r.other_claims.join(", "))?;
    }
    Ok(())
}

/// Everything `key inspect` shows, read from `credential` (never sent anywhere).
fn inspect(credential: &Credential, region: Option<&Region>, now: SystemTime) -> Report {
    let claims = claims(credential);
    let region = match region {
        Some(r) => Some(r.clone()),
        None => credential
            .endpoint()
            .and_then(|e| Region::from_endpoint(e).ok()),
    };
    let named = region.as_ref().and_then(named_region);
    let time = |name: &str| claims.get(name).and_then(Value::as_i64);
    let exp = time("exp");
    let now_s = now
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let scopes = SCOPE_CLAIMS
        .iter()
        .filter_map(|name| Some(((*name).to_owned(), claims.get(*name)?.clone())))
        .collect();
    let mut other_claims: Vec<String> = claims
        .keys()
        .filter(|k| !SCOPE_CLAIMS.contains(&k.as_str()) && !KNOWN_CLAIMS.contains(&k.as_str()))
        .cloned()
        .collect();
    other_claims.sort();
    Report {
        kind: match credential.kind() {
            CredentialKind::V1 => "v1 API key or disposable token (base64 JSON: endpoint + JWT)",
            CredentialKind::V2 => "v2 API key (a JWT; the endpoint is given separately)",
            CredentialKind::Jwt => "JWT (older format)",
            _ => "unknown",
        },
        endpoint: credential.endpoint().map(str::to_owned),
        base_url: region.as_ref().map(|r| r.base_url().to_string()),
        region: named,
        token_id: ["id", "sub"]
            .iter()
            .find_map(|k| claims.get(*k).and_then(Value::as_str))
            .map(str::to_owned),
        issued_at: time("iat").map(rfc3339),
        expires_at: exp.map(rfc3339),
        expired: exp.is_some_and(|exp| exp <= now_s),
        scopes,
        other_claims,
    }
}

/// The region's AWS name, when the base URL is one of Momento's cells.
fn named_region(region: &Region) -> Option<String> {
    if let Some(name) = region.name() {
        return Some(name.to_owned());
    }
    let url = region.base_url();
    let host = url.host_str()?;
    Region::all()
        .find(|r| {
            r.cell()
                .is_some_and(|cell| host.contains(&format!(".{cell}.")))
        })
        .and_then(|r| r.name().map(str::to_owned))
}

fn rfc3339(epoch_s: i64) -> String {
    let t = if epoch_s >= 0 {
        UNIX_EPOCH + Duration::from_secs(epoch_s as u64)
    } else {
        UNIX_EPOCH
    };
    humantime::format_rfc3339_seconds(t).to_string()
}

/// Base64 in either alphabet, padding optional.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

fn decode(input: &str) -> Option<Vec<u8>> {
    let url_safe: String = input
        .trim()
        .chars()
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            c => c,
        })
        .collect();
    LENIENT.decode(url_safe).ok()
}

/// The JWT's claims (its payload): readable by anyone holding the key, and
/// not the secret part (that is the signature, never decoded or shown).
fn claims(credential: &Credential) -> Map<String, Value> {
    let token = credential.expose_token();
    let jwt = match credential.kind() {
        CredentialKind::V1 => decode(token)
            .and_then(|json| serde_json::from_slice::<Value>(&json).ok())
            .and_then(|v| v.get("api_key")?.as_str().map(str::to_owned))
            .unwrap_or_default(),
        _ => token.to_owned(),
    };
    let payload = jwt.split('.').nth(1).and_then(decode);
    let claims = payload.and_then(|p| serde_json::from_slice::<Value>(&p).ok());
    match claims {
        Some(Value::Object(map)) => map,
        // A v1 key whose inner token is not a JWT: still a key, with nothing to show.
        _ => Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_momento_endpoint_is_named_by_its_region() {
        let r = Region::from_endpoint("cell-1-eu-west-1-1.prod.a.momentohq.com").unwrap();
        assert_eq!(named_region(&r).as_deref(), Some("eu-west-1"));
        let local = Region::custom("http://127.0.0.1:8080").unwrap();
        assert_eq!(named_region(&local), None);
    }
}
