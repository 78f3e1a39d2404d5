//! Publish statuses (docs/api.md §3): 204 for text and bytes, a refusal
//! over the payload limit, 404 for an unknown cache, and the project's
//! choices for form-typed bodies, invalid UTF-8 and whitespace names.
//! (429 and 500 are provoked only by the emulator's fault injector: see
//! `emulator.rs`.)

use super::{Subscriber, check};
use crate::failure::CheckError;
use crate::registry::Check;
use crate::request::Req;
use crate::target::Target;
use momento_http::wire::MAX_PUBLISH_PAYLOAD_BYTES;
use std::sync::Arc;

pub(super) fn checks() -> Vec<Check> {
    vec![
        check!("publish.text.204", D, "§3", false, text_204),
        check!("publish.bytes.204", D, "§3", false, bytes_204),
        check!("publish.payload-at-limit.204", C, "§3", false, at_limit_204),
        check!(
            "publish.payload-over-limit.refused",
            D,
            "§3",
            false,
            over_limit_refused
        ),
        check!(
            "publish.payload-over-limit.400",
            C,
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
        check!(
            "publish.invalid-utf8-text.400",
            C,
            "§3",
            false,
            invalid_utf8_400
        ),
        check!(
            "publish.whitespace-topic.400",
            C,
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
    let req = Req::publish_bytes(
        &t.cache,
        &topic,
        t.token(),
        &[b'x'; MAX_PUBLISH_PAYLOAD_BYTES],
    );
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

/// The 4 KB limit is documented as hard; the status is not: any 4xx (a
/// 429, "exceeding a limit", too).
async fn over_limit_refused(t: Arc<Target>) -> Result<(), CheckError> {
    let req = over_limit_req(&t);
    t.expect_refused("a payload over the 4 KB limit is refused", &req)
        .await?;
    Ok(())
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
    let sub = Subscriber::from_now(&t, &topic);
    let req = Req {
        content_type: Some("application/x-www-form-urlencoded".into()),
        ..Req::publish_text(&t.cache, &topic, t.token(), "curl-default")
    };
    let (_, batch) = super::poll_while(&t, sub, async || {
        let resp = t.send_ahead(&req).await?;
        t.expect_answer(
            "a publish with curl's default form Content-Type and a UTF-8 body answers 204",
            &req,
            resp,
            204,
        )
        .map(drop)
    })
    .await?;
    let as_text = batch.elements.iter().any(|e| {
        matches!(e, momento_http::wire::SubscribeElement::Item(i)
            if matches!(&i.value, momento_http::wire::TopicValue::Text(s) if s == "curl-default"))
    });
    if !as_text {
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

/// The docs call names "URL-safe strings" and say no more; refusing
/// whitespace-only names is the project's choice (client-side validation
/// in the SDKs is no evidence of what a server answers).
async fn whitespace_topic_400(t: Arc<Target>) -> Result<(), CheckError> {
    let req = Req::publish_text(&t.cache, "   ", t.token(), "x");
    t.expect_status("a whitespace-only topic name answers 400", &req, 400)
        .await?;
    Ok(())
}
