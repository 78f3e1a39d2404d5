//! Webhook management under `/_emulator/caches/{cacheName}/webhooks` and the
//! delivery log (docs/api.md §6). Bodies are camelCase, as in Momento's SDK types.

use super::{ApiError, check_name};
use crate::state::AppState;
use crate::webhooks::MAX_NAME;
use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use momento_http::admin_wire as aw;
use std::sync::Arc;

type AdminResult<T> = Result<T, ApiError>;

fn ids(
    state: &AppState,
    p: Result<Path<(String, String)>, PathRejection>,
) -> AdminResult<(String, String)> {
    let Path((cache, name)) =
        p.map_err(|e| ApiError::bad_request(format!("bad path: {}", e.body_text())))?;
    if !state.topics.has_cache(&cache) {
        return Err(ApiError::cache_not_found(&cache));
    }
    Ok((cache, name))
}

fn unknown(cache: &str, name: &str) -> ApiError {
    ApiError::not_found(format!(
        "webhook {name:?} does not exist in cache {cache:?}"
    ))
}

/// `GET /_emulator/caches/{cacheName}/webhooks`
pub async fn list_webhooks(
    State(state): State<Arc<AppState>>,
    p: Result<Path<String>, PathRejection>,
) -> AdminResult<Json<aw::WebhookList>> {
    let Path(cache) =
        p.map_err(|e| ApiError::bad_request(format!("bad path: {}", e.body_text())))?;
    if !state.topics.has_cache(&cache) {
        return Err(ApiError::cache_not_found(&cache));
    }
    let webhooks = state
        .webhooks
        .list(&cache)
        .into_iter()
        .map(|(name, w)| aw::Webhook {
            destination: aw::PostUrl {
                post_url: w.post_url,
            },
            id: aw::WebhookId {
                cache_name: cache.clone(),
                webhook_name: name,
            },
            topic_name: w.topic,
        })
        .collect();
    Ok(Json(aw::WebhookList { webhooks }))
}

/// `PUT /_emulator/caches/{cacheName}/webhooks/{webhookName}`
pub async fn put_webhook(
    State(state): State<Arc<AppState>>,
    p: Result<Path<(String, String)>, PathRejection>,
    body: Result<Json<aw::PutWebhookRequest>, JsonRejection>,
) -> AdminResult<Json<aw::PutWebhookResponse>> {
    let (cache, name) = ids(&state, p)?;
    let req = body
        .map(|Json(b)| b)
        .map_err(|e| ApiError::bad_request(format!("bad JSON body: {}", e.body_text())))?;
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(ApiError::bad_request(format!(
            "webhook names are 1 to {MAX_NAME} characters"
        )));
    }
    check_name("topic", &req.topic_name)?;
    let url = req.destination.post_url.as_str();
    let valid = reqwest::Url::parse(url)
        .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
    if !valid {
        return Err(ApiError::bad_request(format!(
            "destination.postUrl {url:?} is not an absolute http(s) URL"
        )));
    }
    let secret = state.webhooks.put(&cache, &name, &req.topic_name, url);
    tracing::info!(
        cache = cache.as_str(),
        webhook = name.as_str(),
        topic = req.topic_name.as_str(),
        "webhook put"
    );
    Ok(Json(aw::PutWebhookResponse {
        secret_string: secret,
    }))
}

/// `DELETE /_emulator/caches/{cacheName}/webhooks/{webhookName}`
pub async fn delete_webhook(
    State(state): State<Arc<AppState>>,
    p: Result<Path<(String, String)>, PathRejection>,
) -> AdminResult<StatusCode> {
    let (cache, name) = ids(&state, p)?;
    if !state.webhooks.delete(&cache, &name) {
        return Err(unknown(&cache, &name));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /_emulator/caches/{cacheName}/webhooks/{webhookName}/secret`
pub async fn get_webhook_secret(
    State(state): State<Arc<AppState>>,
    p: Result<Path<(String, String)>, PathRejection>,
) -> AdminResult<Json<aw::WebhookSecret>> {
    let (cache, name) = ids(&state, p)?;
    let secret = state.webhooks.secret(&cache, &name);
    secret_answer(cache, name, secret)
}

/// `POST /_emulator/caches/{cacheName}/webhooks/{webhookName}/rotate-secret`
pub async fn rotate_webhook_secret(
    State(state): State<Arc<AppState>>,
    p: Result<Path<(String, String)>, PathRejection>,
) -> AdminResult<Json<aw::WebhookSecret>> {
    let (cache, name) = ids(&state, p)?;
    let secret = state.webhooks.rotate(&cache, &name);
    secret_answer(cache, name, secret)
}

/// The seed's `{secret, webhookName, cacheName}`, or 404 for an unknown webhook.
fn secret_answer(
    cache: String,
    name: String,
    secret: Option<String>,
) -> AdminResult<Json<aw::WebhookSecret>> {
    let secret = secret.ok_or_else(|| unknown(&cache, &name))?;
    Ok(Json(aw::WebhookSecret {
        cache_name: cache,
        secret,
        webhook_name: name,
    }))
}

/// `GET /_emulator/deliveries`
pub async fn list_deliveries(State(state): State<Arc<AppState>>) -> Json<aw::DeliveryList> {
    Json(aw::DeliveryList {
        deliveries: state.webhooks.deliveries(),
    })
}
