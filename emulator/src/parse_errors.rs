//! JSON bodies for the requests hyper refuses before routing.
//!
//! When a request head cannot be parsed (a header line without a colon,
//! differing duplicate `Content-Length`, a control byte in the target, more
//! than 100 headers, a target over 64 KiB) hyper answers by itself with an
//! empty `400`, `431` or `414` and closes the connection; it offers no hook
//! to shape that answer. So each connection's socket is wrapped: a write that
//! is exactly such a head (one of those statuses, no `content-type`, nothing
//! after the head) is replaced by the same status with a JSON
//! `{status, title, detail}` body. Every answer the routes give carries a
//! `content-type`, so none of them is ever mistaken for one.
//!
//! What stays without a JSON answer (there is no request to answer, or no
//! HTTP to answer in) is listed in the README: a connection closed for being
//! idle or for a head that never completes, and a client that opens with the
//! HTTP/2 preface.

use bytes::{Buf as _, Bytes};
use std::io::IoSlice;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A socket whose hyper-made error answers get JSON bodies.
#[derive(Debug)]
pub(crate) struct ParseErrorsAsJson<T> {
    inner: T,
    /// A replacement being written, and the length of the write it stands for.
    pending: Option<(Bytes, usize)>,
}

impl<T> ParseErrorsAsJson<T> {
    pub(crate) fn new(inner: T) -> Self {
        ParseErrorsAsJson {
            inner,
            pending: None,
        }
    }
}

/// The JSON answer standing for `head`, when `head` is one of hyper's own.
fn replacement(head: &[u8]) -> Option<Bytes> {
    let rest = head.strip_prefix(b"HTTP/1.1 ")?;
    let (status, title, detail) = match rest.get(..4)? {
        b"400 " => (
            400,
            "Bad Request",
            "the request is not valid HTTP/1.1 and was not processed: a malformed request line or \
             header (a header line without a colon, a control character in the target or a \
             header, differing Content-Length headers, ...); fix the request",
        ),
        b"414 " => (
            414,
            "URI Too Long",
            "the request target is longer than 65,534 bytes and was not processed; shorten the URL",
        ),
        b"431 " => (
            431,
            "Request Header Fields Too Large",
            "the request head has more than 100 header lines or is larger than about 400 KiB and \
             was not processed; send fewer or smaller headers",
        ),
        _ => return None,
    };
    let end = head.windows(4).position(|w| w == b"\r\n\r\n")?;
    let own = end + 4 == head.len()
        && !head[..end]
            .split(|&b| b == b'\n')
            .any(|line| line.len() >= 13 && line[..13].eq_ignore_ascii_case(b"content-type:"));
    if !own {
        return None;
    }
    let body = serde_json::json!({"status": status, "title": title, "detail": detail}).to_string();
    Some(Bytes::from(format!(
        "HTTP/1.1 {status} {title}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )))
}

impl<T: AsyncRead + Unpin> AsyncRead for ParseErrorsAsJson<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> ParseErrorsAsJson<T> {
    /// Write the pending replacement out; then report the replaced write done.
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<std::io::Result<usize>> {
        let Some((bytes, stands_for)) = &mut self.pending else {
            return Poll::Ready(Ok(0));
        };
        while !bytes.is_empty() {
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, bytes))?;
            if n == 0 {
                return Poll::Ready(Err(std::io::ErrorKind::WriteZero.into()));
            }
            bytes.advance(n);
        }
        let n = *stands_for;
        self.pending = None;
        Poll::Ready(Ok(n))
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for ParseErrorsAsJson<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        if this.pending.is_none()
            && let Some(json) = replacement(buf)
        {
            this.pending = Some((json, buf.len()));
        }
        if this.pending.is_some() {
            return this.poll_pending(cx);
        }
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        if this.pending.is_none() {
            // hyper writes its own answer as the only non-empty slice.
            let mut filled = bufs.iter().filter(|b| !b.is_empty());
            if let (Some(only), None) = (filled.next(), filled.next())
                && let Some(json) = replacement(only)
            {
                this.pending = Some((json, only.len()));
            }
        }
        if this.pending.is_some() {
            return this.poll_pending(cx);
        }
        Pin::new(&mut this.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        if this.pending.is_some() {
            ready!(this.poll_pending(cx))?;
        }
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        if this.pending.is_some() {
            ready!(this.poll_pending(cx))?;
        }
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hypers_own_empty_error_heads_are_replaced() {
        let own = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\ndate: Thu, 26 Nov 2026 10:00:00 GMT\r\n\r\n";
        let json = replacement(own).expect("replaced");
        let text = std::str::from_utf8(&json).unwrap();
        assert!(text.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{text}");
        assert!(text.contains("content-type: application/json"), "{text}");
        assert!(text.ends_with('}'), "{text}");
        let ours = b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n";
        assert!(replacement(ours).is_none());
        let with_body =
            b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n\r\nx";
        assert!(replacement(with_body).is_none());
        assert!(replacement(b"HTTP/1.1 204 No Content\r\n\r\n").is_none());
        assert!(replacement(b"{\"items\":[]}").is_none());
    }
}
