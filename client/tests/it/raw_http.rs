//! A small HTTP/1.1 server over a raw `TcpListener`, for endpoints that
//! misbehave in ways a framework will not: never answering, dripping bytes,
//! endless bodies, going away and coming back. Every answer closes its
//! connection, so that no pooled connection outlives an outage.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// What the server does with one request.
pub enum Reply {
    /// Writes these bytes and closes.
    Bytes(Vec<u8>),
    /// Reads the request and never answers (until the client hangs up).
    Hang,
    /// Writes `head`, then one byte every `every`, for ever.
    Drip(Vec<u8>, Duration),
    /// Writes `head`, then chunks of a chunked body for ever.
    Endless(Vec<u8>),
}

/// A complete answer: status, headers, body; `content-length` and
/// `connection: close` added.
pub fn answer(status: u16, headers: &[(&str, &str)], body: &str) -> Reply {
    let mut head = format!("HTTP/1.1 {status} X\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!(
        "content-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    ));
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body.as_bytes());
    Reply::Bytes(bytes)
}

/// A 200 batch of text items `(number, page)`.
pub fn batch(items: &[(u64, u64)]) -> Reply {
    let items: Vec<String> = items
        .iter()
        .map(|(n, p)| {
            format!(
                r#"{{"item":{{"topic_sequence_number":{n},"sequence_page":{p},"value":{{"text":"m{n}"}}}}}}"#
            )
        })
        .collect();
    answer(
        200,
        &[("content-type", "application/json")],
        &format!(r#"{{"items":[{}]}}"#, items.join(",")),
    )
}

/// The head of a 200 with a chunked JSON body, for `Drip` and `Endless`.
pub fn chunked_head() -> Vec<u8> {
    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n"
        .to_vec()
}

/// A running server.
pub struct RawServer {
    pub addr: SocketAddr,
    /// The request line of every request, in order.
    pub requests: Arc<Mutex<Vec<String>>>,
    /// Body bytes written so far, over all connections.
    pub written: Arc<AtomicU64>,
    task: JoinHandle<()>,
}

type Handler = Arc<dyn Fn(usize, &str) -> Reply + Send + Sync>;

impl RawServer {
    /// Serves on a fresh port of 127.0.0.1; `reply` gets each request's
    /// index (from 0) and its request line.
    pub async fn start(reply: impl Fn(usize, &str) -> Reply + Send + Sync + 'static) -> RawServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        RawServer::on(listener, Arc::new(reply), Default::default())
    }

    fn on(listener: TcpListener, reply: Handler, requests: Arc<Mutex<Vec<String>>>) -> RawServer {
        let addr = listener.local_addr().unwrap();
        let written = Arc::new(AtomicU64::new(0));
        let (r, w) = (requests.clone(), written.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let (reply, r, w) = (reply.clone(), r.clone(), w.clone());
                tokio::spawn(async move {
                    let _ = serve(stream, reply, r, w).await;
                });
            }
        });
        RawServer {
            addr,
            requests,
            written,
            task,
        }
    }

    /// The base URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops listening: new connections are refused. Returns what restarts it.
    pub fn stop(self) -> (SocketAddr, Arc<Mutex<Vec<String>>>) {
        self.task.abort();
        (self.addr, self.requests.clone())
    }

    /// Listens again on `addr` (after [`stop`](Self::stop)), keeping the request log.
    pub async fn restart(
        addr: SocketAddr,
        requests: Arc<Mutex<Vec<String>>>,
        reply: impl Fn(usize, &str) -> Reply + Send + Sync + 'static,
    ) -> RawServer {
        let mut tries = 0;
        let listener = loop {
            match TcpListener::bind(addr).await {
                Ok(l) => break l,
                Err(e) if tries < 50 => {
                    tries += 1;
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Err(e) => panic!("cannot listen on {addr} again: {e}"),
            }
        };
        RawServer::on(listener, Arc::new(reply), requests)
    }

    /// The request lines so far.
    pub fn request_lines(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(
    mut stream: TcpStream,
    reply: Handler,
    requests: Arc<Mutex<Vec<String>>>,
    written: Arc<AtomicU64>,
) -> std::io::Result<()> {
    // The head, then as much body as Content-Length says.
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() > 64 * 1024 {
            return Ok(());
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let line = head.lines().next().unwrap_or_default().to_owned();
    let index = {
        let mut r = requests.lock().unwrap();
        r.push(line.clone());
        r.len() - 1
    };
    match reply(index, &line) {
        Reply::Bytes(bytes) => {
            stream.write_all(&bytes).await?;
            stream.shutdown().await?;
        }
        Reply::Hang => {
            // Wait for the client to give up.
            let _ = stream.read(&mut chunk).await;
        }
        Reply::Drip(head, every) => {
            stream.write_all(&head).await?;
            loop {
                tokio::time::sleep(every).await;
                stream.write_all(b"1\r\n \r\n").await?;
                written.fetch_add(1, Ordering::Relaxed);
            }
        }
        Reply::Endless(head) => {
            stream.write_all(&head).await?;
            let piece = vec![b' '; 64 * 1024];
            let frame = [
                format!("{:x}\r\n", piece.len()).into_bytes(),
                piece,
                b"\r\n".to_vec(),
            ]
            .concat();
            loop {
                stream.write_all(&frame).await?;
                written.fetch_add(64 * 1024, Ordering::Relaxed);
            }
        }
    }
    Ok(())
}
