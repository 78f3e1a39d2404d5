//! What a profile does to every answer of the API, whichever route made it:
//! a round trip added, fields nobody documents in a JSON error body. Only
//! the API's routes pass through here; the admin API keeps its own shape.

use crate::profile::Behaviour;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// The largest error body rewritten; the emulator's own are far smaller.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// Answer `request` as `behaviour` says.
pub async fn answer(behaviour: Behaviour, request: Request, next: Next) -> Response {
    let half_trip = behaviour.round_trip / 2;
    if !half_trip.is_zero() {
        tokio::time::sleep(half_trip).await;
    }
    let mut response = next.run(request).await;
    if behaviour.shape.extra_fields && is_json_error(&response) {
        response = with_extra_fields(response).await;
    }
    if !half_trip.is_zero() {
        tokio::time::sleep(half_trip).await;
    }
    response
}

fn is_json_error(response: &Response) -> bool {
    (response.status().is_client_error() || response.status().is_server_error())
        && response
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|t| t.as_bytes().starts_with(b"application/json"))
}

/// The same error with [`crate::answers::with_extra_fields`] in its body.
async fn with_extra_fields(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_ERROR_BODY).await else {
        // Not readable whole (a dropped connection's body): end it the same way.
        return crate::routes::dropped_connection();
    };
    let body = crate::answers::with_extra_fields(&bytes).unwrap_or(bytes);
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
    Response::from_parts(parts, Body::from(body))
}
