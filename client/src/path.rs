//! Percent-encoding of cache and topic names in request paths.
//!
//! The generated client calls [`encode_path`] rather than progenitor's own,
//! which leaves `\` unescaped; URL parsers read `\` as `/` in http(s) URLs, so
//! a topic `a\b` would silently become the path `a/b`. The
//! `strict-path-encoding` rewrite in `xtask/codegen` points it here; this
//! module never imports the generated code.

use std::borrow::Cow;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Everything but RFC 3986's unreserved characters (`A-Z a-z 0-9 - . _ ~`).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Encodes one path segment so that any name arrives as itself.
///
/// Borrows when nothing needs escaping (most names): the generated code
/// formats the result straight into the URL, so a copy would be wasted.
pub(crate) fn encode_path(segment: &str) -> Cow<'_, str> {
    // On every request: one pass over the bytes settles the common case
    // without the encoder's per-chunk iteration.
    if segment.bytes().all(is_unreserved) {
        return Cow::Borrowed(segment);
    }
    utf8_percent_encode(segment, SEGMENT).into()
}

fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')
}

#[cfg(test)]
mod tests {
    use super::encode_path;

    #[test]
    fn separators_and_backslashes_are_escaped() {
        assert_eq!(encode_path(r"a\b/c?d#e%f"), "a%5Cb%2Fc%3Fd%23e%25f");
    }

    #[test]
    fn the_fast_path_agrees_with_the_encoder_on_every_byte() {
        for byte in 0u8..=127 {
            let one = (byte as char).to_string();
            let encoded = percent_encoding::utf8_percent_encode(&one, super::SEGMENT).to_string();
            assert_eq!(encode_path(&one), encoded, "byte {byte:#04x}");
            assert_eq!(
                super::is_unreserved(byte),
                encoded == one,
                "byte {byte:#04x}"
            );
        }
    }

    #[test]
    fn unreserved_characters_stay_readable() {
        assert_eq!(encode_path("my-cache_1.x~"), "my-cache_1.x~");
        assert_eq!(encode_path("日本"), "%E6%97%A5%E6%9C%AC");
    }
}
