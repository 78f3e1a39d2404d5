//! Verifying (and, for tests, signing) the webhook POSTs Momento sends.
//!
//! Each delivery carries `momento-signature`: lowercase hex of
//! HMAC-SHA3-256 over the raw body bytes, keyed by the webhook's secret
//! (docs/api.md §6). [`verify`] checks it in constant time, rejects events whose
//! `publish_timestamp` is outside the replay window (60 s by default), and
//! returns the parsed [`WebhookEvent`]. The clock is passed in, so it works
//! where there is none (edge runtimes) and in tests.
//!
//! ```
//! use std::time::{Duration, SystemTime, UNIX_EPOCH};
//! use momento_http::webhook::{sign, verify};
//!
//! let now = UNIX_EPOCH + Duration::from_millis(1_700_000_000_000);
//! let body = br#"{"cache":"c","topic":"t","event_timestamp":1700000000000,
//!   "publish_timestamp":1700000000000,"topic_sequence_number":1,"token_id":"","text":"hi"}"#;
//! let signature = sign("secret", body);
//! let event = verify("secret", Some(&signature), body, now).unwrap();
//! assert_eq!(event.text, "hi");
//! ```
//!
//! # What is accepted
//!
//! - **The signature header**: exactly 64 hex digits, in either case
//!   (Momento sends lowercase; case carries no information once decoded, so
//!   refusing uppercase would only break proxies that rewrite it), with any
//!   surrounding whitespace ignored (HTTP strips it from header values
//!   anyway). Anything else, whitespace inside included, is
//!   [`WebhookError::MalformedSignature`].
//! - **The body**: the exact bytes received, never re-serialised. After the
//!   signature matches it must be a [`WebhookEvent`]: all seven keys, the
//!   timestamps and sequence number as non-negative integers.
//!   A timestamp written as a float (`1700000000000.0`, `1.7e12`) is refused
//!   as [`WebhookError::InvalidBody`], naming the field: the documented format
//!   is whole epoch milliseconds, and a float is most often epoch *seconds*
//!   from a sender that is not Momento (`time.time()`), which must not pass
//!   as a time 55 years ago or be silently rounded.
//! - **The replay window**: `publish_timestamp` within `max_age` (60 s by
//!   default) of `now`, both ends inclusive: exactly 60 s old or 60 s ahead
//!   passes, one millisecond more does not. The window also absorbs a clock
//!   running behind.
//!
//! # Rotating the secret
//!
//! Rotating a webhook's secret takes effect at once on Momento's side, but a
//! receiver is redeployed later, and deliveries already in flight carry the
//! old signature. During the cutover, accept both: [`Verifier::also_accept`]
//! (or the one-shot [`verify_any`]) tries every secret, in constant time per
//! secret, and [`Verifier::matching_secret`] says which one signed, so you
//! can tell when the old one has gone quiet and drop it.
//!
//! ```
//! use std::time::{Duration, UNIX_EPOCH};
//! use momento_http::webhook::{Verifier, sign};
//!
//! # let now = UNIX_EPOCH + Duration::from_millis(1_700_000_000_000);
//! # let body = br#"{"cache":"c","topic":"t","event_timestamp":1700000000000,
//! #   "publish_timestamp":1700000000000,"topic_sequence_number":1,"token_id":"","text":"hi"}"#;
//! let verifier = Verifier::new("new-secret").also_accept("old-secret");
//!
//! // A delivery signed before the rotation still verifies ...
//! let late = sign("old-secret", body);
//! assert!(verifier.verify(Some(&late), body, now).is_ok());
//! assert_eq!(verifier.matching_secret(Some(&late), body), Ok(1));
//! // ... and so does one signed after it.
//! let fresh = sign("new-secret", body);
//! assert_eq!(verifier.matching_secret(Some(&fresh), body), Ok(0));
//! // Once the old secret is dropped, its signatures are refused.
//! assert!(Verifier::new("new-secret").verify(Some(&late), body, now).is_err());
//! ```

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac as _};
use sha3::Sha3_256;
use subtle::ConstantTimeEq as _;

/// The management types, with the admin API that uses them.
#[cfg(feature = "emulator-admin")]
pub use crate::admin_wire::{
    Delivery, DeliveryOutcome, PostUrl, Webhook, WebhookId, WebhookSecret,
};
pub use crate::wire::WebhookEvent;

/// The header that carries the signature.
pub const SIGNATURE_HEADER: &str = "momento-signature";

/// The default replay window: events published more than 60 s ago are rejected.
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(60);

/// Length of a HMAC-SHA3-256 signature in bytes (64 hex digits).
const SIGNATURE_LEN: usize = 32;

