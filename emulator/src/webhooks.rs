//! Webhooks (docs/api.md §6): a registry per cache and signed delivery.
//!
//! Publishing only enqueues (`try_send` on a bounded queue), so delivery never
//! delays a publish answer; a full queue drops the event and records it. A
//! worker takes events off the queue and POSTs each (one attempt, 5 s timeout,
//! no retry), signing with the secret current at delivery time, so a rotation
//! or deletion takes effect at once. Every outcome is recorded.

use crate::topics::now_ms;
use momento_http::admin_wire::{Delivery, DeliveryOutcome};
use momento_http::webhook::sign;
use momento_http::wire::WebhookEvent;
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

/// The documented User-Agent of deliveries.
pub const USER_AGENT: &str = "Momento/1.0 (Webhooks; +https://docs.momentohq.com/topics/webhooks)";
/// How long a receiver has to answer (docs/api.md §6), unless configured.
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(5);
/// Events waiting for delivery before new ones are dropped.
pub const QUEUE_SIZE: usize = 1024;
/// Deliveries in flight at once.
const CONCURRENT_DELIVERIES: usize = 64;
/// Delivery records kept.
const RECORDS_KEPT: usize = 10_000;
/// Longest webhook name.
pub const MAX_NAME: usize = 128;

/// One registered webhook.
#[derive(Clone, Debug)]
pub struct Registration {
    /// Its topic.
    pub topic: String,
    /// Where events go.
    pub post_url: String,
    /// The signing secret.
    pub secret: String,
}

/// One event to deliver.
#[derive(Debug)]
struct Job {
    cache: String,
    webhook: String,
    topic: String,
    seq: u64,
    text: String,
    token_id: String,
    event_timestamp: u64,
}

#[derive(Debug, Default)]
struct Registry {
    /// cache → webhook name → webhook.
    hooks: BTreeMap<String, BTreeMap<String, Registration>>,
    records: VecDeque<Delivery>,
}

/// Handle to the registry and the delivery queue.
#[derive(Clone, Debug)]
pub struct Webhooks {
    registry: Arc<Mutex<Registry>>,
    queue: mpsc::Sender<Job>,
}

/// Owns the delivery worker; dropping it stops the worker.
#[derive(Debug)]
pub struct WorkerGuard(tokio::task::JoinHandle<()>);

impl Drop for WorkerGuard {
    fn drop(&mut self) {
        self.0.abort();
    }
}

fn new_secret() -> String {
    let bytes: [u8; 24] = rand::random();
    format!("whsec_{}", hex::encode(bytes))
}

