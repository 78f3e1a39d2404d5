//! A TCP proxy that puts distance in front of a server: every byte is
//! held for a one-way delay in each direction (a round trip of twice that),
//! and a new connection passes nothing for a while (a slow handshake to a
//! far region). The server behind it stays correct: a check that fails
//! through the proxy accuses the distance, not the server.

use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::time::Instant;

/// How far away the proxy makes its server.
#[derive(Clone, Copy, Debug, Default)]
pub struct Distance {
    /// Each byte's delay in each direction.
    pub one_way: Duration,
    /// How long a new connection passes nothing, on top.
    pub new_connection: Duration,
}

/// Start a proxy to `upstream` on a free port; its `http://` base URL.
pub async fn start(upstream: SocketAddr, distance: Distance) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            tokio::spawn(carry(client, upstream, distance));
        }
    });
    format!("http://{addr}")
}

async fn carry(client: TcpStream, upstream: SocketAddr, distance: Distance) {
    tokio::time::sleep(distance.new_connection).await;
    let Ok(server) = TcpStream::connect(upstream).await else {
        return;
    };
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();
    tokio::join!(
        delay_line(client_read, server_write, distance.one_way),
        delay_line(server_read, client_write, distance.one_way),
    );
}

/// Copy `from` to `to`, each chunk `delay` after it was read; the end of
/// the stream too.
async fn delay_line(
    mut from: impl AsyncRead + Unpin,
    mut to: impl AsyncWrite + Unpin,
    delay: Duration,
) {
    let (tx, mut rx) = mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    let reader = async move {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let n = from.read(&mut buf).await.unwrap_or(0);
            // An empty chunk is the end of the stream.
            if tx
                .send((Instant::now() + delay, buf[..n].to_vec()))
                .is_err()
                || n == 0
            {
                return;
            }
        }
    };
    let writer = async move {
        while let Some((due, chunk)) = rx.recv().await {
            tokio::time::sleep_until(due).await;
            if chunk.is_empty() || to.write_all(&chunk).await.is_err() {
                break;
            }
        }
        let _ = to.shutdown().await;
    };
    tokio::join!(reader, writer);
}
