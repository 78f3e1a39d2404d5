//! The HTTP server: the routers, [`run`]`(listener, config, shutdown)`, and
//! the accept loops, which serve until shutdown and answer waiting long polls
//! before they return.

use crate::connections::Connections;
use crate::outage::{Listening, OutageKind};
use crate::routes;
use crate::state::{AppState, Guards};
use axum::Router;
use axum::routing::{get, post, put};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// The Topics API routes (each answers JSON errors; unknown paths a JSON 404).
fn topic_routes() -> Router<Arc<AppState>> {
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
}

/// The admin API under `/_emulator/`.
fn admin_routes() -> Router<Arc<AppState>> {
    use routes::admin;
    use routes::webhook_admin as hooks;
    Router::new()
        .route(
            "/_emulator/caches/{cache}/items",
            get(routes::cache::list_items),
        )
        .route("/_emulator/health", get(admin::health))
        .route("/_emulator/openapi.yaml", get(admin::openapi))
        .route("/_emulator/caches", get(admin::list_caches))
        .route(
            "/_emulator/caches/{cache}",
            put(admin::create_cache).delete(admin::delete_cache),
        )
        .route("/_emulator/tokens", post(admin::mint_token))
        .route(
            "/_emulator/caches/{cache}/topics/{topic}",
            get(admin::inspect_topic),
        )
        .route(
            "/_emulator/caches/{cache}/topics/{topic}/reset",
            post(admin::reset_topic),
        )
        .route(
            "/_emulator/caches/{cache}/topics/{topic}/evict",
            post(admin::evict_messages),
        )
        .route(
            "/_emulator/config/long-poll-wait",
            put(admin::set_long_poll_wait),
        )
        .route(
            "/_emulator/faults",
            post(admin::inject_fault).delete(admin::clear_faults),
        )
        .route(
            "/_emulator/outage",
            post(routes::outage_admin::start_outage).delete(routes::outage_admin::end_outage),
        )
        .route(
            "/_emulator/caches/{cache}/webhooks",
            get(hooks::list_webhooks),
        )
        .route(
            "/_emulator/caches/{cache}/webhooks/{webhook}",
            put(hooks::put_webhook).delete(hooks::delete_webhook),
        )
        .route(
            "/_emulator/caches/{cache}/webhooks/{webhook}/secret",
            get(hooks::get_webhook_secret),
        )
        .route(
            "/_emulator/caches/{cache}/webhooks/{webhook}/rotate-secret",
            post(hooks::rotate_webhook_secret),
        )
        .route("/_emulator/deliveries", get(hooks::list_deliveries))
        // Admin JSON bodies are small (publish bodies are capped in their
        // handler). Per route, which costs allocations only on admin requests.
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024))
}

/// A router with the JSON 404/405 fallbacks.
fn finish(router: Router<Arc<AppState>>, state: &AppState) -> Router {
    router
        .fallback(routes::not_found)
        .method_not_allowed_fallback(routes::method_not_allowed)
        .with_state(Arc::new(state.clone()))
}

/// The listeners to serve: topics (with its address, to bind again after a
/// refusing outage) and, when configured, the admin API's own.
#[derive(Debug)]
pub(crate) struct Listeners {
    pub topics: (TcpListener, SocketAddr),
    pub admin: Option<(TcpListener, SocketAddr)>,
}

/// Serve `listener` until `shutdown` completes; waiting long polls are answered
/// (empty batch) before this returns. The admin API is served on the same
/// listener unless `config` names its own ([`crate::EmulatorBuilder::admin_listen`]).
pub async fn run(
    listener: TcpListener,
    config: crate::Emulator,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let addr = listener.local_addr()?;
    let admin = match config.admin_listen {
        Some(a) => {
            let l = TcpListener::bind(a).await?;
            let bound = l.local_addr()?;
            Some((l, bound))
        }
        None => None,
    };
    let (state, guards) =
        AppState::new(&config, addr, admin.is_some()).map_err(std::io::Error::other)?;
    let token = state.shutdown.clone();
    tokio::spawn(async move {
        shutdown.await;
        token.cancel();
    });
    let listeners = Listeners {
        topics: (listener, addr),
        admin,
    };
    serve(listeners, config, state, guards).await
}

/// Serve with a ready state until its shutdown token is cancelled.
pub(crate) async fn serve(
    listeners: Listeners,
    config: crate::Emulator,
    state: AppState,
    guards: Guards,
) -> std::io::Result<()> {
    let connections = Connections::new(&config);
    let Listeners { topics, admin } = listeners;
    let mut api = topic_routes();
    let behaviour = state.behaviour;
    if behaviour.rewrites_answers() {
        api = api.layer(axum::middleware::from_fn(move |request, next| {
            routes::profiled::answer(behaviour, request, next)
        }));
    }
    let topics_router = match admin {
        Some(_) => api,
        None => api.merge(admin_routes()),
    };
    let topics_app = crate::connections::app(finish(topics_router, &state));
    let topics_loop = accept_loop(
        Some(topics.0),
        topics.1,
        true,
        topics_app,
        &connections,
        &state,
    );
    match admin {
        Some((listener, addr)) => {
            let admin_app = crate::connections::app(finish(admin_routes(), &state));
            let admin_loop =
                accept_loop(Some(listener), addr, false, admin_app, &connections, &state);
            tokio::join!(topics_loop, admin_loop);
        }
        None => topics_loop.await,
    }
    // Waiting long polls answer at once (the token is cancelled); wait for
    // those answers to be written and the connections to close.
    connections.shutdown().await;
    drop(guards);
    Ok(())
}

/// Accept connections until shutdown. The loop that `serves_topics` closes its
/// listener while a refusing outage is on, and binds `addr` again after it.
async fn accept_loop(
    mut listener: Option<TcpListener>,
    addr: SocketAddr,
    serves_topics: bool,
    app: crate::connections::App,
    connections: &Connections,
    state: &AppState,
) {
    let token = state.shutdown.clone();
    let mut outage = state.outage.subscribe();
    loop {
        let refusing = serves_topics
            && outage
                .borrow_and_update()
                .is_some_and(|c| c.mode == OutageKind::Refuse);
        if refusing && listener.is_some() {
            // Dropping the socket makes the kernel refuse new connections and
            // reset those still waiting in the backlog.
            listener = None;
            state.outage.report_listening(Listening::Closed);
        }
        if !refusing && listener.is_none() {
            match TcpListener::bind(addr).await {
                Ok(l) => {
                    listener = Some(l);
                    state.outage.report_listening(Listening::Open);
                }
                Err(e) => {
                    tracing::warn!(%addr, error = %e, "cannot listen again; retrying in 100 ms");
                    state
                        .outage
                        .report_listening(Listening::BindFailed(e.to_string()));
                    tokio::select! {
                        () = tokio::time::sleep(Duration::from_millis(100)) => continue,
                        () = token.cancelled() => break,
                    }
                }
            }
        }
        match &listener {
            None => tokio::select! {
                _ = outage.changed() => {}
                () = token.cancelled() => break,
            },
            Some(l) => tokio::select! {
                accepted = l.accept() => match accepted {
                    Ok((stream, _)) => connections.serve(stream, &app),
                    Err(e) => backoff_after_accept_error(e).await,
                },
                _ = outage.changed(), if serves_topics => {}
                () = token.cancelled() => break,
            },
        }
    }
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
