//! API keys and disposable tokens, parsed once and never printed.
//!
//! Momento hands out two shapes of key (docs/api.md §2):
//!
//! - **v1** keys and disposable tokens: base64 of a JSON object
//!   `{"endpoint": "<cell>.prod.a.momentohq.com", "api_key": "<JWT>"}`. The whole
//!   base64 string is the token; the endpoint comes from inside it.
//! - **v2** keys: a bare JWT whose payload has `"t": "g"` and no endpoint; the
//!   endpoint (or region) must be given separately, e.g. `MOMENTO_ENDPOINT`.
//!
//! Older JWTs that carry a `c` (data-plane endpoint) claim are accepted too.

use std::fmt;

use crate::codec::{V1Key, V1KeyError};

/// A Momento credential: the token sent on the wire, and the endpoint it names.
///
/// `Debug` and `Display` never show the token:
///
/// ```
/// use momento_http::Credential;
/// # use base64::Engine as _;
/// # let key = base64::engine::general_purpose::URL_SAFE.encode(
/// #     r#"{"endpoint":"cell-us-east-1-1.prod.a.momentohq.com","api_key":"eyJhbGciOiJIUzI1NiJ9.e30.c2ln"}"#);
/// let credential = Credential::parse(&key).unwrap();
/// assert_eq!(credential.endpoint(), Some("cell-us-east-1-1.prod.a.momentohq.com"));
/// assert!(!format!("{credential:?}").contains(&key));
/// assert!(!credential.to_string().contains(&key));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Credential {
    /// The exact string sent as `Authorization` or `token`.
    token: String,
    /// The endpoint named by the key (v1 `endpoint`, legacy `c`), or set by the caller.
    endpoint: Option<String>,
    /// Which form the key had, for messages and `Debug`.
    kind: CredentialKind,
}

/// The form a [`Credential`] was parsed from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CredentialKind {
    /// A v1 API key or disposable token: base64 JSON with `endpoint` and `api_key`.
    V1,
    /// A v2 API key: a JWT with `"t": "g"`; the endpoint is given separately.
    V2,
    /// An older JWT, with or without a `c` endpoint claim.
    Jwt,
}

/// Why a string is not a usable credential.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialError {
    /// The input is empty or only whitespace.
    #[error(
        "the API key is empty; set MOMENTO_API_KEY (or pass a key) to a v1 key (base64 JSON) or a v2 key (a JWT)"
    )]
    Empty,
    /// The input is neither a v1 key nor a JWT.
    #[error(
        "the API key is malformed: {reason}; expected a v1 key (base64 of JSON with `endpoint` and `api_key`) or a v2 key (a JWT with three dot-separated parts)"
    )]
    Malformed {
        /// What was wrong with it (never the key itself).
        reason: String,
    },
    /// A v2 key (or an endpoint-less JWT) was given without an endpoint.
    #[error(
        "this {kind:?} API key names no endpoint; set MOMENTO_ENDPOINT or give the client a region or base URL"
    )]
    MissingEndpoint {
        /// The form of key that was parsed.
        kind: CredentialKind,
    },
    /// An environment variable was missing or not UTF-8.
    #[error(
        "environment variable {name} is not set (or not UTF-8); set it to your Momento API key"
    )]
    MissingEnv {
        /// The variable's name.
        name: &'static str,
    },
}

/// Keys and binary topic values share one lenient decoder.
pub(crate) use crate::codec::decode_base64_lenient;

