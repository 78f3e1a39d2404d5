//! The storm's generator: seeded malformed requests of ten kinds (paths,
//! queries, tokens, methods, bodies, framing), as raw bytes, and one in
//! eight an emulator case (`emulator_cases`).

use std::sync::OnceLock;
use std::time::Duration;

use crate::seeded::Rng;

use super::CACHE;
use super::emulator_cases::{Expect, emulator_case};

/// How the body is sent.
#[derive(Clone, Debug)]
pub enum BodyMode {
    /// All at once.
    Whole,
    /// In `pieces` pieces, `pause` apart.
    Slow {
        /// Pieces.
        pieces: usize,
        /// Pause between pieces.
        pause: Duration,
    },
    /// Only this many bytes, then the write half is closed.
    Truncated(usize),
    /// The head, then only `body_bytes` of the body, and the connection held
    /// open: the server must close it or answer before `within`.
    Stall {
        /// Bytes of the body sent.
        body_bytes: usize,
        /// The deadline for the server's close or answer.
        within: Duration,
    },
}

/// One generated request.
#[derive(Clone, Debug)]
pub struct BadRequest {
    /// Category, for the report.
    pub kind: &'static str,
    /// The head (request line and headers, ending in CRLF CRLF).
    pub head: Vec<u8>,
    /// The body.
    pub body: Vec<u8>,
    /// How to send it.
    pub mode: BodyMode,
    /// Whether the request is not valid HTTP/1.1 (so the HTTP layer may answer
    /// a bare 400 or close without answering).
    pub malformed_http: bool,
    /// A HEAD request: answers carry no body.
    pub head_only: bool,
    /// The exact answer an emulator case requires (see `emulator_cases`).
    pub expect: Option<Expect>,
}

impl BadRequest {
    /// A printable rendering (head as lossy text, body length).
    pub fn describe(&self) -> String {
        let head = String::from_utf8_lossy(&self.head);
        let head: String = head.chars().take(300).collect();
        format!(
            "[{}] {:?} + {} body bytes ({:?})",
            self.kind,
            head,
            self.body.len(),
            self.mode
        )
    }
}

/// Tokens to pick from.
#[derive(Clone, Debug)]
pub struct Tokens {
    /// Full access.
    pub good: String,
    /// Expired.
    pub expired: String,
    /// Subscribe only (publishing with it is 403).
    pub subscribe_only: String,
    /// For another cache.
    pub other_cache: String,
}

fn pct(b: u8) -> String {
    format!("%{b:02X}")
}

fn random_segment(rng: &mut Rng) -> String {
    match rng.below(12) {
        0 => String::new(),
        1 => "%20".into(),
        2 => "%20%20".into(),
        3 => "a".repeat(256 + rng.below(4000) as usize),
        4 => "%".into(),
        5 => "%G1%zz%".into(),
        6 => "%C3%28%FF%FE".into(), // invalid UTF-8 once decoded
        7 => "%00nul%0A%0D".into(),
        8 => "..".into(),
        9 => "%2F%2e%2e%2F".into(),
        10 => {
            // Random bytes, percent-encoded or raw where legal in a path.
            let legal = b"abcXYZ019-._~!$&'()*+,;=:@";
            (0..1 + rng.below(40))
                .map(|_| {
                    if rng.one_in(3) {
                        pct(rng.below(256) as u8)
                    } else {
                        (legal[rng.below(legal.len() as u64) as usize] as char).to_string()
                    }
                })
                .collect()
        }
        _ => CACHE.into(),
    }
}

