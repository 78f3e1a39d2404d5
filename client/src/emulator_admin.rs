//! [`EmulatorAdmin`]: every operation of the emulator's admin API, typed.
//!
//! The admin API (`openapi/emulator-admin.yaml`, docs/api.md §9) is the
//! emulator's own: caches, minted tokens, topic state, the long-poll wait,
//! fault injection, webhooks and their delivery log. Momento's service has no
//! such API (it manages webhooks over gRPC), so this module is compiled only
//! with the `emulator-admin` feature.
//!
//! Each method is one operation, named after its `operationId` in snake_case
//! (like the generated [`admin_wire::Client`]), takes typed arguments and
//! returns the typed result itself; errors are [`Error`]s.

use std::fmt;
use std::future::Future;
use std::time::Duration;

use futures::TryStreamExt as _;
use progenitor_client::{Error as GeneratedError, ResponseValue};
use url::Url;

use crate::admin_wire::{
    self, AdminError, CacheItemList, Delivery, EvictRequest, FaultRequest, Health, LongPollWait,
    MintTokenRequest, MintTokenResponse, OutageRequest, PostUrl, PutWebhookRequest, TopicState,
    Webhook, WebhookId, WebhookSecret,
};
use crate::error::Error;
use crate::region::Region;

/// The default limit on one admin request: none of them waits for anything.
pub const DEFAULT_ADMIN_TIMEOUT: Duration = Duration::from_secs(10);

/// A client for a running emulator's admin API (`/_emulator/…`).
///
/// Cheap to clone: clones share the connection pool. Available with the
/// `emulator-admin` feature.
///
/// ```no_run
/// # async fn run() -> Result<(), momento_http::Error> {
/// use std::time::Duration;
/// use momento_http::EmulatorAdmin;
/// use momento_http::admin_wire::{MintTokenRequest, PostUrl, TokenRole, Webhook, WebhookId};
///
/// let admin = EmulatorAdmin::new("http://127.0.0.1:8080")?;
/// admin.create_cache("my-cache").await?;
/// admin.set_long_poll_wait(Duration::from_millis(200)).await?;
///
/// let key = admin
///     .mint_token(&MintTokenRequest {
///         caches: vec!["my-cache".into()],
///         topics: vec![],
///         role: TokenRole::Publish,
///         ttl_seconds: 60,
///         token_id: None,
///     })
///     .await?
///     .api_key;
///
/// let id = WebhookId { cache_name: "my-cache".into(), webhook_name: "orders".into() };
/// let secret = admin
///     .put_webhook(&Webhook {
///         id: id.clone(),
///         topic_name: "orders".into(),
///         destination: PostUrl { post_url: "http://127.0.0.1:3000/hook".into() },
///     })
///     .await?;
/// let rotated = admin.rotate_webhook_secret(&id).await?;
/// assert_ne!(secret, rotated.secret);
/// # let _ = key;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct EmulatorAdmin {
    /// The generated admin client.
    client: admin_wire::Client,
    /// Where the emulator is, for messages.
    base_url: Url,
}

/// Configures an [`EmulatorAdmin`]. Only the base URL is required.
///
/// ```
/// use std::time::Duration;
/// use momento_http::EmulatorAdmin;
///
/// let admin = EmulatorAdmin::builder()
///     .base_url("http://127.0.0.1:8080")
///     .timeout(Duration::from_secs(2))
///     .build()
///     .unwrap();
/// assert_eq!(admin.base_url().as_str(), "http://127.0.0.1:8080/");
///
/// let err = EmulatorAdmin::builder().build().unwrap_err();
/// assert!(err.to_string().contains("call .base_url("));
/// ```
#[derive(Debug, Default)]
pub struct EmulatorAdminBuilder {
    base_url: Option<String>,
    timeout: Option<Duration>,
    reqwest_client: Option<reqwest::Client>,
}

impl EmulatorAdminBuilder {
    /// A builder with nothing set (the same as [`EmulatorAdmin::builder`]).
    pub fn new() -> EmulatorAdminBuilder {
        EmulatorAdminBuilder::default()
    }

    /// The emulator's address, e.g. `http://127.0.0.1:8080` (what
    /// `RunningEmulator::base_url` returns). Checked by [`build`](Self::build).
    pub fn base_url(mut self, base_url: &str) -> Self {
        self.base_url = Some(base_url.to_owned());
        self
    }

