//! How much of a server's answer the client reads (docs/api.md §8).
//!
//! An endpoint the caller does not control (a proxy, a captive portal, a
//! broken gateway) may answer with anything. A successful answer is read up
//! to [`MAX_RESPONSE_BYTES`]; past it the request fails with
//! [`Error::ResponseTooLarge`](crate::Error::ResponseTooLarge). An error
//! answer is read up to [`MAX_ERROR_BODY_BYTES`] and the rest dropped, and
//! error messages quote at most [`EXCERPT_CHARS`] characters of any body.

use bytes::{Bytes, BytesMut};
use futures::StreamExt as _;

/// The most bytes read of a successful answer (a subscribe batch): 8 MiB.
///
/// The emulator sends at most 100 messages of 4 KB a batch (about 0.6 MB
/// as JSON); 8 MiB leaves room for larger payloads on other endpoints while
/// keeping a hostile answer from costing more than a few times that in
/// memory.
pub const MAX_RESPONSE_BYTES: usize = 8 * 1024 * 1024;

/// The most bytes read of an error answer: 64 KiB. The rest is dropped.
pub const MAX_ERROR_BODY_BYTES: usize = 64 * 1024;

/// The most characters of a body an error message quotes.
pub const EXCERPT_CHARS: usize = 512;

/// The body of an answer was larger than the client reads.
#[derive(Debug, thiserror::Error)]
#[error("the response body is over the {limit}-byte limit")]
pub(crate) struct BodyTooLarge {
    /// The limit that was passed.
    pub(crate) limit: usize,
}

/// `response` with its body cut off by an error past `limit` bytes.
///
/// An answer whose `Content-Length` is within the limit is returned as it
/// is (its framing already bounds it, and publishes stay free of the
/// wrapper); one announced over the limit fails at the first read.
pub(crate) fn limit_body(response: reqwest::Response, limit: usize) -> reqwest::Response {
    let announced = response.content_length();
    if announced.is_some_and(|len| len <= limit as u64) {
        return response;
    }
    with_body(response, |response| {
        if announced.is_some() {
            // Announced over the limit: fail at once, read nothing.
            reqwest::Body::wrap_stream(futures::stream::once(async move {
                Err::<Bytes, BoxError>(Box::new(BodyTooLarge { limit }))
            }))
        } else {
            let mut seen = 0usize;
            reqwest::Body::wrap_stream(response.bytes_stream().map(move |chunk| {
                let chunk = chunk?;
                seen = seen.saturating_add(chunk.len());
                if seen > limit {
                    return Err(Box::new(BodyTooLarge { limit }) as BoxError);
                }
                Ok(chunk)
            }))
        }
    })
}

/// `response` (status, version, headers) with the body `body` makes of it.
pub(crate) fn with_body(
    response: reqwest::Response,
    body: impl FnOnce(reqwest::Response) -> reqwest::Body,
) -> reqwest::Response {
    let status = response.status();
    let version = response.version();
    let headers = response.headers().clone();
    let mut rebuilt = http::Response::new(body(response));
    *rebuilt.status_mut() = status;
    *rebuilt.version_mut() = version;
    *rebuilt.headers_mut() = headers;
    reqwest::Response::from(rebuilt)
}

/// What a wrapped body's stream fails with.
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Reads at most `limit` bytes of `response`'s body and drops the rest.
pub(crate) async fn read_capped(
    response: reqwest::Response,
    limit: usize,
) -> reqwest::Result<Bytes> {
    let mut body = BytesMut::new();
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk?;
        let room = limit - body.len();
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= limit {
            break;
        }
    }
    Ok(body.freeze())
}

/// At most [`EXCERPT_CHARS`] characters of `text`, saying how much was left out.
pub(crate) fn excerpt(text: &str) -> String {
    match text.char_indices().nth(EXCERPT_CHARS) {
        None => text.to_owned(),
        Some((cut, _)) => format!(
            "{}… ({} more bytes not shown)",
            &text[..cut],
            text.len() - cut
        ),
    }
}

/// Whether `err` (a reqwest error, say) was caused by a body over the limit,
/// and which limit.
pub(crate) fn too_large(err: &(dyn std::error::Error + 'static)) -> Option<usize> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = source {
        if let Some(b) = e.downcast_ref::<BodyTooLarge>() {
            return Some(b.limit);
        }
        source = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_cut_long_text_on_a_character_boundary_and_say_so() {
        assert_eq!(excerpt("short"), "short");
        let long = "é".repeat(EXCERPT_CHARS + 10);
        let cut = excerpt(&long);
        assert!(cut.starts_with(&"é".repeat(EXCERPT_CHARS)));
        assert!(cut.ends_with("(20 more bytes not shown)"), "{cut}");
    }
}
