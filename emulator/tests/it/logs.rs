//! Logs never show a token, whichever way it was sent.

use crate::common::*;
use std::io::Write;
use std::sync::{Arc, Mutex};

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
async fn no_token_reaches_the_logs() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let env = start().await;
    env.publish("t", "x").await;
    env.http
        .post(env.topic_url("c", "t"))
        .query(&[("token", &env.key)])
        .body("y")
        .send()
        .await
        .unwrap();
    env.http
        .post(env.topic_url("c", "t"))
        .header("authorization", format!("Bearer {}", env.key))
        .body("y")
        .send()
        .await
        .unwrap();
    env.http
        .get(env.topic_url("c", "t"))
        .query(&[("token", &env.key)])
        .send()
        .await
        .unwrap();
    let minted = env
        .mint(token(momento_http::admin_wire::TokenRole::Publish, 60))
        .await;
    env.publish_with(&minted, "c", "t", "z").await;

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("publish"), "nothing was logged: {logs}");
    for secret in [&env.key, &minted] {
        assert!(!logs.contains(secret.as_str()));
        assert!(!logs.contains(&secret[..20]));
    }
}
