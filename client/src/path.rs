//! Percent-encoding of cache and topic names in request paths.
//!
//! The generated client calls [`encode_path`] (the xtask points it here) rather
//! than progenitor's own, which leaves `\` unescaped; URL parsers read `\` as `/`
//! in http(s) URLs, so a topic `a\b` would silently become the path `a/b`.

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
    utf8_percent_encode(segment, SEGMENT).into()
}

#[cfg(test)]
mod tests {
    use super::encode_path;

    #[test]
    fn separators_and_backslashes_are_escaped() {
        assert_eq!(encode_path(r"a\b/c?d#e%f"), "a%5Cb%2Fc%3Fd%23e%25f");
    }

    #[test]
    fn unreserved_characters_stay_readable() {
        assert_eq!(encode_path("my-cache_1.x~"), "my-cache_1.x~");
        assert_eq!(encode_path("日本"), "%E6%97%A5%E6%9C%AC");
    }
}
