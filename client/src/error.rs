//! The one error type of the client, and how HTTP answers become it.
//!
//! Every message says what went wrong and what to do about it. Statuses the
//! API documents (docs/api.md §3, §4, §5) have their own variants carrying
//! the server's `detail`, whether the body was the JSON `Error` schema or
//! plain text. Messages quote at most [`EXCERPT_CHARS`](crate::EXCERPT_CHARS)
//! characters of a body, and an error body is read only up to
//! [`MAX_ERROR_BODY_BYTES`](crate::MAX_ERROR_BODY_BYTES).

use std::time::Duration;

use crate::credential::CredentialError;
use crate::generated;
use crate::limits::excerpt;
use crate::wire;

/// Everything that can go wrong talking to Momento Topics.
///
/// ```
/// use momento_http::Error;
/// let err = Error::TooManyRequests { detail: "slow down".into(), retry_after: None };
/// assert!(err.is_retryable());
/// assert_eq!(err.status(), Some(429));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// 400: the request was malformed (bad name, payload too large, token in two places).
    #[error(
        "400 Bad Request: {detail}; fix the request (names, payload, token placement) before retrying"
    )]
    BadRequest {
        /// The server's explanation.
        detail: String,
    },
    /// 401: the token is invalid or expired.
    #[error("401 Unauthorized: {detail}; check that the API key is valid and not expired")]
    Unauthorized {
        /// The server's explanation.
        detail: String,
    },
    /// 403: the token is valid but may not use this cache or topic.
    #[error("403 Forbidden: {detail}; use a key with permission for this cache and topic")]
    Forbidden {
        /// The server's explanation.
        detail: String,
    },
    /// 404: usually "Cache Not Found".
    #[error(
        "404 Not Found: {detail}; check the cache name and region (caches must exist before use)"
    )]
    NotFound {
        /// The server's explanation.
        detail: String,
    },
    /// 429: a limit was exceeded (operations per second, subscriptions, caches).
    #[error("429 Too Many Requests: {detail}; slow down{}", retry_hint(.retry_after))]
    TooManyRequests {
        /// The server's explanation.
        detail: String,
        /// How long the server asked to wait (`Retry-After`), if it said.
        retry_after: Option<Duration>,
    },
    /// 5xx: the server failed. For a publish, the message may or may not
    /// have been delivered ([`Error::may_have_been_delivered`]).
    #[error("{status} server error: {detail}; {}", server_hint(*.during_publish))]
    Server {
        /// The HTTP status (500..=599).
        status: u16,
        /// The server's explanation.
        detail: String,
        /// How long the server asked to wait (`Retry-After`), if it said.
        retry_after: Option<Duration>,
        /// Whether this answered a publish (which may then have been delivered).
        during_publish: bool,
    },
    /// A redirect (3xx). The API documents none, so none is followed: the
    /// token would go to wherever it points.
    #[error(
        "the endpoint answered {status} redirecting to {location:?}; redirects are not followed (the API documents none, and the token would be sent there): point the base URL at the Momento endpoint itself"
    )]
    Redirect {
        /// The HTTP status (300..=399).
        status: u16,
        /// The `Location` header (an excerpt), or "(none)".
        location: String,
    },
    /// A status the API does not document.
    #[error("unexpected HTTP status {status}: {body}; is the base URL a Momento HTTP endpoint?")]
    UnexpectedStatus {
        /// The HTTP status.
        status: u16,
        /// The body as text (an excerpt).
        body: String,
    },
    /// The answer's body was larger than the client reads
    /// ([`MAX_RESPONSE_BYTES`](crate::MAX_RESPONSE_BYTES)); it was not read further.
    #[error(
        "the response body is over the {limit}-byte limit and was not read further; the endpoint is not answering like Momento (check the base URL, or a proxy in between)"
    )]
    ResponseTooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The request did not complete: connection refused or reset, DNS, timeout.
    #[error("{}", transport_message(.message, *.may_have_been_delivered))]
    Transport {
        /// What the HTTP stack reported.
        message: String,
        /// For a publish: whether the server may have received and delivered it.
        may_have_been_delivered: bool,
        /// Whether the request got no complete answer in time (a server
        /// that never answers, or answers too slowly).
        timed_out: bool,
    },
    /// The server answered with a body this client cannot read.
    #[error("invalid response: {reason}; body was: {body}")]
    InvalidResponse {
        /// What was wrong with the body.
        reason: String,
        /// The body as text (lossy UTF-8, an excerpt).
        body: String,
    },
    /// The input was rejected locally; nothing was sent.
    #[error("invalid input (nothing was sent): {reason}")]
    InvalidInput {
        /// What was wrong and what is allowed.
        reason: String,
    },
    /// The credential could not be used.
    #[error(transparent)]
    Credential(#[from] CredentialError),
}

