//! [`TopicClient`] and its builder: one configured, cheaply cloned handle.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use url::Url;

use crate::credential::{AuthPlacement, Credential, CredentialError};
use crate::error::Error;
use crate::generated;
use crate::hooks::{Hooks, PublishMedia};
use crate::region::Region;
use crate::retry::RetryPolicy;
use crate::runtime::{self, Clock, Runtime, Sleep};

/// The default limit on a publish body: the spec's, 4096 bytes
/// ([`wire::MAX_PUBLISH_PAYLOAD_BYTES`](crate::wire::MAX_PUBLISH_PAYLOAD_BYTES);
/// docs/api.md §3, §8).
pub const DEFAULT_MAX_PAYLOAD_BYTES: usize = crate::wire::MAX_PUBLISH_PAYLOAD_BYTES;

/// The default limit on a whole publish (see
/// [`TopicClientBuilder::publish_timeout`]).
pub const DEFAULT_PUBLISH_TIMEOUT: Duration = Duration::from_secs(15);

/// A client for Momento Topics over HTTP.
///
/// Cloning is cheap: clones share the connection pool and settings.
/// `Debug` never shows the token.
///
/// ```no_run
/// # async fn run() -> Result<(), momento_http::Error> {
/// use futures::StreamExt as _;
/// use momento_http::{TopicClient, TopicEvent};
///
/// let client = TopicClient::builder().api_key(&std::env::var("MOMENTO_API_KEY").unwrap()).build()?;
/// let mut subscription = client.subscribe("my-cache", "my-topic");
/// client.publish("my-cache", "my-topic", "hello").await?;
/// while let Some(event) = subscription.next().await {
///     if let TopicEvent::Item { value, .. } = event? {
///         println!("{value:?}");
///     }
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct TopicClient {
    pub(crate) inner: Arc<Inner>,
}

/// What every clone of a [`TopicClient`] shares.
pub(crate) struct Inner {
    /// Kept for `Debug` (redacted) and for callers who ask.
    pub(crate) credential: Credential,
    /// Where requests go.
    pub(crate) base_url: Url,
    /// Where the token goes.
    pub(crate) placement: AuthPlacement,
    /// Publishes larger than this are rejected before sending.
    pub(crate) max_payload_bytes: usize,
    /// How subscriptions retry.
    pub(crate) retry: RetryPolicy,
    /// The clock, the timer and the retry jitter.
    pub(crate) runtime: Runtime,
    /// The generated client whose publishes say `application/octet-stream`.
    pub(crate) bytes_client: generated::Client,
    /// The generated client whose publishes say `text/plain`.
    pub(crate) text_client: generated::Client,
}

impl TopicClient {
    /// Starts configuring a client.
    pub fn builder() -> TopicClientBuilder {
        TopicClientBuilder::default()
    }

    /// A client from `MOMENTO_API_KEY` (and `MOMENTO_ENDPOINT`), otherwise defaults.
    pub fn from_env() -> Result<TopicClient, Error> {
        TopicClient::builder()
            .credential(Credential::from_env()?)
            .build()
    }