    /// Limit on each admin request (default [`DEFAULT_ADMIN_TIMEOUT`]).
    /// Ignored with [`reqwest_client`](Self::reqwest_client).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Uses this `reqwest::Client` instead of building one.
    pub fn reqwest_client(mut self, client: reqwest::Client) -> Self {
        self.reqwest_client = Some(client);
        self
    }

    /// Builds the client. Fails when no base URL was given or it is not an
    /// `http(s)` URL; nothing is sent until the first operation.
    pub fn build(self) -> Result<EmulatorAdmin, Error> {
        let Some(base_url) = self.base_url else {
            return Err(Error::InvalidInput {
                reason: "no emulator address: call .base_url(\"http://127.0.0.1:8080\") on the builder (or use EmulatorAdmin::new)".into(),
            });
        };
        let base_url = Region::custom(&base_url)
            .map_err(|e| Error::InvalidInput {
                reason: format!("the emulator's base URL is unusable: {e}"),
            })?
            .base_url();
        let http = match self.reqwest_client {
            Some(client) => client,
            None => crate::tls::http_client_builder()
                .map_err(|e| Error::InvalidInput {
                    reason: format!(
                        "cannot set up TLS ({e}); the system's root certificates may be missing"
                    ),
                })?
                // The admin API never redirects; a 3xx is an answer to report.
                .redirect(reqwest::redirect::Policy::none())
                .timeout(self.timeout.unwrap_or(DEFAULT_ADMIN_TIMEOUT))
                .build()
                .map_err(|e| Error::transport(e, false))?,
        };
        // The generated code appends "/_emulator/..." to the base URL as a string.
        let client =
            admin_wire::Client::new_with_client(base_url.as_str().trim_end_matches('/'), http);
        Ok(EmulatorAdmin { client, base_url })
    }
}

/// A key minted by [`EmulatorAdmin::mint_token`].
///
/// The wire type derives a `Debug` that prints the key; this one redacts it,
/// as every token is redacted in this crate.
#[derive(Clone, PartialEq, Eq)]
pub struct MintedKey {
    /// The v1 API key (a bearer secret: never log it).
    pub api_key: String,
    /// When it expires, in epoch seconds.
    pub expires_at: i64,
    /// The token id the emulator gave it (a webhook's `token_id`).
    pub token_id: String,
}

impl From<MintTokenResponse> for MintedKey {
    fn from(r: MintTokenResponse) -> Self {
        MintedKey {
            api_key: r.api_key,
            expires_at: r.expires_at,
            token_id: r.token_id,
        }
    }
}

impl fmt::Debug for MintedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MintedKey")
            .field("api_key", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .field("token_id", &self.token_id)
            .finish()
    }
}

impl fmt::Debug for EmulatorAdmin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorAdmin")
            .field("base_url", &self.base_url.as_str())
            .finish_non_exhaustive()
    }
}

impl EmulatorAdmin {
    /// Starts configuring a client.
    pub fn builder() -> EmulatorAdminBuilder {
        EmulatorAdminBuilder::default()
    }

    /// A client for the emulator at `base_url` (e.g. `http://127.0.0.1:8080`)
    /// with the default settings.
    pub fn new(base_url: &str) -> Result<EmulatorAdmin, Error> {
        EmulatorAdmin::builder().base_url(base_url).build()
    }

    /// The emulator's address.
    pub fn base_url(&self) -> &Url {
        &self.base_url
    }

    // Health and the spec.

    /// Whether the emulator is up (`status` is always `"ok"`).
    pub async fn health(&self) -> Result<Health, Error> {
        self.call("health", self.client.health()).await
    }

    /// The Topics API spec the emulator serves (`openapi/momento-http.yaml`), as YAML.
    pub async fn get_openapi(&self) -> Result<String, Error> {
        let stream = self.call("get_openapi", self.client.get_openapi()).await?;
        let chunks: Vec<bytes::Bytes> = stream
            .into_inner()
            .try_collect()
            .await
            .map_err(|e| self.transport_error("get_openapi", Error::transport(e, false)))?;
        String::from_utf8(chunks.concat()).map_err(|e| Error::InvalidResponse {
            reason: format!("get_openapi: the spec is not UTF-8 ({e})"),
            body: String::new(),
        })
    }

    // Caches.

    /// Every cache, sorted by name.
    pub async fn list_caches(&self) -> Result<Vec<String>, Error> {
        Ok(self
            .call("list_caches", self.client.list_caches())
            .await?
            .caches)
    }

