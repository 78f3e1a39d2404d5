//! Staged outages (`/_emulator/outage`) seen by a real client over real
//! sockets: refused, hung and unavailable, and what comes back after.

use futures::StreamExt as _;
use momento_http::admin_wire as aw;
use momento_http::{Error, RetryPolicy, TopicClient, TopicEvent, TopicValue};
use momento_http_emulator::{Emulator, EmulatorBuilder, RunningEmulator};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

/// Every test's own bound.
const BOUND: Duration = Duration::from_secs(10);

struct Env {
    emu: RunningEmulator,
    admin: momento_http::EmulatorAdmin,
    client: TopicClient,
}

async fn start(builder: EmulatorBuilder) -> Env {
    let emu = builder
        .cache("c")
        .long_poll_wait(Duration::from_millis(300))
        .start()
        .await
        .expect("emulator starts");
    let client = TopicClient::builder()
        .api_key(&emu.api_key())
        .publish_timeout(Duration::from_millis(500))
        .poll_timeout(Duration::from_secs(2))
        .retry_policy(
            RetryPolicy::default()
                .initial_backoff(Duration::from_millis(20))
                .max_backoff(Duration::from_millis(100))
                .max_retries(None),
        )
        .build()
        .expect("client");
    Env {
        admin: momento_http::EmulatorAdmin::new(&emu.admin_url()).expect("admin client"),
        emu,
        client,
    }
}

fn with_admin_listener() -> EmulatorBuilder {
    Emulator::builder().admin_listen(SocketAddr::from(([127, 0, 0, 1], 0)))
}

fn outage(mode: aw::OutageMode) -> aw::OutageRequest {
    aw::OutageRequest {
        mode,
        duration_ms: None,
        retry_after_seconds: None,
    }
}

async fn bounded<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(BOUND, f).await.expect("bounded")
}

#[tokio::test]
async fn refused_connections_are_refused_by_the_kernel_while_the_admin_api_answers() {
    bounded(async {
        let env = start(with_admin_listener()).await;
        env.client
            .publish("c", "t", "before")
            .await
            .expect("published");

        env.admin
            .start_outage(&outage(aw::OutageMode::Refuse))
            .await
            .expect("outage started");
        let connect = TcpStream::connect(env.emu.local_addr()).await;
        assert_eq!(
            connect.err().map(|e| e.kind()),
            Some(std::io::ErrorKind::ConnectionRefused),
            "a new connection to the topics address is refused"
        );
        // A client with a pooled connection from before is not served either.
        let err = env.client.publish("c", "t", "during").await.unwrap_err();
        assert!(matches!(err, Error::Transport { .. }), "{err:?}");
        assert_eq!(env.admin.health().await.expect("admin up").status, "ok");

        env.admin.end_outage().await.expect("outage ended");
        env.client
            .publish("c", "t", "after")
            .await
            .expect("served again");
        let state = env.admin.inspect_topic("c", "t").await.unwrap();
        assert_eq!(
            state.next_sequence_number, 3,
            "the refused publish was not stored"
        );
    })
    .await;
}

#[tokio::test]
async fn a_hang_accepts_connections_and_never_answers_until_it_ends() {
    bounded(async {
        let env = start(Emulator::builder()).await;
        env.admin
            .start_outage(&outage(aw::OutageMode::Hang))
            .await
            .expect("outage started");

        let started = Instant::now();
        let err = env.client.publish("c", "t", "lost").await.unwrap_err();
        assert!(matches!(err, Error::Transport { .. }), "{err:?}");
        assert!(started.elapsed() >= Duration::from_millis(500), "it timed out, not failed fast");

        // A raw request: accepted, never answered, closed when the outage ends.
        let mut raw = TcpStream::connect(env.emu.local_addr()).await.expect("accepted");
        raw.write_all(
            format!(
                "POST /topics/c/t HTTP/1.1\r\nhost: x\r\nauthorization: {}\r\ncontent-length: 1\r\n\r\nx",
                env.emu.api_key()
            )
            .as_bytes(),
        )
        .await
        .unwrap();
        let mut buf = [0u8; 256];
        let early = tokio::time::timeout(Duration::from_millis(300), raw.read(&mut buf)).await;
        assert!(early.is_err(), "no answer during a hang: {early:?}");
        // The admin API shares the listener and still answers.
        assert_eq!(env.admin.health().await.expect("admin up").status, "ok");

        env.admin.end_outage().await.expect("outage ended");
        let after = raw.read(&mut buf).await;
        assert!(
            matches!(after, Ok(0) | Err(_)),
            "closed without an answer: {:?}",
            after.map(|n| String::from_utf8_lossy(&buf[..n]).into_owned())
        );
        env.client.publish("c", "t", "after").await.expect("served again");
        let state = env.admin.inspect_topic("c", "t").await.unwrap();
        assert_eq!(state.next_sequence_number, 2, "hung publishes were not stored");
    })
    .await;
}

