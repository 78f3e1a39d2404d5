//! Cache keys and values: what names an item, and how the name travels.
//!
//! A key is bytes. It travels in one of two query parameters (docs/api.md
//! §7): `key`, a URL-safe string, or `key_base64`, URL-safe base64 of the
//! bytes, unpadded. Both name the same item when the bytes are the same. The
//! type chooses: text made only of URL-safe characters goes as `key` (and
//! reads as itself in logs and curl), anything else (bytes, or text that
//! would need escaping) as `key_base64`. The caller never picks.

use base64::Engine as _;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use bytes::Bytes;

/// The key of a cache item.
///
/// Built implicitly from `&str`, `String`, `&[u8]`, `Vec<u8>` and `Bytes`:
///
/// ```
/// use momento_http::CacheKey;
///
/// // URL-safe text travels as `key=user-42`.
/// assert!(!CacheKey::from("user-42").is_base64());
/// // Text that would need escaping, and any bytes, as `key_base64`.
/// assert_eq!(CacheKey::from("a b").base64(), "YSBi");
/// assert!(CacheKey::from(vec![0u8, 255]).is_base64());
/// // Either way the item is named by the same bytes.
/// assert_eq!(CacheKey::from("a b").as_bytes(), CacheKey::from(&b"a b"[..]).as_bytes());
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CacheKey {
    /// The key's bytes: what names the item.
    bytes: Bytes,
    /// Sent as `key_base64` rather than `key`.
    base64: bool,
}

impl CacheKey {
    /// A key from text: `key` when every character is URL-safe, else `key_base64`.
    fn text(bytes: Bytes) -> CacheKey {
        let base64 = !bytes.iter().copied().all(is_url_safe);
        CacheKey { bytes, base64 }
    }

    /// A key from bytes: always `key_base64`.
    fn binary(bytes: Bytes) -> CacheKey {
        CacheKey {
            bytes,
            base64: true,
        }
    }

    /// The key's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The key's length in bytes (what counts toward the item size limit).
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether the key has no bytes (the client refuses to send it).
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Whether it travels as `key_base64` (else as `key`).
    pub fn is_base64(&self) -> bool {
        self.base64
    }

    /// The key as `key_base64` would carry it: URL-safe base64, unpadded.
    pub fn base64(&self) -> String {
        encode_key_base64(&self.bytes)
    }

    /// The `(key, key_base64)` query parameters: exactly one is `Some`.
    pub(crate) fn query(&self) -> (Option<&str>, Option<String>) {
        if self.base64 {
            (None, Some(self.base64()))
        } else {
            // Only URL-safe ASCII reaches here, so the bytes are UTF-8.
            (std::str::from_utf8(&self.bytes).ok(), None)
        }
    }
}

impl std::fmt::Debug for CacheKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.base64 {
            write!(f, "CacheKey(key_base64={})", self.base64())
        } else {
            write!(f, "CacheKey(key={})", String::from_utf8_lossy(&self.bytes))
        }
    }
}

/// Whether `byte` may appear in a `key` as itself: RFC 3986's unreserved
/// characters (`A-Z a-z 0-9 - . _ ~`), which no URL encoder escapes.
pub fn is_url_safe(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')
}

/// `bytes` as a `key_base64` carries them: URL-safe alphabet, no padding
/// (docs/api.md §7).
pub fn encode_key_base64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The bytes a `key_base64` names: URL-safe alphabet, padded or not; `None`
/// when it is not base64.
pub fn decode_key_base64(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD
        .decode(text)
        .or_else(|_| URL_SAFE.decode(text))
        .ok()
}

