//! Logs never show a token, whichever way it was sent.

use crate::common::*;

#[tokio::test]
async fn no_token_reaches_the_logs() {
    let captured = capture_logs();

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

    let logs = captured.text();
    assert!(logs.contains("publish"), "nothing was logged: {logs}");
    for secret in [&env.key, &minted] {
        assert!(!logs.contains(secret.as_str()));
        assert!(!logs.contains(&secret[..20]));
    }
}
