// generated from openapi/momento-http.yaml by cargo xtask codegen; do not edit

#[allow(unused_imports)]
use crate::path::encode_path;
#[allow(unused_imports)]
pub use progenitor_client::{ByteStream, ClientInfo, Error, ResponseValue};
#[allow(unused_imports)]
use progenitor_client::{ClientHooks, OperationInfo, RequestBuilderExt};
/// Types used as operation parameters and responses.
#[allow(clippy::all)]
pub mod types {
    /**Messages between `last_topic_sequence` and `new_topic_sequence` are
gone; the next item carries `new_topic_sequence`. The page field is
absent in the seeds' older responses.
*/
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
    pub struct Discontinuity {
        pub last_topic_sequence: u64,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub new_sequence_page: ::std::option::Option<u64>,
        pub new_topic_sequence: u64,
    }
    ///Error body (C: Momento documents only "see the body"; clients also accept plain text).
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
    pub struct Error {
        pub detail: ::std::string::String,
        pub status: u16,
        pub title: ::std::string::String,
    }
    ///Exactly one of `item` or `discontinuity`.
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
    pub enum SubscribeElement {
        #[serde(rename = "item")]
        Item(TopicItem),
        #[serde(rename = "discontinuity")]
        Discontinuity(Discontinuity),
    }
    impl ::std::convert::From<TopicItem> for SubscribeElement {
        fn from(value: TopicItem) -> Self {
            Self::Item(value)
        }
    }
    impl ::std::convert::From<Discontinuity> for SubscribeElement {
        fn from(value: Discontinuity) -> Self {
            Self::Discontinuity(value)
        }
    }
    ///One long-poll answer. An empty `items` means "nothing yet; poll again".
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
    pub struct SubscribeResponse {
        pub items: ::std::vec::Vec<SubscribeElement>,
    }
    ///A message and its position in the topic.
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
    pub struct TopicItem {
        ///Unknown (U): accepted when present, never required.
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub publisher_id: ::std::option::Option<::std::string::String>,
        ///The topic instance. Absent in the seeds' older responses.
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub sequence_page: ::std::option::Option<u64>,
        pub topic_sequence_number: u64,
        pub value: TopicValue,
    }
    /**Exactly one of `text` or `binary`. Binary values are base64
(I: proto3 JSON mapping); emitted standard and padded (C), accepted in
the standard or URL-safe alphabet, padded or not.
*/
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
    pub enum TopicValue {
        #[serde(rename = "text")]
        Text(::std::string::String),
        #[serde(rename = "binary")]
        Binary(::std::string::String),
    }
    ///The JSON body Momento POSTs to a webhook's postUrl. All keys are required.
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
    pub struct WebhookEvent {
        ///The cache name.
        pub cache: ::std::string::String,
        ///Epoch milliseconds when the message was published.
        pub event_timestamp: u64,
        ///Epoch milliseconds when the webhook was called.
        pub publish_timestamp: u64,
        ///The published message.
        pub text: ::std::string::String,
        ///The publisher's token id; empty when there is none.
        pub token_id: ::std::string::String,
        ///The topic name.
        pub topic: ::std::string::String,
        ///The message's sequence number.
        pub topic_sequence_number: u64,
    }
    /// Error types.
    pub mod error {
        /// Error from a `TryFrom` or `FromStr` implementation.
        pub struct ConversionError(::std::borrow::Cow<'static, str>);
        impl ::std::error::Error for ConversionError {}
        impl ::std::fmt::Display for ConversionError {
            fn fmt(
                &self,
                f: &mut ::std::fmt::Formatter<'_>,
            ) -> Result<(), ::std::fmt::Error> {
                ::std::fmt::Display::fmt(&self.0, f)
            }
        }
        impl ::std::fmt::Debug for ConversionError {
            fn fmt(
                &self,
                f: &mut ::std::fmt::Formatter<'_>,
            ) -> Result<(), ::std::fmt::Error> {
                ::std::fmt::Debug::fmt(&self.0, f)
            }
        }
        impl From<&'static str> for ConversionError {
            fn from(value: &'static str) -> Self {
                Self(value.into())
            }
        }
        impl From<String> for ConversionError {
            fn from(value: String) -> Self {
                Self(value.into())
            }
        }
    }
}
#[derive(Clone, Debug)]
/**Client for Momento HTTP API (Topics and cache)

Publish to and long-poll subscribe from Momento Topics, and get, set and
delete cache items, over plain HTTP.
The token goes in exactly one place: the `Authorization` header (the raw
token, no `Bearer ` prefix) or the `token` query parameter.


Version: 1.0.0*/
pub struct Client {
    pub(crate) baseurl: String,
    pub(crate) client: reqwest::Client,
    pub(crate) inner: crate::hooks::Hooks,
}
impl Client {
    /// Create a new client.
    ///
    /// `baseurl` is the base URL provided to the internal
    /// `reqwest::Client`, and should include a scheme and hostname,
    /// as well as port and a path stem if applicable.
    pub fn new(baseurl: &str, inner: crate::hooks::Hooks) -> Self {
        #[cfg(not(target_arch = "wasm32"))]
        let client = {
            let dur = ::std::time::Duration::from_secs(15u64);
            reqwest::ClientBuilder::new().connect_timeout(dur).timeout(dur)
        };
        #[cfg(target_arch = "wasm32")]
        let client = reqwest::ClientBuilder::new();
        Self::new_with_client(baseurl, client.build().unwrap(), inner)
    }
    /// Construct a new client with an existing `reqwest::Client`,
    /// allowing more control over its configuration.
    ///
    /// `baseurl` is the base URL provided to the internal
    /// `reqwest::Client`, and should include a scheme and hostname,
    /// as well as port and a path stem if applicable.
    pub fn new_with_client(
        baseurl: &str,
        client: reqwest::Client,
        inner: crate::hooks::Hooks,
    ) -> Self {
        Self {
            baseurl: baseurl.to_string(),
            client,
            inner,
        }
    }
}
impl ClientInfo<crate::hooks::Hooks> for Client {
    fn api_version() -> &'static str {
        "1.0.0"
    }
    fn baseurl(&self) -> &str {
        self.baseurl.as_str()
    }
    fn client(&self) -> &reqwest::Client {
        &self.client
    }
    fn inner(&self) -> &crate::hooks::Hooks {
        &self.inner
    }
}
impl ClientHooks<crate::hooks::Hooks> for &Client {}
#[allow(clippy::all)]
impl Client {
    /**Read one item of a cache

Names the item with exactly one of `key` or `key_base64` (D; both or
neither is a 400, C). A hit answers 200 with the value's raw bytes (D).
A miss answers 404 whose body says "Key Not Found"; a missing cache
answers 404 whose body says "Cache Not Found" (D). Reading is safe to
retry.


Sends a `GET` request to `/cache/{cacheName}`

Arguments:
- `cache_name`: The cache name, percent-encoded by clients (see the `Name` schema for the rules).
- `key`: The item's key as a URL-safe string. Exactly one of `key` and `key_base64`.
- `key_base64`: The item's key as URL-safe base64 of its bytes, unpadded (D: the docs'
example is `ZXhhbXBsZV9rZXk`; C: the emulator accepts padding too).
Names the same item as `key` with the same bytes. Exactly one of `key`
and `key_base64`.

- `token`: The token, when it is not sent in the `Authorization` header. Both at once is a 400.
*/
    pub async fn cache_get<'a>(
        &'a self,
        cache_name: &'a str,
        key: Option<&'a str>,
        key_base64: Option<&'a str>,
        token: Option<&'a str>,
    ) -> Result<ResponseValue<ByteStream>, Error<types::Error>> {
        let url = self
            .inner
            .request_url(
                &self.baseurl,
                &["/cache/", &*encode_path(&cache_name.to_string())],
            )
            .map_err(|e| Error::InvalidRequest(e.to_string()))?;
        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
        #[allow(unused_mut)]
        let mut request = self
            .client
            .get(url)
            .query(&progenitor_client::QueryParam::new("key", &key))
            .query(&progenitor_client::QueryParam::new("key_base64", &key_base64))
            .query(&progenitor_client::QueryParam::new("token", &token))
            .headers(header_map)
            .build()?;
        let info = OperationInfo {
            operation_id: "cache_get",
        };
        self.pre(&mut request, &info).await?;
        let result = self.exec(request, &info).await;
        self.post(&result, &info).await?;
        let response = result?;
        match response.status().as_u16() {
            200u16 => Ok(ResponseValue::stream(response)),
            400u16 => {
                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
            }
            401u16 => {
                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
            }
            403u16 => {
                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
            }
            404u16 => {
                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
            }
            429u16 => {
                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
            }
            500u16 => {
                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
            }
            _ => Err(Error::UnexpectedResponse(response)),
        }
    }
    /**Store one item in a cache, replacing any item under the same key

The body is the raw value (D), whatever its `Content-Type` (C: the
emulator ignores it). `ttl_seconds` is required (D): a whole number of
seconds, at least 1 and at most 86400 (24 hours, the limit of
on-demand caches, D); zero, negative, missing or larger is a 400 (C:
the status is undocumented). Key and value together are at most 5 MB
(D), read as 5 MiB, 5,242,880 bytes (C); a larger item is a 400 (C).


Sends a `PUT` request to `/cache/{cacheName}`

Arguments:
- `cache_name`: The cache name, percent-encoded by clients (see the `Name` schema for the rules).
- `key`: The item's key as a URL-safe string. Exactly one of `key` and `key_base64`.
- `key_base64`: The item's key as URL-safe base64 of its bytes, unpadded (D: the docs'
example is `ZXhhbXBsZV9rZXk`; C: the emulator accepts padding too).
Names the same item as `key` with the same bytes. Exactly one of `key`
and `key_base64`.

- `token`: The token, when it is not sent in the `Authorization` header. Both at once is a 400.
- `ttl_seconds`: How long the item lives, in whole seconds (1 to 86400).
- `body`
*/
    pub async fn cache_set<'a, B: Into<reqwest::Body>>(
        &'a self,
        cache_name: &'a str,
        key: Option<&'a str>,
        key_base64: Option<&'a str>,
        token: Option<&'a str>,
        ttl_seconds: u64,
        body: B,
    ) -> Result<ResponseValue<()>, Error<types::Error>> {
        let url = self
            .inner
            .request_url(
                &self.baseurl,
                &["/cache/", &*encode_path(&cache_name.to_string())],
            )
            .map_err(|e| Error::InvalidRequest(e.to_string()))?;
        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
        #[allow(unused_mut)]
        let mut request = self
            .client
            .put(url)
            .header(
                ::reqwest::header::ACCEPT,
                ::reqwest::header::HeaderValue::from_static("application/json"),
            )
            .header(
                ::reqwest::header::CONTENT_TYPE,
                ::reqwest::header::HeaderValue::from_static("application/octet-stream"),
            )
            .body(body)
            .query(&progenitor_client::QueryParam::new("key", &key))
            .query(&progenitor_client::QueryParam::new("key_base64", &key_base64))
            .query(&progenitor_client::QueryParam::new("token", &token))
            .query(&progenitor_client::QueryParam::new("ttl_seconds", &ttl_seconds))
            .headers(header_map)
            .build()?;
        let info = OperationInfo {
            operation_id: "cache_set",
        };
        self.pre(&mut request, &info).await?;
        let result = self.exec(request, &info).await;
        self.post(&result, &info).await?;
        let response = result?;
        match response.status().as_u16() {
            204u16 => Ok(ResponseValue::empty(response)),
            400u16 => {
                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
            }
            401u16 => {
                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
            }
            403u16 => {
                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
            }
            404u16 => {
                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
            }
            429u16 => {
                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
            }
            500u16 => {
                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
            }
            _ => Err(Error::UnexpectedResponse(response)),
        }
    }
    /**Remove one item from a cache

Answers 204 (D), also when no item has the key (I: likely, as a
cache's delete is idempotent). Safe to retry.


Sends a `DELETE` request to `/cache/{cacheName}`

Arguments:
- `cache_name`: The cache name, percent-encoded by clients (see the `Name` schema for the rules).
- `key`: The item's key as a URL-safe string. Exactly one of `key` and `key_base64`.
- `key_base64`: The item's key as URL-safe base64 of its bytes, unpadded (D: the docs'
example is `ZXhhbXBsZV9rZXk`; C: the emulator accepts padding too).
Names the same item as `key` with the same bytes. Exactly one of `key`
and `key_base64`.

- `token`: The token, when it is not sent in the `Authorization` header. Both at once is a 400.
*/
    pub async fn cache_delete<'a>(
        &'a self,
        cache_name: &'a str,
        key: Option<&'a str>,
        key_base64: Option<&'a str>,
        token: Option<&'a str>,
    ) -> Result<ResponseValue<()>, Error<types::Error>> {
        let url = self
            .inner
            .request_url(
                &self.baseurl,
                &["/cache/", &*encode_path(&cache_name.to_string())],
            )
            .map_err(|e| Error::InvalidRequest(e.to_string()))?;
        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
        #[allow(unused_mut)]
        let mut request = self
            .client
            .delete(url)
            .header(
                ::reqwest::header::ACCEPT,
                ::reqwest::header::HeaderValue::from_static("application/json"),
            )
            .query(&progenitor_client::QueryParam::new("key", &key))
            .query(&progenitor_client::QueryParam::new("key_base64", &key_base64))
            .query(&progenitor_client::QueryParam::new("token", &token))
            .headers(header_map)
            .build()?;
        let info = OperationInfo {
            operation_id: "cache_delete",
        };
        self.pre(&mut request, &info).await?;
        let result = self.exec(request, &info).await;
        self.post(&result, &info).await?;
        let response = result?;
        match response.status().as_u16() {
            204u16 => Ok(ResponseValue::empty(response)),
            400u16 => {
                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
            }
            401u16 => {
                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
            }
            403u16 => {
                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
            }
            404u16 => {
                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
            }
            429u16 => {
                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
            }
            500u16 => {
                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
            }
            _ => Err(Error::UnexpectedResponse(response)),
        }
    }
    /**Long-poll a topic for messages

Blocks until at least one message or discontinuity is available.
Send `sequence_number` = last received + 1 and echo the latest
`sequence_page`; both are 0 on the first request. When nothing arrives
the server answers an empty batch (C: after 30 s on the emulator).


Sends a `GET` request to `/topics/{cacheName}/{topicName}`

Arguments:
- `cache_name`: The cache name, percent-encoded by clients (see the `Name` schema for the rules).
- `topic_name`: The topic name, percent-encoded by clients (see the `Name` schema for the rules).
- `sequence_number`: The next sequence number you expect (last received + 1); 0 on the first request.
- `sequence_page`: The topic instance; 0 on the first request, then the latest page received.
- `token`: The token, when it is not sent in the `Authorization` header. Both at once is a 400.
*/
    pub async fn subscribe<'a>(
        &'a self,
        cache_name: &'a str,
        topic_name: &'a str,
        sequence_number: Option<u64>,
        sequence_page: Option<u64>,
        token: Option<&'a str>,
    ) -> Result<ResponseValue<types::SubscribeResponse>, Error<types::Error>> {
        let url = self
            .inner
            .request_url(
                &self.baseurl,
                &[
                    "/topics/",
                    &*encode_path(&cache_name.to_string()),
                    "/",
                    &*encode_path(&topic_name.to_string()),
                ],
            )
            .map_err(|e| Error::InvalidRequest(e.to_string()))?;
        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
        #[allow(unused_mut)]
        let mut request = self
            .client
            .get(url)
            .header(
                ::reqwest::header::ACCEPT,
                ::reqwest::header::HeaderValue::from_static("application/json"),
            )
            .query(
                &progenitor_client::QueryParam::new("sequence_number", &sequence_number),
            )
            .query(&progenitor_client::QueryParam::new("sequence_page", &sequence_page))
            .query(&progenitor_client::QueryParam::new("token", &token))
            .headers(header_map)
            .build()?;
        let info = OperationInfo {
            operation_id: "subscribe",
        };
        self.pre(&mut request, &info).await?;
        let result = self.exec(request, &info).await;
        self.post(&result, &info).await?;
        let response = result?;
        match response.status().as_u16() {
            200u16 => ResponseValue::from_response(response).await,
            400u16 => {
                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
            }
            401u16 => {
                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
            }
            403u16 => {
                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
            }
            404u16 => {
                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
            }
            429u16 => {
                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
            }
            500u16 => {
                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
            }
            _ => Err(Error::UnexpectedResponse(response)),
        }
    }
    /**Publish a message to a topic

The body is the raw value: `text/plain` publishes UTF-8 text,
`application/octet-stream` publishes bytes. At most 4096 bytes.
Publishing is not idempotent: never retry it blindly.


Sends a `POST` request to `/topics/{cacheName}/{topicName}`

Arguments:
- `cache_name`: The cache name, percent-encoded by clients (see the `Name` schema for the rules).
- `topic_name`: The topic name, percent-encoded by clients (see the `Name` schema for the rules).
- `token`: The token, when it is not sent in the `Authorization` header. Both at once is a 400.
- `body`
*/
    pub async fn publish<'a, B: Into<reqwest::Body>>(
        &'a self,
        cache_name: &'a str,
        topic_name: &'a str,
        token: Option<&'a str>,
        body: B,
    ) -> Result<ResponseValue<()>, Error<types::Error>> {
        let url = self
            .inner
            .request_url(
                &self.baseurl,
                &[
                    "/topics/",
                    &*encode_path(&cache_name.to_string()),
                    "/",
                    &*encode_path(&topic_name.to_string()),
                ],
            )
            .map_err(|e| Error::InvalidRequest(e.to_string()))?;
        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
        #[allow(unused_mut)]
        let mut request = self
            .client
            .post(url)
            .header(
                ::reqwest::header::ACCEPT,
                ::reqwest::header::HeaderValue::from_static("application/json"),
            )
            .header(
                ::reqwest::header::CONTENT_TYPE,
                ::reqwest::header::HeaderValue::from_static("application/octet-stream"),
            )
            .body(body)
            .query(&progenitor_client::QueryParam::new("token", &token))
            .headers(header_map)
            .build()?;
        let info = OperationInfo {
            operation_id: "publish",
        };
        self.pre(&mut request, &info).await?;
        let result = self.exec(request, &info).await;
        self.post(&result, &info).await?;
        let response = result?;
        match response.status().as_u16() {
            204u16 => Ok(ResponseValue::empty(response)),
            400u16 => {
                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
            }
            401u16 => {
                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
            }
            403u16 => {
                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
            }
            404u16 => {
                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
            }
            429u16 => {
                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
            }
            500u16 => {
                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
            }
            _ => Err(Error::UnexpectedResponse(response)),
        }
    }
}
/// Items consumers will typically use such as the Client.
pub mod prelude {
    #[allow(unused_imports)]
    pub use super::Client;
}
/// Wire rules the spec states that the generated types cannot carry,
/// exported by `cargo xtask codegen`.
pub mod rules {
    /// The largest publish body, in bytes, whatever its media type (docs/api.md §3, §8).
    ///
    /// From the spec, at `/paths/~1topics~1{cacheName}~1{topicName}/post/requestBody/x-max-bytes`.
    pub const MAX_PUBLISH_PAYLOAD_BYTES: usize = 4096;
    /// The longest cache or topic name the emulator accepts, in bytes (a project choice: Momento documents no limit, so the client does not check it; docs/api.md §3).
    ///
    /// From the spec, at `/components/schemas/Name/x-max-bytes`.
    pub const MAX_NAME_BYTES: usize = 255;
    /// What every cache and topic name must contain somewhere (an ECMA 262 pattern, unanchored): a character that is not whitespace, so names are neither empty nor only whitespace (docs/api.md §3).
    ///
    /// From the spec, at `/components/schemas/Name/pattern`.
    pub const NAME_PATTERN: &str = "\\S";
    /// Cache and topic names that cannot travel in a URL path: URL parsers resolve these segments (escaped too), so the request would go elsewhere (docs/api.md §3).
    ///
    /// From the spec, at `/components/schemas/Name/not/enum`.
    pub const RESERVED_NAMES: &[&str] = &[".", ".."];
}
