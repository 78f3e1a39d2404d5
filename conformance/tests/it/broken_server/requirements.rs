//! Documented requirements whose status the docs leave open (docs/api.md
//! §2, §7): a server that lets the request through fails the D check that
//! it be refused, while the C check of the exact status only differs. The
//! same checks pass the emulator behind the same proxy (the map's
//! unbroken `Lenient(None)`).

use super::lenient::{Leniency, run_lenient};
use momento_http_conformance::report::Outcome;

/// `refused` fails, naming the request let through; `status` differs.
async fn let_through(leniency: Leniency, refused: &str, status: &str) {
    let r = run_lenient(leniency, &[refused, status]).await;
    assert_eq!(r[refused].outcome, Outcome::Fail, "{:?}", r[refused]);
    assert!(
        r[refused].detail.contains("refused"),
        "{}",
        r[refused].detail
    );
    assert_eq!(r[status].outcome, Outcome::Differs, "{:?}", r[status]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_serving_requests_without_a_token_fails_the_token_requirement() {
    let_through(
        Leniency::AnonymousAsAccount,
        "auth.missing.publish.refused",
        "auth.missing.publish.401",
    )
    .await;
    let_through(
        Leniency::AnonymousAsAccount,
        "auth.missing.subscribe.refused",
        "auth.missing.subscribe.401",
    )
    .await;
    let_through(
        Leniency::AnonymousAsAccount,
        "cache.auth.no-token.refused",
        "cache.auth.no-token.401",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_with_a_default_ttl_fails_the_ttl_requirement() {
    let_through(
        Leniency::DefaultTtl,
        "cache.ttl.missing.refused",
        "cache.ttl.missing.400",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_picks_a_key_fails_the_one_key_requirement() {
    let_through(
        Leniency::FirstKeyWins,
        "cache.both-keys.refused",
        "cache.both-keys.400",
    )
    .await;
    let_through(
        Leniency::FirstKeyWins,
        "cache.no-key.refused",
        "cache.no-key.400",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_cuts_an_oversize_item_to_fit_fails_the_size_limit() {
    let_through(
        Leniency::TruncatesOversize,
        "cache.item.over-5mb.refused",
        "cache.item.over-5mb.400",
    )
    .await;
}
