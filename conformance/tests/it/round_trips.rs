//! Property tests: any cache/topic name survives percent-encoding on the
//! wire; any payload of 0–4096 bytes and any UTF-8 text comes back
//! identical through the in-process emulator.

use futures::StreamExt;
use momento_http::{Cursor, TopicClient, TopicEvent, TopicValue};
use momento_http_emulator::{Emulator, TokenSpec, mint_offline};
use proptest::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Names of printable characters, not whitespace-only, and not the dot
/// segments the client refuses (`.`, `..`).
fn name() -> impl Strategy<Value = String> {
    "[^\\p{C}]{1,24}".prop_filter("a name the client accepts", |s| {
        !s.trim().is_empty() && s != "." && s != ".."
    })
}

#[test]
fn a_backslash_in_a_topic_name_is_percent_encoded() {
    let rt = runtime();
    rt.block_on(async {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(204))
            .named("publish")
            .expect(1)
            .mount(&server)
            .await;
        let key = mint_offline(
            "s",
            &server.uri(),
            &TokenSpec::full_access(Duration::from_secs(600)),
        );
        let client = TopicClient::builder().api_key(&key).build().unwrap();
        client.publish("c", "a\\b", "x").await.unwrap();
        let reqs = server.received_requests().await.unwrap();
        assert_eq!(reqs[0].url.path(), "/topics/c/a%5Cb");
    });
}

#[test]
fn any_cache_and_topic_name_round_trips_through_percent_encoding() {
    let rt = runtime();
    let server = rt.block_on(async {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(204))
            .named("publish")
            .mount(&server)
            .await;
        server
    });
    let key = mint_offline(
        "s",
        &server.uri(),
        &TokenSpec::full_access(Duration::from_secs(600)),
    );
    let client = TopicClient::builder().api_key(&key).build().unwrap();
    proptest!(ProptestConfig::with_cases(64), |(cache in name(), topic in name())| {
        let path = rt.block_on(async {
            client.publish(&cache, &topic, "x").await.unwrap();
            let reqs = server.received_requests().await.unwrap();
            reqs.last().unwrap().url.path().to_owned()
        });
        let segs: Vec<String> = path
            .split('/')
            .map(|s| percent_encoding::percent_decode_str(s).decode_utf8().unwrap().into_owned())
            .collect();
        prop_assert_eq!(segs.len(), 4, "path {}", path);
        prop_assert_eq!(&segs[1], "topics");
        prop_assert_eq!(&segs[2], &cache);
        prop_assert_eq!(&segs[3], &topic);
    });
}

static TOPIC: AtomicU64 = AtomicU64::new(0);

async fn round_trip(client: &TopicClient, value: momento_http::PublishValue) -> TopicValue {
    let topic = format!("rt-{}", TOPIC.fetch_add(1, Ordering::Relaxed));
    client.publish("c", &topic, value).await.unwrap();
    // A fresh topic numbers its first message 1; resume from it inclusive.
    let mut sub = client.subscribe_from(
        "c",
        &topic,
        Cursor {
            sequence_number: 1,
            sequence_page: 0,
        },
    );
    loop {
        let ev = tokio::time::timeout(Duration::from_secs(5), sub.next())
            .await
            .expect("bounded")
            .expect("an event")
            .expect("no error");
        if let TopicEvent::Item { value, .. } = ev {
            return value;
        }
    }
}

#[test]
fn any_payload_and_any_text_come_back_identical_through_the_emulator() {
    let rt = runtime();
    let emulator = rt.block_on(async {
        Emulator::builder()
            .cache("c")
            .long_poll_wait(Duration::from_millis(300))
            .start()
            .await
            .unwrap()
    });
    let client = TopicClient::builder()
        .api_key(&emulator.api_key())
        .build()
        .unwrap();
    proptest!(ProptestConfig::with_cases(48), |(bytes in proptest::collection::vec(any::<u8>(), 0..=4096))| {
        let got = rt.block_on(round_trip(&client, bytes.clone().into()));
        match got {
            TopicValue::Binary(b) => prop_assert_eq!(b.as_ref(), &bytes[..]),
            other => prop_assert!(false, "bytes came back as {:?}", other),
        }
    });
    proptest!(ProptestConfig::with_cases(48), |(text in "\\PC{0,300}")| {
        let got = rt.block_on(round_trip(&client, text.clone().into()));
        match got {
            TopicValue::Text(t) => prop_assert_eq!(t, text),
            other => prop_assert!(false, "text came back as {:?}", other),
        }
    });
    drop(emulator);
}
