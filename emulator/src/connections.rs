//! One accepted connection's life: the cap on open connections, the clear
//! refusal beyond it, the idle timeout, and the HTTP/1 service around a router.
//!
//! The accept loop is ours rather than `axum::serve`'s so that each connection
//! is a plain HTTP/1 connection: the auto (HTTP/1 + HTTP/2) builder that
//! `axum::serve` moves into every connection task costs about 20 KiB per idle
//! long poll, and the Topics API is HTTP/1.1 (docs/api.md §1).
//!
//! **The cap.** Every open connection holds a file descriptor. Past the
//! open-file limit `accept` fails and nobody is served, so the emulator keeps
//! below it: at most `max_connections` are served (by default the limit less
//! a reserve for webhook deliveries, listeners and logs). One more is
//! accepted, answered `503` with a JSON body that says why, and closed.
//!
//! **The idle timeout.** hyper's header-read timer runs whenever a connection
//! waits for a request head: a new connection that sends nothing, a head sent
//! slowly or in part, an idle keep-alive between requests. It does not run
//! while a request is being handled, so a long poll is never idle.

use crate::escapes::RejectInvalidEscapes;
use crate::parse_errors::ParseErrorsAsJson;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;
use tower::ServiceBuilder;
use tower_http::catch_panic::{CatchPanic, CatchPanicLayer};

/// The service every connection runs: a router inside the panic guard and the
/// percent-escape check.
pub(crate) type App = CatchPanic<RejectInvalidEscapes<Router>, PanicResponse>;

/// A bug must not cost a client its connection: a panic becomes a JSON 500.
/// (A type, not a `fn` pointer: spawned connection tasks must be `Send` for
/// every lifetime, which a `fn(Box<dyn Any>)` pointer type cannot promise.)
#[derive(Clone, Copy, Debug)]
pub(crate) struct PanicResponse;

impl tower_http::catch_panic::ResponseForPanic for PanicResponse {
    type ResponseBody = axum::body::Body;
    fn response_for_panic(
        &mut self,
        err: Box<dyn std::any::Any + Send + 'static>,
    ) -> axum::response::Response {
        panic_response(err)
    }
}

/// Wrap a finished router.
///
/// Layered around the whole router rather than with `Router::layer`, which
/// wraps and boxes each route: six more allocations per request.
pub(crate) fn app(router: Router) -> App {
    ServiceBuilder::new()
        .layer(CatchPanicLayer::custom(PanicResponse))
        .layer_fn(RejectInvalidEscapes::new)
        .service(router)
}

/// File descriptors kept for everything but served connections: listeners,
/// webhook deliveries (up to 64 at once, plus their pool), refusals, logs.
const RESERVED_FDS: usize = 160;
/// Refusals being written at once; past this, extra connections are closed at once.
const REFUSALS_IN_FLIGHT: usize = 32;
/// The most connections served by default, whatever the open-file limit.
const DEFAULT_MAX_CONNECTIONS: usize = 10_000;

/// The open-file limit less [`RESERVED_FDS`] (at least 16), at most 10,000.
pub(crate) fn default_max_connections() -> usize {
    #[cfg(unix)]
    {
        let limit = rustix::process::getrlimit(rustix::process::Resource::Nofile).current;
        if let Some(soft) = limit.and_then(|l| usize::try_from(l).ok()) {
            return soft
                .saturating_sub(RESERVED_FDS)
                .clamp(16, DEFAULT_MAX_CONNECTIONS);
        }
    }
    DEFAULT_MAX_CONNECTIONS
}

/// What every accept loop shares.
pub(crate) struct Connections {
    slots: Arc<Semaphore>,
    refusals: Arc<Semaphore>,
    max: usize,
    http: hyper::server::conn::http1::Builder,
    graceful: GracefulShutdown,
}