    /// Creates a cache; creating one that exists succeeds.
    ///
    /// Errors: 400 for a bad name, 429 when the emulator's cache limit is reached.
    pub async fn create_cache(&self, cache_name: &str) -> Result<(), Error> {
        self.call("create_cache", self.client.create_cache(cache_name))
            .await
    }

    /// Deletes a cache with its topics and webhooks; its waiting subscribers
    /// get 404. Errors: 404 for an unknown cache.
    pub async fn delete_cache(&self, cache_name: &str) -> Result<(), Error> {
        self.call("delete_cache", self.client.delete_cache(cache_name))
            .await
    }

    // Tokens.

    /// Mints a v1 API key signed by this emulator (its endpoint is the
    /// emulator's URL). A `ttl_seconds` of 0 or less mints an expired key.
    pub async fn mint_token(&self, request: &MintTokenRequest) -> Result<MintedKey, Error> {
        self.call("mint_token", self.client.mint_token(request))
            .await
            .map(MintedKey::from)
    }

    // Topics.

    /// One topic's state (a topic never published to shows its would-be page).
    pub async fn inspect_topic(
        &self,
        cache_name: &str,
        topic_name: &str,
    ) -> Result<TopicState, Error> {
        self.call(
            "inspect_topic",
            self.client.inspect_topic(cache_name, topic_name),
        )
        .await
    }

    /// Starts a new topic instance: a new sequence page, numbering from 1, an
    /// empty buffer. Returns the new state.
    pub async fn reset_topic(
        &self,
        cache_name: &str,
        topic_name: &str,
    ) -> Result<TopicState, Error> {
        self.call(
            "reset_topic",
            self.client.reset_topic(cache_name, topic_name),
        )
        .await
    }

    /// Evicts the `count` oldest buffered messages; returns the state after.
    pub async fn evict_messages(
        &self,
        cache_name: &str,
        topic_name: &str,
        count: u64,
    ) -> Result<TopicState, Error> {
        self.call(
            "evict_messages",
            self.client
                .evict_messages(cache_name, topic_name, &EvictRequest { count }),
        )
        .await
    }

    /// The live items of a cache: keys, sizes, time left, and the memory
    /// they use.
    pub async fn list_cache_items(&self, cache_name: &str) -> Result<CacheItemList, Error> {
        self.call("list_cache_items", self.client.list_cache_items(cache_name))
            .await
    }

    // Configuration and faults.

    /// Makes the data routes fail as a real outage would (connections
    /// refused, never answered, or 503) until [`EmulatorAdmin::end_outage`]
    /// or the request's `duration_ms`; the admin API stays up.
    pub async fn start_outage(&self, outage: &OutageRequest) -> Result<(), Error> {
        self.call("start_outage", self.client.start_outage(outage))
            .await
    }

    /// Ends the staged outage, if any (idempotent); returns once the data
    /// routes accept connections again.
    pub async fn end_outage(&self) -> Result<(), Error> {
        self.call("end_outage", self.client.end_outage()).await
    }

