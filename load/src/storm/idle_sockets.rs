//! A few hundred idle sockets (more than the storm's emulator serves at
//! once): a correct publish meanwhile gets a 204 or the JSON 503 of the
//! connection cap, and a 204 once they are closed.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::net::TcpStream;

use super::generate::{BadRequest, BodyMode};
use super::raw_http::{self, Answer};

/// Idle sockets opened (bounded: well under the common 1,024 open files,
/// counting the in-process emulator's side of each).
pub const SOCKETS: usize = 300;

/// The cap the storm's emulator is started with, below [`SOCKETS`] so that
/// the publish meets the JSON 503 of the cap. Only a few over it: each idle
/// socket past the cap holds one of the emulator's 32 refusal slots until
/// its idle timeout, and past those a connection is closed unanswered
/// (documented in the emulator's README).
pub const MAX_CONNECTIONS: usize = 280;

fn publish(key: &str) -> BadRequest {
    let head = format!(
        "POST /topics/storm/idle-sockets HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nAuthorization: {key}\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n"
    );
    BadRequest {
        kind: "publish beside idle sockets",
        head: head.into_bytes(),
        body: b"ok".to_vec(),
        mode: BodyMode::Whole,
        malformed_http: false,
        head_only: false,
        expect: None,
    }
}

fn describe(answer: &Answer) -> String {
    match answer {
        Answer::Response { status, body, .. } => format!(
            "{status} {}",
            String::from_utf8_lossy(&body[..body.len().min(160)])
        ),
        other => format!("{other:?}"),
    }
}

/// Open [`SOCKETS`] idle sockets, publish, close them, publish again: what
/// was seen, or why it broke the rules.
pub async fn probe(addr: SocketAddr, key: &str) -> Result<String, String> {
    let mut idle = Vec::with_capacity(SOCKETS);
    for _ in 0..SOCKETS {
        let socket = TcpStream::connect(addr)
            .await
            .map_err(|e| format!("idle socket {}: cannot connect ({e})", idle.len() + 1))?;
        idle.push(socket);
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let request = publish(key);
    let during = raw_http::send(addr, &request)
        .await
        .unwrap_or(Answer::Closed);
    let during_ok = match &during {
        Answer::Response { status: 204, .. } => true,
        Answer::Response {
            status: 503,
            content_type,
            body,
        } => {
            content_type.starts_with("application/json")
                && serde_json::from_slice::<serde_json::Value>(body)
                    .is_ok_and(|v| v["detail"].as_str().is_some_and(|d| !d.is_empty()))
        }
        _ => false,
    };
    drop(idle);
    if !during_ok {
        return Err(format!(
            "with {SOCKETS} idle sockets a publish got {}, not 204 or a JSON 503",
            describe(&during)
        ));
    }
    // The emulator notices the closes as it reads them: allow a moment.
    let until = Instant::now() + Duration::from_secs(5);
    loop {
        let after = raw_http::send(addr, &request)
            .await
            .unwrap_or(Answer::Closed);
        if matches!(after, Answer::Response { status: 204, .. }) {
            return Ok(format!(
                "with {SOCKETS} idle sockets (cap {MAX_CONNECTIONS}): {}; after they closed: 204",
                describe(&during)
            ));
        }
        if Instant::now() > until {
            return Err(format!(
                "5 s after {SOCKETS} idle sockets closed a publish still got {}",
                describe(&after)
            ));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