impl Webhooks {
    /// A registry and its delivery worker; a receiver has `timeout` to answer.
    pub fn start(timeout: Duration) -> (Self, WorkerGuard) {
        let (tx, rx) = mpsc::channel(QUEUE_SIZE);
        let hooks = Webhooks {
            registry: Arc::new(Mutex::new(Registry::default())),
            queue: tx,
        };
        let worker = tokio::spawn(worker(hooks.registry.clone(), rx, timeout));
        (hooks, WorkerGuard(worker))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Registry> {
        self.registry.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Create or replace; returns the secret (kept when replacing).
    pub fn put(&self, cache: &str, name: &str, topic: &str, post_url: &str) -> String {
        let mut reg = self.lock();
        let hooks = reg.hooks.entry(cache.to_string()).or_default();
        let secret = hooks
            .get(name)
            .map(|h| h.secret.clone())
            .unwrap_or_else(new_secret);
        hooks.insert(
            name.to_string(),
            Registration {
                topic: topic.to_string(),
                post_url: post_url.to_string(),
                secret: secret.clone(),
            },
        );
        secret
    }

    /// The webhooks of a cache, by name.
    pub fn list(&self, cache: &str) -> Vec<(String, Registration)> {
        self.lock()
            .hooks
            .get(cache)
            .map(|h| h.iter().map(|(n, w)| (n.clone(), w.clone())).collect())
            .unwrap_or_default()
    }

    /// Delete; `false` when unknown.
    pub fn delete(&self, cache: &str, name: &str) -> bool {
        self.lock()
            .hooks
            .get_mut(cache)
            .is_some_and(|h| h.remove(name).is_some())
    }

    /// Forget every webhook of a deleted cache.
    pub fn delete_cache(&self, cache: &str) {
        self.lock().hooks.remove(cache);
    }

    /// The current secret.
    pub fn secret(&self, cache: &str, name: &str) -> Option<String> {
        self.lock()
            .hooks
            .get(cache)
            .and_then(|h| h.get(name))
            .map(|w| w.secret.clone())
    }

    /// A new secret; the old one stops signing at once.
    pub fn rotate(&self, cache: &str, name: &str) -> Option<String> {
        let mut reg = self.lock();
        let hook = reg.hooks.get_mut(cache)?.get_mut(name)?;
        hook.secret = new_secret();
        Some(hook.secret.clone())
    }

    /// Every delivery record, oldest first.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.lock().records.iter().cloned().collect()
    }

    /// A message was published: queue an event for each webhook on its topic.
    /// `text` is `None` for binary messages, which are recorded as skipped.
    pub fn published(
        &self,
        cache: &str,
        topic: &str,
        seq: u64,
        text: Option<&str>,
        token_id: &str,
    ) {
        let targets: Vec<String> = {
            let reg = self.lock();
            let Some(hooks) = reg.hooks.get(cache) else {
                return;
            };
            hooks
                .iter()
                .filter(|(_, w)| w.topic == topic)
                .map(|(n, _)| n.clone())
                .collect()
        };
        let event_timestamp = now_ms();
        for webhook in targets {
            let Some(text) = text else {
                record(
                    &self.registry,
                    cache,
                    &webhook,
                    topic,
                    seq,
                    DeliveryOutcome::Skipped,
                    None,
                    "binary messages are not delivered to webhooks".into(),
                );
                continue;
            };
            let job = Job {
                cache: cache.to_string(),
                webhook: webhook.clone(),
                topic: topic.to_string(),
                seq,
                text: text.to_string(),
                token_id: token_id.to_string(),
                event_timestamp,
            };
            if self.queue.try_send(job).is_err() {
                record(
                    &self.registry,
                    cache,
                    &webhook,
                    topic,
                    seq,
                    DeliveryOutcome::Dropped,
                    None,
                    "the delivery queue is full".into(),
                );
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn record(
    registry: &Mutex<Registry>,
    cache: &str,
    webhook: &str,
    topic: &str,
    seq: u64,
    outcome: DeliveryOutcome,
    status: Option<u16>,
    detail: String,
) {
    tracing::info!(cache, webhook, topic, seq, %outcome, ?status, detail = detail.as_str(), "webhook delivery");
    let mut reg = registry.lock().unwrap_or_else(|e| e.into_inner());
    if reg.records.len() >= RECORDS_KEPT {
        reg.records.pop_front();
    }
    reg.records.push_back(Delivery {
        at_ms: now_ms(),
        cache_name: cache.to_string(),
        detail,
        outcome,
        status,
        topic_name: topic.to_string(),
        topic_sequence_number: seq,
        webhook_name: webhook.to_string(),
    });
}

async fn worker(registry: Arc<Mutex<Registry>>, mut rx: mpsc::Receiver<Job>, timeout: Duration) {
    let client = match momento_http::http_client_builder()
        .expect("rustls accepts ring's defaults")
        .timeout(timeout)
        .user_agent(USER_AGENT)
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "cannot build the webhook HTTP client; deliveries disabled");
            return;
        }
    };
    let slots = Arc::new(tokio::sync::Semaphore::new(CONCURRENT_DELIVERIES));
    while let Some(job) = rx.recv().await {
        let Ok(permit) = slots.clone().acquire_owned().await else {
            return;
        };
        let registry = registry.clone();
        let client = client.clone();
        tokio::spawn(async move {
            deliver(&registry, &client, job).await;
            drop(permit);
        });
    }
}

async fn deliver(registry: &Mutex<Registry>, client: &reqwest::Client, job: Job) {
    let hook = {
        let reg = registry.lock().unwrap_or_else(|e| e.into_inner());
        reg.hooks
            .get(&job.cache)
            .and_then(|h| h.get(&job.webhook))
            .cloned()
    };
    let rec = |outcome, status, detail: String| {
        record(
            registry,
            &job.cache,
            &job.webhook,
            &job.topic,
            job.seq,
            outcome,
            status,
            detail,
        );
    };
    let Some(hook) = hook else {
        rec(
            DeliveryOutcome::Skipped,
            None,
            "the webhook was deleted before delivery".into(),
        );
        return;
    };
    let event = WebhookEvent {
        cache: job.cache.clone(),
        topic: job.topic.clone(),
        event_timestamp: job.event_timestamp,
        publish_timestamp: now_ms().max(job.event_timestamp),
        topic_sequence_number: job.seq,
        token_id: job.token_id.clone(),
        text: job.text.clone(),
    };
    let body = serde_json::to_vec(&event).unwrap_or_default();
    let signature = sign(&hook.secret, &body);
    let result = client
        .post(&hook.post_url)
        .header("content-type", "application/json")
        .header("momento-signature", signature)
        .body(body)
        .send()
        .await;
    match result {
        Ok(resp) if resp.status().is_success() => rec(
            DeliveryOutcome::Success,
            Some(resp.status().as_u16()),
            "delivered".into(),
        ),
        Ok(resp) => rec(
            DeliveryOutcome::Status,
            Some(resp.status().as_u16()),
            format!("the receiver answered {}; not retried", resp.status()),
        ),
        Err(e) if e.is_timeout() => rec(
            DeliveryOutcome::Timeout,
            None,
            "the receiver did not answer within 5 s; dropped, not retried".into(),
        ),
        Err(e) => rec(
            DeliveryOutcome::ConnectionError,
            None,
            format!("cannot reach the receiver: {e}"),
        ),
    }
}
