//! Where the client sends its requests: one of Momento's regions, or any base URL.
//!
//! Momento's HTTP API lives at `https://api.cache.<cell>.prod.a.momentohq.com`
//! (docs/api.md §1). Each public region maps to one cell; private cells and the
//! emulator (`http://127.0.0.1:PORT`) are reached through [`Region::Custom`].

use std::fmt;
use std::str::FromStr;

use url::Url;

/// A Momento region, or an arbitrary base URL.
///
/// Parse a region by its AWS name, or give a base URL:
///
/// ```
/// use momento_http::Region;
///
/// let region: Region = "us-east-1".parse().unwrap();
/// assert_eq!(
///     region.base_url().as_str(),
///     "https://api.cache.cell-us-east-1-1.prod.a.momentohq.com/"
/// );
///
/// let local = Region::custom("http://127.0.0.1:8080").unwrap();
/// assert_eq!(local.base_url().as_str(), "http://127.0.0.1:8080/");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Region {
    /// US West (Oregon), cell `cell-4-us-west-2-1`.
    UsWest2,
    /// US East (N. Virginia), cell `cell-us-east-1-1`.
    UsEast1,
    /// US East (Ohio), cell `cell-1-us-east-2-1`.
    UsEast2,
    /// Asia Pacific (Tokyo), cell `cell-ap-northeast-1-1`.
    ApNortheast1,
    /// Asia Pacific (Singapore), cell `cell-1-ap-southeast-1-1`.
    ApSoutheast1,
    /// Europe (Ireland), cell `cell-1-eu-west-1-1`.
    EuWest1,
    /// Europe (Frankfurt), cell `cell-1-eu-central-1-1`.
    EuCentral1,
    /// Asia Pacific (Mumbai), cell `cell-1-ap-south-1-1`.
    ApSouth1,
    /// Europe (London), cell `cell-1-eu-west-2-1`.
    EuWest2,
    /// Europe (Stockholm), cell `cell-1-eu-north-1-1`.
    EuNorth1,
    /// Asia Pacific (Sydney), cell `cell-1-ap-southeast-2-1`.
    ApSoutheast2,
    /// Any other base URL: a private cell, or the emulator.
    Custom(Url),
}

/// Every named region with its AWS name and Momento cell (docs/api.md §1).
const REGIONS: [(Region, &str, &str); 11] = [
    (Region::UsWest2, "us-west-2", "cell-4-us-west-2-1"),
    (Region::UsEast1, "us-east-1", "cell-us-east-1-1"),
    (Region::UsEast2, "us-east-2", "cell-1-us-east-2-1"),
    (
        Region::ApNortheast1,
        "ap-northeast-1",
        "cell-ap-northeast-1-1",
    ),
    (
        Region::ApSoutheast1,
        "ap-southeast-1",
        "cell-1-ap-southeast-1-1",
    ),
    (Region::EuWest1, "eu-west-1", "cell-1-eu-west-1-1"),
    (Region::EuCentral1, "eu-central-1", "cell-1-eu-central-1-1"),
    (Region::ApSouth1, "ap-south-1", "cell-1-ap-south-1-1"),
    (Region::EuWest2, "eu-west-2", "cell-1-eu-west-2-1"),
    (Region::EuNorth1, "eu-north-1", "cell-1-eu-north-1-1"),
    (
        Region::ApSoutheast2,
        "ap-southeast-2",
        "cell-1-ap-southeast-2-1",
    ),
];

impl Region {
    /// All eleven named regions, in the order of docs/api.md §1.
    pub fn all() -> impl Iterator<Item = Region> {
        REGIONS.iter().map(|(r, _, _)| r.clone())
    }

    /// A region for an arbitrary base URL (`http` or `https`).
    ///
    /// ```
    /// # use momento_http::Region;
    /// assert!(Region::custom("http://127.0.0.1:9000").is_ok());
    /// assert!(Region::custom("not a url").is_err());
    /// ```
    pub fn custom(base_url: &str) -> Result<Region, RegionError> {
        let url = Url::parse(base_url).map_err(|e| RegionError {
            input: base_url.to_owned(),
            reason: format!("not a URL ({e})"),
        })?;
        if url.scheme() != "http" && url.scheme() != "https" {
            return Err(RegionError {
                input: base_url.to_owned(),
                reason: format!("scheme `{}` is neither http nor https", url.scheme()),
            });
        }
        Ok(Region::Custom(url))
    }

