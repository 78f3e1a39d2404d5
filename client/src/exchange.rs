//! What happens around every generated request: auth, media type, timeouts,
//! error bodies and tracing.
//!
//! The generated [`Client`](crate::raw::Client) calls
//! `ClientHooks::pre` / `exec` / `post` around each operation. This module
//! implements them on `generated::Client` itself (progenitor's auto-ref
//! specialisation: the generated blanket impl is on `&Client`, so ours wins),
//! with the settings in [`Hooks`]:
//!
//! - `pre` places the token in exactly one spot (the `Authorization` header or
//!   the `token` query parameter), relabels a text publish as `text/plain`,
//!   and sets the per-operation timeout;
//! - `exec` runs the request inside a `tracing` span (method, path, operation;
//!   never the token or the query) and rewrites a plain-text error body into
//!   the JSON `Error` schema, so its detail survives the generated decoding;
//!   a subscribe answer framed only by its connection's close fails as a
//!   body error when the close cuts its JSON (see `cut_body.rs`).
//!
//! The relabelling is a back-and-forth progenitor forces: it takes one media
//! type per request body, so the generated publish labels every body
//! `application/octet-stream` (see `xtask/codegen/src/spec.rs`), and `pre`
//! puts `text/plain` back for text.

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{self, HeaderValue};
use tracing::Instrument as _;

use crate::credential::AuthPlacement;
use crate::generated;
use crate::hooks::{Hooks, PublishMedia};
use crate::wire;

impl ClientHooks<Hooks> for generated::Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        let hooks = self.inner();
        if let Some(token) = &hooks.token {
            match hooks.placement {
                AuthPlacement::Header => {
                    let value = hooks.auth_header.clone().ok_or_else(|| {
                        progenitor_client::Error::InvalidRequest(
                            "the token contains characters that cannot go in a header; use AuthPlacement::Query".into(),
                        )
                    })?;
                    request.headers_mut().insert(header::AUTHORIZATION, value);
                }
                AuthPlacement::Query => {
                    request
                        .url_mut()
                        .query_pairs_mut()
                        .append_pair("token", token);
                }
            }
        }
        let timeout = match info.operation_id {
            "publish" => {
                // Undoes the one media type progenitor was given (see the module doc).
                if hooks.publish_media == PublishMedia::Text {
                    request
                        .headers_mut()
                        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
                }
                hooks.publish_timeout
            }
            "subscribe" => hooks.poll_timeout,
            // Cache operations are bounded like a publish.
            "cache_get" | "cache_set" | "cache_delete" => hooks.publish_timeout,
            _ => None,
        };
        if let Some(timeout) = timeout {
            *request.timeout_mut() = Some(timeout);
        }
        Ok(())
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let span = tracing::debug_span!(
            "momento_http.request",
            operation = info.operation_id,
            method = %request.method(),
            // The path names cache and topic; the query (which may hold the token) is left out.
            path = request.url().path(),
            status = tracing::field::Empty,
        );
        // Every generated future holds this one, and every publish and poll
        // moves them around: the logged path and the error path are boxed,
        // so that the common case (nobody listening, a 2xx) stays small.
        let response = if span.is_disabled() && !tracing::enabled!(tracing::Level::DEBUG) {
            self.client().execute(request).await?
        } else {
            Box::pin(execute_logged(self.client(), request, span)).await?
        };
        if response.status().is_success() {
            let close_delimited_cut_is_lost = info.operation_id == "subscribe";
            let response = crate::limits::limit_body(response, crate::limits::MAX_RESPONSE_BYTES);
            Ok(if close_delimited_cut_is_lost {
                crate::cut_body::guard(response)
            } else {
                response
            })
        } else {
            Box::pin(normalise_error_body(response)).await
        }
    }
}

/// Sends `request` inside `span`, logging how it went.
async fn execute_logged(
    client: &reqwest::Client,
    request: reqwest::Request,
    span: tracing::Span,
) -> reqwest::Result<reqwest::Response> {
    let send = async {
        let started = std::time::Instant::now();
        let result = client.execute(request).await;
        match &result {
            Ok(response) => {
                tracing::Span::current().record("status", response.status().as_u16());
                tracing::debug!(
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    "answered"
                );
            }
            Err(e) => tracing::debug!(
                elapsed_ms = started.elapsed().as_millis() as u64,
                timeout = e.is_timeout(),
                connect = e.is_connect(),
                "request failed"
            ),
        }
        result
    };
    send.instrument(span).await
}

/// Rewrites a non-2xx answer whose body is not the JSON `Error` schema into
/// one that is, keeping the status, the headers and the text as `detail`.
async fn normalise_error_body(response: reqwest::Response) -> reqwest::Result<reqwest::Response> {
    let status = response.status();
    let headers = response.headers().clone();
    let body = crate::limits::read_capped(response, crate::limits::MAX_ERROR_BODY_BYTES).await?;
    let body = if serde_json::from_slice::<wire::Error>(&body).is_ok() {
        body
    } else {
        let rewritten = wire::Error {
            status: status.as_u16(),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            detail: crate::error::detail_of(&body),
        };
        serde_json::to_vec(&rewritten)
            .expect("an Error always serialises")
            .into()
    };
    let mut rebuilt = http::Response::new(body);
    *rebuilt.status_mut() = status;
    *rebuilt.headers_mut() = headers;
    rebuilt.headers_mut().remove(header::CONTENT_LENGTH);
    rebuilt.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(reqwest::Response::from(rebuilt))
}
