//! Publishing: local validation, then one request, never retried.

use bytes::Bytes;

use crate::client::TopicClient;
use crate::error::Error;
use crate::wire;

/// A message to publish: text (`text/plain`) or bytes (`application/octet-stream`).
///
/// Built implicitly from `&str`/`String` (text) and `&[u8]`/`Vec<u8>`/`Bytes` (bytes):
///
/// ```
/// use momento_http::PublishValue;
/// assert!(matches!(PublishValue::from("hi"), PublishValue::Text(_)));
/// assert!(matches!(PublishValue::from(&b"hi"[..]), PublishValue::Bytes(_)));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PublishValue {
    /// UTF-8 text, sent as `text/plain`.
    Text(String),
    /// Raw bytes, sent as `application/octet-stream`.
    Bytes(Bytes),
}

impl PublishValue {
    /// The body's length in bytes.
    pub fn len(&self) -> usize {
        match self {
            PublishValue::Text(s) => s.len(),
            PublishValue::Bytes(b) => b.len(),
        }
    }

    /// Whether the body is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl From<&str> for PublishValue {
    fn from(value: &str) -> Self {
        PublishValue::Text(value.to_owned())
    }
}
impl From<String> for PublishValue {
    fn from(value: String) -> Self {
        PublishValue::Text(value)
    }
}
impl From<&String> for PublishValue {
    fn from(value: &String) -> Self {
        PublishValue::Text(value.clone())
    }
}
impl From<&[u8]> for PublishValue {
    fn from(value: &[u8]) -> Self {
        PublishValue::Bytes(Bytes::copy_from_slice(value))
    }
}
impl<const N: usize> From<&[u8; N]> for PublishValue {
    fn from(value: &[u8; N]) -> Self {
        PublishValue::Bytes(Bytes::copy_from_slice(value))
    }
}
impl From<Vec<u8>> for PublishValue {
    fn from(value: Vec<u8>) -> Self {
        PublishValue::Bytes(Bytes::from(value))
    }
}
impl From<Bytes> for PublishValue {
    fn from(value: Bytes) -> Self {
        PublishValue::Bytes(value)
    }
}

/// Rejects cache and topic names that cannot travel as themselves: those
/// without a non-whitespace character (the spec's
/// [`NAME_PATTERN`](wire::NAME_PATTERN)), and the
/// [`RESERVED_NAMES`](wire::RESERVED_NAMES) `.` and `..`.
pub(crate) fn validate_names(cache: &str, topic: &str) -> Result<(), Error> {
    for (what, name) in [("cache", cache), ("topic", topic)] {
        // Not `trim().is_empty()`: this stops at the first visible character
        // instead of scanning from both ends, on every publish.
        if name.chars().all(char::is_whitespace) {
            return Err(Error::InvalidInput {
                reason: format!(
                    "the {what} name is empty or only whitespace; give a non-empty name"
                ),
            });
        }
        // URL parsers resolve these path segments (escaped too: `%2E` is a
        // dot to them), so the request would go to another path.
        if wire::RESERVED_NAMES.contains(&name) {
            return Err(Error::InvalidInput {
                reason: format!(
                    "the {what} name {name:?} cannot be sent in a URL path (it means \"this\" or \"parent\" directory there); choose another name"
                ),
            });
        }
    }
    Ok(())
}

impl TopicClient {
    /// Publishes `value` to `topic` in `cache`.
    ///
    /// Text goes as `text/plain`, bytes as `application/octet-stream`. Empty or
    /// whitespace-only names, the names `.` and `..` (a URL path cannot carry
    /// them), and payloads over
    /// [`max_payload_bytes`](crate::TopicClientBuilder::max_payload_bytes)
    /// fail with [`Error::InvalidInput`] and send nothing.
    ///
    /// Publishing is not idempotent, so it is never retried; on failure
    /// [`Error::may_have_been_delivered`] says whether to check before
    /// publishing again.
    ///
    /// ```no_run
    /// # async fn run(client: momento_http::TopicClient) -> Result<(), momento_http::Error> {
    /// client.publish("cache", "topic", "hello").await?;
    /// client.publish("cache", "topic", vec![0u8, 1, 2]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn publish(
        &self,
        cache: &str,
        topic: &str,
        value: impl Into<PublishValue>,
    ) -> Result<(), Error> {
        let value = value.into();
        validate_names(cache, topic)?;
        let max = self.inner.max_payload_bytes;
        if value.len() > max {
            return Err(Error::InvalidInput {
                reason: format!(
                    "the payload is {} bytes, over the {max}-byte limit; send a smaller message",
                    value.len()
                ),
            });
        }
        let result = match value {
            PublishValue::Text(text) => {
                self.inner
                    .text_client
                    .publish(cache, topic, None, text)
                    .await
            }
            PublishValue::Bytes(bytes) => {
                self.inner
                    .bytes_client
                    .publish(cache, topic, None, bytes)
                    .await
            }
        };
        match result {
            Ok(_) => Ok(()),
            // The API answers 204; any 2xx means the server took the message,
            // and calling it a failure would invite a duplicate publish.
            Err(crate::generated::Error::UnexpectedResponse(r)) if r.status().is_success() => {
                Ok(())
            }
            Err(e) => {
                let err = Error::from_generated(e, true, self.inner.runtime.system_now()).await;
                tracing::debug!(cache, topic, error = %err, "publish failed");
                Err(err)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::validate_names;
    use crate::wire;

    #[test]
    fn the_name_check_implements_the_pattern_the_spec_states() {
        // validate_names reads `\S` ("contains a non-whitespace character")
        // as `!chars().all(char::is_whitespace)`; a new pattern in the spec
        // needs new code here.
        assert_eq!(
            wire::NAME_PATTERN,
            r"\S",
            "the spec's name pattern changed; update validate_names to match it"
        );
        for bad in ["", " ", "\t\n", "\u{3000}"] {
            assert!(validate_names(bad, "t").is_err(), "cache {bad:?}");
            assert!(validate_names("c", bad).is_err(), "topic {bad:?}");
        }
        assert!(validate_names(" c ", "t\u{3000}x").is_ok());
    }

    #[test]
    fn every_reserved_name_the_spec_lists_is_refused() {
        assert!(!wire::RESERVED_NAMES.is_empty());
        for name in wire::RESERVED_NAMES {
            assert!(validate_names(name, "t").is_err(), "cache {name:?}");
            assert!(validate_names("c", name).is_err(), "topic {name:?}");
        }
        assert!(validate_names("...", ".a").is_ok());
    }
}
