//! A 429 is the endpoint's advice, not a failure (docs/api.md §8): in front
//! of the emulator sits a proxy that answers some requests 429 with
//! `Retry-After` in seconds, as an HTTP date, or none at all. The checks
//! still pass, every 429 is counted in the report's figures, and each
//! refused request was sent again no sooner than its `Retry-After` said.
//!
//! Cost: about 8 s (four 429s, each waited out).

use crate::support::forward::forward;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use momento_http_conformance::checks;
use momento_http_conformance::registry::{RunOptions, run_all};
use momento_http_conformance::report::Outcome;
use momento_http_conformance::target::{Pacing, Target};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

/// Which requests are refused: the 2nd, 6th, 10th and 14th data requests.
fn refused(n: usize) -> bool {
    n % 4 == 2 && n <= 14
}

#[derive(Default)]
struct Log {
    /// Data requests seen so far.
    requests: usize,
    /// Each 429 served: the request it refused, when, and the earliest
    /// time its `Retry-After` (1 s without one) allowed it again.
    refusals: Vec<(String, Instant, Instant)>,
    /// Every request forwarded, with when it came.
    forwarded: Vec<(String, Instant)>,
}

struct Proxy {
    upstream: String,
    http: reqwest::Client,
    log: Mutex<Log>,
}

async fn handle(
    State(proxy): State<Arc<Proxy>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if uri.path().starts_with("/_emulator") {
        // A plain endpoint: no admin API.
        return StatusCode::NOT_FOUND.into_response();
    }
    let what = format!("{method} {uri} {body:?}");
    let now = Instant::now();
    let refusal = {
        let mut log = proxy.log.lock().unwrap();
        log.requests += 1;
        let n = log.requests;
        if refused(n) {
            // Seconds, an HTTP date 3 s ahead (whole seconds: 2 to 3 s),
            // seconds, and none at all (the docs name none: the suite
            // waits 1 s).
            let (header, allowed) = match n {
                14 => (None, now + Duration::from_secs(1)),
                _ if n % 8 == 2 => (Some("1".to_owned()), now + Duration::from_secs(1)),
                _ => {
                    let at = SystemTime::now() + Duration::from_secs(3);
                    let date = httpdate::fmt_http_date(at);
                    let whole = httpdate::parse_http_date(&date).unwrap();
                    let ahead = whole.duration_since(SystemTime::now()).unwrap_or_default();
                    (Some(date), now + ahead)
                }
            };
            log.refusals.push((what.clone(), now, allowed));
            Some(header)
        } else {
            log.forwarded.push((what, now));
            None
        }
    };
    if let Some(retry_after) = refusal {
        let mut answer = (
            StatusCode::TOO_MANY_REQUESTS,
            r#"{"status":429,"title":"Too Many Requests","detail":"slow down"}"#,
        )
            .into_response();
        if let Some(retry_after) = retry_after {
            answer
                .headers_mut()
                .insert("retry-after", retry_after.parse().unwrap());
        }
        return answer;
    }
    forward(
        &proxy.http,
        method,
        format!("{}{uri}", proxy.upstream),
        &headers,
        body,
    )
    .await
}

#[tokio::test]
async fn a_throttled_endpoint_passes_and_every_429_is_counted_and_waited_out() {
    let emulator = momento_http_emulator::Emulator::builder()
        .cache("conf")
        // Longer than the longest advice (3 s): a publish held back by a
        // 429 still lands while the check's poll waits for it.
        .long_poll_wait(Duration::from_secs(5))
        .start()
        .await
        .unwrap();
    let proxy = Arc::new(Proxy {
        upstream: emulator.base_url(),
        http: momento_http::http_client_builder()
            .unwrap()
            .build()
            .unwrap(),
        log: Mutex::default(),
    });
    let app = Router::new().fallback(handle).with_state(proxy.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let target = Target::endpoint(&url, &emulator.api_key(), "conf", Pacing::UNPACED).await;
    let chosen = [
        "publish.text.204",
        "publish.bytes.204",
        "subscribe.text.round-trip",
        "subscribe.numbering.plus-one",
        "subscribe.long-poll.waits-for-publish",
        "cache.set.204",
        "cache.delete.204-then-miss",
    ];
    let checks: Vec<_> = checks::all()
        .into_iter()
        .filter(|c| chosen.contains(&c.id))
        .collect();
    assert_eq!(checks.len(), chosen.len(), "a chosen check was renamed");
    let options = RunOptions {
        concurrency: 1,
        ..RunOptions::default()
    };
    let report = tokio::time::timeout(
        Duration::from_secs(120),
        run_all(Arc::new(target), &checks, &options, |_| {}),
    )
    .await
    .expect("the run ends");

    let failed: Vec<_> = report
        .checks
        .iter()
        .filter(|c| c.outcome != Outcome::Pass)
        .collect();
    assert!(failed.is_empty(), "{failed:#?}");
    let log = proxy.log.lock().unwrap();
    assert_eq!(
        log.refusals.len(),
        4,
        "the run was too short to meet them all"
    );
    assert_eq!(report.figures.answered_429, 4);
    assert_eq!(report.figures.requests as usize, log.requests);
    assert!(
        report.closing_line().contains("4 answered 429"),
        "{}",
        report.closing_line()
    );
    // Instant and SystemTime are read a moment apart: a little slack.
    let slack = Duration::from_millis(20);
    for (what, refused_at, allowed) in &log.refusals {
        let again = log
            .forwarded
            .iter()
            .find(|(w, at)| w == what && *at + slack >= *allowed);
        let early = log
            .forwarded
            .iter()
            .find(|(w, at)| w == what && at > refused_at && *at + slack < *allowed);
        assert!(again.is_some(), "{what} was never sent again after its 429");
        assert!(
            early.is_none(),
            "{what} was sent again before its Retry-After allowed"
        );
    }
}
