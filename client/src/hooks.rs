//! [`Hooks`]: the per-client settings the generated client carries (its
//! progenitor "inner type"), and `Hooks::request_url`, which gives the
//! generated code each request's URL from a base parsed once.
//!
//! The generated code imports this module, so this module never imports the
//! generated code: what the hooks *do* around each request lives in
//! `exchange.rs`, above both.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderValue;
use url::Url;

use crate::credential::AuthPlacement;

/// Per-client settings the hooks apply to each generated request.
///
/// [`TopicClient`](crate::TopicClient) builds these; with the raw generated
/// client, `Hooks::default()` sends requests unchanged (no token).
#[derive(Clone, Default)]
pub struct Hooks {
    /// The token, shared by the client's clones.
    pub(crate) token: Option<Arc<str>>,
    /// The token as a sensitive header value, checked and built once (cloning
    /// it shares the bytes); `None` when the token cannot go in a header.
    pub(crate) auth_header: Option<HeaderValue>,
    /// Where the token goes.
    pub(crate) placement: AuthPlacement,
    /// The media type a publish body is labelled with.
    pub(crate) publish_media: PublishMedia,
    /// Whole-request limit for publish, when the reqwest client does not
    /// already apply it.
    pub(crate) publish_timeout: Option<Duration>,
    /// Whole-request limit for one long poll.
    pub(crate) poll_timeout: Option<Duration>,
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
    /// `request-urls` rewrite in `xtask/codegen` puts it there): reqwest
    /// parses a URL given as text on every request, host and all (about 7% of
    /// a publish's instructions, client and emulator together). The text stays the truth; the parsed base is
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

/// `prefix` and the pieces of `path`, in one allocation.
fn joined(prefix: &str, path: &[&str]) -> String {
    let mut text =
        String::with_capacity(prefix.len() + path.iter().map(|p| p.len()).sum::<usize>());
    text.push_str(prefix);
    path.iter().for_each(|piece| text.push_str(piece));
    text
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
