//! The generated admin client (from openapi/emulator-admin.yaml) against the
//! emulator: the spec and the server agree.

mod common;
use common::*;
use momento_http::admin_wire as aw;

#[tokio::test]
async fn the_generated_admin_client_drives_every_operation() {
    let env = start().await;
    let admin = aw::Client::new(&env.base);
    assert_eq!(admin.health().await.unwrap().into_inner().status, "ok");
    admin.create_cache("d").await.unwrap();
    assert_eq!(
        admin.list_caches().await.unwrap().into_inner().caches,
        vec!["c", "d"]
    );
    let err = admin.delete_cache("nope").await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    admin.delete_cache("d").await.unwrap();

    let minted = admin
        .mint_token(&aw::MintTokenRequest {
            caches: vec!["c".into()],
            role: aw::TokenRole::Publish,
            token_id: Some("t1".into()),
            topics: vec![],
            ttl_seconds: 60,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(minted.token_id, "t1");
    assert_eq!(env.publish_with(&minted.api_key, "c", "t", "x").await, 204);

    let state = admin.inspect_topic("c", "t").await.unwrap().into_inner();
    assert_eq!((state.next_sequence_number, state.buffered), (2, 1));
    let evicted = admin
        .evict_messages("c", "t", &aw::EvictRequest { count: 1 })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(evicted.buffered, 0);
    let reset = admin.reset_topic("c", "t").await.unwrap().into_inner();
    assert_ne!(reset.sequence_page, state.sequence_page);
    assert_eq!(reset.next_sequence_number, 1);

    admin
        .set_long_poll_wait(&aw::LongPollWait { millis: 100 })
        .await
        .unwrap();
    admin
        .inject_fault(&aw::FaultRequest {
            action: aw::FaultAction {
                status: Some(503),
                ..Default::default()
            },
            cache: None,
            count: std::num::NonZeroU32::new(1).unwrap(),
            operation: aw::FaultOperation::Publish,
            topic: None,
        })
        .await
        .unwrap();
    assert_eq!(env.publish("t", "x").await, 503);
    admin.clear_faults().await.unwrap();

    let put = admin
        .put_webhook(
            "c",
            "w",
            &aw::PutWebhookRequest {
                destination: aw::PostUrl {
                    post_url: "http://127.0.0.1:9/hook".into(),
                },
                topic_name: "t".into(),
            },
        )
        .await
        .unwrap()
        .into_inner();
    let listed = admin.list_webhooks("c").await.unwrap().into_inner();
    assert_eq!(listed.webhooks[0].id.webhook_name, "w");
    let secret = admin
        .get_webhook_secret("c", "w")
        .await
        .unwrap()
        .into_inner();
    assert_eq!(secret.secret, put.secret_string);
    let rotated = admin
        .rotate_webhook_secret("c", "w")
        .await
        .unwrap()
        .into_inner();
    assert_ne!(rotated.secret, put.secret_string);
    admin.delete_webhook("c", "w").await.unwrap();
    let _ = admin
        .list_deliveries()
        .await
        .unwrap()
        .into_inner()
        .deliveries;
    let _ = admin.get_openapi().await.unwrap();
}
