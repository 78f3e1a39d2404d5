//! The admin API under `/_emulator/` (openapi/emulator-admin.yaml), except
//! webhooks (see [`super::webhook_admin`]). Bodies are `momento_http::admin_wire` types.

use super::{ApiError, check_name};
use crate::auth::{Role, TokenSpec};
use crate::faults::{Fault, FaultEffect, FaultOp};
use crate::state::AppState;
use crate::topics::TopicInfo;
use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use momento_http::admin_wire as aw;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// The Topics spec this emulator implements.
pub const TOPICS_OPENAPI: &str = include_str!("../../../openapi/momento-http.yaml");

type AdminResult<T> = Result<T, ApiError>;

fn json<T>(body: Result<Json<T>, JsonRejection>) -> AdminResult<T> {
    body.map(|Json(b)| b)
        .map_err(|e| ApiError::bad_request(format!("bad JSON body: {}", e.body_text())))
}

fn path<T>(p: Result<Path<T>, PathRejection>) -> AdminResult<T> {
    p.map(|Path(p)| p)
        .map_err(|e| ApiError::bad_request(format!("bad path: {}", e.body_text())))
}

/// `GET /_emulator/health`
pub async fn health() -> Json<aw::Health> {
    Json(aw::Health {
        status: "ok".into(),
    })
}

/// `GET /_emulator/openapi.yaml`
pub async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "text/yaml")], TOPICS_OPENAPI).into_response()
}

/// `GET /_emulator/caches`
pub async fn list_caches(State(state): State<Arc<AppState>>) -> Json<aw::CacheList> {
    Json(aw::CacheList {
        caches: state.topics.caches(),
    })
}