/// Why a webhook request was rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// The request had no `momento-signature` header.
    #[error("missing momento-signature header; reject the request (it did not come from Momento)")]
    MissingSignature,
    /// The header is not 64 hex digits (either case, surrounding whitespace ignored).
    #[error(
        "malformed momento-signature header: {reason}; expected 64 hex digits (HMAC-SHA3-256 of the raw body)"
    )]
    MalformedSignature {
        /// What was wrong with it.
        reason: String,
    },
    /// The signature does not match the body under any of the verifier's secrets.
    #[error(
        "signature mismatch: the body was altered or signed with another secret; check the webhook's current secret (it changes on rotation; accept both during a cutover)"
    )]
    Mismatch,
    /// `publish_timestamp` is older than the replay window.
    #[error(
        "event too old: published {age_ms} ms ago, more than the {max_age_ms} ms allowed; possibly a replay"
    )]
    TooOld {
        /// How long ago it was published, in milliseconds.
        age_ms: u64,
        /// The replay window, in milliseconds.
        max_age_ms: u64,
    },
    /// `publish_timestamp` is later than now (beyond the window).
    #[error("event from the future: published {ahead_ms} ms from now; check this machine's clock")]
    InTheFuture {
        /// How far ahead, in milliseconds.
        ahead_ms: u64,
    },
    /// A secret the verifier was given is empty. An empty key would accept
    /// bodies that anyone can sign, so nothing is verified with it; the
    /// usual cause is an unset environment variable.
    #[error(
        "webhook secret {index} (counting from 0) is empty: pass the webhook's signing secret (an unset environment variable is the usual cause); an empty key would accept bodies anyone can sign"
    )]
    EmptySecret {
        /// Which secret: 0 for the one given to [`Verifier::new`], then in
        /// the order of [`Verifier::also_accept`] (or of the slice given to
        /// [`verify_any`]).
        index: usize,
    },
    /// The signature matched but the body is not a webhook event.
    #[error("the body is not a valid webhook event: {reason}")]
    InvalidBody {
        /// What was wrong with it.
        reason: String,
    },
}

/// The signature Momento would send for `body` under `secret`: lowercase hex
/// HMAC-SHA3-256. Useful for tests and for emulating deliveries.
///
/// ```
/// // The test vector of docs/api.md §6, from the official SDK's tests.
/// let sig = momento_http::webhook::sign(
///     "1234567890",
///     br#"{"text":"some text", "another_field": "another field" }"#,
/// );
/// assert_eq!(sig, "b43f72787eb66410ff110295b036ef828e5686af21b414ce092f02c05deea3da");
/// ```
pub fn sign(secret: &str, body: &[u8]) -> String {
    hex::encode(mac(secret, body))
}

fn mac(secret: &str, body: &[u8]) -> [u8; SIGNATURE_LEN] {
    let mut mac =
        Hmac::<Sha3_256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(body);
    mac.finalize().into_bytes().into()
}

/// Verifies a delivery with the default 60 s replay window.
///
/// `signature_header` is the `momento-signature` value (or `None` when
/// absent); `raw_body` the exact bytes received; `now` the current time.
/// See the [module docs](self) for exactly what is accepted.
pub fn verify(
    secret: &str,
    signature_header: Option<&str>,
    raw_body: &[u8],
    now: SystemTime,
) -> Result<WebhookEvent, WebhookError> {
    Verifier::new(secret).verify(signature_header, raw_body, now)
}

/// Verifies a delivery signed with any of `secrets` (default 60 s window):
/// the one-shot form of [`Verifier::also_accept`], for a rotation cutover.
///
/// With no secrets nothing verifies: every signature is a
/// [`WebhookError::Mismatch`]. An empty secret among them is
/// [`WebhookError::EmptySecret`].
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use momento_http::webhook::{sign, verify_any};
/// # let now = UNIX_EPOCH + Duration::from_millis(1_700_000_000_000);
/// # let body = br#"{"cache":"c","topic":"t","event_timestamp":1700000000000,
/// #   "publish_timestamp":1700000000000,"topic_sequence_number":1,"token_id":"","text":"hi"}"#;
/// let (old, new) = ("old-secret", "new-secret");
/// let signature = sign(old, body);
/// assert!(verify_any(&[old, new], Some(&signature), body, now).is_ok());
/// ```
pub fn verify_any<S: AsRef<str>>(
    secrets: &[S],
    signature_header: Option<&str>,
    raw_body: &[u8],
    now: SystemTime,
) -> Result<WebhookEvent, WebhookError> {
    let verifier = Verifier {
        secrets: secrets.iter().map(|s| s.as_ref().to_owned()).collect(),
        max_age: DEFAULT_MAX_AGE,
    };
    verifier.verify(signature_header, raw_body, now)
}

