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
use hyper_util::rt::TokioIo;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
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
    /// Cache items, their TTLs and the memory bound.
    pub cache_items: crate::cache_store::CacheItems,
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
        .route(
            "/cache/{cache}",
            get(routes::cache::get)
                .put(routes::cache::set)
                .delete(routes::cache::delete),
        )
        .route(
            "/_emulator/caches/{cache}/items",
            get(routes::cache::list_items),
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
        .with_state(Arc::new(state))
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
///
/// The accept loop is ours rather than `axum::serve`'s so that each connection
/// is a plain HTTP/1 connection: the auto (HTTP/1 + HTTP/2) builder that
/// `axum::serve` moves into every connection task costs about 20 KiB per idle
/// long poll, and the Topics API is HTTP/1.1 (SPEC §1).
pub(crate) async fn serve(
    listener: TcpListener,
    state: AppState,
    guards: crate::Guards,
) -> std::io::Result<()> {
    let token = state.shutdown.clone();
    // Layered around the whole router rather than with `Router::layer`,
    // which wraps and boxes each route: six more allocations per request.
    let app = tower::ServiceBuilder::new()
        // A bug must not cost a client its connection: a panic becomes a JSON 500.
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            panic_response,
        ))
        // Admin JSON bodies are small; Topics bodies are capped in the handler.
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024))
        .service(router(state));
    // Like mini-redis, a permit is taken *before* `accept`, so past
    // MAX_CONNECTIONS the emulator stops accepting (clients queue in the
    // kernel backlog) instead of growing without bound.
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let http = hyper::server::conn::http1::Builder::new();
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    loop {
        let permit = tokio::select! {
            p = slots.clone().acquire_owned() => p.expect("the connection semaphore is never closed"),
            () = token.cancelled() => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    backoff_after_accept_error(e).await;
                    continue;
                }
            },
            () = token.cancelled() => break,
        };
        // Long-poll answers are small and written in pieces; Nagle's delay
        // would add tens of milliseconds to each delivery.
        let _ = stream.set_nodelay(true);
        let service = hyper_util::service::TowerToHyperService::new(app.clone());
        let conn = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::trace!(error = %e, "connection ended with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    // Waiting long polls answer at once (the token is cancelled); wait for
    // those answers to be written and the connections to close.
    graceful.shutdown().await;
    drop(guards);
    Ok(())
}

/// A refused or reset connection costs nothing; anything else (out of file
/// descriptors, mostly) would spin the loop, so wait a little before accepting again.
async fn backoff_after_accept_error(e: std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        e.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::warn!(error = %e, "accept failed; retrying in 100 ms");
    tokio::time::sleep(Duration::from_millis(100)).await;
}

/// The answer when a handler panics: a JSON 500 like every other error.
fn panic_response(_panic: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    tracing::error!("a handler panicked; answering 500");
    routes::ApiError::new(
        axum::http::StatusCode::INTERNAL_SERVER_ERROR,
        "the emulator failed (a bug in the emulator); please report it",
    )
    .into_response()
}

/// Open connections at once; see [`serve`].
const MAX_CONNECTIONS: usize = 10_000;

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
}
