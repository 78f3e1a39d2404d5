//! The suite can fail: pointed at servers that break one rule each, the
//! checks for that rule fail with messages naming it.
//!
//! [`Fake`] is a small topic server, correct unless a [`Breakage`] says
//! otherwise: one per violation class (loss, phantom, reorder against
//! publish order, repeat, skipped numbers, no long-poll wait, a poll woken
//! late, silent stale page, discontinuity without its page, wrong `last`),
//! and an [`Outage`]
//! that cuts subscribe connections for a while.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use momento_http_conformance::checks;
use momento_http_conformance::registry::{RunOptions, run_all, run_one};
use momento_http_conformance::report::{CheckResult, Outcome};
use momento_http_conformance::target::{Pacing, Target};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Publish answers 200 instead of 204; errors are plain text; subscribe
/// never delivers anything.
async fn legacy_broken_server() -> String {
    let app = Router::new().route(
        "/topics/{cache}/{topic}",
        post(|| async { StatusCode::OK })
            .get(|| async { ([("content-type", "application/json")], r#"{"items": []}"#) }),
    );
    serve(app).await
}

async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
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

#[tokio::test]
async fn a_subscribe_body_the_schema_refuses_fails_naming_the_problem() {
    // One element with both keys, and a value with neither text nor binary.
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
    let url = serve(app).await;
    let target = Arc::new(Target::endpoint(&url, "secret-token", "cache", Pacing::UNPACED).await);
    let check = checks::all()
        .into_iter()
        .find(|c| c.id == "subscribe.batch.200")
        .unwrap();
    let r = run_one(target, &check).await;
    assert_eq!(r.outcome, Outcome::Fail, "{r:?}");
    assert!(r.detail.contains("SubscribeResponse"), "{}", r.detail);
    assert!(r.detail.contains("/items/0"), "names where: {}", r.detail);
}

// ---- one broken server per violation class ----

/// What the fake server gets wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Breakage {
    /// Nothing: the fake is correct.
    None,
    /// Every third publish is answered 204 and never delivered.
    Loss,
    /// After every second publish, a message nobody published.
    Phantom,
    /// Messages are numbered in pairs the other way round.
    Reorder,
    /// Every answer repeats the item before the first one it owes.
    Repeat,
    /// Numbers rise by 2.
    SkippedNumbers,
    /// A caught-up poll answers an empty batch at once.
    NoWait,
    /// A poll woken by a publish answers 1.5 s later.
    WokenLate,
    /// A stale page is served from the current page without a discontinuity.
    SilentStalePage,
    /// Discontinuities omit `new_sequence_page` (items carry pages).
    DiscontinuityWithoutPage,
    /// Discontinuities say `last_topic_sequence` N instead of N - 1.
    WrongLast,
}

const PAGE: u64 = 77;

#[derive(Default)]
struct TopicState {
    /// (number, payload) in order.
    messages: Vec<(u64, String)>,
    next: u64,
    publishes: u64,
    held: Option<String>,
}

/// Subscribe answers cut off mid-body (headers sent, then the connection
/// dies), from the `from_poll`-th subscribe request on, for `lasts`.
struct Outage {
    from_poll: u64,
    lasts: Duration,
    polls: std::sync::atomic::AtomicU64,
    started: std::sync::OnceLock<tokio::time::Instant>,
}

impl Outage {
    fn new(from_poll: u64, lasts: Duration) -> Outage {
        Outage {
            from_poll,
            lasts,
            polls: Default::default(),
            started: Default::default(),
        }
    }

    /// Counts a subscribe request; whether its connection is cut.
    fn cuts(&self) -> bool {
        let n = self.polls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        if n < self.from_poll {
            return false;
        }
        let started = *self.started.get_or_init(tokio::time::Instant::now);
        started.elapsed() < self.lasts
    }
}

/// A 200 whose body breaks off: the client sees its connection lost.
fn cut_connection() -> Response {
    let broken = futures::stream::once(async {
        Err::<axum::body::Bytes, _>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "outage",
        ))
    });
    (
        [("content-type", "application/json")],
        axum::body::Body::from_stream(broken),
    )
        .into_response()
}

struct Fake {
    breakage: Breakage,
    outage: Option<Outage>,
    topics: Mutex<HashMap<String, TopicState>>,
    changed: tokio::sync::Notify,
}