impl From<&str> for CacheKey {
    fn from(value: &str) -> Self {
        CacheKey::text(Bytes::copy_from_slice(value.as_bytes()))
    }
}
impl From<String> for CacheKey {
    fn from(value: String) -> Self {
        CacheKey::text(Bytes::from(value))
    }
}
impl From<&String> for CacheKey {
    fn from(value: &String) -> Self {
        CacheKey::from(value.as_str())
    }
}
impl From<&[u8]> for CacheKey {
    fn from(value: &[u8]) -> Self {
        CacheKey::binary(Bytes::copy_from_slice(value))
    }
}
impl<const N: usize> From<&[u8; N]> for CacheKey {
    fn from(value: &[u8; N]) -> Self {
        CacheKey::binary(Bytes::copy_from_slice(value))
    }
}
impl From<Vec<u8>> for CacheKey {
    fn from(value: Vec<u8>) -> Self {
        CacheKey::binary(Bytes::from(value))
    }
}
impl From<Bytes> for CacheKey {
    fn from(value: Bytes) -> Self {
        CacheKey::binary(value)
    }
}
impl From<&CacheKey> for CacheKey {
    fn from(value: &CacheKey) -> Self {
        value.clone()
    }
}

/// The value of a cache item: raw bytes, sent as the body as they are.
///
/// Built implicitly from `&str`, `String`, `&[u8]`, `Vec<u8>` and `Bytes`
/// (text is stored as its UTF-8 bytes); owned buffers are not copied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CacheValue(pub Bytes);

impl CacheValue {
    /// The value's length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the value is empty (allowed: an empty item is still an item).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<&str> for CacheValue {
    fn from(value: &str) -> Self {
        CacheValue(Bytes::copy_from_slice(value.as_bytes()))
    }
}
impl From<String> for CacheValue {
    fn from(value: String) -> Self {
        CacheValue(Bytes::from(value))
    }
}
impl From<&[u8]> for CacheValue {
    fn from(value: &[u8]) -> Self {
        CacheValue(Bytes::copy_from_slice(value))
    }
}
impl<const N: usize> From<&[u8; N]> for CacheValue {
    fn from(value: &[u8; N]) -> Self {
        CacheValue(Bytes::copy_from_slice(value))
    }
}
impl From<Vec<u8>> for CacheValue {
    fn from(value: Vec<u8>) -> Self {
        CacheValue(Bytes::from(value))
    }
}
impl From<Bytes> for CacheValue {
    fn from(value: Bytes) -> Self {
        CacheValue(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_safe_text_travels_as_key_and_everything_else_as_base64() {
        assert_eq!(CacheKey::from("Ab0-._~").query(), (Some("Ab0-._~"), None));
        for text in ["a b", "a/b", "a+b", "é", "a%20", "a&key=b", ""] {
            let key = CacheKey::from(text);
            let (plain, b64) = key.query();
            // The empty key is URL-safe text (vacuously) and is refused at send time.
            if text.is_empty() {
                assert_eq!(plain, Some(""));
                continue;
            }
            assert_eq!(plain, None, "{text:?}");
            assert_eq!(
                decode_key_base64(&b64.unwrap()).unwrap(),
                text.as_bytes(),
                "{text:?}"
            );
        }
        // Bytes go as base64 even when they happen to be URL-safe text.
        assert!(CacheKey::from(&b"abc"[..]).is_base64());
    }

    #[test]
    fn base64_is_url_safe_and_unpadded_and_decoding_accepts_padding() {
        // The docs' example.
        assert_eq!(encode_key_base64(b"example_key"), "ZXhhbXBsZV9rZXk");
        assert_eq!(encode_key_base64(&[0xfb, 0xff]), "-_8");
        assert_eq!(decode_key_base64("-_8=").unwrap(), vec![0xfb, 0xff]);
        assert_eq!(decode_key_base64("-_8").unwrap(), vec![0xfb, 0xff]);
        assert_eq!(decode_key_base64("+/8"), None, "standard alphabet refused");
        assert_eq!(decode_key_base64("not base64!"), None);
    }

    #[test]
    fn the_safe_set_is_exactly_the_unreserved_characters() {
        for byte in 0u8..=255 {
            let escaped =
                percent_encoding::percent_encode(&[byte], percent_encoding::NON_ALPHANUMERIC)
                    .to_string()
                    != (byte as char).to_string();
            let unreserved = matches!(byte, b'-' | b'.' | b'_' | b'~');
            assert_eq!(is_url_safe(byte), !escaped || unreserved, "{byte:#04x}");
        }
    }
}
