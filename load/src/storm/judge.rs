//! The storm's rules: no 5xx, every 4xx a JSON error `{status, title,
//! detail}` with a non-empty detail (a bare 400 only for input that is not
//! HTTP), an answer to every well-framed request, and for an emulator
//! case the exact answer it requires.

use super::emulator_cases::{Expect, judge_expected};
use super::generate::{BadRequest, BodyMode};
use super::raw_http::Answer;

/// Why an answer breaks the rules, if it does.
pub fn judge(req: &BadRequest, answer: &Answer) -> Option<String> {
    if let (Some(expect), Answer::Response { status, body, .. }) = (&req.expect, answer) {
        let detail = serde_json::from_slice::<serde_json::Value>(body)
            .ok()
            .and_then(|v| v["detail"].as_str().map(str::to_owned))
            .unwrap_or_default();
        if let Some(why) = judge_expected(expect, *status, &detail) {
            return Some(why);
        }
    }
    match answer {
        Answer::Response {
            status,
            content_type,
            body,
        } => {
            if *status >= 500 {
                return Some(format!("{status} (5xx)"));
            }
            if (400..500).contains(status) {
                if req.malformed_http && body.is_empty() {
                    return None; // the HTTP layer's bare 400 for non-HTTP input
                }
                if req.head_only && body.is_empty() {
                    // HEAD answers have no body; the type must still say JSON.
                    return (!content_type.starts_with("application/json"))
                        .then(|| format!("{status} to HEAD with content-type {content_type:?}"));
                }
                if !content_type.starts_with("application/json") {
                    return Some(format!(
                        "{status} with content-type {content_type:?}, body {:?}",
                        String::from_utf8_lossy(&body[..body.len().min(200)])
                    ));
                }
                let v: serde_json::Value = match serde_json::from_slice(body) {
                    Ok(v) => v,
                    Err(e) => return Some(format!("{status}: body is not JSON ({e})")),
                };
                let detail_ok = v["detail"].as_str().is_some_and(|d| !d.trim().is_empty());
                if !detail_ok || v["title"].as_str().is_none() {
                    return Some(format!("{status}: JSON error without title/detail: {v}"));
                }
                if v["status"].as_u64() != Some(u64::from(*status)) {
                    return Some(format!("{status}: JSON error says status {}", v["status"]));
                }
            }
            None
        }
        Answer::Closed => {
            if req.malformed_http
                || matches!(req.mode, BodyMode::Truncated(_))
                || req.expect == Some(Expect::ClosedOr408)
            {
                None
            } else {
                Some("connection closed without an answer".into())
            }
        }
        Answer::Timeout => Some(match req.mode {
            BodyMode::Stall { within, .. } => {
                format!(
                    "a stalled request still open after {within:?} (neither closed nor answered)"
                )
            }
            _ => "no answer within 10 s".into(),
        }),
    }
}
