//! The suite's webhook receiver (axum on 127.0.0.1, port 0): it answers
//! every POST with a set status after a set delay and counts what the
//! sender did: POSTs, and senders that hung up before the answer. The
//! checks judge deliveries by it, never by a server's own log.

use super::fail;
use crate::failure::CheckError;
use hmac::{Hmac, Mac};
use sha3::Sha3_256;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// Lowercase hex HMAC-SHA3-256 of `body` keyed by `secret` (independent of
/// the emulator's own implementation).
pub fn hmac_sha3_hex(secret: &str, body: &[u8]) -> String {
    let Ok(mut mac) = <Hmac<Sha3_256> as Mac>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// A receiver inside the suite that answers `status` after `delay` to every
/// POST, and counts them, and the senders that hung up before the answer.
pub(super) struct Receiver {
    pub(super) url: String,
    pub(super) rx: tokio::sync::mpsc::Receiver<(Option<String>, Vec<u8>)>,
    pub(super) hits: Arc<AtomicUsize>,
    pub(super) hung_up: Arc<AtomicUsize>,
    pub(super) server: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Counts a POST whose sender closed the connection before the receiver
/// answered (the server drops the handler with the connection).
struct Answering {
    pub(super) hung_up: Arc<AtomicUsize>,
    pub(super) answered: bool,
}

impl Drop for Answering {
    fn drop(&mut self) {
        if !self.answered {
            self.hung_up.fetch_add(1, Ordering::SeqCst);
        }
    }
}

impl Receiver {
    pub(super) async fn start(status: u16, delay: Duration) -> Result<Receiver, CheckError> {
        let (tx, rx) = tokio::sync::mpsc::channel::<(Option<String>, Vec<u8>)>(16);
        let hits = Arc::new(AtomicUsize::new(0));
        let hung_up = Arc::new(AtomicUsize::new(0));
        let (counter, hang_ups) = (hits.clone(), hung_up.clone());
        let code = axum::http::StatusCode::from_u16(status).unwrap_or(axum::http::StatusCode::OK);
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: axum::http::HeaderMap, body: bytes::Bytes| {
                let tx = tx.clone();
                let counter = counter.clone();
                let hung_up = hang_ups.clone();
                async move {
                    let mut answering = Answering {
                        hung_up,
                        answered: false,
                    };
                    counter.fetch_add(1, Ordering::SeqCst);
                    let sig = headers
                        .get("momento-signature")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned);
                    let _ = tx.send((sig, body.to_vec())).await;
                    tokio::time::sleep(delay).await;
                    answering.answered = true;
                    code
                }
            }),
        );
        let cannot_start = |e: std::io::Error| {
            fail(
                "the suite's webhook receiver starts",
                "a bound port",
                e.to_string(),
            )
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(cannot_start)?;
        let addr = listener.local_addr().map_err(cannot_start)?;
        let server = tokio::spawn(async move { axum::serve(listener, app).await });
        Ok(Receiver {
            url: format!("http://{addr}/hook"),
            rx,
            hits,
            hung_up,
            server,
        })
    }

    pub(super) async fn next_post(&mut self, wait: Duration) -> Option<(Option<String>, Vec<u8>)> {
        tokio::time::timeout(wait, self.rx.recv())
            .await
            .ok()
            .flatten()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_spec_test_vector_signs_as_documented() {
        assert_eq!(
            super::hmac_sha3_hex(
                "1234567890",
                br#"{"text":"some text", "another_field": "another field" }"#
            ),
            "b43f72787eb66410ff110295b036ef828e5686af21b414ce092f02c05deea3da"
        );
    }
}
