//! Credentials (docs/api.md §2): a token on every request, in exactly one
//! place; 401 for invalid or expired tokens (and, our choice, missing
//! ones), 403 out of scope.
//!
//! The expired, scoped and role-limited keys come from `--key NAME=KEY`
//! (so the checks run against a live endpoint) or are minted through the
//! emulator's admin API; without either the check skips and says which key
//! to pass.

use super::check;
use crate::failure::CheckError;
use crate::registry::Check;
use crate::request::{Auth, Req};
use crate::target::{KeyRole, Refusal, Target};
use std::sync::Arc;

pub(super) fn checks() -> Vec<Check> {
    vec![
        check!("auth.query-token.204", D, "§2", false, query_token),
        check!(
            "auth.both-placements.publish.400",
            D,
            "§2",
            false,
            both_publish
        ),
        check!(
            "auth.both-placements.subscribe.400",
            D,
            "§2",
            false,
            both_subscribe
        ),
        // Every request needs a token (D), but the docs give 401 for an
        // invalid or expired one only: refused is D, 401 the project's choice.
        check!(
            "auth.missing.publish.refused",
            D,
            "§2",
            false,
            missing_publish_refused
        ),
        check!(
            "auth.missing.publish.401",
            C,
            "§2",
            false,
            missing_publish_401
        ),
        check!(
            "auth.missing.subscribe.refused",
            D,
            "§2",
            false,
            missing_subscribe_refused
        ),
        check!(
            "auth.missing.subscribe.401",
            C,
            "§2",
            false,
            missing_subscribe_401
        ),
        check!("auth.invalid.401", D, "§2", false, invalid),
        check!("auth.expired.401", D, "§2", false, expired),
        check!("auth.out-of-scope-cache.403", D, "§2", false, out_of_scope),
        check!(
            "auth.subscribe-only-token.publish.403",
            D,
            "§2",
            false,
            wrong_role
        ),
        check!(
            "auth.publish-only-token.subscribe.403",
            D,
            "§2",
            false,
            publish_only_subscribes
        ),
    ]
}

async fn query_token(t: Arc<Target>) -> Result<(), CheckError> {
    let topic = t.fresh_topic("query");
    let req = Req::publish_text(&t.cache, &topic, t.token(), "q")
        .with_auth(Auth::Query(t.token().to_owned()));
    t.expect_status(
        "the token in the `token` query parameter is accepted",
        &req,
        204,
    )
    .await?;
    Ok(())
}

async fn both_publish(t: Arc<Target>) -> Result<(), CheckError> {
    let topic = t.fresh_topic("both");
    let req = Req::publish_text(&t.cache, &topic, t.token(), "x")
        .with_auth(Auth::Both(t.token().to_owned()));
    t.expect_status(
        "publish with the token in both the header and the query answers 400",
        &req,
        400,
    )
    .await?;
    Ok(())
}

async fn both_subscribe(t: Arc<Target>) -> Result<(), CheckError> {
    let topic = t.fresh_topic("both-sub");
    let req = Req::subscribe(&t.cache, &topic, t.token(), 0, 0)
        .with_auth(Auth::Both(t.token().to_owned()));
    t.expect_status(
        "subscribe with the token in both the header and the query answers 400",
        &req,
        400,
    )
    .await?;
    Ok(())
}

/// Every request carries a token (docs/api.md §2): a publish without one
/// is refused.
async fn missing_publish(t: &Target, refusal: Refusal) -> Result<(), CheckError> {
    let topic = t.fresh_topic("no-token");
    let req = Req::publish_text(&t.cache, &topic, "", "x").with_auth(Auth::None);
    t.expect_refusal("a publish without a token is refused", &req, refusal)
        .await?;
    Ok(())
}

async fn missing_publish_refused(t: Arc<Target>) -> Result<(), CheckError> {
    missing_publish(&t, Refusal::Any).await
}

async fn missing_publish_401(t: Arc<Target>) -> Result<(), CheckError> {
    missing_publish(&t, Refusal::Status(401)).await
}

/// A subscribe without a token is refused.
async fn missing_subscribe(t: &Target, refusal: Refusal) -> Result<(), CheckError> {
    let topic = t.fresh_topic("no-token-sub");
    let req = Req::subscribe(&t.cache, &topic, "", 0, 0).with_auth(Auth::None);
    t.expect_refusal("a subscribe without a token is refused", &req, refusal)
        .await?;
    Ok(())
}

async fn missing_subscribe_refused(t: Arc<Target>) -> Result<(), CheckError> {
    missing_subscribe(&t, Refusal::Any).await
}

async fn missing_subscribe_401(t: Arc<Target>) -> Result<(), CheckError> {
    missing_subscribe(&t, Refusal::Status(401)).await
}

async fn invalid(t: Arc<Target>) -> Result<(), CheckError> {
    let topic = t.fresh_topic("bad-token");
    let req = Req::publish_text(&t.cache, &topic, "not-a-token", "x");
    t.expect_status("publish with a malformed token answers 401", &req, 401)
        .await?;
    Ok(())
}

async fn expired(t: Arc<Target>) -> Result<(), CheckError> {
    let token = t.key(KeyRole::Expired).await?;
    let topic = t.fresh_topic("expired");
    let req = Req::publish_text(&t.cache, &topic, &token, "x");
    t.expect_status("publish with an expired token answers 401", &req, 401)
        .await?;
    Ok(())
}

async fn out_of_scope(t: Arc<Target>) -> Result<(), CheckError> {
    let token = t.key(KeyRole::OtherCache).await?;
    let topic = t.fresh_topic("scope");
    let req = Req::publish_text(&t.cache, &topic, &token, "x");
    t.expect_status(
        "publish with a valid token scoped to another cache answers 403",
        &req,
        403,
    )
    .await?;
    let req = Req::subscribe(&t.cache, &topic, &token, 0, 0);
    t.expect_status(
        "subscribe with a valid token scoped to another cache answers 403",
        &req,
        403,
    )
    .await?;
    Ok(())
}

async fn wrong_role(t: Arc<Target>) -> Result<(), CheckError> {
    let token = t.key(KeyRole::SubscribeOnly).await?;
    let topic = t.fresh_topic("role");
    let req = Req::publish_text(&t.cache, &topic, &token, "x");
    t.expect_status("publish with a subscribe-only token answers 403", &req, 403)
        .await?;
    Ok(())
}

async fn publish_only_subscribes(t: Arc<Target>) -> Result<(), CheckError> {
    let token = t.key(KeyRole::PublishOnly).await?;
    let topic = t.fresh_topic("role-sub");
    let req = Req::subscribe(&t.cache, &topic, &token, 0, 0);
    t.expect_status("subscribe with a publish-only token answers 403", &req, 403)
        .await?;
    Ok(())
}