impl Fake {
    fn store(&self, topic: &str, text: String) {
        let mut all = self.topics.lock().unwrap();
        let t = all.entry(topic.to_owned()).or_default();
        if t.next == 0 {
            t.next = 1;
        }
        t.publishes += 1;
        let push = |t: &mut TopicState, p: String| {
            t.messages.push((t.next, p));
            t.next += if self.breakage == Breakage::SkippedNumbers {
                2
            } else {
                1
            };
        };
        match self.breakage {
            Breakage::Loss if t.publishes.is_multiple_of(3) => {}
            Breakage::Reorder => match t.held.take() {
                None => t.held = Some(text),
                Some(first) => {
                    push(t, text);
                    push(t, first);
                }
            },
            Breakage::Phantom => {
                push(t, text);
                if t.publishes.is_multiple_of(2) {
                    push(t, format!("phantom-{}", t.publishes));
                }
            }
            _ => push(t, text),
        }
        drop(all);
        self.changed.notify_waiters();
    }

    /// The answer to a poll naming `(n, p)`, or `None` to wait.
    fn answer(&self, topic: &str, n: u64, p: u64) -> Option<Vec<Value>> {
        let mut all = self.topics.lock().unwrap();
        let t = all.entry(topic.to_owned()).or_default();
        if t.next == 0 {
            t.next = 1;
        }
        let first = t.messages.first().map_or(t.next, |m| m.0);
        let item = |(seq, text): &(u64, String)| json!({"item": {"topic_sequence_number": seq, "sequence_page": PAGE, "value": {"text": text}}});
        let mut out = Vec::new();
        let from = if n == 0 {
            t.next
        } else {
            let stale = p != 0 && p != PAGE;
            let valid = n >= first && n <= t.next;
            if (stale && self.breakage != Breakage::SilentStalePage) || !valid {
                let last = if self.breakage == Breakage::WrongLast {
                    n
                } else {
                    n - 1
                };
                let mut d = json!({"last_topic_sequence": last, "new_topic_sequence": first});
                if self.breakage != Breakage::DiscontinuityWithoutPage {
                    d["new_sequence_page"] = json!(PAGE);
                }
                out.push(json!({ "discontinuity": d }));
                first
            } else {
                n
            }
        };
        let owed: Vec<&(u64, String)> = t.messages.iter().filter(|m| m.0 >= from).collect();
        if self.breakage == Breakage::Repeat
            && !owed.is_empty()
            && let Some(before) = t.messages.iter().rev().find(|m| m.0 < from)
        {
            out.push(item(before));
        }
        out.extend(owed.into_iter().map(item));
        if out.is_empty() {
            if self.breakage == Breakage::NoWait {
                return Some(out);
            }
            return None;
        }
        Some(out)
    }
}

async fn fake_publish(
    State(fake): State<Arc<Fake>>,
    Path((cache, topic)): Path<(String, String)>,
    body: String,
) -> Response {
    if cache != "cache" {
        return (StatusCode::NOT_FOUND, "Cache Not Found").into_response();
    }
    fake.store(&topic, body);
    StatusCode::NO_CONTENT.into_response()
}

