//! The two encodings Momento's keys and values share, defined once for the
//! client, the emulator and the conformance suite.
//!
//! - **Lenient base64** ([`decode_base64_lenient`]): standard or URL-safe
//!   alphabet, padded or not, whitespace ignored. Momento's keys and binary
//!   topic values have been seen in both alphabets, so every reader accepts
//!   either (docs/api.md §2, §4).
//! - **The v1 key wrapper** ([`V1Key`]): base64 of the JSON object
//!   `{"endpoint": "<cell>.prod.a.momentohq.com", "api_key": "<JWT>"}`. The
//!   whole base64 string is the token sent on the wire; the endpoint inside
//!   says where to send it (docs/api.md §2).
//!
//! ```
//! use momento_http::codec::{V1Key, decode_base64_lenient};
//!
//! let key = V1Key::new("http://127.0.0.1:8080", "a.e30.c").encode();
//! let parsed = V1Key::parse(&key).unwrap();
//! assert_eq!(parsed.endpoint(), "http://127.0.0.1:8080");
//! assert_eq!(parsed.expose_api_key(), "a.e30.c");
//!
//! // "hi?" in both alphabets, with and without padding.
//! for text in ["aGk/", "aGk_", "aGk", "aGk="] {
//!     assert_eq!(&decode_base64_lenient(text).unwrap()[..2], b"hi");
//! }
//! ```

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// Base64 in the standard alphabet, padding optional (URL-safe input is mapped onto it).
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Why a string is not base64 in any accepted form.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{reason} (expected standard or URL-safe base64, padded or not)")]
pub struct Base64Error {
    /// What the decoder reported (offsets count non-whitespace characters).
    reason: String,
}

/// Decodes base64 in the standard (`+/`) or URL-safe (`-_`) alphabet, padded
/// or not; whitespace is ignored.
///
/// ```
/// use momento_http::codec::decode_base64_lenient;
/// assert_eq!(decode_base64_lenient("AQID").unwrap(), [1, 2, 3]);
/// assert_eq!(decode_base64_lenient("-_8=").unwrap(), decode_base64_lenient("+/8").unwrap());
/// let err = decode_base64_lenient("not base64!").unwrap_err();
/// assert!(err.to_string().contains("expected standard or URL-safe base64"));
/// ```
pub fn decode_base64_lenient(input: &str) -> Result<Vec<u8>, Base64Error> {
    let needs_mapping = input
        .bytes()
        .any(|b| b == b'-' || b == b'_' || b.is_ascii_whitespace() || !b.is_ascii());
    let result = if needs_mapping {
        let normalised: String = input
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| match c {
                '-' => '+',
                '_' => '/',
                c => c,
            })
            .collect();
        LENIENT.decode(normalised)
    } else {
        // The common case (standard alphabet, no whitespace) needs no copy.
        LENIENT.decode(input)
    };
    result.map_err(|e| Base64Error {
        reason: e.to_string(),
    })
}

/// A v1 API key or disposable token: an endpoint and the JWT it wraps.
///
/// `Debug` never shows the JWT. [`encode`](Self::encode) writes URL-safe,
/// padded base64 of `{"endpoint", "api_key"}` (in that order);
/// [`parse`](Self::parse) accepts any alphabet and padding.
#[derive(Clone, PartialEq, Eq)]
pub struct V1Key {
    endpoint: String,
    api_key: String,
}

/// The JSON inside a v1 key, as written (fields in this order).
#[derive(serde::Serialize)]
struct V1Json<'a> {
    endpoint: &'a str,
    api_key: &'a str,
}

/// Why a string is not a v1 key. Never holds the key itself.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum V1KeyError {
    /// The string is not base64.
    #[error(
        "the v1 key is not base64: {0}; a v1 key is base64 of JSON {{\"endpoint\", \"api_key\"}}"
    )]
    NotBase64(Base64Error),
    /// It is base64, but decodes to something other than a JSON object.
    #[error(
        "the v1 key is base64, but what it decodes to is not a JSON object; a v1 key is base64 of JSON {{\"endpoint\", \"api_key\"}}"
    )]
    NotJson,
    /// The JSON lacks one of the two fields, or has it empty or not a string.
    #[error(
        "the v1 key's JSON lacks a non-empty string `{field}`; a v1 key is base64 of JSON {{\"endpoint\", \"api_key\"}}"
    )]
    MissingField {
        /// `endpoint` or `api_key`.
        field: &'static str,
    },
}

impl V1Key {
    /// A key for `endpoint` (a bare `<cell>.prod.a.momentohq.com` or a base
    /// URL such as the emulator's `http://127.0.0.1:8080`) wrapping `api_key` (a JWT).
    pub fn new(endpoint: impl Into<String>, api_key: impl Into<String>) -> V1Key {
        V1Key {
            endpoint: endpoint.into(),
            api_key: api_key.into(),
        }
    }