    /// How long a subscribe waits before answering an empty batch, for long
    /// polls that start from now on (whole milliseconds).
    pub async fn set_long_poll_wait(&self, wait: Duration) -> Result<(), Error> {
        let millis = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX);
        self.call(
            "set_long_poll_wait",
            self.client.set_long_poll_wait(&LongPollWait { millis }),
        )
        .await
    }

    /// Makes the next `count` matching publishes or subscribes fail, stall or
    /// drop. Faults match in the order they were injected. Errors: 400 unless
    /// the action is exactly one of status, delay or drop.
    pub async fn inject_fault(&self, fault: &FaultRequest) -> Result<(), Error> {
        self.call("inject_fault", self.client.inject_fault(fault))
            .await
    }

    /// Disarms every fault.
    pub async fn clear_faults(&self) -> Result<(), Error> {
        self.call("clear_faults", self.client.clear_faults()).await
    }

    // Webhooks.

    /// The webhooks of a cache, sorted by name (no secrets).
    pub async fn list_webhooks(&self, cache_name: &str) -> Result<Vec<Webhook>, Error> {
        Ok(self
            .call("list_webhooks", self.client.list_webhooks(cache_name))
            .await?
            .webhooks)
    }

    /// Creates or replaces a webhook; returns its signing secret.
    ///
    /// Replacing keeps the existing secret. Errors: 404 for an unknown
    /// cache, 400 for a bad URL or a name over 128 characters.
    pub async fn put_webhook(&self, webhook: &Webhook) -> Result<String, Error> {
        let body = PutWebhookRequest {
            destination: PostUrl {
                post_url: webhook.destination.post_url.clone(),
            },
            topic_name: webhook.topic_name.clone(),
        };
        let put = self
            .client
            .put_webhook(&webhook.id.cache_name, &webhook.id.webhook_name, &body);
        Ok(self.call("put_webhook", put).await?.secret_string)
    }

    /// Deletes a webhook; delivery stops at once. Errors: 404 for an unknown one.
    pub async fn delete_webhook(&self, id: &WebhookId) -> Result<(), Error> {
        self.call(
            "delete_webhook",
            self.client.delete_webhook(&id.cache_name, &id.webhook_name),
        )
        .await
    }

    /// The webhook's current signing secret.
    pub async fn get_webhook_secret(&self, id: &WebhookId) -> Result<WebhookSecret, Error> {
        self.call(
            "get_webhook_secret",
            self.client
                .get_webhook_secret(&id.cache_name, &id.webhook_name),
        )
        .await
    }

    /// Replaces the secret; the old one stops signing at once.
    pub async fn rotate_webhook_secret(&self, id: &WebhookId) -> Result<WebhookSecret, Error> {
        self.call(
            "rotate_webhook_secret",
            self.client
                .rotate_webhook_secret(&id.cache_name, &id.webhook_name),
        )
        .await
    }

    /// Every webhook delivery attempt with its outcome, oldest first (the last 10,000).
    pub async fn list_deliveries(&self) -> Result<Vec<Delivery>, Error> {
        Ok(self
            .call("list_deliveries", self.client.list_deliveries())
            .await?
            .deliveries)
    }

    // How answers become results.

    /// Awaits one generated call and unwraps its value, or says what went wrong.
    async fn call<T, E: serde::Serialize>(
        &self,
        operation: &'static str,
        request: impl Future<Output = Result<ResponseValue<T>, GeneratedError<E>>>,
    ) -> Result<T, Error> {
        match request.await {
            Ok(value) => Ok(value.into_inner()),
            Err(e) => Err(self.error(operation, e).await),
        }
    }

    /// The error for a failed operation. The emulator answers every error
    /// with a JSON `AdminError`; any other answer means the base URL points
    /// somewhere else, and the message says so.
    async fn error<E: serde::Serialize>(
        &self,
        operation: &'static str,
        err: GeneratedError<E>,
    ) -> Error {
        match err {
            GeneratedError::UnexpectedResponse(response) => {
                let status = response.status().as_u16();
                let headers = response.headers().clone();
                match response.bytes().await {
                    Ok(body) if serde_json::from_slice::<AdminError>(&body).is_ok() => {
                        Error::from_status(
                            status,
                            &headers,
                            &body,
                            false,
                            std::time::SystemTime::now(),
                        )
                    }
                    Ok(body) => Error::InvalidResponse {
                        reason: format!(
                            "{operation} got HTTP {status} without the admin API's JSON error body; {} does not look like the emulator (Momento's service has no admin API): check the address",
                            self.base_url
                        ),
                        body: String::from_utf8_lossy(&body).into_owned(),
                    },
                    Err(e) => self.transport_error(operation, Error::transport(e, false)),
                }
            }
            other => {
                let error = Error::from_generated(other, false, std::time::SystemTime::now()).await;
                self.transport_error(operation, error)
            }
        }
    }

    /// Names the operation and the address in a transport error (other errors pass through).
    fn transport_error(&self, operation: &'static str, error: Error) -> Error {
        match error {
            Error::Transport {
                message, timed_out, ..
            } => Error::Transport {
                message: format!(
                    "emulator admin {operation} at {}: {message} (is the emulator running there?)",
                    self.base_url
                ),
                may_have_been_delivered: false,
                timed_out,
            },
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minted_keys_debug_never_shows_the_key() {
        let key = MintedKey {
            api_key: "c2VjcmV0LWtleQ==".into(),
            expires_at: 1,
            token_id: "alice".into(),
        };
        let shown = format!("{key:?}");
        assert!(!shown.contains("c2VjcmV0LWtleQ"), "{shown}");
        assert!(
            shown.contains("<redacted>") && shown.contains("alice"),
            "{shown}"
        );
    }
}
