//! A successful answer whose body ends only when its connection closes.
//!
//! An HTTP/1.x answer with neither `Content-Length` nor chunked framing is
//! delimited by the close of the connection (RFC 9112 §6.3), so a
//! connection that drops mid-body looks like a body that ended. With a
//! length or chunks, hyper reports the cut as a body error, and the
//! subscription retries it as a lost connection; without them, the cut
//! would reach the JSON decoder as an invalid answer and end the stream.
//! [`guard`] makes the two the same: a close-delimited body that ends in
//! the middle of its JSON fails as a body error too (docs/api.md §8).

use bytes::Bytes;
use futures::StreamExt as _;
use reqwest::header::{CONTENT_LENGTH, TRANSFER_ENCODING};

use crate::limits::BoxError;

/// The body ended with the connection, in the middle of its JSON.
#[derive(Debug, thiserror::Error)]
#[error(
    "the connection closed in the middle of the answer's JSON (the answer had no Content-Length or chunked framing, so the close was the only end): a lost connection"
)]
pub(crate) struct BodyCut;

/// Whether the body of `response` ends only when the connection closes.
fn is_close_delimited(response: &reqwest::Response) -> bool {
    let headers = response.headers();
    response.version() <= http::Version::HTTP_11
        && !headers.contains_key(CONTENT_LENGTH)
        && !headers.get_all(TRANSFER_ENCODING).iter().any(|value| {
            value
                .to_str()
                .is_ok_and(|v| v.to_ascii_lowercase().contains("chunked"))
        })
}

/// `response`, whose body must be one JSON value, with a cut of a
/// close-delimited body turned into a body error ([`BodyCut`]). Any other
/// answer is returned as it is.
pub(crate) fn guard(response: reqwest::Response) -> reqwest::Response {
    if !is_close_delimited(&response) {
        return response;
    }
    crate::limits::with_body(response, |response| {
        let state = (
            Box::pin(response.bytes_stream()),
            Vec::<Bytes>::new(),
            false,
        );
        reqwest::Body::wrap_stream(futures::stream::unfold(
            state,
            |(mut inner, mut seen, over)| async move {
                if over {
                    return None;
                }
                match inner.next().await {
                    Some(Ok(chunk)) => {
                        // A clone of `Bytes` shares the buffer: nothing is
                        // copied until the end, and then only for a
                        // close-delimited body.
                        seen.push(chunk.clone());
                        Some((Ok(chunk), (inner, seen, false)))
                    }
                    Some(Err(e)) => Some((Err(BoxError::from(e)), (inner, seen, true))),
                    None => {
                        let whole = seen.concat();
                        match serde_json::from_slice::<serde::de::IgnoredAny>(&whole) {
                            Err(e) if e.is_eof() => {
                                Some((Err(BoxError::from(BodyCut)), (inner, seen, true)))
                            }
                            _ => None,
                        }
                    }
                }
            },
        ))
    })
}
