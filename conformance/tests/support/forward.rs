//! The forwarding half of a test proxy: one request to the upstream, its
//! status, `Content-Type` and body back.

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};

/// Send `method url` with `body` and the request's `Authorization` and
/// `Content-Type`; the upstream's answer, or 502 when there is none.
pub async fn forward(
    http: &reqwest::Client,
    method: Method,
    url: impl reqwest::IntoUrl,
    headers: &HeaderMap,
    body: Bytes,
) -> Response {
    let mut req = http.request(method, url).body(body);
    for name in ["authorization", "content-type"] {
        if let Some(v) = headers.get(name) {
            req = req.header(name, v);
        }
    }
    let Ok(resp) = req.send().await else {
        return StatusCode::BAD_GATEWAY.into_response();
    };
    let status = resp.status();
    let content_type = resp.headers().get("content-type").cloned();
    let body = resp.bytes().await.unwrap_or_default();
    let mut out = (status, body).into_response();
    if let Some(ct) = content_type {
        out.headers_mut().insert("content-type", ct);
    }
    out
}
