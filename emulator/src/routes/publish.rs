//! `POST /topics/{cacheName}/{topicName}` (docs/api.md §3).

use super::{ApiError, apply_fault, authenticate, check_name, query_pairs};
use crate::auth::Operation;
use crate::faults::FaultOp;
use crate::state::AppState;
use crate::topics::Value;
use axum::extract::{Path, RawQuery, Request, State, rejection::PathRejection};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// Publish one message.
pub async fn publish(
    State(state): State<Arc<AppState>>,
    path: Result<Path<(String, String)>, PathRejection>,
    RawQuery(raw): RawQuery,
    // The whole request rather than `HeaderMap` and `Body`: that extractor
    // copies every header, on the hottest path.
    request: Request,
) -> Response {
    match handle(state, path, raw, request).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn handle(
    state: Arc<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
    raw: Option<String>,
    request: Request,
) -> Result<Response, ApiError> {
    let (parts, body) = request.into_parts();
    let headers = &parts.headers;
    let Path((cache, topic)) = path.map_err(|e| ApiError::bad_request(format!("bad path: {e}")))?;
    if let Some(r) = apply_fault(&state, FaultOp::Publish, &cache, &topic).await {
        return Ok(r);
    }
    let query = query_pairs(raw.as_deref());
    let claims = authenticate(&state, headers, &query, Operation::Publish, &cache, &topic)?;
    check_name("cache", &cache)?;
    check_name("topic", &topic)?;
    if !state.topics.has_cache(&cache) {
        return Err(ApiError::cache_not_found(&cache));
    }
    if !state.limits.operation() {
        return Err(ApiError::too_many(
            "operations-per-second limit exceeded; retry after the time in Retry-After",
            1,
        ));
    }
    let max = state.limits.limits().max_payload_bytes;
    let too_big = || {
        ApiError::bad_request(format!(
            "the payload is larger than the {max}-byte limit; send at most {max} bytes"
        ))
    };
    // Refuse by Content-Length before reading, and never read past the limit.
    if let Some(len) = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        && len > max as u64
    {
        return Err(too_big());
    }
    // A body that stops arriving would hold the connection for ever; it gets
    // as long as a request head does. The timer is armed only when the body
    // is not already in hyper's buffer (the common case costs no timer).
    let mut read = std::pin::pin!(axum::body::to_bytes(body, max));
    let read = match futures::poll!(read.as_mut()) {
        std::task::Poll::Ready(r) => r,
        std::task::Poll::Pending => tokio::time::timeout(state.idle_timeout, read)
            .await
            .map_err(|_| {
                ApiError::new(
                    StatusCode::REQUEST_TIMEOUT,
                    format!(
                        "the body did not arrive in full within {} ms (--idle-timeout); send it at once",
                        state.idle_timeout.as_millis()
                    ),
                )
            })?,
    };
    let bytes = read.map_err(|e| {
        if e.to_string().contains("length limit") {
            too_big()
        } else {
            ApiError::bad_request(format!("cannot read the body: {e}"))
        }
    })?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim());
    let is = |media: &str| content_type.is_some_and(|c| c.eq_ignore_ascii_case(media));
    let value = if is("application/octet-stream") {
        Value::Binary(bytes)
    } else {
        match String::from_utf8(bytes.into()) {
            Ok(s) => Value::Text(s),
            Err(_) if is("text/plain") => {
                return Err(ApiError::bad_request(
                    "the body is not valid UTF-8 but Content-Type is text/plain; send bytes as application/octet-stream",
                ));
            }
            Err(_) => {
                return Err(ApiError::bad_request(format!(
                    "the body is not valid UTF-8 and Content-Type is {}; send bytes as application/octet-stream",
                    content_type.unwrap_or("missing")
                )));
            }
        }
    };
    let seq = state
        .topics
        .publish(&cache, &topic, &value)
        .map_err(|m| ApiError::missing(m, &cache))?;
    let text = match &value {
        Value::Text(t) => Some(t.as_str()),
        Value::Binary(_) => None,
    };
    state
        .webhooks
        .published(&cache, &topic, seq, text, &claims.id);
    // `&str` fields: the log escapes them (no forged lines from a name with CR LF).
    tracing::info!(
        cache = cache.as_str(),
        topic = topic.as_str(),
        seq,
        "publish"
    );
    Ok(StatusCode::NO_CONTENT.into_response())
}
