//! `GET /topics/{cacheName}/{topicName}`: the long poll (docs/api.md §4).
//!
//! Waits for data, the long-poll timeout or shutdown, whichever comes first;
//! the last two answer `{"items": []}`.

use super::{ApiError, apply_fault, authenticate, check_name, query_pairs};
use crate::answers::batch;
use crate::auth::Operation;
use crate::faults::FaultOp;
use crate::state::AppState;
use crate::topics::Fetch;
use axum::extract::{Path, RawQuery, Request, State, rejection::PathRejection};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// One long poll.
pub async fn subscribe(
    State(state): State<Arc<AppState>>,
    path: Result<Path<(String, String)>, PathRejection>,
    RawQuery(raw): RawQuery,
    // Not `HeaderMap`: that extractor copies every header.
    request: Request,
) -> Response {
    match handle(state, path, raw, request).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

fn number(query: &[(String, String)], name: &str) -> Result<u64, ApiError> {
    match query.iter().find(|(k, _)| k == name) {
        None => Ok(0),
        Some((_, v)) if v.is_empty() => Ok(0),
        Some((_, v)) => v.parse::<u64>().map_err(|_| {
            ApiError::bad_request(format!(
                "{name} must be a non-negative integer (0 on the first request), got {v:?}"
            ))
        }),
    }
}

/// Decrements the topic's waiting count when the poll ends, however it ends.
struct Waiting<'a> {
    state: &'a AppState,
    cache: &'a str,
    topic: &'a str,
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.state.topics.set_waiting(self.cache, self.topic, -1);
    }
}

async fn handle(
    state: Arc<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
    raw: Option<String>,
    request: Request,
) -> Result<Response, ApiError> {
    let Path((cache, topic)) = path.map_err(|e| ApiError::bad_request(format!("bad path: {e}")))?;
    // Subscribed before the first check, so an outage that starts from here
    // on wakes the wait below.
    let mut outage = state.outage.subscribe();
    if let Some(r) = apply_fault(&state, FaultOp::Subscribe, &cache, &topic).await {
        return Ok(r);
    }
    let query = query_pairs(raw.as_deref());
    authenticate(
        &state,
        request.headers(),
        &query,
        Operation::Subscribe,
        &cache,
        &topic,
    )?;
    // The header values share hyper's read buffer (8 KiB); holding them
    // through a long wait would keep that buffer alive per idle poll.
    drop(request);
    check_name("cache", &cache)?;
    check_name("topic", &topic)?;
    let seq = number(&query, "sequence_number")?;
    let page = number(&query, "sequence_page")?;
    if !state.topics.has_cache(&cache) {
        return Err(ApiError::cache_not_found(&cache));
    }
    if !state.limits.operation() {
        return Err(ApiError::too_many(
            "operations-per-second limit exceeded; retry after the time in Retry-After",
            1,
        ));
    }
    let _slot = state.limits.subscription().map_err(|()| {
        ApiError::too_many(
            "concurrent-subscription limit reached; retry after the time in Retry-After",
            1,
        )
    })?;
    let pos = state
        .topics
        .resolve(&cache, &topic, seq, page)
        .map_err(|m| ApiError::missing(m, &cache))?;
    let deadline = tokio::time::sleep(state.long_poll_wait());
    tokio::pin!(deadline);
    let mut waiting: Option<Waiting<'_>> = None;
    loop {
        match state.topics.poll(&cache, &topic, pos) {
            Fetch::Ready(elements) => {
                tracing::info!(
                    cache = cache.as_str(),
                    topic = topic.as_str(),
                    seq = pos.seq,
                    page = pos.page,
                    elements = elements.len(),
                    "subscribe"
                );
                return Ok(batch(state.behaviour.shape, elements));
            }
            Fetch::Missing(m) => return Err(ApiError::missing(m, &cache)),
            Fetch::Wait(mut rx) => {
                if waiting.is_none() {
                    state.topics.set_waiting(&cache, &topic, 1);
                    waiting = Some(Waiting {
                        state: &state,
                        cache: &cache,
                        topic: &topic,
                    });
                }
                tokio::select! {
                    changed = rx.changed() => {
                        if changed.is_err() {
                            // The topic instance went away (expiry): poll again.
                            tokio::task::yield_now().await;
                        }
                    }
                    () = &mut deadline => break,
                    () = state.shutdown.cancelled() => break,
                    _ = outage.changed() => {
                        if let Some(current) = state.outage.current() {
                            return Ok(super::outage_answer(&state, current).await);
                        }
                    }
                }
            }
        }
    }
    drop(waiting);
    tracing::debug!(
        cache = cache.as_str(),
        topic = topic.as_str(),
        "subscribe: empty batch"
    );
    Ok(batch(state.behaviour.shape, Vec::new()))
}
