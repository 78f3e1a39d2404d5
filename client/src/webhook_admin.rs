//! [`WebhookAdmin`]: manage webhooks on the emulator through its admin API.
//!
//! Momento manages webhooks over gRPC only, so this client talks to the
//! emulator's `/_emulator/` endpoints (`openapi/emulator-admin.yaml`), with the
//! seed's types: [`WebhookId`], [`Webhook`], [`PostUrl`].

use crate::admin_wire::{
    self, Delivery, PostUrl, PutWebhookRequest, Webhook, WebhookId, WebhookSecret,
};
use crate::error::Error;

/// Manages webhooks on a running emulator (create, list, delete, secrets)
/// and reads its delivery log.
///
/// ```no_run
/// # async fn run() -> Result<(), momento_http::Error> {
/// use momento_http::webhook::{PostUrl, Webhook, WebhookAdmin, WebhookId};
///
/// let admin = WebhookAdmin::new("http://127.0.0.1:8080")?;
/// let id = WebhookId { cache_name: "cache".into(), webhook_name: "orders".into() };
/// let secret = admin
///     .put_webhook(&Webhook {
///         id: id.clone(),
///         topic_name: "orders".into(),
///         destination: PostUrl { post_url: "http://127.0.0.1:3000/hook".into() },
///     })
///     .await?;
/// let rotated = admin.rotate_webhook_secret(&id).await?;
/// assert_ne!(secret, rotated.secret);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct WebhookAdmin {
    /// The generated admin client.
    client: admin_wire::Client,
}

impl WebhookAdmin {
    /// A client for the emulator at `base_url` (e.g. `http://127.0.0.1:8080`).
    pub fn new(base_url: &str) -> Result<WebhookAdmin, Error> {
        WebhookAdmin::with_client(base_url, reqwest::Client::new())
    }

    /// The same, with your own `reqwest::Client`.
    pub fn with_client(base_url: &str, client: reqwest::Client) -> Result<WebhookAdmin, Error> {
        let region = crate::Region::custom(base_url).map_err(|e| Error::InvalidInput {
            reason: e.to_string(),
        })?;
        let base = region.base_url();
        Ok(WebhookAdmin {
            client: admin_wire::Client::new_with_client(
                base.as_str().trim_end_matches('/'),
                client,
            ),
        })
    }

    /// The generated admin client, for the emulator's other operations.
    pub fn generated(&self) -> &admin_wire::Client {
        &self.client
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
        match self
            .client
            .put_webhook(&webhook.id.cache_name, &webhook.id.webhook_name, &body)
            .await
        {
            Ok(rv) => Ok(rv.into_inner().secret_string),
            Err(e) => Err(Error::from_generated(e, false).await),
        }
    }

    /// The webhooks of a cache, sorted by name (no secrets).
    pub async fn list_webhooks(&self, cache_name: &str) -> Result<Vec<Webhook>, Error> {
        match self.client.list_webhooks(cache_name).await {
            Ok(rv) => Ok(rv.into_inner().webhooks),
            Err(e) => Err(Error::from_generated(e, false).await),
        }
    }

    /// Deletes a webhook; delivery stops at once.
    pub async fn delete_webhook(&self, id: &WebhookId) -> Result<(), Error> {
        match self
            .client
            .delete_webhook(&id.cache_name, &id.webhook_name)
            .await
        {
            Ok(_) => Ok(()),
            Err(e) => Err(Error::from_generated(e, false).await),
        }
    }

    /// The webhook's current signing secret.
    pub async fn get_webhook_secret(&self, id: &WebhookId) -> Result<WebhookSecret, Error> {
        match self
            .client
            .get_webhook_secret(&id.cache_name, &id.webhook_name)
            .await
        {
            Ok(rv) => Ok(rv.into_inner()),
            Err(e) => Err(Error::from_generated(e, false).await),
        }
    }

    /// Replaces the secret; the old one stops signing at once.
    pub async fn rotate_webhook_secret(&self, id: &WebhookId) -> Result<WebhookSecret, Error> {
        match self
            .client
            .rotate_webhook_secret(&id.cache_name, &id.webhook_name)
            .await
        {
            Ok(rv) => Ok(rv.into_inner()),
            Err(e) => Err(Error::from_generated(e, false).await),
        }
    }

    /// Every delivery attempt the emulator recorded, with its outcome.
    pub async fn list_deliveries(&self) -> Result<Vec<Delivery>, Error> {
        match self.client.list_deliveries().await {
            Ok(rv) => Ok(rv.into_inner().deliveries),
            Err(e) => Err(Error::from_generated(e, false).await),
        }
    }
}