    /// The generated client, for operations this layer does not wrap.
    ///
    /// Its hooks already place the token: pass `None` for any `token` argument.
    pub fn generated(&self) -> &generated::Client {
        &self.inner.bytes_client
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &Url {
        &self.inner.base_url
    }

    /// Where the token goes.
    pub fn auth_placement(&self) -> AuthPlacement {
        self.inner.placement
    }

    /// The credential this client uses.
    pub fn credential(&self) -> &Credential {
        &self.inner.credential
    }

    /// The largest publish body accepted locally.
    pub fn max_payload_bytes(&self) -> usize {
        self.inner.max_payload_bytes
    }
}

impl fmt::Debug for TopicClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TopicClient")
            .field("base_url", &self.inner.base_url.as_str())
            .field("placement", &self.inner.placement)
            .field("credential", &self.inner.credential)
            .field("max_payload_bytes", &self.inner.max_payload_bytes)
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

/// Configures a [`TopicClient`]. Only the credential is required.
///
/// ```
/// use std::time::Duration;
/// use momento_http::{AuthPlacement, Region, TopicClient};
/// # use base64::Engine as _;
/// # let key = base64::engine::general_purpose::URL_SAFE.encode(
/// #     r#"{"endpoint":"http://127.0.0.1:8080","api_key":"a.e30.c"}"#);
///
/// let client = TopicClient::builder()
///     .api_key(&key)
///     .region(Region::custom("http://127.0.0.1:9090").unwrap())
///     .auth_placement(AuthPlacement::Query)
///     .poll_timeout(Duration::from_secs(40))
///     .build()
///     .unwrap();
/// assert_eq!(client.base_url().as_str(), "http://127.0.0.1:9090/");
/// ```
#[derive(Default)]
pub struct TopicClientBuilder {
    /// The credential, or the error from parsing `api_key`.
    credential: Option<Result<Credential, CredentialError>>,
    /// Overrides the credential's endpoint.
    region: Option<Result<Region, Error>>,
    placement: AuthPlacement,
    connect_timeout: Option<Duration>,
    publish_timeout: Option<Duration>,
    poll_timeout: Option<Duration>,
    max_payload_bytes: Option<usize>,
    retry: Option<RetryPolicy>,
    reqwest_client: Option<reqwest::Client>,
    clock: Option<Arc<dyn Clock>>,
    sleep: Option<Arc<dyn Sleep>>,
}

impl fmt::Debug for TopicClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TopicClientBuilder")
            .field("credential", &self.credential)
            .field("placement", &self.placement)
            .finish_non_exhaustive()
    }
}

impl TopicClientBuilder {
    /// The credential to authenticate with.
    pub fn credential(mut self, credential: Credential) -> Self {
        self.credential = Some(Ok(credential));
        self
    }

    /// Parses `key` as the credential (errors surface from [`build`](Self::build)).
    pub fn api_key(mut self, key: &str) -> Self {
        self.credential = Some(Credential::parse(key));
        self
    }

    /// Sends requests to `region` instead of the credential's endpoint.
    pub fn region(mut self, region: Region) -> Self {
        self.region = Some(Ok(region));
        self
    }

    /// Sends requests to `base_url` (e.g. the emulator's `http://127.0.0.1:PORT`).
    pub fn base_url(mut self, base_url: &str) -> Self {
        self.region = Some(Region::custom(base_url).map_err(|e| Error::InvalidInput {
            reason: e.to_string(),
        }));
        self
    }

    /// Where the token goes (default: the `Authorization` header).
    pub fn auth_placement(mut self, placement: AuthPlacement) -> Self {
        self.placement = placement;
        self
    }

    /// Limit on opening a connection (default 10 s). Ignored with [`reqwest_client`](Self::reqwest_client).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Limit on a whole publish or cache operation (default 15 s). A publish that times out may have been delivered.
    pub fn publish_timeout(mut self, timeout: Duration) -> Self {
        self.publish_timeout = Some(timeout);
        self
    }

    /// Limit on one long poll (default 60 s), body included, counted from
    /// the start of the poll. A poll that gets no complete answer in time
    /// is a failure: retried, and reported by that deadline as
    /// [`TopicEvent::ConnectionLost`](crate::TopicEvent::ConnectionLost).
    ///
    /// Keep it above the server's wait (30 s on the emulator), or idle
    /// topics look like lost connections.
    pub fn poll_timeout(mut self, timeout: Duration) -> Self {
        self.poll_timeout = Some(timeout);
        self
    }

    /// Largest publish body sent (default 4096 bytes); larger is rejected locally.
    pub fn max_payload_bytes(mut self, bytes: usize) -> Self {
        self.max_payload_bytes = Some(bytes);
        self
    }

    /// How subscriptions, cache gets and deletes (and cache sets the server
    /// surely did not store) retry retryable errors. Publishes are never retried.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Uses this `reqwest::Client` (proxies, TLS roots, pools) instead of building one.
    ///
    /// Build it with `.redirect(reqwest::redirect::Policy::none())`: the
    /// client's own never follows redirects (the token would go along), but
    /// one given here keeps its own policy.
    pub fn reqwest_client(mut self, client: reqwest::Client) -> Self {
        self.reqwest_client = Some(client);
        self
    }

