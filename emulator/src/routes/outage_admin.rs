//! `POST`/`DELETE /_emulator/outage`: stage an outage of the topic routes
//! (see `crate::outage` for what each mode does).

use super::ApiError;
use crate::outage::{OutageError, OutageKind};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use momento_http::admin_wire as aw;
use std::sync::Arc;
use std::time::Duration;

impl From<OutageError> for ApiError {
    fn from(e: OutageError) -> Self {
        match e {
            OutageError::RefuseNeedsDuration => ApiError::bad_request(e.to_string()),
            OutageError::ListenerSlow(_) | OutageError::Rebind(_) => {
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
            }
        }
    }
}

/// `POST /_emulator/outage`
pub async fn start_outage(
    State(state): State<Arc<AppState>>,
    body: Result<Json<aw::OutageRequest>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let req = body
        .map(|Json(b)| b)
        .map_err(|e| ApiError::bad_request(format!("bad JSON body: {}", e.body_text())))?;
    let mode = match req.mode {
        aw::OutageMode::Refuse => OutageKind::Refuse,
        aw::OutageMode::Hang => OutageKind::Hang,
        aw::OutageMode::Unavailable => OutageKind::Unavailable {
            retry_after: req.retry_after_seconds,
        },
    };
    if req.retry_after_seconds.is_some() && !matches!(mode, OutageKind::Unavailable { .. }) {
        return Err(ApiError::bad_request(
            "retry_after_seconds applies to mode \"unavailable\" only",
        ));
    }
    let duration = req.duration_ms.map(|ms| Duration::from_millis(ms.get()));
    state.outage.start(mode, duration).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /_emulator/outage`
pub async fn end_outage(State(state): State<Arc<AppState>>) -> Result<StatusCode, ApiError> {
    state.outage.end().await?;
    Ok(StatusCode::NO_CONTENT)
}