/// A reusable verifier: one secret or several (during a rotation), and a
/// configurable replay window.
///
/// ```
/// use std::time::Duration;
/// use momento_http::webhook::Verifier;
/// let verifier = Verifier::new("secret").max_age(Duration::from_secs(300));
/// # let _ = verifier;
/// ```
///
/// `Debug` shows how many secrets it holds, never the secrets.
#[derive(Clone)]
pub struct Verifier {
    /// The webhook's signing secrets: the current one first, then any still
    /// accepted during a rotation.
    secrets: Vec<String>,
    /// How old (or how far in the future) `publish_timestamp` may be.
    max_age: Duration,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field(
                "secrets",
                &format_args!("<{} redacted>", self.secrets.len()),
            )
            .field("max_age", &self.max_age)
            .finish()
    }
}

impl Verifier {
    /// A verifier for `secret` with the default 60 s window.
    ///
    /// An empty secret verifies nothing: every check answers
    /// [`WebhookError::EmptySecret`], so an unset variable in a deploy
    /// cannot turn verification off.
    ///
    /// ```
    /// # use std::time::SystemTime;
    /// use momento_http::webhook::{Verifier, WebhookError, sign};
    /// let body = b"{}";
    /// let forged = sign("", body);
    /// let err = Verifier::new("").verify(Some(&forged), body, SystemTime::now()).unwrap_err();
    /// assert_eq!(err, WebhookError::EmptySecret { index: 0 });
    /// ```
    pub fn new(secret: impl Into<String>) -> Verifier {
        Verifier {
            secrets: vec![secret.into()],
            max_age: DEFAULT_MAX_AGE,
        }
    }

    /// Accepts signatures made with `secret` too (repeatable), for the
    /// cutover after a rotation: keep the old secret here until
    /// [`matching_secret`](Self::matching_secret) stops reporting it, then
    /// drop it. Secrets are numbered in the order given, from 0.
    pub fn also_accept(mut self, secret: impl Into<String>) -> Verifier {
        self.secrets.push(secret.into());
        self
    }

    /// Sets the replay window (also the tolerance for clocks running behind).
    pub fn max_age(mut self, max_age: Duration) -> Verifier {
        self.max_age = max_age;
        self
    }

    /// Checks the signature only (constant time), without parsing the body.
    pub fn verify_signature(
        &self,
        signature_header: Option<&str>,
        raw_body: &[u8],
    ) -> Result<(), WebhookError> {
        self.matching_secret(signature_header, raw_body).map(|_| ())
    }

    /// Checks the signature only, and says which secret made it: 0 for the
    /// one given to [`new`](Self::new), then in the order of
    /// [`also_accept`](Self::also_accept).
    ///
    /// Every secret is tried, each comparison in constant time, so the time
    /// taken does not tell which one matched. An empty secret is refused
    /// ([`WebhookError::EmptySecret`]) before any signature is looked at.
    pub fn matching_secret(
        &self,
        signature_header: Option<&str>,
        raw_body: &[u8],
    ) -> Result<usize, WebhookError> {
        if let Some(index) = self.secrets.iter().position(String::is_empty) {
            return Err(WebhookError::EmptySecret { index });
        }
        let given = parse_signature(signature_header)?;
        let mut matched = None;
        for (index, secret) in self.secrets.iter().enumerate() {
            let equal = bool::from(given[..].ct_eq(&mac(secret, raw_body)[..]));
            if equal && matched.is_none() {
                matched = Some(index);
            }
        }
        matched.ok_or(WebhookError::Mismatch)
    }

    /// Verifies the signature, parses the event and checks its age.
    pub fn verify(
        &self,
        signature_header: Option<&str>,
        raw_body: &[u8],
        now: SystemTime,
    ) -> Result<WebhookEvent, WebhookError> {
        self.verify_signature(signature_header, raw_body)?;
        let event = parse_event(raw_body)?;
        let now_ms = now
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0);
        let max_ms = self.max_age.as_millis() as u64;
        let published = event.publish_timestamp;
        if published.saturating_add(max_ms) < now_ms {
            return Err(WebhookError::TooOld {
                age_ms: now_ms - published,
                max_age_ms: max_ms,
            });
        }
        if published > now_ms.saturating_add(max_ms) {
            return Err(WebhookError::InTheFuture {
                ahead_ms: published - now_ms,
            });
        }
        Ok(event)
    }
}

