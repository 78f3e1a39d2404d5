//! Shared helpers: an emulator on port 0 and raw reqwest calls, every wait bounded.
#![allow(dead_code)]

use momento_http::wire::{SubscribeElement, SubscribeResponse};
use momento_http_emulator::{Emulator, EmulatorBuilder, RunningEmulator};
use std::time::Duration;

pub const WAIT: Duration = Duration::from_millis(200);
pub const BOUND: Duration = Duration::from_secs(10);

pub struct Env {
    pub emu: RunningEmulator,
    pub http: reqwest::Client,
    pub base: String,
    pub key: String,
}

pub async fn start() -> Env {
    start_with(Emulator::builder()).await
}

pub async fn start_with(builder: EmulatorBuilder) -> Env {
    let emu = builder
        .cache("c")
        .long_poll_wait(WAIT)
        .start()
        .await
        .expect("emulator starts");
    Env {
        base: emu.base_url(),
        key: emu.api_key(),
        emu,
        http: reqwest::Client::new(),
    }
}

/// What a subscribe poll returned, simplified: ("item", seq, page) or ("disc", new, page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum El {
    Item(u64, u64, String),
    Disc { last: u64, new: u64, page: u64 },
}

impl Env {
    pub fn topic_url(&self, cache: &str, topic: &str) -> String {
        format!("{}/topics/{cache}/{topic}", self.base)
    }

    pub async fn publish(&self, topic: &str, text: &str) -> u16 {
        self.publish_with(&self.key, "c", topic, text).await
    }

    pub async fn publish_with(&self, key: &str, cache: &str, topic: &str, text: &str) -> u16 {
        tokio::time::timeout(
            BOUND,
            self.http
                .post(self.topic_url(cache, topic))
                .header("authorization", key)
                .header("content-type", "text/plain")
                .body(text.to_string())
                .send(),
        )
        .await
        .expect("bounded")
        .expect("publish sent")
        .status()
        .as_u16()
    }

    pub async fn poll(&self, topic: &str, seq: u64, page: u64) -> Vec<El> {
        let resp = tokio::time::timeout(
            BOUND,
            self.http
                .get(self.topic_url("c", topic))
                .header("authorization", &self.key)
                .query(&[("sequence_number", seq), ("sequence_page", page)])
                .send(),
        )
        .await
        .expect("bounded")
        .expect("poll sent");
        assert_eq!(resp.status(), 200);
        let body: SubscribeResponse = resp.json().await.expect("SubscribeResponse");
        body.items
            .into_iter()
            .map(|e| match e {
                SubscribeElement::Item(i) => El::Item(
                    i.topic_sequence_number,
                    i.sequence_page.expect("page"),
                    match i.value {
                        momento_http::wire::TopicValue::Text(t) => t,
                        momento_http::wire::TopicValue::Binary(b) => format!("b:{b}"),
                    },
                ),
                SubscribeElement::Discontinuity(d) => El::Disc {
                    last: d.last_topic_sequence,
                    new: d.new_topic_sequence,
                    page: d.new_sequence_page.expect("page"),
                },
            })
            .collect()
    }

    pub async fn admin(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let mut req = self
            .http
            .request(method, format!("{}/_emulator/{path}", self.base));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = tokio::time::timeout(BOUND, req.send())
            .await
            .expect("bounded")
            .expect("admin sent");
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        (
            status,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
        )
    }

    pub async fn page(&self, topic: &str) -> u64 {
        let (s, v) = self
            .admin(
                reqwest::Method::GET,
                &format!("caches/c/topics/{topic}"),
                None,
            )
            .await;
        assert_eq!(s, 200);
        v["sequence_page"].as_u64().expect("page")
    }

    pub async fn mint(&self, body: serde_json::Value) -> String {
        let (s, v) = self
            .admin(reqwest::Method::POST, "tokens", Some(body))
            .await;
        assert_eq!(s, 200, "{v}");
        v["api_key"].as_str().expect("api_key").to_string()
    }
}

pub fn items(els: &[El]) -> Vec<u64> {
    els.iter()
        .filter_map(|e| match e {
            El::Item(n, _, _) => Some(*n),
            El::Disc { .. } => None,
        })
        .collect()
}