fn retry_hint(retry_after: &Option<Duration>) -> String {
    match retry_after {
        Some(d) => format!(" and retry after {} s", d.as_secs_f64()),
        None => " and retry later".into(),
    }
}

fn server_hint(during_publish: bool) -> &'static str {
    if during_publish {
        "retry later (the publish may or may not have been delivered: check before republishing)"
    } else {
        "retry later"
    }
}

fn transport_message(message: &str, may_have_been_delivered: bool) -> String {
    if may_have_been_delivered {
        format!(
            "request failed: {message}; the server may have received it (a publish may have been delivered, a cache write stored), check before sending it again"
        )
    } else {
        format!(
            "request failed: {message}; nothing was delivered, check the network and base URL and retry"
        )
    }
}

impl Error {
    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::BadRequest { .. } => Some(400),
            Error::Unauthorized { .. } => Some(401),
            Error::Forbidden { .. } => Some(403),
            Error::NotFound { .. } => Some(404),
            Error::TooManyRequests { .. } => Some(429),
            Error::Server { status, .. }
            | Error::Redirect { status, .. }
            | Error::UnexpectedStatus { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Whether trying again later could succeed (429, 5xx, transport errors).
    ///
    /// The client retries subscriptions on these; it never retries a publish,
    /// because publishing is not idempotent.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Error::TooManyRequests { .. } | Error::Server { .. } | Error::Transport { .. }
        )
    }

    /// The server's detail message, when it gave one.
    pub fn detail(&self) -> Option<&str> {
        match self {
            Error::BadRequest { detail }
            | Error::Unauthorized { detail }
            | Error::Forbidden { detail }
            | Error::NotFound { detail }
            | Error::TooManyRequests { detail, .. }
            | Error::Server { detail, .. } => Some(detail),
            _ => None,
        }
    }

    /// How long the server asked to wait before retrying (`Retry-After`).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::TooManyRequests { retry_after, .. } | Error::Server { retry_after, .. } => {
                *retry_after
            }
            _ => None,
        }
    }

    /// For a failed publish: whether the message may nevertheless have been delivered.
    ///
    /// True for a transport error after the request may have reached the
    /// server (a timeout, a reset) and for 5xx answers to a publish; false
    /// otherwise.
    pub fn may_have_been_delivered(&self) -> bool {
        match self {
            Error::Transport {
                may_have_been_delivered,
                ..
            } => *may_have_been_delivered,
            Error::Server { during_publish, .. } => *during_publish,
            _ => false,
        }
    }

    /// Whether this is a timeout: the request got no complete answer in time.
    pub fn is_timeout(&self) -> bool {
        matches!(
            self,
            Error::Transport {
                timed_out: true,
                ..
            }
        )
    }

    /// The error for an HTTP answer: `status`, its headers and raw body
    /// (`publish`: whether it answered a publish), received at `now` (what
    /// a `Retry-After` date counts from).
    pub(crate) fn from_status(
        status: u16,
        headers: &reqwest::header::HeaderMap,
        body: &[u8],
        publish: bool,
        now: std::time::SystemTime,
    ) -> Error {
        let detail = detail_of(body);
        let retry_after = headers
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| crate::retry::parse_retry_after(v, now));
        match status {
            400 => Error::BadRequest { detail },
            401 => Error::Unauthorized { detail },
            403 => Error::Forbidden { detail },
            404 => Error::NotFound { detail },
            429 => Error::TooManyRequests {
                detail,
                retry_after,
            },
            500..=599 => Error::Server {
                status,
                detail,
                retry_after,
                during_publish: publish,
            },
            300..=399 => Error::Redirect {
                status,
                location: headers
                    .get(reqwest::header::LOCATION)
                    .map(|v| excerpt(&String::from_utf8_lossy(v.as_bytes())))
                    .unwrap_or_else(|| "(none)".into()),
            },
            _ => Error::UnexpectedStatus {
                status,
                body: excerpt(&String::from_utf8_lossy(body)),
            },
        }
    }

    /// The error for a request that did not complete.
    pub(crate) fn transport(err: reqwest::Error, may_have_been_delivered: bool) -> Error {
        // reqwest's Display never includes headers; the URL may hold a
        // `token` query parameter, so it is stripped.
        let err = err.without_url();
        if let Some(limit) = crate::limits::too_large(&err) {
            return Error::ResponseTooLarge { limit };
        }
        let timed_out = err.is_timeout();
        let mut message = error_chain(&err);
        if timed_out {
            message.push_str(": no complete answer in time");
        }
        Error::Transport {
            message,
            may_have_been_delivered,
            timed_out,
        }
    }

    /// Converts the generated client's error, received at `now`.
    /// `publish` decides what a transport failure means for delivery.
    pub(crate) async fn from_generated<E: serde::Serialize>(
        err: generated::Error<E>,
        publish: bool,
        now: std::time::SystemTime,
    ) -> Error {
        use generated::Error as G;
        match err {
            G::ErrorResponse(rv) => {
                let status = rv.status().as_u16();
                let headers = rv.headers().clone();
                let body = serde_json::to_vec(rv.as_ref() as &E).unwrap_or_default();
                Error::from_status(status, &headers, &body, publish, now)
            }
            G::UnexpectedResponse(response) => {
                let status = response.status().as_u16();
                let headers = response.headers().clone();
                match crate::limits::read_capped(response, crate::MAX_ERROR_BODY_BYTES).await {
                    Ok(body) => Error::from_status(status, &headers, &body, publish, now),
                    Err(e) => Error::transport(e, publish),
                }
            }
            G::CommunicationError(e) => {
                // A connect failure means the request never left; anything later may have.
                let maybe = publish && !e.is_connect() && !e.is_builder();
                Error::transport(e, maybe)
            }
            G::ResponseBodyError(e) | G::InvalidUpgrade(e) => Error::transport(e, publish),
            G::InvalidResponsePayload(body, e) => Error::InvalidResponse {
                reason: format!("the body does not match the API's schema ({e})"),
                body: excerpt(&String::from_utf8_lossy(&body)),
            },
            G::InvalidRequest(reason) => Error::InvalidInput { reason },
            G::Custom(reason) => Error::InvalidInput { reason },
        }
    }
}

