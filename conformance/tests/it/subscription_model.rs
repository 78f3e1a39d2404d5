//! Model-based test of the client's subscription: an arbitrary script of
//! server answers (items, gaps, repeats, discontinuities, page changes, empty
//! batches, 500s) drives a `Subscription` against a small axum fake; its
//! events, and the cursor sent on every poll, must match a reference model
//! written from docs/api.md §4 (never skip silently: an unannounced jump or
//! page change becomes a synthesized discontinuity; a repeat on the same
//! page is dropped; every discontinuity starts from the client's own last
//! number, and an announced one that names nothing new is ignored).

use axum::extract::{Query, State};
use axum::response::IntoResponse;
use futures::StreamExt;
use momento_http::{RetryPolicy, TopicClient, TopicEvent};
use momento_http_emulator::{TokenSpec, mint_offline};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone, Debug)]
enum Elem {
    Item { n: u64, page: u64 },
    Disc { last: u64, new: u64, page: u64 },
}

#[derive(Clone, Debug)]
enum Answer {
    Batch(Vec<Elem>),
    Error500,
}

/// What the model says the client yields.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Seen {
    Item {
        n: u64,
        page: u64,
    },
    Disc {
        last: u64,
        new: u64,
        page: u64,
        synthesized: bool,
    },
}

/// The reference model: events and the cursor sent before each answer.
fn model(script: &[Answer]) -> (Vec<Seen>, Vec<(u64, u64)>) {
    let (mut seq, mut page) = (0u64, 0u64);
    let mut events = Vec::new();
    let mut cursors = Vec::new();
    for answer in script {
        cursors.push((seq, page));
        let Answer::Batch(elems) = answer else {
            continue;
        };
        for e in elems {
            match *e {
                Elem::Disc {
                    last: _,
                    new,
                    page: p,
                } => {
                    let fresh = seq == 0;
                    if !fresh && p == page && new <= seq {
                        continue; // nothing lost, or a step back: ignored
                    }
                    events.push(Seen::Disc {
                        last: seq.saturating_sub(1),
                        new,
                        page: p,
                        synthesized: false,
                    });
                    (seq, page) = (new, p);
                }
                Elem::Item { n, page: p } => {
                    let fresh = seq == 0;
                    if !fresh && p == page && n < seq {
                        continue; // a repeat or older message is dropped
                    }
                    if !fresh && (p != page || n != seq) {
                        events.push(Seen::Disc {
                            last: seq.saturating_sub(1),
                            new: n,
                            page: p,
                            synthesized: true,
                        });
                    }
                    events.push(Seen::Item { n, page: p });
                    (seq, page) = (n + 1, p);
                }
            }
        }
    }
    (events, cursors)
}

fn elem() -> impl Strategy<Value = Elem> {
    prop_oneof![
        4 => (1u64..12, 1u64..3).prop_map(|(n, page)| Elem::Item { n, page }),
        1 => (0u64..12, 1u64..12, 1u64..3).prop_map(|(last, new, page)| Elem::Disc { last, new, page }),
    ]
}

fn answer() -> impl Strategy<Value = Answer> {
    prop_oneof![
        5 => proptest::collection::vec(elem(), 1..4).prop_map(Answer::Batch),
        1 => Just(Answer::Batch(vec![])),
        1 => Just(Answer::Error500),
    ]
}

#[derive(Clone, Default)]
struct Fake {
    script: Arc<Mutex<VecDeque<Answer>>>,
    cursors: Arc<Mutex<Vec<(u64, u64)>>>,
}

fn wire(e: &Elem) -> Value {
    match *e {
        Elem::Item { n, page } => {
            json!({"item": {"topic_sequence_number": n, "sequence_page": page, "value": {"text": format!("m{n}")}}})
        }
        Elem::Disc { last, new, page } => {
            json!({"discontinuity": {"last_topic_sequence": last, "new_topic_sequence": new, "new_sequence_page": page}})
        }
    }
}

async fn poll(
    State(fake): State<Fake>,
    Query(q): Query<HashMap<String, String>>,
) -> axum::response::Response {
    let num = |k: &str| q.get(k).and_then(|v| v.parse().ok()).unwrap_or(0u64);
    let next = fake.script.lock().unwrap().pop_front();
    if next.is_some() {
        fake.cursors
            .lock()
            .unwrap()
            .push((num("sequence_number"), num("sequence_page")));
    }
    match next {
        Some(Answer::Batch(elems)) => {
            axum::Json(json!({"items": elems.iter().map(wire).collect::<Vec<_>>()})).into_response()
        }
        Some(Answer::Error500) => (
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            axum::Json(
                json!({"status": 500, "title": "Internal Server Error", "detail": "scripted"}),
            ),
        )
            .into_response(),
        None => {
            tokio::time::sleep(Duration::from_millis(20)).await;
            axum::Json(json!({"items": []})).into_response()
        }
    }
}

async fn drive(script: Vec<Answer>, want: usize) -> (Vec<Seen>, Vec<(u64, u64)>) {
    let fake = Fake::default();
    fake.script.lock().unwrap().extend(script);
    let app = axum::Router::new()
        .route("/topics/{c}/{t}", axum::routing::get(poll))
        .with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let key = mint_offline("s", &url, &TokenSpec::full_access(Duration::from_secs(600)));
    let client = TopicClient::builder()
        .api_key(&key)
        .retry_policy(
            RetryPolicy::default()
                .initial_backoff(Duration::from_millis(1))
                .max_backoff(Duration::from_millis(2))
                .max_retries(None),
        )
        .build()
        .unwrap();
    // Data only: the 500s' lifecycle events are not what the model is about.
    let mut sub = client.subscribe("c", "t").messages();
    let mut seen = Vec::new();
    while seen.len() < want {
        let ev = tokio::time::timeout(Duration::from_secs(5), sub.next())
            .await
            .expect("bounded: the model expects more events")
            .expect("the stream goes on")
            .expect("no terminal error");
        seen.push(match ev {
            TopicEvent::Item {
                sequence_number,
                sequence_page,
                ..
            } => Seen::Item {
                n: sequence_number,
                page: sequence_page,
            },
            TopicEvent::Discontinuity {
                last,
                new,
                new_page,
                synthesized,
                ..
            } => Seen::Disc {
                last,
                new,
                page: new_page,
                synthesized,
            },
            other => panic!("messages() yielded a lifecycle event: {other:?}"),
        });
    }
    drop(sub);
    server.abort();
    let cursors = fake.cursors.lock().unwrap().clone();
    (seen, cursors)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn the_subscription_matches_the_reference_model(script in proptest::collection::vec(answer(), 1..8)) {
        let (want_events, want_cursors) = model(&script);
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let (events, cursors) = rt.block_on(drive(script.clone(), want_events.len()));
        prop_assert_eq!(&events, &want_events, "script {:?}", script);
        // Every poll the client made for a scripted answer sent the model's cursor.
        let n = cursors.len().min(want_cursors.len());
        prop_assert_eq!(&cursors[..n], &want_cursors[..n], "script {:?}", script);
    }
}