/// The header's 32 bytes: 64 hex digits, either case, surrounding whitespace ignored.
fn parse_signature(signature_header: Option<&str>) -> Result<[u8; SIGNATURE_LEN], WebhookError> {
    let header = signature_header
        .ok_or(WebhookError::MissingSignature)?
        .trim();
    // Lengths first: hex of 32 bytes is exactly 64 characters.
    if header.len() != SIGNATURE_LEN * 2 {
        return Err(WebhookError::MalformedSignature {
            reason: format!(
                "it has {} characters, not {}",
                header.len(),
                SIGNATURE_LEN * 2
            ),
        });
    }
    let mut given = [0u8; SIGNATURE_LEN];
    hex::decode_to_slice(header, &mut given).map_err(|e| WebhookError::MalformedSignature {
        reason: format!("it is not hex ({e})"),
    })?;
    Ok(given)
}

/// The event in a body whose signature matched, with a precise reason when
/// it is not one.
fn parse_event(raw_body: &[u8]) -> Result<WebhookEvent, WebhookError> {
    serde_json::from_slice(raw_body).map_err(|e| {
        // serde's message for a float in an integer field is accurate but
        // does not say what to do; name the field and the expected unit.
        let value: Option<serde_json::Value> = serde_json::from_slice(raw_body).ok();
        let not_whole = ["publish_timestamp", "event_timestamp", "topic_sequence_number"]
            .into_iter()
            .find_map(|field| match value.as_ref()?.get(field)? {
                serde_json::Value::Number(n) if n.as_u64().is_none() => Some((field, n.clone())),
                _ => None,
            });
        let reason = match not_whole {
            Some((field, n)) if field.ends_with("timestamp") => format!(
                "`{field}` is {n}, not a whole number of epoch milliseconds (a float or a negative number; a float is often epoch seconds): the sender does not follow Momento's format"
            ),
            Some((field, n)) => format!("`{field}` is {n}, not a non-negative integer"),
            None => e.to_string(),
        };
        WebhookError::InvalidBody { reason }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW_MS: u64 = 1_700_000_000_000;

    fn body(publish_ms: u64) -> Vec<u8> {
        format!(
            r#"{{"cache":"c","topic":"t","event_timestamp":{publish_ms},"publish_timestamp":{publish_ms},"topic_sequence_number":7,"token_id":"","text":"hello"}}"#
        )
        .into_bytes()
    }

    fn now() -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(NOW_MS)
    }

    #[test]
    fn spec_test_vector() {
        assert_eq!(
            sign(
                "1234567890",
                br#"{"text":"some text", "another_field": "another field" }"#
            ),
            "b43f72787eb66410ff110295b036ef828e5686af21b414ce092f02c05deea3da"
        );
    }

    #[test]
    fn a_signed_event_verifies() {
        let b = body(NOW_MS - 1000);
        let e = verify("s", Some(&sign("s", &b)), &b, now()).unwrap();
        assert_eq!((e.topic_sequence_number, e.text.as_str()), (7, "hello"));
    }

    #[test]
    fn any_altered_byte_is_a_mismatch() {
        let b = body(NOW_MS);
        let sig = sign("s", &b);
        for i in 0..b.len() {
            let mut altered = b.clone();
            altered[i] ^= 0x01;
            assert_eq!(
                verify("s", Some(&sig), &altered, now()).unwrap_err(),
                WebhookError::Mismatch
            );
        }
        assert_eq!(
            verify("other", Some(&sig), &b, now()).unwrap_err(),
            WebhookError::Mismatch
        );
    }

    #[test]
    fn header_problems_are_named() {
        let b = body(NOW_MS);
        assert_eq!(
            verify("s", None, &b, now()).unwrap_err(),
            WebhookError::MissingSignature
        );
        assert!(matches!(
            verify("s", Some("abc"), &b, now()),
            Err(WebhookError::MalformedSignature { .. })
        ));
        let not_hex = "z".repeat(64);
        let err = verify("s", Some(&not_hex), &b, now()).unwrap_err();
        assert!(err.to_string().contains("not hex"), "{err}");
    }

    #[test]
    fn replay_window() {
        let old = body(NOW_MS - 61_000);
        let err = verify("s", Some(&sign("s", &old)), &old, now()).unwrap_err();
        assert!(
            matches!(err, WebhookError::TooOld { age_ms: 61_000, .. }),
            "{err}"
        );
        let relaxed = Verifier::new("s").max_age(Duration::from_secs(120));
        assert!(relaxed.verify(Some(&sign("s", &old)), &old, now()).is_ok());
        let future = body(NOW_MS + 61_000);
        let err = verify("s", Some(&sign("s", &future)), &future, now()).unwrap_err();
        assert!(matches!(err, WebhookError::InTheFuture { .. }), "{err}");
    }

    #[test]
    fn a_signed_non_event_is_invalid_body() {
        let b = br#"{"text":"some text"}"#;
        let err = verify("s", Some(&sign("s", b)), b, now()).unwrap_err();
        assert!(matches!(err, WebhookError::InvalidBody { .. }), "{err}");
    }
}
