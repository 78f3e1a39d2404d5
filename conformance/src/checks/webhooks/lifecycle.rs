//! A webhook's life (docs/api.md §6): after rotate-secret the new secret
//! signs and the old does not; after delete nothing is delivered.

use super::fail;
use super::receiver::{Receiver, hmac_sha3_hex};
use super::registration::{delete_webhook, put_webhook, webhook_id};
use crate::checks::publish_ok;
use crate::failure::CheckError;
use crate::target::{Target, admin_failed};
use std::sync::Arc;
use std::time::Duration;

pub(super) async fn rotation(t: Arc<Target>) -> Result<(), CheckError> {
    let mut r = Receiver::start(200, Duration::ZERO).await?;
    let hook = put_webhook(&t, "wh-rotate", &r.url).await?;
    let rotated = t
        .admin()?
        .rotate_webhook_secret(&webhook_id(&t, &hook.name))
        .await
        .map_err(|e| admin_failed("rotateWebhookSecret", e))?;
    publish_ok(&t, &hook.topic, "after rotation").await?;
    let got = r.next_post(Duration::from_secs(3)).await;
    delete_webhook(&t, &hook).await?;
    let Some((sig, body)) = got else {
        return Err(fail(
            "a publish after rotation is delivered",
            "one POST within 3 s",
            "nothing",
        ));
    };
    let (old, new) = (&hook.secret, &rotated.secret);
    let sig = sig.unwrap_or_default();
    if new.is_empty()
        || new == old
        || sig != hmac_sha3_hex(new, &body)
        || sig == hmac_sha3_hex(old, &body)
    {
        return Err(fail(
            "after rotate-secret the new secret verifies and the old one does not",
            "signature == HMAC(new secret), != HMAC(old secret)",
            format!(
                "rotation answered a {} secret; signature {sig}",
                if new == old { "unchanged" } else { "new" }
            ),
        ));
    }
    Ok(())
}

pub(super) async fn delete_stops(t: Arc<Target>) -> Result<(), CheckError> {
    let mut r = Receiver::start(200, Duration::ZERO).await?;
    let hook = put_webhook(&t, "wh-delete", &r.url).await?;
    delete_webhook(&t, &hook).await?;
    publish_ok(&t, &hook.topic, "after delete").await?;
    if let Some((_, body)) = r.next_post(Duration::from_secs(1)).await {
        return Err(fail(
            "a deleted webhook receives nothing",
            "no POST within 1 s",
            format!("POST {:?}", String::from_utf8_lossy(&body)),
        ));
    }
    Ok(())
}
