//! A server of the seeds' era: publish answers 200 instead of 204, errors
//! are plain text, and a subscribe answers `{"items": []}` at once.

use super::serve;
use crate::support::run::run_checks;
use axum::Router;
use axum::http::StatusCode;
use axum::routing::post;
use momento_http_conformance::checks;
use momento_http_conformance::registry::run_one;
use momento_http_conformance::report::{CheckResult, Outcome};
use momento_http_conformance::target::{Pacing, Target};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// Publish answers 200 instead of 204; errors are plain text; subscribe
/// never delivers anything.
pub async fn legacy_broken_server() -> String {
    let app = Router::new().route(
        "/topics/{cache}/{topic}",
        post(|| async { StatusCode::OK })
            .get(|| async { ([("content-type", "application/json")], r#"{"items": []}"#) }),
    );
    serve(app).await
}

async fn run_legacy(id: &str) -> CheckResult {
    let url = legacy_broken_server().await;
    let target = Arc::new(Target::endpoint(&url, "secret-token", "cache", Pacing::UNPACED).await);
    let check = checks::all()
        .into_iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no check {id}"));
    run_one(target, &check).await
}

#[tokio::test]
async fn a_publish_answering_200_fails_publish_text_204_naming_the_behaviour() {
    let r = run_legacy("publish.text.204").await;
    assert_eq!(r.outcome, Outcome::Fail, "{r:?}");
    assert!(r.detail.contains("publish.text.204"), "{}", r.detail);
    assert!(r.detail.contains("204 No Content"), "{}", r.detail);
    assert!(r.detail.contains("status 200"), "{}", r.detail);
    assert!(r.detail.contains("curl"), "{}", r.detail);
    assert!(r.detail.contains("$MOMENTO_API_KEY"), "{}", r.detail);
    assert!(
        !r.detail.contains("secret-token"),
        "token leaked: {}",
        r.detail
    );
}

#[tokio::test]
async fn a_subscribe_that_never_waits_is_not_judged_by_the_d_checks_but_named() {
    // Every poll answers `{"items": []}` at once: the check never has a
    // waiting poll to publish into, and how long an empty wait lasts is C.
    let r = run_legacy("subscribe.batch.200").await;
    assert_eq!(r.outcome, Outcome::Skip, "{r:?}");
    assert!(
        r.detail
            .contains("ended empty before the check could publish"),
        "{}",
        r.detail
    );
    assert!(
        r.detail.contains("subscribe.empty-batch-after-wait"),
        "{}",
        r.detail
    );
}

#[tokio::test]
async fn a_server_that_ignores_unknown_caches_fails_the_404_check() {
    let r = run_legacy("subscribe.unknown-cache.404").await;
    assert_eq!(r.outcome, Outcome::Fail, "{r:?}");
    assert!(r.detail.contains("404"), "{}", r.detail);
}

#[tokio::test]
async fn a_failing_project_choice_on_another_server_is_reported_as_differs() {
    // An empty batch at once: the project's choice is to wait first.
    let r = run_legacy("subscribe.empty-batch-after-wait").await;
    assert_eq!(r.outcome, Outcome::Differs, "{r:?}");
    let r = run_legacy("publish.payload-over-limit.names-limit").await;
    assert_eq!(r.outcome, Outcome::Differs, "{r:?}");
}

#[tokio::test]
async fn admin_checks_are_skipped_with_the_reason_on_a_server_without_the_admin_api() {
    let r = run_legacy("subscribe.discontinuity.after-reset").await;
    assert_eq!(r.outcome, Outcome::Skip, "{r:?}");
    assert!(r.detail.contains("admin API"), "{}", r.detail);
}

#[tokio::test]
async fn key_checks_without_a_key_are_skipped_naming_the_option() {
    let r = run_legacy("auth.expired.401").await;
    assert_eq!(r.outcome, Outcome::Skip, "{r:?}");
    assert!(r.detail.contains("--key expired=KEY"), "{}", r.detail);
}

#[tokio::test]
async fn a_key_handed_over_runs_the_check_against_the_endpoint() {
    // The legacy server accepts every token: an "expired" one too.
    let url = legacy_broken_server().await;
    let (role, key) = {
        let k = momento_http_conformance::target::KeyRole::parse_arg("expired=old-key").unwrap();
        (k.role, k.key)
    };
    let target = Target::endpoint(&url, "secret-token", "cache", Pacing::UNPACED)
        .await
        .with_key(role, key);
    let check = checks::all()
        .into_iter()
        .find(|c| c.id == "auth.expired.401")
        .unwrap();
    let r = run_one(Arc::new(target), &check).await;
    assert_eq!(r.outcome, Outcome::Fail, "{r:?}");
    assert!(r.detail.contains("status 200"), "{}", r.detail);
    assert!(!r.detail.contains("old-key"), "key leaked: {}", r.detail);
}

/// A server whose every subscribe answer has one element with both keys,
/// and a value with neither text nor binary.
async fn schema_refused_server() -> String {
    let app = Router::new().route(
        "/topics/{cache}/{topic}",
        post(|| async { StatusCode::NO_CONTENT }).get(|| async {
            (
                [("content-type", "application/json")],
                r#"{"items": [{"item": {"topic_sequence_number": 1, "value": {"number": 1}},
                               "discontinuity": {"last_topic_sequence": 0, "new_topic_sequence": 1}}]}"#,
            )
        }),
    );
    serve(app).await
}

/// Run `ids` against [`schema_refused_server`].
pub async fn run_schema_refused(ids: &[&str]) -> HashMap<String, CheckResult> {
    let url = schema_refused_server().await;
    let target = Target::endpoint(&url, "secret-token", "cache", Pacing::UNPACED).await;
    run_checks(target, ids, Duration::from_secs(30)).await
}

#[tokio::test]
async fn a_subscribe_body_the_schema_refuses_fails_naming_the_problem() {
    let r = &run_schema_refused(&["subscribe.batch.200"]).await["subscribe.batch.200"];
    assert_eq!(r.outcome, Outcome::Fail, "{r:?}");
    assert!(r.detail.contains("SubscribeResponse"), "{}", r.detail);
    assert!(r.detail.contains("/items/0"), "names where: {}", r.detail);
}
