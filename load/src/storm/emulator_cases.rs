//! The hostile-client cases the emulator must answer exactly: requests the
//! HTTP layer refuses before routing (JSON 400/431/414, not an empty body),
//! a fault whose status cannot be an answer (400 at the admin API), a head
//! or body that stops arriving (closed, or a JSON 408, within the idle
//! timeout), a topic named with an encoded CR LF (accepted or 400; the log
//! probe in `log_probe` checks it never reaches the log raw), and invalid
//! percent-escapes (400 naming the byte).

use std::num::NonZeroU32;
use std::time::Duration;

use momento_http::admin_wire::{FaultAction, FaultOperation, FaultRequest};

use crate::seeded::Rng;

use super::CACHE;
use super::generate::{BadRequest, BodyMode, Tokens};

/// The one answer an emulator case allows (on top of the storm's rules).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expect {
    /// This status, as a JSON error.
    Json(u16),
    /// This status, as a JSON error whose detail contains the text.
    JsonNaming(u16, &'static str),
    /// Any 2xx, or a JSON 400.
    AcceptedOr400,
    /// The connection closed without an answer, or a JSON 408, before the
    /// deadline the send mode carries.
    ClosedOr408,
}

/// How long the storm's emulator waits for a head or body to arrive.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(2);

/// How much later than [`IDLE_TIMEOUT`] a stalled connection may be closed.
const SLACK: Duration = Duration::from_secs(3);

fn case(kind: &'static str, head: Vec<u8>, body: Vec<u8>, expect: Expect) -> BadRequest {
    BadRequest {
        kind,
        head,
        body,
        mode: BodyMode::Whole,
        malformed_http: false,
        head_only: false,
        expect: Some(expect),
    }
}

fn publish_head(target: &str, key: &str, extra: &str, len: usize) -> Vec<u8> {
    format!(
        "POST {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nAuthorization: {key}\r\nContent-Type: text/plain\r\n{extra}Content-Length: {len}\r\n\r\n"
    )
    .into_bytes()
}

/// A fault whose status no answer can have (a 1xx): the admin API must refuse it.
fn informational_fault(status: u16) -> Vec<u8> {
    let fault = FaultRequest {
        action: FaultAction {
            status: Some(status),
            ..FaultAction::default()
        },
        cache: Some("other".into()),
        count: NonZeroU32::MIN,
        operation: FaultOperation::Publish,
        topic: Some("storm-informational".into()),
    };
    serde_json::to_vec(&fault).unwrap_or_default()
}

/// How many kinds of emulator case there are.
pub const KINDS: u64 = 10;

/// One emulator case drawn from `rng`.
pub fn emulator_case(rng: &mut Rng, tokens: &Tokens) -> BadRequest {
    let which = rng.below(KINDS);
    numbered_case(which, rng, tokens)
}

/// One of each kind (the storm sends these first, so that even a short
/// storm tries every case).
pub fn every_case(tokens: &Tokens) -> Vec<BadRequest> {
    (0..KINDS)
        .map(|which| numbered_case(which, &mut Rng::new(which), tokens))
        .collect()
}

