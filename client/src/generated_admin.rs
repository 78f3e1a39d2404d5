// generated from openapi/emulator-admin.yaml by cargo xtask codegen; do not edit

#[allow(unused_imports)]
use crate::path::encode_path;
#[allow(unused_imports)]
pub use progenitor_client::{ByteStream, ClientInfo, Error, ResponseValue};
#[allow(unused_imports)]
use progenitor_client::{ClientHooks, OperationInfo, RequestBuilderExt};
/// Types used as operation parameters and responses.
#[allow(clippy::all)]
pub mod types {
    ///The same shape as the Topics API's Error.
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
    pub struct AdminError {
        pub detail: ::std::string::String,
        pub status: u16,
        pub title: ::std::string::String,
    }
    ///`CacheItem`
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
    pub struct CacheItem {
        ///Time left before the item expires, by the emulator's cache clock.
        pub expires_in_ms: u64,
        ///The key as text, when its bytes are UTF-8.
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub key: ::std::option::Option<::std::string::String>,
        ///The key's bytes, URL-safe base64 without padding (as `key_base64` carries them).
        pub key_base64: ::std::string::String,
        ///Key and value together (what counts toward the item and memory limits).
        pub size_bytes: u64,
    }
    ///`CacheItemList`
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
    pub struct CacheItemList {
        pub items: ::std::vec::Vec<CacheItem>,
        ///The memory bound (--cache-memory-mib); past it the least recently used items are evicted.
        pub max_bytes: u64,
        ///Key and value bytes held by every cache together.
        pub used_bytes: u64,
    }
    ///`CacheList`
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
    pub struct CacheList {
        pub caches: ::std::vec::Vec<::std::string::String>,
    }
    ///`Delivery`
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
    pub struct Delivery {
        ///Epoch milliseconds when the attempt ended.
        pub at_ms: u64,
        #[serde(rename = "cacheName")]
        pub cache_name: ::std::string::String,
        pub detail: ::std::string::String,
        pub outcome: DeliveryOutcome,
        ///The receiver's HTTP status, when it answered.
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub status: ::std::option::Option<u16>,
        #[serde(rename = "topicName")]
        pub topic_name: ::std::string::String,
        #[serde(rename = "topicSequenceNumber")]
        pub topic_sequence_number: u64,
        #[serde(rename = "webhookName")]
        pub webhook_name: ::std::string::String,
    }
    ///`DeliveryList`
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
    pub struct DeliveryList {
        pub deliveries: ::std::vec::Vec<Delivery>,
    }
    ///`DeliveryOutcome`
    #[derive(
        ::serde::Deserialize,
        ::serde::Serialize,
        Clone,
        Copy,
        Debug,
        Eq,
        Hash,
        Ord,
        PartialEq,
        PartialOrd
    )]
    pub enum DeliveryOutcome {
        #[serde(rename = "success")]
        Success,
        #[serde(rename = "status")]
        Status,
        #[serde(rename = "timeout")]
        Timeout,
        #[serde(rename = "connection_error")]
        ConnectionError,
        #[serde(rename = "dropped")]
        Dropped,
        #[serde(rename = "skipped")]
        Skipped,
    }
    impl ::std::fmt::Display for DeliveryOutcome {
        fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
            match *self {
                Self::Success => f.write_str("success"),
                Self::Status => f.write_str("status"),
                Self::Timeout => f.write_str("timeout"),
                Self::ConnectionError => f.write_str("connection_error"),
                Self::Dropped => f.write_str("dropped"),
                Self::Skipped => f.write_str("skipped"),
            }
        }
    }
    impl ::std::str::FromStr for DeliveryOutcome {
        type Err = self::error::ConversionError;
        fn from_str(
            value: &str,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            match value {
                "success" => Ok(Self::Success),
                "status" => Ok(Self::Status),
                "timeout" => Ok(Self::Timeout),
                "connection_error" => Ok(Self::ConnectionError),
                "dropped" => Ok(Self::Dropped),
                "skipped" => Ok(Self::Skipped),
                _ => Err("invalid value".into()),
            }
        }
    }
    impl ::std::convert::TryFrom<&str> for DeliveryOutcome {
        type Error = self::error::ConversionError;
        fn try_from(
            value: &str,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }
    impl ::std::convert::TryFrom<::std::string::String> for DeliveryOutcome {
        type Error = self::error::ConversionError;
        fn try_from(
            value: ::std::string::String,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }
    ///`EvictRequest`
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
    pub struct EvictRequest {
        ///How many of the oldest buffered messages to evict.
        pub count: u64,
    }
    ///Exactly one of: `{status, retry_after_seconds?}`, `{delay_ms}`, `{drop: true}`.
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, Default)]
    pub struct FaultAction {
        ///Wait this long, then handle the request normally.
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub delay_ms: ::std::option::Option<u64>,
        ///Close the connection without an answer (the client sees a connection error).
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub drop: ::std::option::Option<bool>,
        ///With `status`, a Retry-After header.
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub retry_after_seconds: ::std::option::Option<u64>,
        /**Answer this status (200 to 599) with a JSON AdminError-shaped body;
204, 205 and 304 are answered without a body, as HTTP requires.
1xx statuses are refused (400): they are not answers.
*/
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub status: ::std::option::Option<u16>,
    }
    ///The operation a fault matches; for the cache ones, a fault's `topic` matches the key (as text).
    #[derive(
        ::serde::Deserialize,
        ::serde::Serialize,
        Clone,
        Copy,
        Debug,
        Eq,
        Hash,
        Ord,
        PartialEq,
        PartialOrd
    )]
    pub enum FaultOperation {
        #[serde(rename = "publish")]
        Publish,
        #[serde(rename = "subscribe")]
        Subscribe,
        #[serde(rename = "cache_get")]
        CacheGet,
        #[serde(rename = "cache_set")]
        CacheSet,
        #[serde(rename = "cache_delete")]
        CacheDelete,
    }
    impl ::std::fmt::Display for FaultOperation {
        fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
            match *self {
                Self::Publish => f.write_str("publish"),
                Self::Subscribe => f.write_str("subscribe"),
                Self::CacheGet => f.write_str("cache_get"),
                Self::CacheSet => f.write_str("cache_set"),
                Self::CacheDelete => f.write_str("cache_delete"),
            }
        }
    }
    impl ::std::str::FromStr for FaultOperation {
        type Err = self::error::ConversionError;
        fn from_str(
            value: &str,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            match value {
                "publish" => Ok(Self::Publish),
                "subscribe" => Ok(Self::Subscribe),
                "cache_get" => Ok(Self::CacheGet),
                "cache_set" => Ok(Self::CacheSet),
                "cache_delete" => Ok(Self::CacheDelete),
                _ => Err("invalid value".into()),
            }
        }
    }
    impl ::std::convert::TryFrom<&str> for FaultOperation {
        type Error = self::error::ConversionError;
        fn try_from(
            value: &str,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }
    impl ::std::convert::TryFrom<::std::string::String> for FaultOperation {
        type Error = self::error::ConversionError;
        fn try_from(
            value: ::std::string::String,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }
    ///`FaultRequest`
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
    pub struct FaultRequest {
        pub action: FaultAction,
        ///Match only this cache.
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub cache: ::std::option::Option<::std::string::String>,
        ///How many matching requests the fault applies to.
        pub count: ::std::num::NonZeroU32,
        pub operation: FaultOperation,
        ///Match only this topic.
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub topic: ::std::option::Option<::std::string::String>,
    }
    ///`Health`
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
    pub struct Health {
        ///Always "ok".
        pub status: ::std::string::String,
    }
    ///`LongPollWait`
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
    pub struct LongPollWait {
        pub millis: u64,
    }
    ///`MintTokenRequest`
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
    pub struct MintTokenRequest {
        ///Caches the token may use; absent = all.
        #[serde(default, skip_serializing_if = "::std::vec::Vec::is_empty")]
        pub caches: ::std::vec::Vec<::std::string::String>,
        pub role: TokenRole,
        ///The token id (the webhook body's token_id); random when absent.
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub token_id: ::std::option::Option<::std::string::String>,
        ///Topics the token may use; absent = all.
        #[serde(default, skip_serializing_if = "::std::vec::Vec::is_empty")]
        pub topics: ::std::vec::Vec<::std::string::String>,
        ///Lifetime; 0 or negative mints an already-expired token.
        pub ttl_seconds: i64,
    }
    ///`MintTokenResponse`
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
    pub struct MintTokenResponse {
        ///v1 format: base64 of `{"endpoint": "http://127.0.0.1:PORT", "api_key": "<JWT>"}`.
        pub api_key: ::std::string::String,
        ///Epoch seconds.
        pub expires_at: i64,
        pub token_id: ::std::string::String,
    }
    ///How the topic routes fail; see `startOutage`.
    #[derive(
        ::serde::Deserialize,
        ::serde::Serialize,
        Clone,
        Copy,
        Debug,
        Eq,
        Hash,
        Ord,
        PartialEq,
        PartialOrd
    )]
    pub enum OutageMode {
        #[serde(rename = "refuse")]
        Refuse,
        #[serde(rename = "hang")]
        Hang,
        #[serde(rename = "unavailable")]
        Unavailable,
    }
    impl ::std::fmt::Display for OutageMode {
        fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
            match *self {
                Self::Refuse => f.write_str("refuse"),
                Self::Hang => f.write_str("hang"),
                Self::Unavailable => f.write_str("unavailable"),
            }
        }
    }
    impl ::std::str::FromStr for OutageMode {
        type Err = self::error::ConversionError;
        fn from_str(
            value: &str,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            match value {
                "refuse" => Ok(Self::Refuse),
                "hang" => Ok(Self::Hang),
                "unavailable" => Ok(Self::Unavailable),
                _ => Err("invalid value".into()),
            }
        }
    }
    impl ::std::convert::TryFrom<&str> for OutageMode {
        type Error = self::error::ConversionError;
        fn try_from(
            value: &str,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }
    impl ::std::convert::TryFrom<::std::string::String> for OutageMode {
        type Error = self::error::ConversionError;
        fn try_from(
            value: ::std::string::String,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }
    ///`OutageRequest`
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
    pub struct OutageRequest {
        ///End the outage by itself after this long; absent = until `endOutage`.
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub duration_ms: ::std::option::Option<::std::num::NonZeroU64>,
        pub mode: OutageMode,
        ///With `unavailable`, a Retry-After header on each 503.
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub retry_after_seconds: ::std::option::Option<u64>,
    }
    ///`PostUrl`
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
    pub struct PostUrl {
        #[serde(rename = "postUrl")]
        pub post_url: ::std::string::String,
    }
    ///`PutWebhookRequest`
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
    pub struct PutWebhookRequest {
        pub destination: PostUrl,
        #[serde(rename = "topicName")]
        pub topic_name: ::std::string::String,
    }
    ///`PutWebhookResponse`
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
    pub struct PutWebhookResponse {
        #[serde(rename = "secretString")]
        pub secret_string: ::std::string::String,
    }
    ///`TokenRole`
    #[derive(
        ::serde::Deserialize,
        ::serde::Serialize,
        Clone,
        Copy,
        Debug,
        Eq,
        Hash,
        Ord,
        PartialEq,
        PartialOrd
    )]
    pub enum TokenRole {
        #[serde(rename = "publish")]
        Publish,
        #[serde(rename = "subscribe")]
        Subscribe,
        #[serde(rename = "publish-subscribe")]
        PublishSubscribe,
    }
    impl ::std::fmt::Display for TokenRole {
        fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
            match *self {
                Self::Publish => f.write_str("publish"),
                Self::Subscribe => f.write_str("subscribe"),
                Self::PublishSubscribe => f.write_str("publish-subscribe"),
            }
        }
    }
    impl ::std::str::FromStr for TokenRole {
        type Err = self::error::ConversionError;
        fn from_str(
            value: &str,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            match value {
                "publish" => Ok(Self::Publish),
                "subscribe" => Ok(Self::Subscribe),
                "publish-subscribe" => Ok(Self::PublishSubscribe),
                _ => Err("invalid value".into()),
            }
        }
    }
    impl ::std::convert::TryFrom<&str> for TokenRole {
        type Error = self::error::ConversionError;
        fn try_from(
            value: &str,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }
    impl ::std::convert::TryFrom<::std::string::String> for TokenRole {
        type Error = self::error::ConversionError;
        fn try_from(
            value: ::std::string::String,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }
    ///`TopicState`
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
    pub struct TopicState {
        ///Messages still buffered.
        pub buffered: u64,
        ///The oldest buffered sequence number, when any.
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub first_buffered: ::std::option::Option<u64>,
        pub next_sequence_number: u64,
        pub sequence_page: u64,
        pub waiting_subscribers: u64,
    }
    ///`Webhook`
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
    pub struct Webhook {
        pub destination: PostUrl,
        pub id: WebhookId,
        #[serde(rename = "topicName")]
        pub topic_name: ::std::string::String,
    }
    ///`WebhookId`
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
    pub struct WebhookId {
        #[serde(rename = "cacheName")]
        pub cache_name: ::std::string::String,
        #[serde(rename = "webhookName")]
        pub webhook_name: ::std::string::String,
    }
    ///`WebhookList`
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
    pub struct WebhookList {
        pub webhooks: ::std::vec::Vec<Webhook>,
    }
    ///`WebhookSecret`
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
    pub struct WebhookSecret {
        #[serde(rename = "cacheName")]
        pub cache_name: ::std::string::String,
        pub secret: ::std::string::String,
        #[serde(rename = "webhookName")]
        pub webhook_name: ::std::string::String,
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
/**Client for momento-http emulator admin API

Controls a local momento-http emulator: caches, tokens, topic state,
fault injection, staged outages and webhooks. Unauthenticated; bind it to
loopback. Served on the emulator's address, or on its own when the
emulator runs with `--admin-listen` (then the topics address serves only
the Topics API). Every error is JSON `AdminError` `{status, title, detail}`,
the same shape as the Topics API's `Error`.


Version: 0.1.0*/
pub struct Client {
    pub(crate) baseurl: String,
    pub(crate) client: reqwest::Client,
}
impl Client {
    /// Create a new client.
    ///
    /// `baseurl` is the base URL provided to the internal
    /// `reqwest::Client`, and should include a scheme and hostname,
    /// as well as port and a path stem if applicable.
    pub fn new(baseurl: &str) -> Self {
        #[cfg(not(target_arch = "wasm32"))]
        let client = {
            let dur = ::std::time::Duration::from_secs(15u64);
            reqwest::ClientBuilder::new().connect_timeout(dur).timeout(dur)
        };
        #[cfg(target_arch = "wasm32")]
        let client = reqwest::ClientBuilder::new();
        Self::new_with_client(baseurl, client.build().unwrap())
    }
    /// Construct a new client with an existing `reqwest::Client`,
    /// allowing more control over its configuration.
    ///
    /// `baseurl` is the base URL provided to the internal
    /// `reqwest::Client`, and should include a scheme and hostname,
    /// as well as port and a path stem if applicable.
    pub fn new_with_client(baseurl: &str, client: reqwest::Client) -> Self {
        Self {
            baseurl: baseurl.to_string(),
            client,
        }
    }
}
impl ClientInfo<()> for Client {
    fn api_version() -> &'static str {
        "0.1.0"
    }
    fn baseurl(&self) -> &str {
        self.baseurl.as_str()
    }
    fn client(&self) -> &reqwest::Client {
        &self.client
    }
    fn inner(&self) -> &() {
        &()
    }
}
impl ClientHooks<()> for &Client {}
#[allow(clippy::all)]
impl Client {
    /**List caches

Sends a `GET` request to `/_emulator/caches`

*/
    pub async fn list_caches<'a>(
        &'a self,
    ) -> Result<ResponseValue<types::CacheList>, Error<()>> {
        let url = format!("{}/_emulator/caches", self.baseurl,);
        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
        #[allow(unused_mut)]
        let mut request = self
            .client
            .get(url)
            .header(
                ::reqwest::header::ACCEPT,
                ::reqwest::header::HeaderValue::from_static("application/json"),
            )
            .headers(header_map)
            .build()?;
        let info = OperationInfo {
            operation_id: "list_caches",
        };
        self.pre(&mut request, &info).await?;
        let result = self.exec(request, &info).await;
        self.post(&result, &info).await?;
        let response = result?;
        match response.status().as_u16() {
            200u16 => ResponseValue::from_response(response).await,
            _ => Err(Error::UnexpectedResponse(response)),
        }
    }
    /**Create a cache (idempotent)

Sends a `PUT` request to `/_emulator/caches/{cacheName}`

*/
    pub async fn create_cache<'a>(
        &'a self,
        cache_name: &'a str,
    ) -> Result<ResponseValue<()>, Error<types::AdminError>> {
        let url = format!(
            "{}/_emulator/caches/{}", self.baseurl, encode_path(& cache_name
            .to_string()),
        );
        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
        #[allow(unused_mut)]
        let mut request = self
            .client
            .put(url)
            .header(
                ::reqwest::header::ACCEPT,
                ::reqwest::header::HeaderValue::from_static("application/json"),
            )
            .headers(header_map)
            .build()?;
        let info = OperationInfo {
            operation_id: "create_cache",
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
            429u16 => {
                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
            }
            _ => Err(Error::UnexpectedResponse(response)),
        }
    }
    /**Delete a cache, its topics and its webhooks

Sends a `DELETE` request to `/_emulator/caches/{cacheName}`

*/
    pub async fn delete_cache<'a>(
        &'a self,
        cache_name: &'a str,
    ) -> Result<ResponseValue<()>, Error<types::AdminError>> {
        let url = format!(
            "{}/_emulator/caches/{}", self.baseurl, encode_path(& cache_name
            .to_string()),
        );
        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
        #[allow(unused_mut)]
        let mut request = self
            .client
            .delete(url)
            .header(
                ::reqwest::header::ACCEPT,
                ::reqwest::header::HeaderValue::from_static("application/json"),
            )
            .headers(header_map)
            .build()?;
        let info = OperationInfo {
            operation_id: "delete_cache",
        };
        self.pre(&mut request, &info).await?;
        let result = self.exec(request, &info).await;
        self.post(&result, &info).await?;
        let response = result?;
        match response.status().as_u16() {
            204u16 => Ok(ResponseValue::empty(response)),
            404u16 => {
                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
            }
            _ => Err(Error::UnexpectedResponse(response)),
        }
    }
    /**The live items of a cache (keys, sizes, time left), sorted by key bytes

Sends a `GET` request to `/_emulator/caches/{cacheName}/items`

*/
    pub async fn list_cache_items<'a>(
        &'a self,
        cache_name: &'a str,
    ) -> Result<ResponseValue<types::CacheItemList>, Error<types::AdminError>> {
        let url = format!(
            "{}/_emulator/caches/{}/items", self.baseurl, encode_path(& cache_name
            .to_string()),
        );
        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
        #[allow(unused_mut)]
        let mut request = self
            .client
            .get(url)
            .header(
                ::reqwest::header::ACCEPT,
                ::reqwest::header::HeaderValue::from_static("application/json"),
            )
            .headers(header_map)
            .build()?;
        let info = OperationInfo {
            operation_id: "list_cache_items",
        };
        self.pre(&mut request, &info).await?;
        let result = self.exec(request, &info).await;
        self.post(&result, &info).await?;
        let response = result?;
        match response.status().as_u16() {
            200u16 => ResponseValue::from_response(response).await,
            404u16 => {
                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
            }
            _ => Err(Error::UnexpectedResponse(response)),
        }
    }
    /**The state of one topic

Sends a `GET` request to `/_emulator/caches/{cacheName}/topics/{topicName}`

*/
    pub async fn inspect_topic<'a>(
        &'a self,
        cache_name: &'a str,
        topic_name: &'a str,
    ) -> Result<ResponseValue<types::TopicState>, Error<types::AdminError>> {
        let url = format!(
            "{}/_emulator/caches/{}/topics/{}", self.baseurl, encode_path(& cache_name
            .to_string()), encode_path(& topic_name.to_string()),
        );
        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
        #[allow(unused_mut)]
        let mut request = self
            .client
            .get(url)
            .header(
                ::reqwest::header::ACCEPT,
                ::reqwest::header::HeaderValue::from_static("application/json"),
            )
            .headers(header_map)
            .build()?;
        let info = OperationInfo {
            operation_id: "inspect_topic",
        };
        self.pre(&mut request, &info).await?;
        let result = self.exec(request, &info).await;
        self.post(&result, &info).await?;
        let response = result?;
        match response.status().as_u16() {
            200u16 => ResponseValue::from_response(response).await,
            404u16 => {
                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
            }
            _ => Err(Error::UnexpectedResponse(response)),
        }
    }
    /**Evict the oldest buffered messages

Sends a `POST` request to `/_emulator/caches/{cacheName}/topics/{topicName}/evict`

*/
    pub async fn evict_messages<'a>(
        &'a self,
        cache_name: &'a str,
        topic_name: &'a str,
        body: &'a types::EvictRequest,
    ) -> Result<ResponseValue<types::TopicState>, Error<types::AdminError>> {
        let url = format!(
            "{}/_emulator/caches/{}/topics/{}/evict", self.baseurl, encode_path(&
            cache_name.to_string()), encode_path(& topic_name.to_string()),
        );
        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
        #[allow(unused_mut)]
        let mut request = self
            .client
            .post(url)
            .header(
                ::reqwest::header::ACCEPT,
                ::reqwest::header::HeaderValue::from_static("application/json"),
            )
            .json(&body)
            .headers(header_map)
            .build()?;
        let info = OperationInfo {
            operation_id: "evict_messages",
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
            404u16 => {
                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
            }
            _ => Err(Error::UnexpectedResponse(response)),
        }
    }
    /**Start a new topic instance (new page, numbering from 1, buffer emptied)

Sends a `POST` request to `/_emulator/caches/{cacheName}/topics/{topicName}/reset`

*/
    pub async fn reset_topic<'a>(
        &'a self,
        cache_name: &'a str,
        topic_name: &'a str,
    ) -> Result<ResponseValue<types::TopicState>, Error<types::AdminError>> {
        let url = format!(
            "{}/_emulator/caches/{}/topics/{}/reset", self.baseurl, encode_path(&
            cache_name.to_string()), encode_path(& topic_name.to_string()),
        );
        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
        #[allow(unused_mut)]
        let mut request = self
            .client
            .post(url)
            .header(
                ::reqwest::header::ACCEPT,
                ::reqwest::header::HeaderValue::from_static("application/json"),
            )
            .headers(header_map)
            .build()?;
        let info = OperationInfo {
            operation_id: "reset_topic",
        };
        self.pre(&mut request, &info).await?;
        let result = self.exec(request, &info).await;
        self.post(&result, &info).await?;
        let response = result?;
        match response.status().as_u16() {
            200u16 => ResponseValue::from_response(response).await,
            404u16 => {
                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
            }
            _ => Err(Error::UnexpectedResponse(response)),
        }
    }
    /**The webhooks of a cache (no secrets)

Sends a `GET` request to `/_emulator/caches/{cacheName}/webhooks`

*/
    pub async fn list_webhooks<'a>(
        &'a self,
        cache_name: &'a str,
    ) -> Result<ResponseValue<types::WebhookList>, Error<types::AdminError>> {
        let url = format!(
            "{}/_emulator/caches/{}/webhooks", self.baseurl, encode_path(& cache_name
            .to_string()),
        );
        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
        #[allow(unused_mut)]
        let mut request = self
            .client
            .get(url)
            .header(
                ::reqwest::header::ACCEPT,
                ::reqwest::header::HeaderValue::from_static("application/json"),
            )
            .headers(header_map)
            .build()?;
        let info = OperationInfo {
            operation_id: "list_webhooks",
        };
        self.pre(&mut request, &info).await?;
        let result = self.exec(request, &info).await;
        self.post(&result, &info).await?;
        let response = result?;
        match response.status().as_u16() {
            200u16 => ResponseValue::from_response(response).await,
            404u16 => {
                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
            }
            _ => Err(Error::UnexpectedResponse(response)),
        }
    }
    /**Create or replace a webhook; returns its signing secret

Sends a `PUT` request to `/_emulator/caches/{cacheName}/webhooks/{webhookName}`

Arguments:
- `cache_name`
- `webhook_name`: At most 128 characters.
- `body`
*/
    pub async fn put_webhook<'a>(
        &'a self,
        cache_name: &'a str,
        webhook_name: &'a str,
        body: &'a types::PutWebhookRequest,
    ) -> Result<ResponseValue<types::PutWebhookResponse>, Error<types::AdminError>> {
        let url = format!(
            "{}/_emulator/caches/{}/webhooks/{}", self.baseurl, encode_path(& cache_name
            .to_string()), encode_path(& webhook_name.to_string()),
        );
        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
        #[allow(unused_mut)]
        let mut request = self
            .client
            .put(url)
            .header(
                ::reqwest::header::ACCEPT,
                ::reqwest::header::HeaderValue::from_static("application/json"),
            )
            .json(&body)
            .headers(header_map)
            .build()?;
        let info = OperationInfo {
            operation_id: "put_webhook",
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
            404u16 => {
                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
            }
            _ => Err(Error::UnexpectedResponse(response)),
        }
    }
    /**Delete a webhook; delivery stops at once

Sends a `DELETE` request to `/_emulator/caches/{cacheName}/webhooks/{webhookName}`

Arguments:
- `cache_name`
- `webhook_name`: At most 128 characters.
*/
    pub async fn delete_webhook<'a>(
        &'a self,
        cache_name: &'a str,
        webhook_name: &'a str,
    ) -> Result<ResponseValue<()>, Error<types::AdminError>> {
        let url = format!(
            "{}/_emulator/caches/{}/webhooks/{}", self.baseurl, encode_path(& cache_name
            .to_string()), encode_path(& webhook_name.to_string()),
        );
        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
        #[allow(unused_mut)]
        let mut request = self
            .client
            .delete(url)
            .header(
                ::reqwest::header::ACCEPT,
                ::reqwest::header::HeaderValue::from_static("application/json"),
            )
            .headers(header_map)
            .build()?;
        let info = OperationInfo {
            operation_id: "delete_webhook",
        };
        self.pre(&mut request, &info).await?;
        let result = self.exec(request, &info).await;
        self.post(&result, &info).await?;
        let response = result?;
        match response.status().as_u16() {
            204u16 => Ok(ResponseValue::empty(response)),
            404u16 => {
                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
            }
            _ => Err(Error::UnexpectedResponse(response)),
        }
    }
    /**Replace the secret; the old one stops signing at once

Sends a `POST` request to `/_emulator/caches/{cacheName}/webhooks/{webhookName}/rotate-secret`

Arguments:
- `cache_name`
- `webhook_name`: At most 128 characters.
*/
    pub async fn rotate_webhook_secret<'a>(
        &'a self,
        cache_name: &'a str,
        webhook_name: &'a str,
    ) -> Result<ResponseValue<types::WebhookSecret>, Error<types::AdminError>> {
        let url = format!(
            "{}/_emulator/caches/{}/webhooks/{}/rotate-secret", self.baseurl,
            encode_path(& cache_name.to_string()), encode_path(& webhook_name
            .to_string()),
        );
        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
        #[allow(unused_mut)]
        let mut request = self
            .client
            .post(url)
            .header(
                ::reqwest::header::ACCEPT,
                ::reqwest::header::HeaderValue::from_static("application/json"),
            )
            .headers(header_map)
            .build()?;
        let info = OperationInfo {
            operation_id: "rotate_webhook_secret",
        };
        self.pre(&mut request, &info).await?;
        let result = self.exec(request, &info).await;
        self.post(&result, &info).await?;
        let response = result?;
        match response.status().as_u16() {
            200u16 => ResponseValue::from_response(response).await,
            404u16 => {
                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
            }
            _ => Err(Error::UnexpectedResponse(response)),
        }
    }
    /**The current signing secret

Sends a `GET` request to `/_emulator/caches/{cacheName}/webhooks/{webhookName}/secret`

Arguments:
- `cache_name`
- `webhook_name`: At most 128 characters.
*/
    pub async fn get_webhook_secret<'a>(
        &'a self,
        cache_name: &'a str,
        webhook_name: &'a str,
    ) -> Result<ResponseValue<types::WebhookSecret>, Error<types::AdminError>> {
        let url = format!(
            "{}/_emulator/caches/{}/webhooks/{}/secret", self.baseurl, encode_path(&
            cache_name.to_string()), encode_path(& webhook_name.to_string()),
        );
        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
        #[allow(unused_mut)]
        let mut request = self
            .client
            .get(url)
            .header(
                ::reqwest::header::ACCEPT,
                ::reqwest::header::HeaderValue::from_static("application/json"),
            )
            .headers(header_map)
            .build()?;
        let info = OperationInfo {
            operation_id: "get_webhook_secret",
        };
        self.pre(&mut request, &info).await?;
        let result = self.exec(request, &info).await;
        self.post(&result, &info).await?;
        let response = result?;
        match response.status().as_u16() {
            200u16 => ResponseValue::from_response(response).await,
            404u16 => {
                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
            }
            _ => Err(Error::UnexpectedResponse(response)),
        }
    }
    /**How long a subscribe waits before answering an empty batch

Sends a `PUT` request to `/_emulator/config/long-poll-wait`

*/
    pub async fn set_long_poll_wait<'a>(
        &'a self,
        body: &'a types::LongPollWait,
    ) -> Result<ResponseValue<()>, Error<types::AdminError>> {
        let url = format!("{}/_emulator/config/long-poll-wait", self.baseurl,);
        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
        #[allow(unused_mut)]
        let mut request = self
            .client
            .put(url)
            .header(
                ::reqwest::header::ACCEPT,
                ::reqwest::header::HeaderValue::from_static("application/json"),
            )
            .json(&body)
            .headers(header_map)
            .build()?;
        let info = OperationInfo {
            operation_id: "set_long_poll_wait",
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
            _ => Err(Error::UnexpectedResponse(response)),
        }
    }
    /**Every webhook delivery attempt, oldest first (the last 10,000)

Sends a `GET` request to `/_emulator/deliveries`

*/
    pub async fn list_deliveries<'a>(
        &'a self,
    ) -> Result<ResponseValue<types::DeliveryList>, Error<()>> {
        let url = format!("{}/_emulator/deliveries", self.baseurl,);
        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
        #[allow(unused_mut)]
        let mut request = self
            .client
            .get(url)
            .header(
                ::reqwest::header::ACCEPT,
                ::reqwest::header::HeaderValue::from_static("application/json"),
            )
            .headers(header_map)
            .build()?;
        let info = OperationInfo {
            operation_id: "list_deliveries",
        };
        self.pre(&mut request, &info).await?;
        let result = self.exec(request, &info).await;
        self.post(&result, &info).await?;
        let response = result?;
        match response.status().as_u16() {
            200u16 => ResponseValue::from_response(response).await,
            _ => Err(Error::UnexpectedResponse(response)),
        }
    }
    /**Make the next `count` matching requests fail, stall or drop

Sends a `POST` request to `/_emulator/faults`

*/
    pub async fn inject_fault<'a>(
        &'a self,
        body: &'a types::FaultRequest,
    ) -> Result<ResponseValue<()>, Error<types::AdminError>> {
        let url = format!("{}/_emulator/faults", self.baseurl,);
        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
        #[allow(unused_mut)]
        let mut request = self
            .client
            .post(url)
            .header(
                ::reqwest::header::ACCEPT,
                ::reqwest::header::HeaderValue::from_static("application/json"),
            )
            .json(&body)
            .headers(header_map)
            .build()?;
        let info = OperationInfo {
            operation_id: "inject_fault",
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
            _ => Err(Error::UnexpectedResponse(response)),
        }
    }
    /**Disarm every fault

Sends a `DELETE` request to `/_emulator/faults`

*/
    pub async fn clear_faults<'a>(&'a self) -> Result<ResponseValue<()>, Error<()>> {
        let url = format!("{}/_emulator/faults", self.baseurl,);
        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
        #[allow(unused_mut)]
        let mut request = self.client.delete(url).headers(header_map).build()?;
        let info = OperationInfo {
            operation_id: "clear_faults",
        };
        self.pre(&mut request, &info).await?;
        let result = self.exec(request, &info).await;
        self.post(&result, &info).await?;
        let response = result?;
        match response.status().as_u16() {
            204u16 => Ok(ResponseValue::empty(response)),
            _ => Err(Error::UnexpectedResponse(response)),
        }
    }
    /**Is the emulator up?

Sends a `GET` request to `/_emulator/health`

*/
    pub async fn health<'a>(
        &'a self,
    ) -> Result<ResponseValue<types::Health>, Error<()>> {
        let url = format!("{}/_emulator/health", self.baseurl,);
        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
        #[allow(unused_mut)]
        let mut request = self
            .client
            .get(url)
            .header(
                ::reqwest::header::ACCEPT,
                ::reqwest::header::HeaderValue::from_static("application/json"),
            )
            .headers(header_map)
            .build()?;
        let info = OperationInfo {
            operation_id: "health",
        };
        self.pre(&mut request, &info).await?;
        let result = self.exec(request, &info).await;
        self.post(&result, &info).await?;
        let response = result?;
        match response.status().as_u16() {
            200u16 => ResponseValue::from_response(response).await,
            _ => Err(Error::UnexpectedResponse(response)),
        }
    }
    /**The Topics API spec (openapi/momento-http.yaml) this emulator serves

Sends a `GET` request to `/_emulator/openapi.yaml`

*/
    pub async fn get_openapi<'a>(
        &'a self,
    ) -> Result<ResponseValue<ByteStream>, Error<()>> {
        let url = format!("{}/_emulator/openapi.yaml", self.baseurl,);
        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
        #[allow(unused_mut)]
        let mut request = self.client.get(url).headers(header_map).build()?;
        let info = OperationInfo {
            operation_id: "get_openapi",
        };
        self.pre(&mut request, &info).await?;
        let result = self.exec(request, &info).await;
        self.post(&result, &info).await?;
        let response = result?;
        match response.status().as_u16() {
            200u16 => Ok(ResponseValue::stream(response)),
            _ => Err(Error::UnexpectedResponse(response)),
        }
    }
    /**Make the topic routes fail as a real outage would, until ended

Affects `POST`/`GET /topics/...` only; the admin API stays up. Replaces
any outage in force. Long polls waiting when it starts get the same
treatment at once.

- `refuse`: the topics listener is closed, so the kernel refuses new
  connections (`ECONNREFUSED`); a topic request on a connection opened
  before is answered by closing that connection. Ending the outage
  binds the same address again. Without a separate admin listener
  (`--admin-listen`) the admin API shares that listener and would be
  unreachable, so `duration_ms` is then required (400 otherwise).
- `hang`: connections are accepted and requests read but never
  answered; when the outage ends their connections are closed without
  an answer, and what they carried (a publish) was not processed.
- `unavailable`: `503` with a JSON error body, and `Retry-After` when
  `retry_after_seconds` is given.

The answer comes once the outage is in force (for `refuse`, once the
listener is closed).


Sends a `POST` request to `/_emulator/outage`

*/
    pub async fn start_outage<'a>(
        &'a self,
        body: &'a types::OutageRequest,
    ) -> Result<ResponseValue<()>, Error<types::AdminError>> {
        let url = format!("{}/_emulator/outage", self.baseurl,);
        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
        #[allow(unused_mut)]
        let mut request = self
            .client
            .post(url)
            .header(
                ::reqwest::header::ACCEPT,
                ::reqwest::header::HeaderValue::from_static("application/json"),
            )
            .json(&body)
            .headers(header_map)
            .build()?;
        let info = OperationInfo {
            operation_id: "start_outage",
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
            500u16 => {
                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
            }
            _ => Err(Error::UnexpectedResponse(response)),
        }
    }
    /**End the outage (idempotent)

Sends a `DELETE` request to `/_emulator/outage`

*/
    pub async fn end_outage<'a>(
        &'a self,
    ) -> Result<ResponseValue<()>, Error<types::AdminError>> {
        let url = format!("{}/_emulator/outage", self.baseurl,);
        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
        #[allow(unused_mut)]
        let mut request = self
            .client
            .delete(url)
            .header(
                ::reqwest::header::ACCEPT,
                ::reqwest::header::HeaderValue::from_static("application/json"),
            )
            .headers(header_map)
            .build()?;
        let info = OperationInfo {
            operation_id: "end_outage",
        };
        self.pre(&mut request, &info).await?;
        let result = self.exec(request, &info).await;
        self.post(&result, &info).await?;
        let response = result?;
        match response.status().as_u16() {
            204u16 => Ok(ResponseValue::empty(response)),
            500u16 => {
                Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
            }
            _ => Err(Error::UnexpectedResponse(response)),
        }
    }
    /**Mint an API key (v1 format) signed by this emulator

Sends a `POST` request to `/_emulator/tokens`

*/
    pub async fn mint_token<'a>(
        &'a self,
        body: &'a types::MintTokenRequest,
    ) -> Result<ResponseValue<types::MintTokenResponse>, Error<types::AdminError>> {
        let url = format!("{}/_emulator/tokens", self.baseurl,);
        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
        #[allow(unused_mut)]
        let mut request = self
            .client
            .post(url)
            .header(
                ::reqwest::header::ACCEPT,
                ::reqwest::header::HeaderValue::from_static("application/json"),
            )
            .json(&body)
            .headers(header_map)
            .build()?;
        let info = OperationInfo {
            operation_id: "mint_token",
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
            _ => Err(Error::UnexpectedResponse(response)),
        }
    }
}
/// Items consumers will typically use such as the Client.
pub mod prelude {
    #[allow(unused_imports)]
    pub use super::Client;
}
