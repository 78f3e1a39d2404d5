//! The emulator's own behaviour, not certification: these checks arm the
//! emulator's fault injector (admin API) and then observe the answer it
//! injected, which proves the injector works and nothing about a target's
//! documented 429/500 (docs/api.md §9). They run wherever the admin API
//! answers, are marked C (the emulator's choice) and carry the `emulator.`
//! prefix so no report reads them as a certified status.

use super::check;
use crate::failure::CheckError;
use crate::registry::Check;
use crate::request::Req;
use crate::target::Target;
use momento_http::admin_wire::{FaultAction, FaultOperation};
use std::sync::Arc;

pub(super) fn checks() -> Vec<Check> {
    vec![
        check!(
            "emulator.publish.rate-limit.429",
            C,
            "§9",
            true,
            publish_429
        ),
        check!(
            "emulator.publish.server-error.500",
            C,
            "§9",
            true,
            publish_500
        ),
        check!(
            "emulator.subscribe.rate-limit.429",
            C,
            "§9",
            true,
            subscribe_429
        ),
        check!(
            "emulator.subscribe.server-error.500",
            C,
            "§9",
            true,
            subscribe_500
        ),
    ]
}

/// Arms a one-shot 429 fault for `operation` on `topic` and checks that
/// `req` is answered 429 with `Retry-After`.
pub(super) async fn injected_429_has_retry_after(
    t: &Target,
    operation: FaultOperation,
    topic: &str,
    req: Req,
) -> Result<(), CheckError> {
    let action = FaultAction {
        status: Some(429),
        retry_after_seconds: Some(1),
        ..FaultAction::default()
    };
    t.inject_fault(operation, topic, 1, action).await?;
    let req = Req {
        want_429: true,
        listener: None,
        ..req
    };
    let resp = t
        .expect_status(
            &format!("an injected 429 fault on {operation} answers 429"),
            &req,
            429,
        )
        .await?;
    if resp.header("retry-after").is_none() {
        return Err(t
            .fail(
                "an injected 429 carries Retry-After",
                "a Retry-After header",
                &req,
                &resp,
            )
            .into());
    }
    Ok(())
}

fn status(code: u16) -> FaultAction {
    FaultAction {
        status: Some(code),
        ..FaultAction::default()
    }
}

async fn publish_429(t: Arc<Target>) -> Result<(), CheckError> {
    let topic = t.fresh_topic("pub-429");
    let req = Req::publish_text(&t.cache, &topic, t.token(), "x");
    injected_429_has_retry_after(&t, FaultOperation::Publish, &topic, req).await
}

async fn publish_500(t: Arc<Target>) -> Result<(), CheckError> {
    let topic = t.fresh_topic("pub-500");
    t.inject_fault(FaultOperation::Publish, &topic, 1, status(500))
        .await?;
    let req = Req::publish_text(&t.cache, &topic, t.token(), "x");
    t.expect_status("an injected 500 fault on publish answers 500", &req, 500)
        .await?;
    // The fault was for one request only: the next publish succeeds.
    t.expect_status(
        "after a one-shot fault, publish answers 204 again",
        &req,
        204,
    )
    .await?;
    Ok(())
}

async fn subscribe_429(t: Arc<Target>) -> Result<(), CheckError> {
    let topic = t.fresh_topic("sub-429");
    let req = Req::subscribe(&t.cache, &topic, t.token(), 0, 0);
    injected_429_has_retry_after(&t, FaultOperation::Subscribe, &topic, req).await
}

async fn subscribe_500(t: Arc<Target>) -> Result<(), CheckError> {
    let topic = t.fresh_topic("sub-500");
    t.inject_fault(FaultOperation::Subscribe, &topic, 1, status(500))
        .await?;
    let req = Req::subscribe(&t.cache, &topic, t.token(), 0, 0);
    t.expect_status("an injected 500 fault on subscribe answers 500", &req, 500)
        .await?;
    Ok(())
}