async fn fake_subscribe(
    State(fake): State<Arc<Fake>>,
    Path((cache, topic)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if cache != "cache" {
        return (StatusCode::NOT_FOUND, "Cache Not Found").into_response();
    }
    if fake.outage.as_ref().is_some_and(Outage::cuts) {
        return cut_connection();
    }
    let num = |k: &str| q.get(k).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    let (mut n, p) = (num("sequence_number"), num("sequence_page"));
    if n == 0 {
        // From now on: the next number.
        let mut all = fake.topics.lock().unwrap();
        let t = all.entry(topic.clone()).or_default();
        n = t.next.max(1);
    }
    let deadline = tokio::time::Instant::now() + Duration::from_millis(300);
    let items = loop {
        let notified = fake.changed.notified();
        if let Some(items) = fake.answer(&topic, n, p) {
            break items;
        }
        if tokio::time::timeout_at(deadline, notified).await.is_err() {
            break fake.answer(&topic, n, p).unwrap_or_default();
        }
        if fake.breakage == Breakage::WokenLate {
            tokio::time::sleep(Duration::from_millis(1500)).await;
        }
    };
    (
        [("content-type", "application/json")],
        json!({ "items": items }).to_string(),
    )
        .into_response()
}

/// Run `ids` (the run-wide history checks included when named) against a
/// fake server with `breakage`.
async fn run_broken(breakage: Breakage, ids: &[&str]) -> HashMap<String, CheckResult> {
    run_broken_with(breakage, None, ids).await
}

/// [`run_broken`], with subscribe connections cut as `outage` says.
async fn run_broken_with(
    breakage: Breakage,
    outage: Option<Outage>,
    ids: &[&str],
) -> HashMap<String, CheckResult> {
    let fake = Arc::new(Fake {
        breakage,
        outage,
        topics: Mutex::new(HashMap::new()),
        changed: tokio::sync::Notify::new(),
    });
    let app = Router::new()
        .route(
            "/topics/{cache}/{topic}",
            post(fake_publish).get(fake_subscribe),
        )
        .with_state(fake);
    let url = serve(app).await;
    let target = Arc::new(Target::endpoint(&url, "secret-token", "cache", Pacing::UNPACED).await);
    let chosen: Vec<_> = checks::all()
        .into_iter()
        .filter(|c| ids.contains(&c.id))
        .collect();
    assert_eq!(chosen.len(), ids.len(), "a check id is misspelt in {ids:?}");
    let report = tokio::time::timeout(
        Duration::from_secs(30),
        run_all(target, &chosen, &RunOptions::default(), |_| {}),
    )
    .await
    .expect("the checks finish");
    report
        .checks
        .into_iter()
        .map(|r| (r.id.clone(), r))
        .collect()
}

/// `id` did not pass, and its detail names every word of `naming`.
fn caught(results: &HashMap<String, CheckResult>, id: &str, naming: &[&str]) {
    let r = &results[id];
    assert!(
        matches!(r.outcome, Outcome::Fail | Outcome::Differs),
        "{id} should have caught it: {r:?}"
    );
    for word in naming {
        assert!(
            r.detail.contains(word),
            "{id} should name {word:?}: {}",
            r.detail
        );
    }
}

const DELIVERY: &str = "subscribe.history.delivery";
const NUMBERING: &str = "subscribe.history.numbering";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_loses_messages_is_caught_by_the_run_wide_delivery_check() {
    let r = run_broken(
        Breakage::Loss,
        &[
            "subscribe.subscribers-agree",
            "subscribe.numbering.plus-one",
            DELIVERY,
        ],
    )
    .await;
    caught(&r, DELIVERY, &["lost:"]);
    caught(&r, "subscribe.subscribers-agree", &["lost:"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_delivers_unpublished_messages_is_caught_as_phantom() {
    let r = run_broken(
        Breakage::Phantom,
        &["subscribe.subscribers-agree", DELIVERY],
    )
    .await;
    caught(&r, DELIVERY, &["phantom:"]);
    caught(&r, "subscribe.subscribers-agree", &["phantom:"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_numbering_against_publish_order_is_caught() {
    let r = run_broken(
        Breakage::Reorder,
        &["subscribe.subscribers-agree", DELIVERY],
    )
    .await;
    caught(&r, "subscribe.subscribers-agree", &["publish order:"]);
    caught(&r, DELIVERY, &["publish order:"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_repeats_a_message_is_caught_as_duplicate() {
    let r = run_broken(
        Breakage::Repeat,
        &["subscribe.numbering.plus-one", DELIVERY],
    )
    .await;
    caught(&r, DELIVERY, &["duplicate:"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_skips_numbers_fails_plus_one_and_the_numbering_check() {
    let r = run_broken(
        Breakage::SkippedNumbers,
        &["subscribe.numbering.plus-one", NUMBERING, DELIVERY],
    )
    .await;
    caught(&r, "subscribe.numbering.plus-one", &["previous one + 1"]);
    caught(&r, NUMBERING, &["gap:"]);
    assert_eq!(
        r[DELIVERY].outcome,
        Outcome::Pass,
        "nothing was lost: {:?}",
        r[DELIVERY]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_poll_that_does_not_wait_differs_from_the_choice_and_is_no_d_failure() {
    // The length of an empty wait is undocumented (C): the D check cannot
    // publish into a waiting poll and says so; the C check names the wait.
    let r = run_broken(
        Breakage::NoWait,
        &[
            "subscribe.long-poll.waits-for-publish",
            "subscribe.empty-batch-after-wait",
        ],
    )
    .await;
    let d = &r["subscribe.long-poll.waits-for-publish"];
    assert_eq!(d.outcome, Outcome::Skip, "{d:?}");
    assert!(d.detail.contains("not documented"), "{}", d.detail);
    caught(&r, "subscribe.empty-batch-after-wait", &["waits"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_poll_woken_late_fails_the_long_poll_check() {
    // Woken by the publish, it answers 1.5 s later: the wait is not the
    // long poll the docs describe (answers once a message is there).
    let r = run_broken(
        Breakage::WokenLate,
        &["subscribe.long-poll.waits-for-publish"],
    )
    .await;
    let d = &r["subscribe.long-poll.waits-for-publish"];
    assert_eq!(d.outcome, Outcome::Fail, "{d:?}");
    caught(
        &r,
        "subscribe.long-poll.waits-for-publish",
        &["within 500 ms", "ms after it"],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_page_served_silently_is_caught() {
    let r = run_broken(
        Breakage::SilentStalePage,
        &["subscribe.discontinuity.stale-page", NUMBERING],
    )
    .await;
    caught(
        &r,
        "subscribe.discontinuity.stale-page",
        &["a discontinuity first"],
    );
    // A page change without its discontinuity is a page rule (I).
    caught(&r, NUMBERING, &["page change:"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_discontinuity_without_its_page_is_caught() {
    let r = run_broken(
        Breakage::DiscontinuityWithoutPage,
        &[
            "subscribe.discontinuity.future-number",
            "subscribe.discontinuity.next-item-carries-new",
            NUMBERING,
        ],
    )
    .await;
    caught(
        &r,
        "subscribe.discontinuity.future-number",
        &["new_sequence_page"],
    );
    caught(
        &r,
        "subscribe.discontinuity.next-item-carries-new",
        &["page"],
    );
    assert_eq!(
        r["subscribe.discontinuity.next-item-carries-new"].outcome,
        Outcome::Fail
    );
    // The number was right, the page missing: a page rule (I).
    caught(&r, NUMBERING, &["discontinuity mismatch:"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_discontinuity_with_the_wrong_last_is_caught() {
    let r = run_broken(
        Breakage::WrongLast,
        &["subscribe.discontinuity.future-number", NUMBERING],
    )
    .await;
    caught(
        &r,
        "subscribe.discontinuity.future-number",
        &["last_topic_sequence"],
    );
    // `last` as the subscriber's position is inferred (I).
    caught(&r, NUMBERING, &["wrong last:"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fake_without_breakage_passes_what_the_broken_ones_fail() {
    // So each failure above is the breakage's, not the fake's.
    let ids = [
        "subscribe.subscribers-agree",
        "subscribe.numbering.plus-one",
        "subscribe.long-poll.waits-for-publish",
        "subscribe.discontinuity.stale-page",
        "subscribe.discontinuity.future-number",
        "subscribe.discontinuity.next-item-carries-new",
        DELIVERY,
        NUMBERING,
    ];
    let r = run_broken(Breakage::None, &ids).await;
    for id in ids {
        assert_eq!(r[id].outcome, Outcome::Pass, "{id}: {:?}", r[id]);
    }
}

// ---- connections lost under the suite's own subscribers ----

const PLUS_ONE: &str = "subscribe.numbering.plus-one";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_lost_for_a_while_is_named_with_its_duration_in_the_failure() {
    // The check's second poll (after its first answer) loses its connection
    // for 600 ms; the server also skips numbers, so the check fails, and its
    // detail says what the subscriber lost and for how long.
    let outage = Outage::new(2, Duration::from_millis(600));
    let r = run_broken_with(Breakage::SkippedNumbers, Some(outage), &[PLUS_ONE]).await;
    caught(
        &r,
        PLUS_ONE,
        &[
            "previous one + 1",
            "a subscriber waiting for #2 on page 77 lost its connection",
            "restored after",
            "failed polls",
        ],
    );
    let detail = &r[PLUS_ONE].detail;
    let away = detail
        .split("restored after ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or_else(|| panic!("no duration in: {detail}"));
    let millis = if let Some(ms) = away.strip_suffix("ms") {
        ms.parse::<f64>().unwrap()
    } else {
        away.strip_suffix('s').unwrap().parse::<f64>().unwrap() * 1000.0
    };
    assert!(millis >= 500.0, "away at least the outage: {detail}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_that_never_comes_back_fails_the_check_instead_of_hanging() {
    let started = std::time::Instant::now();
    let outage = Outage::new(2, Duration::from_secs(3600));
    let r = run_broken_with(Breakage::None, Some(outage), &[PLUS_ONE]).await;
    assert_eq!(r[PLUS_ONE].outcome, Outcome::Fail, "{:?}", r[PLUS_ONE]);
    caught(
        &r,
        PLUS_ONE,
        &[
            "connection is restored within",
            "a subscriber waiting for #2 on page 77 lost its connection",
            "not restored after",
            "failed polls",
        ],
    );
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "it gave up within its budget: {:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_restored_before_anything_was_missed_does_not_fail_a_correct_server() {
    // What the subscriber waited for arrives after the outage: the check
    // judges delivery, which was complete.
    let outage = Outage::new(2, Duration::from_millis(300));
    let r = run_broken_with(Breakage::None, Some(outage), &[PLUS_ONE]).await;
    assert_eq!(r[PLUS_ONE].outcome, Outcome::Pass, "{:?}", r[PLUS_ONE]);
}
