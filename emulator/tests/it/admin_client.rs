//! `EmulatorAdmin` (over the client generated from
//! openapi/emulator-admin.yaml) against the emulator: every operation, so the
//! spec, the typed client and the server agree.

use crate::common::*;
use momento_http::admin_wire as aw;
use std::time::Duration;

#[tokio::test]
async fn the_admin_client_drives_every_operation() {
    let env = start().await;
    let admin = &env.admin;
    assert_eq!(admin.health().await.unwrap().status, "ok");
    assert!(
        admin
            .get_openapi()
            .await
            .unwrap()
            .contains("operationId: publish")
    );
    admin.create_cache("d").await.unwrap();
    assert_eq!(admin.list_caches().await.unwrap(), ["c", "d"]);
    let err = admin.delete_cache("nope").await.unwrap_err();
    assert_eq!(err.status(), Some(404), "{err}");
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
        .unwrap();
    assert_eq!(minted.token_id, "t1");
    assert_eq!(env.publish_with(&minted.api_key, "c", "t", "x").await, 204);

    let state = admin.inspect_topic("c", "t").await.unwrap();
    assert_eq!((state.next_sequence_number, state.buffered), (2, 1));
    let evicted = admin.evict_messages("c", "t", 1).await.unwrap();
    assert_eq!(evicted.buffered, 0);
    let reset = admin.reset_topic("c", "t").await.unwrap();
    assert_ne!(reset.sequence_page, state.sequence_page);
    assert_eq!(reset.next_sequence_number, 1);

    admin
        .set_long_poll_wait(Duration::from_millis(100))
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

    let id = aw::WebhookId {
        cache_name: "c".into(),
        webhook_name: "w".into(),
    };
    let secret = admin
        .put_webhook(&aw::Webhook {
            id: id.clone(),
            topic_name: "t".into(),
            destination: aw::PostUrl {
                post_url: "http://127.0.0.1:9/hook".into(),
            },
        })
        .await
        .unwrap();
    let listed = admin.list_webhooks("c").await.unwrap();
    assert_eq!(listed[0].id.webhook_name, "w");
    assert_eq!(admin.get_webhook_secret(&id).await.unwrap().secret, secret);
    let rotated = admin.rotate_webhook_secret(&id).await.unwrap();
    assert_ne!(rotated.secret, secret);
    admin.delete_webhook(&id).await.unwrap();
    assert!(admin.list_webhooks("c").await.unwrap().is_empty());
    // Nothing was published on "t" while the webhook existed: no record.
    assert!(admin.list_deliveries().await.unwrap().is_empty());
}