/// The admin API's path templates, read from its spec
/// (`openapi/emulator-admin.yaml`), so the storm reaches every admin route.
fn admin_templates() -> &'static [String] {
    static TEMPLATES: OnceLock<Vec<String>> = OnceLock::new();
    TEMPLATES.get_or_init(|| {
        let spec: serde_yaml::Value =
            serde_yaml::from_str(include_str!("../../../openapi/emulator-admin.yaml"))
                .expect("openapi/emulator-admin.yaml is YAML");
        spec["paths"]
            .as_mapping()
            .map(|paths| {
                paths
                    .keys()
                    .filter_map(|k| k.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    })
}

/// The first segment every admin path shares (`/_emulator` today).
fn admin_prefix() -> &'static str {
    static PREFIX: OnceLock<String> = OnceLock::new();
    PREFIX.get_or_init(|| {
        let first = admin_templates().first().map_or("", String::as_str);
        let end = first[1..].find('/').map_or(first.len(), |i| i + 1);
        first[..end].to_owned()
    })
}

/// An admin route with every `{parameter}` replaced by a random segment.
fn random_admin_path(rng: &mut Rng) -> String {
    let templates = admin_templates();
    let template = &templates[rng.below(templates.len() as u64) as usize];
    let mut path = String::new();
    let mut rest = template.as_str();
    while let Some(open) = rest.find('{') {
        path.push_str(&rest[..open]);
        path.push_str(&random_segment(rng));
        rest = rest[open..].split_once('}').map_or("", |(_, after)| after);
    }
    path.push_str(rest);
    path
}

fn random_path(rng: &mut Rng) -> String {
    match rng.below(10) {
        0 => "/topics".into(),
        1 => format!("/topics/{}", random_segment(rng)),
        2 => format!(
            "/topics/{}/{}/{}",
            random_segment(rng),
            random_segment(rng),
            random_segment(rng)
        ),
        3 => format!("/topics//{}", random_segment(rng)),
        4 => format!("/{}", random_segment(rng)),
        5 => random_admin_path(rng),
        6 => "/topics/storm/".into(),
        _ => {
            let cache = if rng.one_in(3) {
                random_segment(rng)
            } else if rng.one_in(4) {
                "no-such-cache".into()
            } else {
                CACHE.into()
            };
            format!("/topics/{cache}/{}", random_segment(rng))
        }
    }
}

fn random_number(rng: &mut Rng) -> String {
    rng.pick(&[
        "abc",
        "-1",
        "-0",
        "18446744073709551615",
        "18446744073709551616",
        "99999999999999999999999999",
        "1e5",
        "",
        "0x10",
        "%201",
        "1.5",
        "%FF",
        "0",
        "1",
        "+1",
        "NaN",
    ])
    .to_owned()
}

fn random_query(rng: &mut Rng, tokens: &Tokens) -> (Vec<String>, Option<String>) {
    // (query pairs, Authorization header)
    let mut q = Vec::new();
    for _ in 0..rng.below(4) {
        let key = rng.pick(&["sequence_number", "sequence_page", "token", "x", "", "%ZZ"]);
        let val = if key == "token" {
            random_token(rng, tokens).replace(' ', "%20")
        } else {
            random_number(rng)
        };
        q.push(format!("{key}={val}"));
    }
    if rng.one_in(6) {
        q.push("sequence_number".into()); // no '='
    }
    let auth = match rng.below(5) {
        0 => None,
        _ => Some(random_token(rng, tokens)),
    };
    (q, auth)
}

fn random_token(rng: &mut Rng, tokens: &Tokens) -> String {
    match rng.below(12) {
        0 => tokens.good.clone(),
        1 => tokens.expired.clone(),
        2 => tokens.subscribe_only.clone(),
        3 => tokens.other_cache.clone(),
        4 => String::new(),
        5 => format!("Bearer {}", tokens.good),
        6 => "garbage".into(),
        7 => "eyJhbGciOiJub25lIn0.e30.".into(),
        8 => {
            // A v1 wrapper around a broken JWT.
            use base64::Engine as _;
            base64::engine::general_purpose::URL_SAFE
                .encode(r#"{"endpoint":"http://127.0.0.1:1","api_key":"a.b.c"}"#)
        }
        9 => format!("{}x", tokens.good),
        10 => "%ZZ%".into(),
        _ => "x".repeat(1 + rng.below(9000) as usize),
    }
}

/// Generate request `i` of a storm seeded by `seed`.
pub fn generate(rng: &mut Rng, tokens: &Tokens) -> BadRequest {
    if rng.one_in(8) {
        return emulator_case(rng, tokens);
    }
    let mut malformed_http = false;
    let method = match rng.below(14) {
        0 => "PUT",
        1 => "DELETE",
        2 => "PATCH",
        3 => "OPTIONS",
        4 => "HEAD",
        5 => "TRACE",
        6 => "FOO",
        7 => "get",
        8..=10 => "POST",
        _ => "GET",
    };
    // Only GET and POST reach the admin routes: a DELETE or PUT there could
    // delete the cache or change the long-poll wait under the rest of the
    // storm. (No generated body is a valid admin request.)
    let mut path = random_path(rng);
    if path.starts_with(admin_prefix()) && method != "GET" && method != "POST" {
        path = format!("{}/nothing-here", admin_prefix());
    }
    let (query, auth) = random_query(rng, tokens);
    let mut target = path.clone();
    if !query.is_empty() {
        target.push('?');
        target.push_str(&query.join("&"));
    }
    let mut kind = "path/query/token";
    let mut headers: Vec<(String, Vec<u8>)> = Vec::new();
    if let Some(a) = auth {
        headers.push(("Authorization".into(), a.into_bytes()));
        if rng.one_in(5) {
            headers.push(("Authorization".into(), tokens.good.clone().into_bytes()));
            kind = "doubled token";
        }
    }
    if rng.one_in(25) {
        // Bytes outside ASCII in a header value (obs-text).
        headers.push(("Authorization".into(), vec![0xC3, 0x28, 0xFF, b'x']));
        kind = "non-ASCII token";
    }
    let mut body = Vec::new();
    let mut mode = BodyMode::Whole;
    let mut declared_len: Option<String> = None;
    if method == "POST" || method == "PUT" || rng.one_in(10) {
        let ct = rng.pick(&[
            "text/plain",
            "text/plain; charset=utf-8",
            "application/octet-stream",
            "application/json",
            "application/x-www-form-urlencoded",
            "",
            "garbage/",
        ]);
        if !ct.is_empty() {
            headers.push(("Content-Type".into(), ct.as_bytes().to_vec()));
        }
        match rng.below(10) {
            0 => {
                body = vec![0xC3, 0x28, 0xA0, 0xA1, 0xFF, 0xFE, b'h', b'i'];
                kind = "invalid UTF-8 body";
            }
            1 => {
                body = vec![b'x'; 4097 + rng.below(70_000) as usize];
                kind = "body over limit";
            }
            2 => {
                // Deliberately not a valid fault (count -1, no action), so
                // a POST of it to the admin API arms nothing.
                body = b"{\"operation\": \"publish\", \"count\": -1, \"action\": {}}".to_vec();
                kind = "bad JSON";
            }
            3 => {
                body = b"{\"millis\": \"soon\"".to_vec();
                kind = "truncated JSON";
            }
            4 => {
                body = vec![b'y'; 200];
                mode = BodyMode::Slow {
                    pieces: 4,
                    pause: Duration::from_millis(100),
                };
                kind = "slow body";
            }
            5 => {
                body = vec![b'z'; 300];
                mode = BodyMode::Truncated(100);
                kind = "truncated body";
            }
            6 => {
                body = b"hi".to_vec();
                declared_len = Some(rng.pick(&["abc", "-1", "99999999999999", "2, 3"]).into());
                kind = "bad Content-Length";
                malformed_http = true;
            }
            _ => body = format!("hello {}", rng.next_u64()).into_bytes(),
        }
    }
    let mut head =
        format!("{method} {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n")
            .into_bytes();
    for (k, v) in headers {
        head.extend_from_slice(k.as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(&v);
        head.extend_from_slice(b"\r\n");
    }
    if !body.is_empty() || declared_len.is_some() {
        let len = declared_len.unwrap_or_else(|| body.len().to_string());
        head.extend_from_slice(format!("Content-Length: {len}\r\n").as_bytes());
    }
    head.extend_from_slice(b"\r\n");
    BadRequest {
        kind,
        head,
        body,
        mode,
        malformed_http,
        head_only: method == "HEAD",
        expect: None,
    }
}

#[cfg(test)]
mod tests {
    use super::{admin_prefix, admin_templates, random_admin_path};
    use crate::seeded::Rng;

    #[test]
    fn admin_paths_come_from_the_admin_spec_with_every_parameter_filled() {
        assert!(admin_templates().len() >= 10, "{:?}", admin_templates());
        assert!(admin_prefix().len() > 1 && !admin_prefix()[1..].contains('/'));
        let mut rng = Rng::new(3);
        for _ in 0..200 {
            let path = random_admin_path(&mut rng);
            assert!(path.starts_with(admin_prefix()), "{path}");
            assert!(!path.contains('{') && !path.contains('}'), "{path}");
        }
    }
}
