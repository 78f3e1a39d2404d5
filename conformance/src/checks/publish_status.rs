//! Publish statuses (SPEC §3): 204 for text and bytes, 400 over the payload
//! limit, 404 for an unknown cache, 429 and 500 through fault injection.

use super::check;
use crate::registry::Check;
use crate::target::{CheckError, Failure, Req, Target};
use serde_json::json;
use std::sync::Arc;

pub(super) fn checks() -> Vec<Check> {
    vec![
        check!("publish.text.204", D, "§3", false, text_204),
        check!("publish.bytes.204", D, "§3", false, bytes_204),
        check!("publish.payload-at-limit.204", C, "§3", false, at_limit_204),
        check!(
            "publish.payload-over-limit.400",
            D,
            "§3",
            false,
            over_limit_400
        ),
        check!(
            "publish.payload-over-limit.names-limit",
            C,
            "§3",
            false,
            over_limit_names_limit
        ),
        check!(
            "publish.form-content-type.stored-as-text",
            C,
            "§3",
            false,
            form_type_is_text
        ),
        check!(
            "publish.unknown-cache.404",
            D,
            "§3",
            false,
            unknown_cache_404
        ),
        check!("publish.rate-limit.429", D, "§3 §8", true, fault_429),
        check!("publish.server-error.500", D, "§3", true, fault_500),
        check!(
            "publish.invalid-utf8-text.400",
            C,
            "§3",
            false,
            invalid_utf8_400
        ),
        check!(
            "publish.whitespace-topic.400",
            I,
            "§3",
            false,
            whitespace_topic_400
        ),
    ]
}

async fn text_204(t: Arc<Target>) -> Result<(), CheckError> {
    let topic = t.fresh_topic("text");
    let req = Req::publish_text(&t.cache, &topic, t.token(), "hello world");
    t.expect_status("publish of text/plain answers 204 No Content", &req, 204)
        .await?;
    Ok(())
}

async fn bytes_204(t: Arc<Target>) -> Result<(), CheckError> {
    let topic = t.fresh_topic("bytes");
    let req = Req::publish_bytes(&t.cache, &topic, t.token(), &[0, 159, 146, 150, 255]);
    t.expect_status(
        "publish of application/octet-stream answers 204 No Content",
        &req,
        204,
    )
    .await?;
    Ok(())
}

async fn at_limit_204(t: Arc<Target>) -> Result<(), CheckError> {
    let topic = t.fresh_topic("at-limit");
    let req = Req::publish_bytes(&t.cache, &topic, t.token(), &[b'x'; 4096]);
    t.expect_status(
        "a 4096-byte payload (the 4 KB limit) is accepted",
        &req,
        204,
    )
    .await?;
    Ok(())
}

fn over_limit_req(t: &Target) -> Req {
    let topic = t.fresh_topic("over-limit");
    Req::publish_bytes(&t.cache, &topic, t.token(), &[b'x'; 5000])
}

async fn over_limit_400(t: Arc<Target>) -> Result<(), CheckError> {
    let req = over_limit_req(&t);
    t.expect_status("a payload over 4 KB is refused with 400", &req, 400)
        .await?;
    Ok(())
}

async fn over_limit_names_limit(t: Arc<Target>) -> Result<(), CheckError> {
    let req = over_limit_req(&t);
    let resp = t
        .expect_status("a payload over 4 KB is refused with 400", &req, 400)
        .await?;
    let body = resp.body_text().to_lowercase();
    if !(body.contains("4096") || body.contains("4 kb") || body.contains("4kb")) {
        return Err(t
            .fail(
                "the 400 for an oversized payload names the limit",
                "a body mentioning 4096 bytes (or 4 KB)",
                &req,
                &resp,
            )
            .into());
    }
    Ok(())
}

async fn form_type_is_text(t: Arc<Target>) -> Result<(), CheckError> {
    let topic = t.fresh_topic("form");
    let batch = {
        let t2 = t.clone();
        let topic2 = topic.clone();
        let poller = tokio::spawn(async move { super::poll(&t2, &topic2, 0, 0).await });
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let req = Req {
            content_type: Some("application/x-www-form-urlencoded".into()),
            ..Req::publish_text(&t.cache, &topic, t.token(), "curl-default")
        };
        t.expect_status(
            "a publish with curl's default form Content-Type and a UTF-8 body answers 204",
            &req,
            204,
        )
        .await?;
        poller.await.map_err(|e| {
            CheckError::Fail(Failure {
                behaviour: "subscriber task".into(),
                expected: "an answer".into(),
                actual: e.to_string(),
                repro: None,
            })
        })??
    };
    let items = super::items(&batch.events);
    if items.first().map(|i| i.2.as_str()) != Some("curl-default") {
        return Err(super::batch_fail(
            &t,
            "a form-typed UTF-8 publish is delivered as text",
            "an item with value {\"text\": \"curl-default\"}",
            &batch,
        ));
    }
    Ok(())
}

async fn unknown_cache_404(t: Arc<Target>) -> Result<(), CheckError> {
    let req = Req::publish_text(&t.missing_cache(), "t", t.token(), "x");
    t.expect_status(
        "publish to an unknown cache answers 404 (Cache Not Found)",
        &req,
        404,
    )
    .await?;
    Ok(())
}

async fn fault_429(t: Arc<Target>) -> Result<(), CheckError> {
    let topic = t.fresh_topic("pub-429");
    let req = Req::publish_text(&t.cache, &topic, t.token(), "x");
    super::injected_429_has_retry_after(&t, "publish", &topic, req).await
}

async fn fault_500(t: Arc<Target>) -> Result<(), CheckError> {
    let topic = t.fresh_topic("pub-500");
    t.inject_fault("publish", &topic, 1, json!({"status": 500}))
        .await?;
    let req = Req::publish_text(&t.cache, &topic, t.token(), "x");
    t.expect_status("a server fault on publish answers 500", &req, 500)
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

async fn invalid_utf8_400(t: Arc<Target>) -> Result<(), CheckError> {
    let topic = t.fresh_topic("bad-utf8");
    let req = Req {
        content_type: Some("application/x-www-form-urlencoded".into()),
        ..Req::publish_bytes(&t.cache, &topic, t.token(), &[0xff, 0xfe, 0x80])
    };
    t.expect_status(
        "a non-binary Content-Type with a body that is not UTF-8 answers 400",
        &req,
        400,
    )
    .await?;
    Ok(())
}

async fn whitespace_topic_400(t: Arc<Target>) -> Result<(), CheckError> {
    let req = Req::publish_text(&t.cache, "   ", t.token(), "x");
    t.expect_status("a whitespace-only topic name answers 400", &req, 400)
        .await?;
    Ok(())
}
