//! The suite can fail: pointed at a server that breaks documented
//! behaviours, the checks for those behaviours fail with messages naming them.

use axum::Router;
use axum::http::StatusCode;
use axum::routing::post;
use momento_http_conformance::checks;
use momento_http_conformance::registry::run_one;
use momento_http_conformance::report::{CheckResult, Outcome};
use momento_http_conformance::target::Target;
use std::sync::Arc;

/// Publish answers 200 instead of 204; errors are plain text; subscribe
/// never delivers anything.
async fn broken_server() -> String {
    let app = Router::new().route(
        "/topics/{cache}/{topic}",
        post(|| async { StatusCode::OK })
            .get(|| async { ([("content-type", "application/json")], r#"{"items": []}"#) }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

async fn run(id: &str) -> CheckResult {
    let url = broken_server().await;
    let target = Arc::new(Target::endpoint(&url, "secret-token", "cache", None).await);
    let check = checks::all()
        .into_iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no check {id}"));
    run_one(target, &check).await
}

#[tokio::test]
async fn a_publish_answering_200_fails_publish_text_204_naming_the_behaviour() {
    let r = run("publish.text.204").await;
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
async fn a_subscribe_that_never_delivers_fails_the_batch_check() {
    let r = run("subscribe.batch.200").await;
    assert_eq!(r.outcome, Outcome::Fail, "{r:?}");
    assert!(r.detail.contains("subscribe.batch.200"), "{}", r.detail);
}

#[tokio::test]
async fn a_server_that_ignores_unknown_caches_fails_the_404_check() {
    let r = run("subscribe.unknown-cache.404").await;
    assert_eq!(r.outcome, Outcome::Fail, "{r:?}");
    assert!(r.detail.contains("404"), "{}", r.detail);
}

#[tokio::test]
async fn a_failing_project_choice_on_another_server_is_reported_as_differs() {
    let r = run("subscribe.empty-batch-after-wait").await;
    assert_eq!(r.outcome, Outcome::Pass, "{r:?}");
    let r = run("publish.payload-over-limit.names-limit").await;
    assert_eq!(r.outcome, Outcome::Differs, "{r:?}");
}

#[tokio::test]
async fn admin_checks_are_skipped_with_the_reason_on_a_server_without_the_admin_api() {
    let r = run("auth.expired.401").await;
    assert_eq!(r.outcome, Outcome::Skip, "{r:?}");
    assert!(r.detail.contains("admin API"), "{}", r.detail);
}
