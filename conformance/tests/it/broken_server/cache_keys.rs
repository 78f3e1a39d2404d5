//! A cache key is its bytes (docs/api.md §7): a server that folds keys to
//! lower case, normalises their Unicode or keeps their percent-escapes
//! undecoded passes every other cache check (their keys are lower-case
//! ASCII) and fails the key check of what it breaks, while the emulator
//! behind the same proxy passes all three (the map's unbroken
//! `Lenient(None)`).

use super::lenient::{Leniency, run_lenient};
use momento_http_conformance::report::{CheckResult, Outcome};
use std::collections::HashMap;

const CASE: &str = "cache.key.case-distinct";
const UNICODE: &str = "cache.key.unicode-forms-distinct";
const ESCAPES: &str = "cache.key.escapes-same-bytes";

/// Every cache check that does not judge keys as bytes, with the three key
/// checks.
const CACHE_CHECKS: &[&str] = &[
    "cache.set.204",
    "cache.get.hit.200-raw-bytes",
    "cache.get.miss.404-key-not-found",
    "cache.delete.204-then-miss",
    "cache.key-and-key-base64.same-item",
    "cache.binary.round-trip",
    "cache.auth.query-token.200",
    CASE,
    UNICODE,
    ESCAPES,
];

/// `broken` fails naming what it judges; every check not in `also` passes.
fn caught(r: &HashMap<String, CheckResult>, broken: &str, naming: &str, also: &[&str]) {
    for (id, result) in r {
        if also.contains(&id.as_str()) {
            continue;
        }
        if id == broken {
            assert_eq!(result.outcome, Outcome::Fail, "{result:?}");
            assert!(result.detail.contains(naming), "{}", result.detail);
        } else {
            assert_eq!(result.outcome, Outcome::Pass, "{id}: {result:?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_folding_key_case_fails_only_the_case_check() {
    let r = run_lenient(Leniency::FoldsKeyCase, CACHE_CHECKS).await;
    caught(&r, CASE, "differing only in case", &[]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_normalising_keys_fails_only_the_unicode_check() {
    let r = run_lenient(Leniency::NormalisesKeys, CACHE_CHECKS).await;
    caught(&r, UNICODE, "Unicode normalisation", &[]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_keeping_escapes_literal_fails_the_escapes_check() {
    let r = run_lenient(Leniency::KeepsEscapesLiteral, CACHE_CHECKS).await;
    // Every non-ASCII key is escaped on the wire: the Unicode check's
    // keys come back wrong too.
    caught(&r, ESCAPES, "percent-escaped another way", &[UNICODE]);
}
