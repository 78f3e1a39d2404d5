//! One handler per operation, plus what they share: JSON errors, token
//! placement, name checks and fault application.

pub mod admin;
pub mod cache;
pub mod outage_admin;
pub mod profiled;
pub mod publish;
pub mod subscribe;
pub mod webhook_admin;

use crate::auth::{AuthError, Claims, Operation};
use crate::faults::{FaultEffect, FaultOp};
use crate::outage::{Current, OutageKind};
use crate::state::AppState;
use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use momento_http::wire;

/// The name rules, from the spec (`Name` schema; docs/api.md §3).
pub use momento_http::wire::{MAX_NAME_BYTES, RESERVED_NAMES};

/// An error answer: JSON `{status, title, detail}`.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    title: Option<&'static str>,
    detail: String,
    retry_after: Option<u64>,
}

impl ApiError {
    /// Any status.
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        ApiError {
            status,
            title: None,
            detail: detail.into(),
            retry_after: None,
        }
    }
    /// 400.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, detail)
    }
    /// 404 "Cache Not Found".
    pub fn cache_not_found(cache: &str) -> Self {
        ApiError {
            title: Some("Cache Not Found"),
            ..Self::new(
                StatusCode::NOT_FOUND,
                format!(
                    "cache {cache:?} does not exist; create it first (admin API PUT /_emulator/caches/{{cacheName}} or --cache)"
                ),
            )
        }
    }
    /// The topic is unavailable: 404 for the cache, 429 for the topic limit.
    pub fn missing(m: crate::topics::Missing, cache: &str) -> Self {
        match m {
            crate::topics::Missing::Cache => Self::cache_not_found(cache),
            crate::topics::Missing::TopicLimit => Self::too_many(
                "the topic limit is reached; idle topics expire, retry later",
                1,
            ),
        }
    }
    /// 404.
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, detail)
    }
    /// 429 with `Retry-After`.
    pub fn too_many(detail: impl Into<String>, retry_after: u64) -> Self {
        ApiError {
            retry_after: Some(retry_after),
            ..Self::new(StatusCode::TOO_MANY_REQUESTS, detail)
        }
    }
}

impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::Unauthorized(d) => ApiError::new(StatusCode::UNAUTHORIZED, d),
            AuthError::Forbidden(d) => ApiError::new(StatusCode::FORBIDDEN, d),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // A `&str` field, not `%`: the log escapes it, so a name with CR LF in
        // a detail cannot write a line of its own.
        tracing::info!(
            status = self.status.as_u16(),
            detail = self.detail.as_str(),
            "error answer"
        );
        let body = wire::Error {
            status: self.status.as_u16(),
            title: self
                .title
                .or(self.status.canonical_reason())
                .unwrap_or("Error")
                .to_string(),
            detail: self.detail,
        };
        let mut resp = (self.status, axum::Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        resp
    }
}

/// Unknown route: JSON 404.
pub async fn not_found(
    axum::extract::State(state): axum::extract::State<std::sync::Arc<AppState>>,
    uri: axum::http::Uri,
) -> ApiError {
    if state.outage.admin_separate() && uri.path().starts_with("/_emulator/") {
        return ApiError::not_found(format!(
            "no such route here: {}; this emulator serves its admin API on an address of its own (--admin-listen)",
            uri.path()
        ));
    }
    ApiError::not_found(format!(
        "no such route: {}; the API is POST/GET /topics/{{cacheName}}/{{topicName}} and the admin API under /_emulator/",
        uri.path()
    ))
}

/// Known route, wrong method: JSON 405.
pub async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("{method} is not allowed on {}", uri.path()),
    )
}