impl Credential {
    /// Parses a v1 key / disposable token (base64 JSON) or a v2 key (JWT).
    ///
    /// A v2 key parses without an endpoint; the client then needs a region or
    /// base URL (or use [`Credential::with_endpoint`]).
    ///
    /// ```
    /// # use momento_http::{Credential, CredentialError};
    /// let err = Credential::parse("hello").unwrap_err();
    /// assert!(matches!(err, CredentialError::Malformed { .. }));
    /// assert!(err.to_string().contains("expected a v1 key"));
    /// ```
    pub fn parse(input: &str) -> Result<Credential, CredentialError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(CredentialError::Empty);
        }
        if input.split('.').count() == 3 {
            return parse_jwt(input);
        }
        let key = V1Key::parse(input).map_err(|e| CredentialError::Malformed {
            reason: match e {
                V1KeyError::NotBase64(e) => format!("it is not a JWT and not valid base64 ({e})"),
                V1KeyError::NotJson => {
                    "it is base64, but what it decodes to is not a JSON object".into()
                }
                V1KeyError::MissingField { field } => {
                    format!("it is base64 JSON, but lacks a non-empty string `{field}`")
                }
            },
        })?;
        let endpoint = key.endpoint().to_owned();
        Ok(Credential {
            token: input.to_owned(),
            endpoint: Some(endpoint),
            kind: CredentialKind::V1,
        })
    }

    /// Reads `MOMENTO_API_KEY`, and `MOMENTO_ENDPOINT` when set (it overrides
    /// the key's own endpoint and is required for v2 keys).
    pub fn from_env() -> Result<Credential, CredentialError> {
        let key = std::env::var("MOMENTO_API_KEY").map_err(|_| CredentialError::MissingEnv {
            name: "MOMENTO_API_KEY",
        })?;
        let credential = Credential::parse(&key)?;
        let credential = match std::env::var("MOMENTO_ENDPOINT") {
            Ok(endpoint) if !endpoint.trim().is_empty() => credential.with_endpoint(endpoint),
            _ => credential,
        };
        if credential.endpoint.is_none() {
            return Err(CredentialError::MissingEndpoint {
                kind: credential.kind,
            });
        }
        Ok(credential)
    }

    /// The same credential with its endpoint set (or replaced).
    ///
    /// The endpoint is a bare `<cell>.prod.a.momentohq.com` or a full base URL.
    pub fn with_endpoint(mut self, endpoint: impl Into<String>) -> Credential {
        self.endpoint = Some(endpoint.into().trim().to_owned());
        self
    }

    /// The endpoint the key names (or was given), if any.
    ///
    /// If it starts with `http://` or `https://` it is the base URL verbatim;
    /// otherwise the base URL is `https://api.cache.<endpoint>`.
    pub fn endpoint(&self) -> Option<&str> {
        self.endpoint.as_deref()
    }

    /// The form the key was parsed from.
    pub fn kind(&self) -> CredentialKind {
        self.kind
    }

    /// The exact string sent on the wire (for v1 keys, the whole base64 string).
    ///
    /// Handle with care: this is the secret.
    pub fn expose_token(&self) -> &str {
        &self.token
    }
}

/// Parses a JWT's payload to tell a v2 key from an older endpoint-carrying JWT.
fn parse_jwt(input: &str) -> Result<Credential, CredentialError> {
    let payload = input.split('.').nth(1).unwrap_or_default();
    let bytes = decode_base64_lenient(payload).map_err(|e| CredentialError::Malformed {
        reason: format!("it looks like a JWT, but its payload is not base64url ({e})"),
    })?;
    let claims: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|_| CredentialError::Malformed {
            reason: "it looks like a JWT, but its payload is not JSON".into(),
        })?;
    if !claims.is_object() {
        return Err(CredentialError::Malformed {
            reason: "it looks like a JWT, but its payload is not a JSON object".into(),
        });
    }
    let (kind, endpoint) = if claims.get("t").and_then(|t| t.as_str()) == Some("g") {
        (CredentialKind::V2, None)
    } else {
        // Legacy keys name the data plane as `c` ("cache.<cell>..."); the HTTP
        // host is api.cache.<cell>..., so keep only the cell part.
        let endpoint = claims
            .get("c")
            .and_then(|c| c.as_str())
            .map(|c| c.strip_prefix("cache.").unwrap_or(c).to_owned());
        (CredentialKind::Jwt, endpoint)
    };
    Ok(Credential {
        token: input.to_owned(),
        endpoint,
        kind,
    })
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credential")
            .field("kind", &self.kind)
            .field("endpoint", &self.endpoint)
            .field("token", &"<redacted>")
            .finish()
    }
}