impl Connections {
    pub(crate) fn new(config: &crate::Emulator) -> Self {
        let max = config
            .max_connections
            .unwrap_or_else(default_max_connections);
        let mut http = hyper::server::conn::http1::Builder::new();
        http.timer(TokioTimer::new())
            .header_read_timeout(config.idle_timeout);
        Connections {
            slots: Arc::new(Semaphore::new(max.min(Semaphore::MAX_PERMITS))),
            refusals: Arc::new(Semaphore::new(REFUSALS_IN_FLIGHT)),
            max,
            http,
            graceful: GracefulShutdown::new(),
        }
    }

    /// Serve `stream` with `app`, or refuse it when the cap is reached.
    pub(crate) fn serve(&self, stream: TcpStream, app: &App) {
        let Ok(permit) = self.slots.clone().try_acquire_owned() else {
            self.refuse(stream);
            return;
        };
        // Long-poll answers are small and written in pieces; Nagle's delay
        // would add tens of milliseconds to each delivery.
        let _ = stream.set_nodelay(true);
        let io = TokioIo::new(ParseErrorsAsJson::new(stream));
        let service = hyper_util::service::TowerToHyperService::new(app.clone());
        let conn = self.graceful.watch(self.http.serve_connection(io, service));
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::trace!(error = %e, "connection ended with an error");
            }
            drop(permit);
        });
    }

    /// Answer 503 and close: the client learns why instead of waiting in the
    /// kernel's backlog.
    fn refuse(&self, mut stream: TcpStream) {
        let Ok(permit) = self.refusals.clone().try_acquire_owned() else {
            return; // dropped: closed at once
        };
        tracing::warn!(
            max = self.max,
            "connection refused: too many open connections"
        );
        let answer = over_capacity_answer(self.max);
        tokio::spawn(async move {
            let _ = tokio::time::timeout(Duration::from_secs(1), async {
                // Read what the client sent first: closing a socket with
                // unread data resets it, which can destroy the answer unread.
                let mut buf = [0u8; 2048];
                let _ =
                    tokio::time::timeout(Duration::from_millis(50), stream.read(&mut buf)).await;
                stream.write_all(answer.as_bytes()).await?;
                stream.shutdown().await?;
                // A short linger for the client to read it and close first.
                let drain = async {
                    while stream.read(&mut buf).await? > 0 {}
                    Ok::<_, std::io::Error>(())
                };
                let _ = tokio::time::timeout(Duration::from_millis(200), drain).await;
                Ok::<_, std::io::Error>(())
            })
            .await;
            drop(permit);
        });
    }

    /// Wait for every served connection to close.
    pub(crate) async fn shutdown(self) {
        self.graceful.shutdown().await;
    }
}

/// The 503 a connection past the cap gets.
fn over_capacity_answer(max: usize) -> String {
    let body = serde_json::json!({
        "status": 503,
        "title": "Service Unavailable",
        "detail": format!(
            "the emulator already serves {max} connections, its limit (--max-connections); \
             close idle connections or raise the limit, then retry"
        ),
    })
    .to_string();
    format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: {}\r\nretry-after: 1\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
}

/// The answer when a handler panics: a JSON 500 like every other error.
fn panic_response(_panic: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    tracing::error!("a handler panicked; answering 500");
    crate::routes::ApiError::new(
        axum::http::StatusCode::INTERNAL_SERVER_ERROR,
        "the emulator failed (a bug in the emulator); please report it",
    )
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panic_becomes_a_json_500_with_a_detail() {
        let resp = panic_response(Box::new("boom"));
        assert_eq!(resp.status(), axum::http::StatusCode::INTERNAL_SERVER_ERROR);
        let body = axum::body::to_bytes(resp.into_body(), 4096).await.unwrap();
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert!(
            json["detail"].as_str().is_some_and(|d| d.contains("bug")),
            "{json}"
        );
    }

    #[test]
    fn the_default_cap_stays_below_the_open_file_limit() {
        let max = default_max_connections();
        assert!((16..=DEFAULT_MAX_CONNECTIONS).contains(&max));
    }
}
