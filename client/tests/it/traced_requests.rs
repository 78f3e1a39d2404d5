//! Requests are traced (operation, method, path, status) and the token never
//! reaches the logs, whichever placement is used.

use std::io::Write;
use std::sync::{Arc, Mutex};

use crate::common;
use crate::common::{bounded, client};
use futures::StreamExt as _;
use momento_http::AuthPlacement;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A writer that keeps everything logged, for inspection.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn spans_name_the_operation_and_never_the_token() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(401).set_body_string("expired"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    for placement in [AuthPlacement::Header, AuthPlacement::Query] {
        let client = client(&server, placement);
        assert!(bounded(client.publish("c", "t", "x")).await.is_err());
        let mut sub = client.subscribe("c", "t").messages();
        assert!(bounded(sub.next()).await.unwrap().is_err());
    }

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("momento_http.request"), "{logs}");
    assert!(
        logs.contains("operation=\"publish\"") || logs.contains("operation=publish"),
        "{logs}"
    );
    assert!(logs.contains("status=500"), "{logs}");
    let token = common::v1_key(&server.uri());
    assert!(!logs.contains(&token), "{logs}");
    assert!(!logs.contains(common::SECRET_JWT), "{logs}");
    assert!(!logs.contains("token="), "{logs}");
}
