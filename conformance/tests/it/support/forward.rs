//! The forwarding half of a test proxy: one request to the upstream, its
//! status, `Content-Type` and body back.

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};

/// What the upstream answered, as much of it as a proxy passes on.
#[derive(Clone, Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub content_type: Option<axum::http::HeaderValue>,
    pub body: Bytes,
}

impl Answer {
    /// An answer of the proxy's own.
    pub fn new(status: u16, content_type: &str, body: impl Into<Bytes>) -> Answer {
        Answer {
            status: StatusCode::from_u16(status).expect("a valid status"),
            content_type: Some(content_type.parse().expect("a valid Content-Type")),
            body: body.into(),
        }
    }
}

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        let mut out = (self.status, self.body).into_response();
        if let Some(ct) = self.content_type {
            out.headers_mut().insert("content-type", ct);
        }
        out
    }
}

/// Send `method url` with `body` and the request's `Authorization` and
/// `Content-Type`; the upstream's answer, or 502 when there is none.
pub async fn fetch(
    http: &reqwest::Client,
    method: Method,
    url: impl reqwest::IntoUrl,
    headers: &HeaderMap,
    body: Bytes,
) -> Answer {
    let mut req = http.request(method, url).body(body);
    for name in ["authorization", "content-type"] {
        if let Some(v) = headers.get(name) {
            req = req.header(name, v);
        }
    }
    let Ok(resp) = req.send().await else {
        return Answer {
            status: StatusCode::BAD_GATEWAY,
            content_type: None,
            body: Bytes::new(),
        };
    };
    let status = resp.status();
    let content_type = resp.headers().get("content-type").cloned();
    let body = resp.bytes().await.unwrap_or_default();
    Answer {
        status,
        content_type,
        body,
    }
}

/// [`fetch`], as a response to pass on.
pub async fn forward(
    http: &reqwest::Client,
    method: Method,
    url: impl reqwest::IntoUrl,
    headers: &HeaderMap,
    body: Bytes,
) -> Response {
    fetch(http, method, url, headers, body)
        .await
        .into_response()
}