/// `PUT /_emulator/caches/{cacheName}`
pub async fn create_cache(
    State(state): State<Arc<AppState>>,
    p: Result<Path<String>, PathRejection>,
) -> AdminResult<StatusCode> {
    let cache = path(p)?;
    check_name("cache", &cache)?;
    state
        .topics
        .create_cache(&cache, state.limits.limits().max_caches)
        .map_err(|n| {
            ApiError::too_many(
                format!("the cache limit ({n}) is reached; delete a cache first"),
                1,
            )
        })?;
    tracing::info!(cache = cache.as_str(), "cache created");
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /_emulator/caches/{cacheName}`
pub async fn delete_cache(
    State(state): State<Arc<AppState>>,
    p: Result<Path<String>, PathRejection>,
) -> AdminResult<StatusCode> {
    let cache = path(p)?;
    if !state.topics.delete_cache(&cache) {
        return Err(ApiError::cache_not_found(&cache));
    }
    state.webhooks.delete_cache(&cache);
    state.cache_items.delete_cache(&cache);
    tracing::info!(cache = cache.as_str(), "cache deleted");
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /_emulator/tokens`
pub async fn mint_token(
    State(state): State<Arc<AppState>>,
    body: Result<Json<aw::MintTokenRequest>, JsonRejection>,
) -> AdminResult<Json<aw::MintTokenResponse>> {
    let req = json(body)?;
    let spec = TokenSpec {
        caches: (!req.caches.is_empty()).then_some(req.caches),
        topics: (!req.topics.is_empty()).then_some(req.topics),
        role: match req.role {
            aw::TokenRole::Publish => Role::Publish,
            aw::TokenRole::Subscribe => Role::Subscribe,
            aw::TokenRole::PublishSubscribe => Role::PublishSubscribe,
        },
        ttl_seconds: req.ttl_seconds,
        token_id: req.token_id,
    };
    let minted = state.auth.mint(&state.endpoint, &spec);
    Ok(Json(aw::MintTokenResponse {
        api_key: minted.api_key,
        token_id: minted.token_id,
        expires_at: minted.expires_at,
    }))
}

fn topic_state(i: TopicInfo) -> Json<aw::TopicState> {
    Json(aw::TopicState {
        buffered: i.buffered,
        first_buffered: i.first_buffered,
        next_sequence_number: i.next_seq,
        sequence_page: i.page,
        waiting_subscribers: i.waiting,
    })
}

/// `GET /_emulator/caches/{cacheName}/topics/{topicName}`
pub async fn inspect_topic(
    State(state): State<Arc<AppState>>,
    p: Result<Path<(String, String)>, PathRejection>,
) -> AdminResult<Json<aw::TopicState>> {
    let (cache, topic) = path(p)?;
    state
        .topics
        .inspect(&cache, &topic)
        .map(topic_state)
        .map_err(|m| ApiError::missing(m, &cache))
}

/// `POST /_emulator/caches/{cacheName}/topics/{topicName}/reset`
pub async fn reset_topic(
    State(state): State<Arc<AppState>>,
    p: Result<Path<(String, String)>, PathRejection>,
) -> AdminResult<Json<aw::TopicState>> {
    let (cache, topic) = path(p)?;
    let info = state
        .topics
        .reset(&cache, &topic)
        .map_err(|m| ApiError::missing(m, &cache))?;
    tracing::info!(
        cache = cache.as_str(),
        topic = topic.as_str(),
        page = info.page,
        "topic reset"
    );
    Ok(topic_state(info))
}

/// `POST /_emulator/caches/{cacheName}/topics/{topicName}/evict`
pub async fn evict_messages(
    State(state): State<Arc<AppState>>,
    p: Result<Path<(String, String)>, PathRejection>,
    body: Result<Json<aw::EvictRequest>, JsonRejection>,
) -> AdminResult<Json<aw::TopicState>> {
    let (cache, topic) = path(p)?;
    let req = json(body)?;
    state
        .topics
        .evict(&cache, &topic, req.count)
        .map(topic_state)
        .map_err(|m| ApiError::missing(m, &cache))
}

/// `PUT /_emulator/config/long-poll-wait`
pub async fn set_long_poll_wait(
    State(state): State<Arc<AppState>>,
    body: Result<Json<aw::LongPollWait>, JsonRejection>,
) -> AdminResult<StatusCode> {
    let req = json(body)?;
    state.long_poll_wait_ms.store(req.millis, Ordering::Relaxed);
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /_emulator/faults`
pub async fn inject_fault(
    State(state): State<Arc<AppState>>,
    body: Result<Json<aw::FaultRequest>, JsonRejection>,
) -> AdminResult<StatusCode> {
    let req = json(body)?;
    let a = &req.action;
    let action = match (a.status, a.delay_ms, a.drop) {
        (Some(status), None, None | Some(false)) => {
            // 1xx are not answers (hyper turns them into a 500 or a broken
            // connection); a fault answers 200 to 599.
            if !(200..=599).contains(&status) {
                return Err(ApiError::bad_request(format!(
                    "action.status {status} cannot be a fault's answer: use a final status, 200 to 599 \
                     (204, 205 and 304 are sent without a body)"
                )));
            }
            FaultEffect::Status {
                status,
                retry_after_seconds: a.retry_after_seconds,
            }
        }
        (None, Some(ms), None | Some(false)) => FaultEffect::Delay(Duration::from_millis(ms)),
        (None, None, Some(true)) => FaultEffect::Drop,
        _ => {
            return Err(ApiError::bad_request(
                "action must be exactly one of {status, retry_after_seconds?}, {delay_ms} or {drop: true}",
            ));
        }
    };
    state.faults.inject(Fault {
        op: match req.operation {
            aw::FaultOperation::Publish => FaultOp::Publish,
            aw::FaultOperation::Subscribe => FaultOp::Subscribe,
            aw::FaultOperation::CacheGet => FaultOp::CacheGet,
            aw::FaultOperation::CacheSet => FaultOp::CacheSet,
            aw::FaultOperation::CacheDelete => FaultOp::CacheDelete,
        },
        cache: req.cache,
        topic: req.topic,
        remaining: req.count.get(),
        action,
    });
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /_emulator/faults`
pub async fn clear_faults(State(state): State<Arc<AppState>>) -> StatusCode {
    state.faults.clear();
    StatusCode::NO_CONTENT
}
