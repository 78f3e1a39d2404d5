//! The HTTP server: the router, the state handlers share, and
//! [`run`]`(listener, config, shutdown)`, which serves until `shutdown`
//! completes and answers waiting long polls before it returns.

use crate::auth::Authority;
use crate::faults::Faults;
use crate::limits::Enforcer;
use crate::routes;
use crate::topics::Topics;
use crate::webhooks::Webhooks;
use axum::Router;
use axum::routing::{get, post, put};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;

/// Everything a handler needs; cheap to clone (all handles).
#[derive(Clone, Debug)]
pub(crate) struct AppState {
    /// Caches, topics, buffers.
    pub topics: Topics,
    /// Signs and checks tokens.
    pub auth: Authority,
    /// Rate, subscription and cache limits.
    pub limits: Enforcer,
    /// Armed faults.
    pub faults: Faults,
    /// Webhook registry and delivery queue.
    pub webhooks: Webhooks,
    /// The long-poll wait in milliseconds (changeable through the admin API).
    pub long_poll_wait_ms: Arc<AtomicU64>,
    /// Cancelled at shutdown: waiting long polls answer at once.
    pub shutdown: CancellationToken,
    /// The `endpoint` written into minted keys (`http://127.0.0.1:PORT`).
    pub endpoint: Arc<str>,
}

impl AppState {
    pub(crate) fn long_poll_wait(&self) -> Duration {
        Duration::from_millis(self.long_poll_wait_ms.load(Ordering::Relaxed))
    }
}

/// The full router: Topics API, admin API, JSON 404/405 fallbacks.
pub(crate) fn router(state: AppState) -> Router {
    Router::new()
        .route(
            "/topics/{cache}/{topic}",
            post(routes::publish::publish).get(routes::subscribe::subscribe),
        )
        .route("/_emulator/health", get(routes::admin::health))
        .route("/_emulator/openapi.yaml", get(routes::admin::openapi))
        .route("/_emulator/caches", get(routes::admin::list_caches))
        .route(
            "/_emulator/caches/{cache}",
            put(routes::admin::create_cache).delete(routes::admin::delete_cache),
        )
        .route("/_emulator/tokens", post(routes::admin::mint_token))
        .route(
            "/_emulator/caches/{cache}/topics/{topic}",
            get(routes::admin::inspect_topic),
        )
        .route(
            "/_emulator/caches/{cache}/topics/{topic}/reset",
            post(routes::admin::reset_topic),
        )
        .route(
            "/_emulator/caches/{cache}/topics/{topic}/evict",
            post(routes::admin::evict_messages),
        )
        .route(
            "/_emulator/config/long-poll-wait",
            put(routes::admin::set_long_poll_wait),
        )
        .route(
            "/_emulator/faults",
            post(routes::admin::inject_fault).delete(routes::admin::clear_faults),
        )
        .route(
            "/_emulator/caches/{cache}/webhooks",
            get(routes::webhooks::list_webhooks),
        )
        .route(
            "/_emulator/caches/{cache}/webhooks/{webhook}",
            put(routes::webhooks::put_webhook).delete(routes::webhooks::delete_webhook),
        )
        .route(
            "/_emulator/caches/{cache}/webhooks/{webhook}/secret",
            get(routes::webhooks::get_webhook_secret),
        )
        .route(
            "/_emulator/caches/{cache}/webhooks/{webhook}/rotate-secret",
            post(routes::webhooks::rotate_webhook_secret),
        )
        .route(
            "/_emulator/deliveries",
            get(routes::webhooks::list_deliveries),
        )
        .fallback(routes::not_found)
        .method_not_allowed_fallback(routes::method_not_allowed)
        // A bug must not cost a client its connection: a panic becomes a JSON 500.
        .layer(axum::middleware::from_fn(catch_panic))
        // Admin JSON bodies are small; Topics bodies are capped in the handler.
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024))
        .with_state(state)
}

/// Serve `listener` until `shutdown` completes; waiting long polls are answered
/// (empty batch) before this returns.
pub async fn run(
    listener: TcpListener,
    config: crate::Emulator,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let addr = listener.local_addr()?;
    let (state, guards) = crate::build_state(&config, addr);
    let token = state.shutdown.clone();
    tokio::spawn({
        let token = token.clone();
        async move {
            shutdown.await;
            token.cancel();
        }
    });
    serve(listener, state, guards).await
}

/// Serve with a ready state until its shutdown token is cancelled.
pub(crate) async fn serve(
    listener: TcpListener,
    state: AppState,
    guards: crate::Guards,
) -> std::io::Result<()> {
    let token = state.shutdown.clone();
    let app = router(state);
    let listener = Bounded {
        inner: listener,
        slots: Arc::new(Semaphore::new(MAX_CONNECTIONS)),
    };
    let result = axum::serve(listener, app)
        .with_graceful_shutdown(token.cancelled_owned())
        .await;
    drop(guards);
    result
}

async fn catch_panic(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    use futures::FutureExt as _;
    match std::panic::AssertUnwindSafe(next.run(req))
        .catch_unwind()
        .await
    {
        Ok(resp) => resp,
        Err(_) => {
            tracing::error!("a handler panicked; answering 500");
            routes::ApiError::new(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "the emulator failed (a bug in the emulator); please report it",
            )
            .into_response()
        }
    }
}

/// Open connections at once. Like mini-redis, a permit is taken *before*
/// `accept`, so past this many the emulator stops accepting (clients queue in
/// the kernel backlog) instead of growing without bound.
const MAX_CONNECTIONS: usize = 10_000;

/// A listener that holds a semaphore permit per open connection.
struct Bounded {
    inner: TcpListener,
    slots: Arc<Semaphore>,
}

impl axum::serve::Listener for Bounded {
    type Io = Permitted;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        // The semaphore is never closed, so acquiring only waits.
        let permit = self.slots.clone().acquire_owned().await.ok();
        let (stream, addr) = axum::serve::Listener::accept(&mut self.inner).await;
        (
            Permitted {
                stream,
                _permit: permit,
            },
            addr,
        )
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

/// A connection and the permit it releases when dropped.
struct Permitted {
    stream: TcpStream,
    _permit: Option<OwnedSemaphorePermit>,
}

impl AsyncRead for Permitted {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Permitted {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }
    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}
