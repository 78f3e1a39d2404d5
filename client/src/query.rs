//! Optional query parameters that cost nothing when absent.
//!
//! reqwest's `RequestBuilder::query` opens the URL's query and closes it
//! again even when the value serializes to nothing, rewriting the URL's text
//! (and often reallocating it) on every request. The generated client calls
//! [`OptionalQuery::optional_query`] for each `Option` query parameter instead
//! (the xtask rewrites progenitor's calls), so an absent one, such as `token`
//! when the token travels in the `Authorization` header, leaves the URL alone.

use progenitor_client::QueryParam;
use serde::Serialize;

/// `query` for a parameter that may be absent.
pub(crate) trait OptionalQuery {
    /// Appends `name=value` when `value` is `Some`; otherwise does nothing.
    fn optional_query<T: Serialize>(self, name: &str, value: &Option<T>) -> Self;
}

impl OptionalQuery for reqwest::RequestBuilder {
    fn optional_query<T: Serialize>(self, name: &str, value: &Option<T>) -> Self {
        match value {
            Some(_) => self.query(&QueryParam::new(name, value)),
            None => self,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::OptionalQuery as _;

    fn url_of(builder: reqwest::RequestBuilder) -> String {
        builder.build().unwrap().url().to_string()
    }

    #[test]
    fn present_values_are_appended_and_absent_ones_leave_the_url_alone() {
        let http = reqwest::Client::new();
        let base = "http://h/topics/c/t";
        let absent: Option<&str> = None;
        assert_eq!(
            url_of(http.get(base).optional_query("token", &absent)),
            base
        );
        let url = url_of(
            http.get(base)
                .optional_query("sequence_number", &Some(7u64))
                .optional_query("token", &absent)
                .optional_query("token", &Some("a b&c")),
        );
        assert_eq!(url, "http://h/topics/c/t?sequence_number=7&token=a+b%26c");
    }
}
