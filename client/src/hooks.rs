//! What happens around every generated request: auth, media type, timeouts,
//! error bodies and tracing.
//!
//! The generated [`Client`](crate::raw::Client) calls
//! `ClientHooks::pre` / `exec` / `post` around each operation. This module
//! implements them on `generated::Client` itself (progenitor's auto-ref
//! specialisation: the generated blanket impl is on `&Client`, so ours wins):
//!
//! - `pre` places the token in exactly one spot (the `Authorization` header or
//!   the `token` query parameter), relabels a text publish as `text/plain`
//!   (the generated publish always says `application/octet-stream`), and sets
//!   the per-operation timeout;
//! - `exec` runs the request inside a `tracing` span (method, path, operation;
//!   never the token or the query) and rewrites a plain-text error body into
//!   the JSON `Error` schema, so its detail survives the generated decoding;
//! - `Hooks::request_url` gives the generated code each request's URL,
//!   from a base parsed once rather than text parsed per request.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{self, HeaderValue};
use tracing::Instrument as _;
use url::Url;

use crate::credential::AuthPlacement;
use crate::generated;
use crate::wire;

/// Per-client settings the hooks apply to each generated request.
///
/// [`TopicClient`](crate::TopicClient) builds these; with the raw generated
/// client, `Hooks::default()` sends requests unchanged (no token).
#[derive(Clone, Default)]
pub struct Hooks {
    /// The token, shared by the client's clones.
    token: Option<Arc<str>>,
    /// The token as a sensitive header value, checked and built once (cloning
    /// it shares the bytes); `None` when the token cannot go in a header.
    auth_header: Option<HeaderValue>,
    /// Where the token goes.
    placement: AuthPlacement,
    /// The media type a publish body is labelled with.
    publish_media: PublishMedia,
    /// Whole-request limit for publish, when the reqwest client does not
    /// already apply it.
    publish_timeout: Option<Duration>,
    /// Whole-request limit for one long poll.
    poll_timeout: Option<Duration>,
    /// The generated client's base URL, parsed once (see [`Hooks::request_url`]).
    base_url: Option<Url>,
}

/// How the body of a publish is labelled.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum PublishMedia {
    /// `application/octet-stream`: the generated default.
    #[default]
    Bytes,
    /// `text/plain`.
    Text,
}

impl Hooks {
    /// Hooks that place `token` as `placement` and apply the timeouts
    /// (`publish_timeout: None`: the reqwest client's own applies).
    pub(crate) fn new(
        base_url: &Url,
        token: Arc<str>,
        placement: AuthPlacement,
        publish_timeout: Option<Duration>,
        poll_timeout: Duration,
    ) -> Hooks {
        let auth_header = HeaderValue::from_str(&token).ok().map(|mut value| {
            value.set_sensitive(true);
            value
        });
        Hooks {
            token: Some(token),
            auth_header,
            placement,
            publish_media: PublishMedia::Bytes,
            publish_timeout,
            poll_timeout: Some(poll_timeout),
            // With a query or fragment, appending to the text is what the
            // generated code means, and only a full parse gives that.
            base_url: (base_url.query().is_none() && base_url.fragment().is_none())
                .then(|| base_url.clone()),
        }
    }

    /// The URL of a request to `path` (pieces, already percent-encoded)
    /// under `baseurl`, the generated client's base.
    ///
    /// The generated code calls this instead of parsing the joined text (the
    /// xtask rewrites it): reqwest parses a URL given as text on every
    /// request, host and all (about 7% of a publish's instructions, client
    /// and emulator together). The text stays the truth; the parsed base is
    /// a cache of it, used only while the two agree, and then only the path
    /// is set, which gives the same URL. Otherwise (hooks from
    /// `Hooks::default()`, say) the text is parsed as before.
    pub(crate) fn request_url(&self, baseurl: &str, path: &[&str]) -> Result<Url, url::ParseError> {
        match &self.base_url {
            Some(base) if base.as_str().trim_end_matches('/') == baseurl => {
                let mut url = base.clone();
                url.set_path(&joined(base.path().trim_end_matches('/'), path));
                Ok(url)
            }
            _ => Url::parse(&joined(baseurl, path)),
        }
    }

    /// The same hooks, labelling publish bodies as `media`.
    pub(crate) fn with_publish_media(mut self, media: PublishMedia) -> Hooks {
        self.publish_media = media;
        self
    }
}

impl fmt::Debug for Hooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hooks")
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field(
                "auth_header",
                &self.auth_header.as_ref().map(|_| "<redacted>"),
            )
            .field("placement", &self.placement)
            .field("publish_media", &self.publish_media)
            .field("publish_timeout", &self.publish_timeout)
            .field("poll_timeout", &self.poll_timeout)
            .field("base_url", &self.base_url.as_ref().map(Url::as_str))
            .finish()
    }
}

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
            Ok(crate::limits::limit_body(
                response,
                crate::limits::MAX_RESPONSE_BYTES,
            ))
        } else {
            Box::pin(normalise_error_body(response)).await
        }
    }
}

/// `prefix` and the pieces of `path`, in one allocation.
fn joined(prefix: &str, path: &[&str]) -> String {
    let mut text =
        String::with_capacity(prefix.len() + path.iter().map(|p| p.len()).sum::<usize>());
    text.push_str(prefix);
    path.iter().for_each(|piece| text.push_str(piece));
    text
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::path::encode_path;

    fn hooks_for(base: &Url) -> Hooks {
        Hooks::new(
            base,
            "t".into(),
            AuthPlacement::Header,
            None,
            Duration::from_secs(1),
        )
    }

    #[test]
    fn request_urls_from_the_parsed_base_equal_parsing_the_text() {
        let bases = [
            "http://127.0.0.1:9090/",
            "https://api.cache.cell-us-east-1-1.prod.a.momentohq.com",
            "http://h/prefix/",
            "http://h/a%20b",
        ];
        let names = ["c", "my-topic_1.x~", r"a\b/c?d#e%f", "日本", " "];
        for base in bases {
            let parsed = Url::parse(base).unwrap();
            let hooks = hooks_for(&parsed);
            let text_base = parsed.as_str().trim_end_matches('/');
            for cache in names {
                for topic in names {
                    let (c, t) = (encode_path(cache), encode_path(topic));
                    let path = ["/topics/", &*c, "/", &*t];
                    let fast = hooks.request_url(text_base, &path).unwrap();
                    let slow = Hooks::default().request_url(text_base, &path).unwrap();
                    assert_eq!(
                        fast, slow,
                        "base {base:?}, cache {cache:?}, topic {topic:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_text_base_that_differs_from_the_parsed_one_wins() {
        let hooks = hooks_for(&Url::parse("http://a/").unwrap());
        let url = hooks.request_url("http://b", &["/topics/c/t"]).unwrap();
        assert_eq!(url.as_str(), "http://b/topics/c/t");
    }

    #[test]
    fn a_base_with_a_query_is_joined_as_text() {
        let parsed = Url::parse("http://h/?x=1").unwrap();
        let hooks = hooks_for(&parsed);
        let url = hooks
            .request_url("http://h/?x=1", &["/topics/c/t"])
            .unwrap();
        assert_eq!(url.as_str(), "http://h/?x=1/topics/c/t");
    }
}