/// Emulator case number `which` (`0..KINDS`), its details drawn from `rng`.
fn numbered_case(which: u64, rng: &mut Rng, tokens: &Tokens) -> BadRequest {
    let key = &tokens.good;
    let get = |target: &str, extra: &str| {
        format!("GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nAuthorization: {key}\r\n{extra}\r\n")
            .into_bytes()
    };
    match which {
        0 => case(
            "header without colon",
            get("/topics/storm/t", "no colon here\r\n"),
            Vec::new(),
            Expect::Json(400),
        ),
        1 => case(
            "differing Content-Length",
            publish_head("/topics/storm/t", key, "Content-Length: 1\r\n", 2),
            b"ab".to_vec(),
            Expect::Json(400),
        ),
        2 => {
            let byte = rng.pick(&["\x01", "\x07", "\x1b", "\x7f"]);
            case(
                "control byte in path",
                get(&format!("/topics/storm/t{byte}x"), ""),
                Vec::new(),
                Expect::Json(400),
            )
        }
        3 => {
            let many: String = (0..101).map(|i| format!("X-H{i}: v\r\n")).collect();
            case(
                "101 headers",
                get("/topics/storm/t", &many),
                Vec::new(),
                Expect::Json(431),
            )
        }
        4 => {
            let long = format!("/topics/{CACHE}/{}", "a".repeat(70 * 1024));
            case(
                "70 KiB target",
                get(&long, ""),
                Vec::new(),
                Expect::Json(414),
            )
        }
        5 => {
            let status = if rng.one_in(2) { 100 } else { 101 };
            let body = informational_fault(status);
            let head = format!(
                "POST /_emulator/faults HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                body.len()
            );
            case("1xx fault", head.into_bytes(), body, Expect::Json(400))
        }
        6 => {
            let mut head = get("/topics/storm/t", "");
            // Up to, not including, the blank line, and a header cut in two.
            head.truncate(head.len() - 2);
            head.extend_from_slice(b"X-Partial: ha");
            BadRequest {
                mode: BodyMode::Stall {
                    body_bytes: 0,
                    within: IDLE_TIMEOUT + SLACK,
                },
                ..case("half-sent head", head, Vec::new(), Expect::ClosedOr408)
            }
        }
        7 => BadRequest {
            mode: BodyMode::Stall {
                body_bytes: 9,
                within: IDLE_TIMEOUT + SLACK,
            },
            ..case(
                "body 9 of 100 bytes",
                publish_head("/topics/storm/stalled", key, "", 100),
                vec![b'b'; 100],
                Expect::Json(408),
            )
        },
        8 => {
            let target = rng.pick(&[
                "/topics/storm/x%0D%0AINFO%20forged%20line",
                "/topics/x%0D%0AINFO%20forged/t",
                "/topics/storm/%0A%0Dx",
            ]);
            let mut req = case(
                "CR LF in a name",
                publish_head(target, key, "", 2),
                b"hi".to_vec(),
                Expect::AcceptedOr400,
            );
            if target.starts_with("/topics/x") {
                // No such cache: the 404 says so; the name must still be escaped.
                req.expect = None;
            }
            req
        }
        _ => {
            let target = rng.pick(&[
                "/topics/c/%zz",
                "/topics/c/a%",
                "/topics/storm/%zz",
                "/topics/storm/t%",
            ]);
            case(
                "invalid escape",
                publish_head(target, key, "", 2),
                b"hi".to_vec(),
                Expect::JsonNaming(400, "byte"),
            )
        }
    }
}

/// Why `status` breaks `expect` (the JSON shape is judged by the storm's
/// general rules; `detail` is the answer's detail, if any).
pub fn judge_expected(expect: &Expect, status: u16, detail: &str) -> Option<String> {
    match expect {
        Expect::Json(want) if status != *want => Some(format!("{status}, expected {want}")),
        Expect::JsonNaming(want, _) if status != *want => {
            Some(format!("{status}, expected {want}"))
        }
        Expect::JsonNaming(_, text) if !detail.contains(text) => Some(format!(
            "{status} whose detail does not name the {text}: {detail:?}"
        )),
        Expect::AcceptedOr400 if !(200..300).contains(&status) && status != 400 => {
            Some(format!("{status}, expected 2xx or 400"))
        }
        Expect::ClosedOr408 if status != 408 => {
            Some(format!("{status}, expected the connection closed or a 408"))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{Expect, KINDS, emulator_case, every_case, judge_expected};
    use crate::seeded::Rng;
    use crate::storm::Tokens;

    #[test]
    fn every_emulator_case_is_drawn_and_expects_an_exact_answer() {
        let tokens = Tokens {
            good: "k".into(),
            expired: "e".into(),
            subscribe_only: "s".into(),
            other_cache: "o".into(),
        };
        let mut rng = Rng::new(1);
        let kinds: std::collections::BTreeSet<_> = (0..500)
            .map(|_| emulator_case(&mut rng, &tokens).kind)
            .collect();
        assert_eq!(kinds.len() as u64, KINDS, "{kinds:?}");
        let every: std::collections::BTreeSet<_> =
            every_case(&tokens).into_iter().map(|c| c.kind).collect();
        assert_eq!(every, kinds);
        assert!(
            every_case(&tokens)
                .iter()
                .all(|c| c.expect.is_some() || c.kind == "CR LF in a name")
        );
    }

    #[test]
    fn a_wrong_status_or_a_detail_without_the_byte_breaks_the_rule() {
        assert!(judge_expected(&Expect::Json(431), 400, "").is_some());
        assert!(judge_expected(&Expect::Json(431), 431, "").is_none());
        assert!(judge_expected(&Expect::JsonNaming(400, "byte"), 400, "bad name").is_some());
        assert!(judge_expected(&Expect::JsonNaming(400, "byte"), 400, "at byte 10").is_none());
        assert!(judge_expected(&Expect::AcceptedOr400, 204, "").is_none());
        assert!(judge_expected(&Expect::AcceptedOr400, 404, "").is_some());
    }
}