impl fmt::Display for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.endpoint {
            Some(endpoint) => write!(f, "{:?} key for {endpoint} (token redacted)", self.kind),
            None => write!(f, "{:?} key (token redacted)", self.kind),
        }
    }
}

impl std::str::FromStr for Credential {
    type Err = CredentialError;

    fn from_str(s: &str) -> Result<Credential, CredentialError> {
        Credential::parse(s)
    }
}

/// Where the token goes on each request. Exactly one place: sending both is a
/// 400 (docs/api.md §2), and this type makes that impossible.
///
/// ```
/// use momento_http::AuthPlacement;
/// assert_eq!(AuthPlacement::default(), AuthPlacement::Header);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum AuthPlacement {
    /// The raw token in the `Authorization` header (no `Bearer ` prefix).
    #[default]
    Header,
    /// The `token` query parameter (for clients that cannot set headers).
    Query,
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};

    /// A JSON payload whose base64 uses `-`/`_` or `+`/`/` and needs padding.
    const V1_JSON: &str = r#"{"endpoint":"cell-1-eu-west-1-1.prod.a.momentohq.com","api_key":"eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiI+Pz8/In0.c2lnPz8_"}"#;

    #[test]
    fn v1_keys_parse_in_every_alphabet_and_padding() {
        for engine in [&URL_SAFE, &URL_SAFE_NO_PAD, &STANDARD, &STANDARD_NO_PAD] {
            let key = engine.encode(V1_JSON);
            let c = Credential::parse(&key).unwrap();
            assert_eq!(c.kind(), CredentialKind::V1);
            assert_eq!(
                c.endpoint(),
                Some("cell-1-eu-west-1-1.prod.a.momentohq.com")
            );
            assert_eq!(c.expose_token(), key);
        }
    }

    #[test]
    fn v2_keys_need_an_endpoint() {
        let payload = URL_SAFE_NO_PAD.encode(r#"{"t":"g","id":"abc"}"#);
        let key = format!("eyJhbGciOiJIUzI1NiJ9.{payload}.c2ln");
        let c = Credential::parse(&key).unwrap();
        assert_eq!(c.kind(), CredentialKind::V2);
        assert_eq!(c.endpoint(), None);
        let c = c.with_endpoint("cell-us-east-1-1.prod.a.momentohq.com");
        assert_eq!(c.endpoint(), Some("cell-us-east-1-1.prod.a.momentohq.com"));
    }

    #[test]
    fn legacy_jwts_take_their_endpoint_from_c() {
        let payload = URL_SAFE_NO_PAD.encode(r#"{"c":"cache.cell-x.prod.a.momentohq.com"}"#);
        let c = Credential::parse(&format!("a.{payload}.b")).unwrap();
        assert_eq!(c.kind(), CredentialKind::Jwt);
        assert_eq!(c.endpoint(), Some("cell-x.prod.a.momentohq.com"));
    }

    #[test]
    fn garbage_is_rejected_with_the_expected_forms_named() {
        for bad in ["%%%", "aGVsbG8", "a.b.c", "e30"] {
            let err = Credential::parse(bad).unwrap_err();
            let msg = err.to_string();
            assert!(
                matches!(err, CredentialError::Malformed { .. }),
                "{bad}: {msg}"
            );
            assert!(msg.contains("expected a v1 key"), "{msg}");
        }
        assert_eq!(Credential::parse("  ").unwrap_err(), CredentialError::Empty);
    }

    #[test]
    fn debug_and_display_are_redacted() {
        let key = URL_SAFE.encode(V1_JSON);
        let c = Credential::parse(&key).unwrap();
        for shown in [format!("{c:?}"), c.to_string(), format!("{c:#?}")] {
            assert!(!shown.contains(&key), "{shown}");
            assert!(!shown.contains("eyJ"), "{shown}");
        }
    }
}
