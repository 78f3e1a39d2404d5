//! One request over a fresh TCP connection, sent as generated (slowly,
//! truncated), and the answer read back by hand: no HTTP library in the way
//! of malformed input.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use super::generate::{BadRequest, BodyMode};

/// What came back.
#[derive(Clone, Debug)]
pub enum Answer {
    /// A response.
    Response {
        /// Status code.
        status: u16,
        /// Content-Type, lower-cased.
        content_type: String,
        /// The body (de-chunked).
        body: Vec<u8>,
    },
    /// The connection closed without a response.
    Closed,
    /// No response in time.
    Timeout,
}

/// Sends `req` on a fresh connection and reads until the server closes it
/// (every generated request says `Connection: close`) or 10 s pass (a
/// stalled request: its `within`).
pub async fn send(addr: SocketAddr, req: &BadRequest) -> std::io::Result<Answer> {
    let mut stream = TcpStream::connect(addr).await?;
    stream.write_all(&req.head).await?;
    let written = match &req.mode {
        BodyMode::Whole => stream.write_all(&req.body).await,
        BodyMode::Slow { pieces, pause } => {
            let mut r = Ok(());
            for chunk in req.body.chunks(req.body.len().div_ceil(*pieces).max(1)) {
                tokio::time::sleep(*pause).await;
                r = stream.write_all(chunk).await;
                if r.is_err() {
                    break;
                }
            }
            r
        }
        BodyMode::Truncated(n) => {
            let r = stream.write_all(&req.body[..*n.min(&req.body.len())]).await;
            let _ = stream.shutdown().await;
            r
        }
        BodyMode::Stall { body_bytes, .. } => {
            stream
                .write_all(&req.body[..*body_bytes.min(&req.body.len())])
                .await
        }
    };
    // The server may answer (e.g. 400 for an oversized body) before reading
    // all of it and reset the connection: read what is there either way.
    let _ = written;
    let mut buf = Vec::new();
    let limit = match req.mode {
        BodyMode::Stall { within, .. } => within,
        _ => Duration::from_secs(10),
    };
    let read = tokio::time::timeout(limit, async {
        let mut chunk = [0u8; 8192];
        loop {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
    })
    .await;
    if read.is_err() && buf.is_empty() {
        return Ok(Answer::Timeout);
    }
    Ok(parse_response(&buf).unwrap_or(Answer::Closed))
}

fn parse_response(buf: &[u8]) -> Option<Answer> {
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&buf[..end]);
    let mut lines = head.split("\r\n");
    let status: u16 = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let mut content_type = String::new();
    let mut chunked = false;
    for line in lines {
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        let (k, v) = (k.trim().to_ascii_lowercase(), v.trim().to_ascii_lowercase());
        if k == "content-type" {
            content_type = v;
        } else if k == "transfer-encoding" && v.contains("chunked") {
            chunked = true;
        }
    }
    let raw = &buf[end + 4..];
    let body = if chunked { dechunk(raw) } else { raw.to_vec() };
    Some(Answer::Response {
        status,
        content_type,
        body,
    })
}

fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = raw.windows(2).position(|w| w == b"\r\n") {
        let size = std::str::from_utf8(&raw[..eol])
            .ok()
            .and_then(|s| usize::from_str_radix(s.split(';').next()?.trim(), 16).ok());
        let Some(size) = size else { break };
        if size == 0 {
            break;
        }
        let start = eol + 2;
        let stop = (start + size).min(raw.len());
        out.extend_from_slice(&raw[start..stop]);
        raw = raw.get(stop + 2..).unwrap_or_default();
    }
    out
}