    /// The AWS name (`"us-east-1"`), or `None` for a custom base URL.
    pub fn name(&self) -> Option<&'static str> {
        REGIONS
            .iter()
            .find(|(r, _, _)| r == self)
            .map(|(_, n, _)| *n)
    }

    /// The Momento cell (`"cell-us-east-1-1"`), or `None` for a custom base URL.
    pub fn cell(&self) -> Option<&'static str> {
        REGIONS
            .iter()
            .find(|(r, _, _)| r == self)
            .map(|(_, _, c)| *c)
    }

    /// The base URL requests go to: `https://api.cache.<cell>.prod.a.momentohq.com/`.
    pub fn base_url(&self) -> Url {
        match self {
            Region::Custom(url) => url.clone(),
            named => {
                let cell = named.cell().unwrap_or_default();
                Url::parse(&format!("https://api.cache.{cell}.prod.a.momentohq.com"))
                    .expect("region URLs are valid")
            }
        }
    }

    /// The base URL for an SDK-style endpoint.
    ///
    /// An endpoint that starts with `http://` or `https://` is used verbatim (the
    /// emulator's keys do this); `api.cache.X` becomes `https://api.cache.X`; a
    /// bare `<cell>.prod.a.momentohq.com` becomes `https://api.cache.<cell>...`.
    pub fn from_endpoint(endpoint: &str) -> Result<Region, RegionError> {
        let endpoint = endpoint.trim();
        if endpoint.starts_with("http://") || endpoint.starts_with("https://") {
            return Region::custom(endpoint);
        }
        if endpoint.is_empty() {
            return Err(RegionError {
                input: String::new(),
                reason: "the endpoint is empty".into(),
            });
        }
        let host = endpoint.trim_end_matches('/');
        let host = if host.starts_with("api.cache.") {
            host.to_owned()
        } else {
            format!("api.cache.{host}")
        };
        Region::custom(&format!("https://{host}"))
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self, self.name()) {
            (_, Some(name)) => f.write_str(name),
            (Region::Custom(url), None) => f.write_str(url.as_str()),
            _ => Ok(()),
        }
    }
}

impl FromStr for Region {
    type Err = RegionError;

    /// Parses an AWS region name (`"eu-west-1"`) or a base URL.
    fn from_str(s: &str) -> Result<Region, RegionError> {
        let s = s.trim();
        if let Some((r, _, _)) = REGIONS.iter().find(|(_, n, _)| n.eq_ignore_ascii_case(s)) {
            return Ok(r.clone());
        }
        if s.contains("://") {
            return Region::custom(s);
        }
        Err(RegionError {
            input: s.to_owned(),
            reason: format!(
                "not a Momento region; expected one of {} or a base URL such as http://127.0.0.1:8080",
                REGIONS
                    .iter()
                    .map(|(_, n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })
    }
}

/// A region name or base URL that could not be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("cannot use `{input}` as a region or base URL: {reason}")]
pub struct RegionError {
    input: String,
    reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_region_parses_by_name_and_round_trips() {
        for region in Region::all() {
            let name = region.to_string();
            assert_eq!(name.parse::<Region>().unwrap(), region);
            assert!(
                region
                    .base_url()
                    .as_str()
                    .starts_with("https://api.cache.cell-")
            );
        }
        assert_eq!(Region::all().count(), 11);
    }

    #[test]
    fn endpoints_become_base_urls() {
        let r = Region::from_endpoint("cell-4-us-west-2-1.prod.a.momentohq.com").unwrap();
        assert_eq!(
            r.base_url().as_str(),
            "https://api.cache.cell-4-us-west-2-1.prod.a.momentohq.com/"
        );
        let r = Region::from_endpoint("http://127.0.0.1:1234").unwrap();
        assert_eq!(r.base_url().as_str(), "http://127.0.0.1:1234/");
    }

    #[test]
    fn unknown_names_say_what_is_expected() {
        let err = "mars-1".parse::<Region>().unwrap_err().to_string();
        assert!(err.contains("us-east-1"), "{err}");
    }
}