/// Check a cache or topic name.
pub fn check_name(kind: &str, name: &str) -> Result<(), ApiError> {
    if name.trim().is_empty() {
        return Err(ApiError::bad_request(format!(
            "the {kind} name is empty or only whitespace"
        )));
    }
    if RESERVED_NAMES.contains(&name) {
        return Err(ApiError::bad_request(format!(
            "the {kind} name `{name}` is reserved: URLs resolve it away; choose another"
        )));
    }
    if name.len() > MAX_NAME_BYTES {
        return Err(ApiError::bad_request(format!(
            "the {kind} name is {} bytes long; at most {MAX_NAME_BYTES} are allowed",
            name.len()
        )));
    }
    Ok(())
}

/// Parse the query string into pairs; a malformed one is a 400.
pub fn query_pairs(raw: Option<&str>) -> Vec<(String, String)> {
    let Some(raw) = raw else { return Vec::new() };
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    let s = s.replace('+', " ");
    percent_encoding::percent_decode_str(&s)
        .decode_utf8_lossy()
        .into_owned()
}

/// The token from exactly one of the header or the query, verified and
/// authorized for `op` on `cache`/`topic`.
pub fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    query: &[(String, String)],
    op: Operation,
    cache: &str,
    topic: &str,
) -> Result<std::sync::Arc<Claims>, ApiError> {
    let header = headers.get(header::AUTHORIZATION);
    let query_token = query.iter().find(|(k, _)| k == "token").map(|(_, v)| v);
    let token = match (header, query_token) {
        (Some(_), Some(_)) => {
            return Err(ApiError::bad_request(
                "the token was sent both in the Authorization header and the token query parameter; send it in exactly one",
            ));
        }
        (None, None) => {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "no token: send it in the Authorization header (raw, no `Bearer `) or the token query parameter",
            ));
        }
        (Some(h), None) => h.to_str().map_err(|_| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "the Authorization header is not valid text",
            )
        })?,
        (None, Some(q)) => q.as_str(),
    };
    let claims = state.auth.verify(token)?;
    crate::auth::authorize(&claims, op, cache, topic)?;
    Ok(claims)
}

/// Apply a staged outage or an armed fault, if one matches: `Some(response)`
/// to answer instead. Every topic route calls this first.
pub async fn apply_fault(
    state: &AppState,
    op: FaultOp,
    cache: &str,
    topic: &str,
) -> Option<Response> {
    if let Some(current) = state.outage.current() {
        return Some(outage_answer(state, current).await);
    }
    match state.faults.take(op, cache, topic)? {
        FaultEffect::Status {
            status,
            retry_after_seconds,
        } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut resp = if matches!(status.as_u16(), 204 | 205 | 304) {
                // These statuses have no body (RFC 9110 §15.3.5, §15.3.6, §15.4.5).
                tracing::info!(status = status.as_u16(), "injected fault");
                status.into_response()
            } else {
                ApiError::new(status, "injected fault (emulator admin API)").into_response()
            };
            if let Some(secs) = retry_after_seconds {
                resp.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(secs));
            }
            Some(resp)
        }
        FaultEffect::Delay(d) => {
            tokio::time::sleep(d).await;
            None
        }
        FaultEffect::Drop => Some(dropped_connection()),
    }
}

/// What a topic request gets during the outage `current`: a 503, a closed
/// connection, or (a hang) nothing until the outage is over, then a closed
/// connection.
pub async fn outage_answer(state: &AppState, current: Current) -> Response {
    match current.mode {
        OutageKind::Unavailable { retry_after } => ApiError {
            retry_after,
            ..ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "the endpoint is unavailable: an outage staged through the emulator's admin API \
                 (DELETE /_emulator/outage ends it); retry later",
            )
        }
        .into_response(),
        OutageKind::Refuse => dropped_connection(),
        OutageKind::Hang => {
            state.outage.over(current.epoch).await;
            dropped_connection()
        }
    }
}

/// A response whose body fails before its first byte: hyper then closes the
/// connection without completing the answer, which a client sees as a
/// connection error.
pub fn dropped_connection() -> Response {
    let stream = futures::stream::once(async {
        Err::<bytes::Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "injected fault: connection dropped",
        ))
    });
    Response::new(Body::from_stream(stream))
}
