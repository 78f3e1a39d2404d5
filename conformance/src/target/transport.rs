//! Sending a check's request: a turn in the suite's queue, the request on
//! the wire, the publish logged in the run's history, and a 429 taken as
//! the endpoint's advice (docs/api.md §8: exceeding a limit is answered
//! 429): every request waits as long as `Retry-After` asks, in either of
//! its forms, and this one is sent again.

use super::Target;
use super::line::Line;
use super::pacer::Lane;
use crate::failure::Failure;
use crate::history::payload_key;
use crate::request::{Req, Resp};
use serde::Serialize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

/// How often one request is sent again after a 429 before the 429 is its
/// answer.
pub const MAX_429_RETRIES: u32 = 5;

/// The wait after a 429 that gives no usable `Retry-After`.
pub const WAIT_WITHOUT_ADVICE: Duration = Duration::from_secs(1);

/// The longest `Retry-After` honoured: a longer one is read as this, so a
/// confused endpoint cannot park the run.
pub const MAX_ADVICE: Duration = Duration::from_secs(30);

/// What the run's requests met, counted as they go.
#[derive(Debug, Default)]
pub(super) struct Counters {
    requests: AtomicU64,
    throttled: AtomicU64,
}

/// The run's figures, for the report's summary.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RunFigures {
    /// The whole run's wall time.
    pub wall_time_ms: u64,
    /// Requests sent to the endpoint (the admin API's not counted).
    pub requests: u64,
    /// 429s the endpoint answered that no check asked for: each was
    /// waited out and sent again.
    pub answered_429: u64,
}

impl Target {
    /// Send a request: paced, and on a live target a 429 is waited out
    /// and sent again (at most [`MAX_429_RETRIES`] times) unless the check
    /// wants the 429. A publish is logged in the run's history: 2xx as
    /// published, no answer as maybe published.
    pub async fn send(&self, req: &Req) -> Result<Resp, Failure> {
        self.send_with(&self.shared.http, req, Lane::InTurn).await
    }

    /// [`Target::send`] ahead of every request queued in turn: a publish
    /// that a poll already waiting on the endpoint is owed.
    pub async fn send_ahead(&self, req: &Req) -> Result<Resp, Failure> {
        self.send_with(&self.shared.http, req, Lane::Ahead).await
    }

    /// [`Target::send`] on `line`, a connection of the check's own, in `lane`.
    pub async fn send_on(&self, line: &Line, req: &Req, lane: Lane) -> Result<Resp, Failure> {
        self.send_with(&line.http, req, lane).await
    }

    /// The figures so far, for a run that has lasted `wall_time`.
    pub fn figures(&self, wall_time: Duration) -> RunFigures {
        let c = &self.shared.figures;
        RunFigures {
            wall_time_ms: u64::try_from(wall_time.as_millis()).unwrap_or(u64::MAX),
            requests: c.requests.load(Ordering::Relaxed),
            answered_429: c.throttled.load(Ordering::Relaxed),
        }
    }

    /// Wait until this check has sent `count` requests in all, then
    /// `head_start` more: the poll a check spawned is on the wire, with
    /// time to reach the server, before the check publishes what it
    /// should receive. Counted from the send, not from the spawn, so the
    /// suite's queue does not eat the head start; and a poll answered 429
    /// meanwhile is waited for again once it is sent again.
    pub async fn head_start(&self, count: u64, head_start: Duration) {
        let mut count = count;
        loop {
            self.clock.wait_sent(count).await;
            tokio::time::sleep(head_start).await;
            if !self.clock.is_queued() {
                return;
            }
            count = self.clock.sent() + 1;
        }
    }