#[tokio::test]
async fn unavailable_answers_503_with_the_retry_after_asked_for() {
    bounded(async {
        let env = start(Emulator::builder()).await;
        env.admin
            .start_outage(&aw::OutageRequest {
                retry_after_seconds: Some(2),
                ..outage(aw::OutageMode::Unavailable)
            })
            .await
            .expect("outage started");
        match env.client.publish("c", "t", "x").await.unwrap_err() {
            Error::Server {
                status: 503,
                detail,
                retry_after,
                ..
            } => {
                assert!(detail.contains("outage"), "{detail}");
                assert_eq!(retry_after, Some(Duration::from_secs(2)));
            }
            other => panic!("expected a 503, got {other:?}"),
        }
        env.admin.end_outage().await.expect("outage ended");
        env.client
            .publish("c", "t", "x")
            .await
            .expect("served again");
    })
    .await;
}

#[tokio::test]
async fn a_refusal_on_the_shared_listener_needs_a_duration_and_ends_by_itself() {
    bounded(async {
        let env = start(Emulator::builder()).await;
        let err = env
            .admin
            .start_outage(&outage(aw::OutageMode::Refuse))
            .await
            .unwrap_err();
        assert_eq!(err.status(), Some(400));

        env.admin
            .start_outage(&aw::OutageRequest {
                duration_ms: std::num::NonZeroU64::new(400),
                ..outage(aw::OutageMode::Refuse)
            })
            .await
            .expect("outage started");
        let started = Instant::now();
        let refused = TcpStream::connect(env.emu.local_addr()).await;
        assert_eq!(
            refused.err().map(|e| e.kind()),
            Some(std::io::ErrorKind::ConnectionRefused)
        );
        loop {
            if TcpStream::connect(env.emu.local_addr()).await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{:?}",
            started.elapsed()
        );
        env.client
            .publish("c", "t", "x")
            .await
            .expect("served again");
    })
    .await;
}

#[tokio::test]
async fn a_subscription_waiting_through_an_outage_resumes_without_loss() {
    bounded(async {
        let env = start(with_admin_listener()).await;
        let page = env
            .admin
            .inspect_topic("c", "t")
            .await
            .unwrap()
            .sequence_page;
        let from_first = momento_http::Cursor {
            sequence_number: 1,
            sequence_page: page,
        };
        let mut events = env.client.subscribe_from("c", "t", from_first);
        // Polled all along, as an application would: (value, retries so far).
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let reader = tokio::spawn(async move {
            while let Some(event) = events.next().await {
                match event {
                    Ok(TopicEvent::Item { value, .. }) => {
                        let _ = tx.send(Ok((value, events.retries())));
                    }
                    Ok(_) => {}
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        return;
                    }
                }
            }
        });
        env.client.publish("c", "t", "a").await.expect("published");
        let (a, _) = rx.recv().await.expect("an event").expect("no error");
        assert_eq!(a, TopicValue::Text("a".into()));
        for mode in [
            aw::OutageMode::Unavailable,
            aw::OutageMode::Refuse,
            aw::OutageMode::Hang,
        ] {
            env.admin
                .start_outage(&outage(mode))
                .await
                .expect("outage started");
            // Long enough for the waiting poll and a retry to meet it.
            tokio::time::sleep(Duration::from_millis(400)).await;
            env.admin.end_outage().await.expect("outage ended");
        }
        env.client.publish("c", "t", "b").await.expect("published");
        let (b, retries) = rx
            .recv()
            .await
            .expect("an event")
            .expect("the subscription lives");
        assert_eq!(b, TopicValue::Text("b".into()));
        assert!(retries >= 3, "each outage was met and retried: {retries}");
        reader.abort();
    })
    .await;
}