    /// Parses a v1 key: base64 in any alphabet and padding, of a JSON object
    /// with non-empty string `endpoint` and `api_key` (surrounding whitespace trimmed).
    ///
    /// ```
    /// use momento_http::codec::{V1Key, V1KeyError};
    /// # use base64::Engine as _;
    /// let no_endpoint = base64::engine::general_purpose::STANDARD.encode(r#"{"api_key":"a.b.c"}"#);
    /// let err = V1Key::parse(&no_endpoint).unwrap_err();
    /// assert_eq!(err, V1KeyError::MissingField { field: "endpoint" });
    /// assert!(err.to_string().contains("lacks a non-empty string `endpoint`"));
    /// ```
    pub fn parse(key: &str) -> Result<V1Key, V1KeyError> {
        let json = decode_base64_lenient(key).map_err(V1KeyError::NotBase64)?;
        let value: serde_json::Value =
            serde_json::from_slice(&json).map_err(|_| V1KeyError::NotJson)?;
        if !value.is_object() {
            return Err(V1KeyError::NotJson);
        }
        let field = |name: &'static str| {
            value
                .get(name)
                .and_then(|v| v.as_str())
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .ok_or(V1KeyError::MissingField { field: name })
        };
        Ok(V1Key {
            endpoint: field("endpoint")?,
            api_key: field("api_key")?,
        })
    }

    /// The key as sent on the wire: URL-safe, padded base64 of
    /// `{"endpoint": …, "api_key": …}`.
    pub fn encode(&self) -> String {
        let json = serde_json::to_string(&V1Json {
            endpoint: &self.endpoint,
            api_key: &self.api_key,
        })
        // Serializing two strings into JSON cannot fail.
        .unwrap_or_default();
        URL_SAFE.encode(json)
    }

    /// The endpoint the key names.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The JWT inside. Handle with care: this is the secret.
    pub fn expose_api_key(&self) -> &str {
        &self.api_key
    }
}

impl fmt::Debug for V1Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("V1Key")
            .field("endpoint", &self.endpoint)
            .field("api_key", &"<redacted>")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};

    /// A JWT whose JSON needs `+`/`/` (or `-`/`_`) and padding in base64.
    const JWT: &str = "eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiI+Pz8/In0.c2lnPz8_";

    #[test]
    fn a_key_round_trips_through_encode_and_parse() {
        let key = V1Key::new("cell-1-eu-west-1-1.prod.a.momentohq.com", JWT);
        let encoded = key.encode();
        assert_eq!(V1Key::parse(&encoded).unwrap(), key);
        // The documented shape, field order included.
        let json = URL_SAFE.decode(&encoded).unwrap();
        assert_eq!(
            String::from_utf8(json).unwrap(),
            format!(
                r#"{{"endpoint":"cell-1-eu-west-1-1.prod.a.momentohq.com","api_key":"{JWT}"}}"#
            )
        );
    }

    #[test]
    fn a_key_parses_in_both_alphabets_padded_or_not() {
        let json = format!(r#"{{"endpoint":"http://127.0.0.1:9","api_key":"{JWT}"}}"#);
        for engine in [&URL_SAFE, &URL_SAFE_NO_PAD, &STANDARD, &STANDARD_NO_PAD] {
            let encoded = engine.encode(&json);
            let key = V1Key::parse(&encoded).unwrap();
            assert_eq!(key.endpoint(), "http://127.0.0.1:9");
            assert_eq!(key.expose_api_key(), JWT);
        }
    }

    #[test]
    fn base64_decodes_with_any_padding_in_either_alphabet() {
        // Lengths 1..=6 cover every padding remainder; 0xfb 0xff needs `+/` or `-_`.
        for len in 1..=6 {
            let bytes: Vec<u8> = [0xfb, 0xff, 0xfe, 0x00, 0x3e, 0x3f][..len].to_vec();
            for engine in [&URL_SAFE, &URL_SAFE_NO_PAD, &STANDARD, &STANDARD_NO_PAD] {
                let text = engine.encode(&bytes);
                assert_eq!(decode_base64_lenient(&text).unwrap(), bytes, "{text}");
            }
        }
        assert_eq!(decode_base64_lenient(" AQ\nID ").unwrap(), [1, 2, 3]);
        assert_eq!(decode_base64_lenient("").unwrap(), Vec::<u8>::new());
    }

    #[test]
    fn odd_paddings_are_refused_with_what_was_expected() {
        // One leftover character is never valid base64; padding in the middle neither.
        for bad in ["A", "AQIDB", "AQ=ID", "AQ==="] {
            let err = decode_base64_lenient(bad).unwrap_err();
            assert!(
                err.to_string()
                    .contains("expected standard or URL-safe base64"),
                "{bad}: {err}"
            );
        }
        // Padding may be left out, or given in full.
        assert_eq!(decode_base64_lenient("AQ").unwrap(), [1]);
        assert_eq!(decode_base64_lenient("AQ==").unwrap(), [1]);
    }

    #[test]
    fn a_malformed_key_names_what_is_wrong() {
        assert!(matches!(V1Key::parse("%%%"), Err(V1KeyError::NotBase64(_))));
        assert_eq!(
            V1Key::parse(&STANDARD.encode("[1, 2]")),
            Err(V1KeyError::NotJson)
        );
        assert_eq!(
            V1Key::parse(&STANDARD.encode("not json")),
            Err(V1KeyError::NotJson)
        );
        assert_eq!(
            V1Key::parse(&STANDARD.encode(r#"{"endpoint":"x"}"#)),
            Err(V1KeyError::MissingField { field: "api_key" })
        );
        assert_eq!(
            V1Key::parse(&STANDARD.encode(r#"{"endpoint":" ","api_key":"a.b.c"}"#)),
            Err(V1KeyError::MissingField { field: "endpoint" })
        );
        assert_eq!(
            V1Key::parse(&STANDARD.encode(r#"{"endpoint":1,"api_key":"a.b.c"}"#)),
            Err(V1KeyError::MissingField { field: "endpoint" })
        );
        let msg = V1KeyError::MissingField { field: "api_key" }.to_string();
        assert!(
            msg.contains("`api_key`") && msg.contains("base64 of JSON"),
            "{msg}"
        );
    }

    #[test]
    fn debug_never_shows_the_jwt() {
        let key = V1Key::new("http://127.0.0.1:9", JWT);
        let shown = format!("{key:?}");
        assert!(!shown.contains(JWT) && !shown.contains("eyJ"), "{shown}");
        assert!(shown.contains("http://127.0.0.1:9"));
    }
}