    /// Reads the time from `clock` (default: [`runtime::SystemClock`]
    /// where the target has one; required where it does not).
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// Waits with `sleep` (default: [`runtime::TokioSleep`] where the
    /// target has it; required where it does not).
    pub fn sleep(mut self, sleep: impl Sleep) -> Self {
        self.sleep = Some(Arc::new(sleep));
        self
    }

    /// Builds the client.
    ///
    /// Fails when no credential was given or it did not parse, or when neither
    /// the credential nor the builder names an endpoint.
    pub fn build(self) -> Result<TopicClient, Error> {
        let credential = match self.credential {
            Some(c) => c?,
            None => {
                return Err(Error::InvalidInput {
                    reason: "no credential: call .credential(..) or .api_key(..) on the builder (or use TopicClient::from_env)".into(),
                });
            }
        };
        let region = match self.region {
            Some(region) => region?,
            None => match credential.endpoint() {
                Some(endpoint) => {
                    Region::from_endpoint(endpoint).map_err(|e| Error::InvalidInput {
                        reason: format!("the credential's endpoint is unusable: {e}"),
                    })?
                }
                None => {
                    return Err(CredentialError::MissingEndpoint {
                        kind: credential.kind(),
                    }
                    .into());
                }
            },
        };
        let clock = self.clock.or_else(runtime::default_clock).ok_or_else(|| Error::InvalidInput {
            reason: "no clock: this target has no system clock the client can read; give one with .clock(..) on the builder".into(),
        })?;
        let sleep = self.sleep.or_else(runtime::default_sleep).ok_or_else(|| Error::InvalidInput {
            reason: "no timer: this target has no timer the client can use; give one with .sleep(..) on the builder".into(),
        })?;
        let base_url = region.base_url();
        let publish_timeout = self.publish_timeout.unwrap_or(DEFAULT_PUBLISH_TIMEOUT);
        // In a client of our own, the publish timeout is the client's default:
        // setting it per request costs an allocation on every publish. Polls
        // override it per request; a caller's client gets both per request.
        let (http, publish_timeout_per_request) = match self.reqwest_client {
            Some(client) => (client, Some(publish_timeout)),
            None => (
                crate::tls::http_client_builder()
                    .map_err(|e| Error::InvalidInput {
                        reason: format!(
                            "cannot set up TLS ({e}); the system's root certificates may be missing"
                        ),
                    })?
                    // The API documents no redirects; following one would
                    // send the token (in the query, or in `Referer`) to
                    // another host, and re-send a publish as a GET. A 3xx
                    // becomes `Error::Redirect`.
                    .redirect(reqwest::redirect::Policy::none())
                    .connect_timeout(self.connect_timeout.unwrap_or(Duration::from_secs(10)))
                    .timeout(publish_timeout)
                    .build()
                    .map_err(|e| Error::transport(e, false))?,
                None,
            ),
        };
        let hooks = Hooks::new(
            &base_url,
            Arc::from(credential.expose_token()),
            self.placement,
            publish_timeout_per_request,
            self.poll_timeout.unwrap_or(Duration::from_secs(60)),
        );
        // The generated code appends "/topics/..." to the base URL as a string.
        let base = base_url.as_str().trim_end_matches('/');
        let bytes_client = generated::Client::new_with_client(base, http.clone(), hooks.clone());
        let text_client = generated::Client::new_with_client(
            base,
            http,
            hooks.with_publish_media(PublishMedia::Text),
        );
        Ok(TopicClient {
            inner: Arc::new(Inner {
                credential,
                base_url,
                placement: self.placement,
                max_payload_bytes: self.max_payload_bytes.unwrap_or(DEFAULT_MAX_PAYLOAD_BYTES),
                retry: self.retry.unwrap_or_default(),
                runtime: Runtime::new(clock, sleep),
                bytes_client,
                text_client,
            }),
        })
    }
}
