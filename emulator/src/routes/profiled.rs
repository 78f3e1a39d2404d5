//! What a profile does to every answer of the API, whichever route made it:
//! a round trip added, an error body in plain text or with fields nobody
//! documents, no `Retry-After`. Only the API's routes pass through here;
//! the admin API keeps its own shape.

use crate::profile::Behaviour;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use bytes::Bytes;

/// The largest error body rewritten; the emulator's own are far smaller.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// Answer `request` as `behaviour` says.
pub async fn answer(behaviour: Behaviour, request: Request, next: Next) -> Response {
    let half_trip = behaviour.round_trip / 2;
    if !half_trip.is_zero() {
        tokio::time::sleep(half_trip).await;
    }
    let mut response = next.run(request).await;
    if !behaviour.retry_after {
        response.headers_mut().remove(header::RETRY_AFTER);
    }
    if behaviour.shape.plain_text_errors && is_json_error(&response) {
        response = rewrite_error(response, as_plain_text, Some(PLAIN_TEXT)).await;
    } else if behaviour.shape.extra_fields && is_json_error(&response) {
        response = rewrite_error(response, crate::answers::with_extra_fields, None).await;
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

/// `{"title": T, "detail": D}` as the text `T: D` (the client and the
/// suite look for a title such as `Key Not Found` in the body).
fn as_plain_text(body: &[u8]) -> Option<Bytes> {
    let error: momento_http::wire::Error = serde_json::from_slice(body).ok()?;
    Some(Bytes::from(format!("{}: {}", error.title, error.detail)))
}

const PLAIN_TEXT: &str = "text/plain; charset=utf-8";

/// The same error with its body made by `rewrite`, of `content_type` when
/// given (left as it was when `rewrite` cannot read it).
async fn rewrite_error(
    response: Response,
    rewrite: fn(&[u8]) -> Option<Bytes>,
    content_type: Option<&'static str>,
) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_ERROR_BODY).await else {
        // Not readable whole (a dropped connection's body): end it the same way.
        return crate::routes::dropped_connection();
    };
    let Some(body) = rewrite(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    if let Some(content_type) = content_type {
        parts
            .headers
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    }
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
    Response::from_parts(parts, Body::from(body))
}