    async fn send_with(
        &self,
        http: &reqwest::Client,
        req: &Req,
        lane: Lane,
    ) -> Result<Resp, Failure> {
        let mut retries = 0;
        // After a 429, the request counts as waiting until it is sent again.
        let mut held: Option<super::clock::Queued<'_>> = None;
        loop {
            let turn = self
                .shared
                .pacer
                .turn(&self.clock, req.is_subscribe(), lane)
                .await;
            drop(held.take());
            self.clock.mark_sent();
            if let (Some(name), Some((cache, topic))) = (&req.listener, &req.topic) {
                // The poll goes out now: what is logged by now is owed to its
                // subscriber; before a poll from now on, nothing earlier is.
                let from_now = req
                    .query
                    .iter()
                    .any(|(k, v)| k == "sequence_number" && v == "0");
                self.with_history(cache, topic, |h| h.polled(name, from_now));
            }
            self.shared.figures.requests.fetch_add(1, Ordering::Relaxed);
            let resp = self.send_once(http, req).await;
            drop(turn);
            if let Some((cache, topic)) = req.topic.as_ref().filter(|_| req.is_publish()) {
                let key = payload_key(&req.body);
                self.with_history(cache, topic, |h| match &resp {
                    Ok(r) if (200..300).contains(&r.status) => h.publish(super::PUBLISHER, &key),
                    Ok(_) => {}
                    Err(_) => h.maybe_published(super::PUBLISHER, &key),
                });
            }
            let resp = resp?;
            if resp.status != 429 || req.want_429 || self.kind != super::TargetKind::Endpoint {
                return Ok(resp);
            }
            self.shared
                .figures
                .throttled
                .fetch_add(1, Ordering::Relaxed);
            if retries == MAX_429_RETRIES {
                return Ok(resp);
            }
            retries += 1;
            held = Some(self.clock.enter_queue());
            let wait = advice(&resp);
            self.shared.pacer.hold_until(Instant::now() + wait).await;
        }
    }

    async fn send_once(&self, http: &reqwest::Client, req: &Req) -> Result<Resp, Failure> {
        let url = format!("{}{}", self.base_url, req.path);
        let mut b = http.request(req.method.clone(), &url);
        let mut query = req.query.clone();
        match &req.auth {
            crate::request::Auth::None => {}
            crate::request::Auth::Header(t) => b = b.header("authorization", t),
            crate::request::Auth::Query(t) => query.push(("token".into(), t.clone())),
            crate::request::Auth::Both(t) => {
                b = b.header("authorization", t);
                query.push(("token".into(), t.clone()));
            }
        }
        if !query.is_empty() {
            b = b.query(&query);
        }
        if let Some(ct) = &req.content_type {
            b = b.header("content-type", ct);
        }
        if !req.body.is_empty() || req.method == reqwest::Method::POST {
            b = b.body(req.body.clone());
        }
        let sent = Instant::now();
        let resp = b.send().await.map_err(|e| Failure {
            behaviour: format!("{} {} could not be sent", req.method, req.path),
            expected: "an HTTP answer".into(),
            actual: format!("transport error: {e}"),
            repro: Some(self.curl(req)),
        })?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp.bytes().await.map_err(|e| Failure {
            behaviour: format!("{} {} body could not be read", req.method, req.path),
            expected: "a complete body".into(),
            actual: format!("transport error: {e}"),
            repro: Some(self.curl(req)),
        })?;
        Ok(Resp {
            status,
            headers,
            body,
            elapsed: sent.elapsed(),
        })
    }
}

/// How long a 429 asks to wait: its `Retry-After` (delay seconds or an
/// HTTP date), at most [`MAX_ADVICE`]; [`WAIT_WITHOUT_ADVICE`] without one.
fn advice(resp: &Resp) -> Duration {
    resp.header("retry-after")
        .and_then(|v| momento_http::parse_retry_after(&v, SystemTime::now()))
        .unwrap_or(WAIT_WITHOUT_ADVICE)
        .min(MAX_ADVICE)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttled(retry_after: Option<&str>) -> Resp {
        let mut headers = reqwest::header::HeaderMap::new();
        if let Some(v) = retry_after {
            headers.insert("retry-after", v.parse().unwrap());
        }
        Resp {
            status: 429,
            headers,
            body: Default::default(),
            elapsed: Duration::ZERO,
        }
    }

    #[test]
    fn a_429_is_waited_out_as_its_retry_after_says_in_either_form() {
        assert_eq!(advice(&throttled(Some("3"))), Duration::from_secs(3));
        let in_4s = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(4));
        let from_date = advice(&throttled(Some(&in_4s)));
        // The date has whole seconds: between 3 and 4 s from now.
        assert!(
            (Duration::from_secs(3)..=Duration::from_secs(4)).contains(&from_date),
            "{from_date:?}"
        );
        assert_eq!(advice(&throttled(None)), WAIT_WITHOUT_ADVICE);
        assert_eq!(advice(&throttled(Some("soon"))), WAIT_WITHOUT_ADVICE);
        assert_eq!(advice(&throttled(Some("3600"))), MAX_ADVICE);
    }
}
