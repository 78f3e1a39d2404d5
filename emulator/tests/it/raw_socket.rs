//! A request written byte for byte on a new connection, and the answer read
//! off it: for clients no HTTP library will imitate (see `hostile_clients`).

use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

/// An answer read off a raw socket.
#[derive(Debug)]
pub(crate) struct Raw {
    pub status: u16,
    pub head: String,
    pub body: String,
}

impl Raw {
    /// The body as JSON; panics, quoting the answer, when it is not.
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {self:?}"))
    }
}

/// Send `request` on a new connection and read one answer (bounded).
pub(crate) async fn raw(addr: SocketAddr, request: &[u8]) -> Raw {
    try_raw(addr, request)
        .await
        .expect("an answer, not a closed connection")
}

/// Like [`raw`], but `None` when the connection is closed without an answer.
pub(crate) async fn try_raw(addr: SocketAddr, request: &[u8]) -> Option<Raw> {
    let mut s = TcpStream::connect(addr).await.expect("connect");
    let _ = s.write_all(request).await;
    try_read_answer(&mut s).await
}

/// One answer read off an open connection (bounded).
pub(crate) async fn read_answer(s: &mut TcpStream) -> Raw {
    try_read_answer(s)
        .await
        .expect("an answer, not a closed connection")
}

/// Like [`read_answer`], but `None` when the connection closes without one.
pub(crate) async fn try_read_answer(s: &mut TcpStream) -> Option<Raw> {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let read = async {
        loop {
            let n = s.read(&mut buf).await.unwrap_or(0);
            got.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&got).into_owned();
            if let Some(end) = text.find("\r\n\r\n") {
                let head = &text[..end];
                let len = head
                    .lines()
                    .find_map(|l| {
                        let (k, v) = l.split_once(':')?;
                        k.eq_ignore_ascii_case("content-length")
                            .then(|| v.trim().parse::<usize>().ok())?
                    })
                    .unwrap_or(0);
                if got.len() >= end + 4 + len || n == 0 {
                    break;
                }
            }
            if n == 0 {
                break;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(3), read)
        .await
        .expect("an answer within 3 s");
    let text = String::from_utf8_lossy(&got).into_owned();
    if text.is_empty() {
        return None;
    }
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"));
    Some(Raw {
        status,
        head: head.to_string(),
        body: body.to_string(),
    })
}

/// The connection is closed by the server within `within` (EOF or reset).
pub(crate) async fn closed_within(s: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 1024];
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, s.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0) | Err(_)) => return true,
            Ok(Ok(_)) => {}
        }
    }
}

/// A text publish of `ok` to `path`, the key in `authorization`.
pub(crate) fn publish_request(key: &str, path: &str) -> Vec<u8> {
    format!(
        "POST {path} HTTP/1.1\r\nhost: x\r\nauthorization: {key}\r\ncontent-type: text/plain\r\ncontent-length: 2\r\n\r\nok"
    )
    .into_bytes()
}