/// Extracts `detail` from a JSON `Error` body, or the trimmed text of any
/// other body; an excerpt either way.
pub(crate) fn detail_of(body: &[u8]) -> String {
    if let Ok(e) = serde_json::from_slice::<wire::Error>(body) {
        return excerpt(&e.detail);
    }
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        "(no detail in the response body)".into()
    } else {
        excerpt(text)
    }
}

/// `err` and its sources, joined with ": ".
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut message = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = s.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    /// When the answers in these tests arrive.
    const NOW: std::time::SystemTime = std::time::SystemTime::UNIX_EPOCH;

    #[test]
    fn plain_text_and_json_details_are_kept() {
        let h = reqwest::header::HeaderMap::new();
        let e = Error::from_status(
            404,
            &h,
            br#"{"status":404,"title":"Not Found","detail":"Cache Not Found"}"#,
            false,
            NOW,
        );
        assert_eq!(e.detail(), Some("Cache Not Found"));
        let e = Error::from_status(400, &h, b"  both token forms given\n", false, NOW);
        assert_eq!(e.detail(), Some("both token forms given"));
        assert!(e.to_string().contains("both token forms given"));
    }

    #[test]
    fn retry_after_is_read_in_seconds() {
        let mut h = reqwest::header::HeaderMap::new();
        h.insert(reqwest::header::RETRY_AFTER, "2".parse().unwrap());
        let e = Error::from_status(429, &h, b"", false, NOW);
        assert_eq!(e.retry_after(), Some(Duration::from_secs(2)));
        assert!(e.is_retryable());
        assert!(!Error::from_status(401, &h, b"", false, NOW).is_retryable());
    }
}
