//! Invalid percent-escapes are a 400 that says where.
//!
//! A `%` not followed by two hex digits (`%zz`, a lone `%`) would otherwise be
//! kept literally by the decoders, so `/topics/c/%zz` and `/topics/c/%25zz`
//! would name one topic. Checked once per request, before routing, over the
//! path and the query string.

use crate::routes::ApiError;
use axum::http::{Request, Uri};
use axum::response::{IntoResponse as _, Response};
use futures::future::Either;
use std::future::Ready;
use std::task::{Context, Poll};

/// Where the first invalid escape in `s` starts (byte offset), if any.
pub(crate) fn invalid_escape(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut i = 0;
    while let Some(off) = bytes[i..].iter().position(|&b| b == b'%') {
        let at = i + off;
        let hex = |j: usize| bytes.get(j).is_some_and(u8::is_ascii_hexdigit);
        if !(hex(at + 1) && hex(at + 2)) {
            return Some(at);
        }
        i = at + 3;
    }
    None
}

/// The 400 for the first invalid escape in `uri`, if any.
fn check(uri: &Uri) -> Option<ApiError> {
    // Most requests have no `%` at all: one scan, nothing else.
    let has_percent = |s: &str| s.as_bytes().contains(&b'%');
    if !has_percent(uri.path()) && !uri.query().is_some_and(has_percent) {
        return None;
    }
    let parts = [("path", Some(uri.path())), ("query string", uri.query())];
    parts.into_iter().find_map(|(part, text)| {
        let text = text?;
        let at = invalid_escape(text)?;
        let end = (at + 3).min(text.len());
        let found = String::from_utf8_lossy(&text.as_bytes()[at..end]).into_owned();
        Some(ApiError::bad_request(format!(
            "invalid percent-escape {found:?} at byte {at} of the {part}: a `%` must be followed \
             by two hex digits; send a literal `%` as `%25`"
        )))
    })
}

/// A service that answers a request with an invalid escape 400 and passes the
/// rest to `S`; no allocation on the way through.
#[derive(Clone, Debug)]
pub(crate) struct RejectInvalidEscapes<S> {
    inner: S,
}

impl<S> RejectInvalidEscapes<S> {
    pub(crate) fn new(inner: S) -> Self {
        RejectInvalidEscapes { inner }
    }
}

impl<S, B> tower::Service<Request<B>> for RejectInvalidEscapes<S>
where
    S: tower::Service<Request<B>, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Either<Ready<Result<Response, S::Error>>, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        match check(request.uri()) {
            Some(e) => Either::Left(std::future::ready(Ok(e.into_response()))),
            None => Either::Right(self.inner.call(request)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_percent_with_two_hex_digits_is_an_escape() {
        assert_eq!(invalid_escape("/topics/c/t"), None);
        assert_eq!(invalid_escape("/topics/c/%25zz%0D%0a"), None);
        assert_eq!(invalid_escape("/topics/c/%zz"), Some(10));
        assert_eq!(invalid_escape("/topics/c/a%"), Some(11));
        assert_eq!(invalid_escape("/topics/c/%4"), Some(10));
        assert_eq!(invalid_escape("%41%g1"), Some(3));
    }
}
