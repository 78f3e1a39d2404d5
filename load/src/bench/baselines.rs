//! The baselines the emulator is compared with, run in the same process:
//! an axum handler answering 204, the same behind the emulator's layers, and
//! sequential loopback round trips to the former.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::bail;
use axum::http::StatusCode;

use super::harness::{BODY, CACHE};

/// The baseline: an axum handler answering 204 to the same POSTs, and for
/// the cache scenarios a fixed 100-byte value ([`BODY`]) to every `GET
/// /cache/{cache}` and 204 to every `PUT` (no store, no key lookup).
pub async fn start_baseline() -> anyhow::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let app = axum::Router::new()
        .route(
            "/topics/{cache}/{topic}",
            axum::routing::post(|| async { StatusCode::NO_CONTENT }),
        )
        .route(
            "/cache/{cache}",
            axum::routing::get(|| async { BODY }).put(|| async { StatusCode::NO_CONTENT }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((addr, task))
}

/// A second reference for diagnosis: a handler that, like the emulator,
/// reads the body, checks a header and runs inside the same layers (panic
/// catching and a body limit, around the whole router), then answers 204.
pub async fn start_layered_baseline() -> anyhow::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    use tower::{Layer as _, ServiceExt};
    use tower_http::catch_panic::CatchPanicLayer;
    let router = axum::Router::new().route(
        "/topics/{cache}/{topic}",
        axum::routing::post(
            |axum::extract::Path((_c, _t)): axum::extract::Path<(String, String)>,
             request: axum::extract::Request| async move {
                let has_token = request.headers().get("authorization").is_some();
                match axum::body::to_bytes(request.into_body(), 4096).await {
                    Ok(_) if has_token => StatusCode::NO_CONTENT,
                    _ => StatusCode::BAD_REQUEST,
                }
            },
        ),
    );
    let layered =
        CatchPanicLayer::new().layer(axum::extract::DefaultBodyLimit::max(64 * 1024).layer(router));
    // axum::serve wants axum's body type.
    let app = ServiceExt::<axum::extract::Request>::map_response(layered, |r| {
        r.map(axum::body::Body::new)
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            axum::ServiceExt::<axum::extract::Request>::into_make_service(app),
        )
        .await;
    });
    Ok((addr, task))
}

/// Loopback round trips (µs, sorted): one keep-alive connection, sequential
/// POSTs of [`BODY`] with `token` to the 204 handler for `run` (after 300 ms
/// of warm-up, not counted).
pub async fn loopback_round_trips(run: Duration, token: &str) -> anyhow::Result<Vec<f64>> {
    let (addr, task) = start_baseline().await?;
    let http = momento_http::http_client_builder()
        .expect("rustls accepts ring's defaults")
        .build()?;
    let url = format!("http://{addr}/topics/{CACHE}/latency");
    let mut rtt = Vec::new();
    let warm_until = Instant::now() + Duration::from_millis(300);
    let until = warm_until + run;
    while Instant::now() < until {
        let t = Instant::now();
        let r = http
            .post(&url)
            .header("authorization", token)
            .header("content-type", "text/plain")
            .body(BODY)
            .send()
            .await?;
        if r.status() != reqwest::StatusCode::NO_CONTENT {
            bail!("baseline answered {}", r.status());
        }
        if t > warm_until {
            rtt.push(t.elapsed().as_secs_f64() * 1e6);
        }
    }
    task.abort();
    rtt.sort_by(f64::total_cmp);
    Ok(rtt)
}
