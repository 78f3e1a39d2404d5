//! Failures built from a request and its answer, each with the `curl`
//! command that reproduces it (token as `$MOMENTO_API_KEY`).

use super::Target;
use crate::failure::{CheckError, Failure};
use crate::request::{Req, Resp};
use std::time::Duration;

impl Target {
    /// A curl command reproducing `req`, token as `$MOMENTO_API_KEY`.
    pub fn curl(&self, req: &Req) -> String {
        req.curl(&self.base_url)
    }

    /// A failure for `req` whose answer was `resp`.
    pub fn fail(&self, behaviour: &str, expected: &str, req: &Req, resp: &Resp) -> Failure {
        Failure {
            behaviour: behaviour.to_owned(),
            expected: expected.to_owned(),
            actual: resp.describe(),
            repro: Some(self.curl(req)),
        }
    }

    /// Expect `status` for `req`; on mismatch a failure naming `behaviour`.
    pub async fn expect_status(
        &self,
        behaviour: &str,
        req: &Req,
        status: u16,
    ) -> Result<Resp, CheckError> {
        let resp = self.send(req).await?;
        self.expect_answer(behaviour, req, resp, status)
    }

    /// [`Target::expect_status`] for an answer the check sent for itself
    /// (on a line of its own, or ahead of the queue).
    pub fn expect_answer(
        &self,
        behaviour: &str,
        req: &Req,
        resp: Resp,
        status: u16,
    ) -> Result<Resp, CheckError> {
        if resp.status != status {
            return Err(self
                .fail(behaviour, &format!("status {status}"), req, &resp)
                .into());
        }
        Ok(resp)
    }

    /// Expect `req` refused as `refusal` says: one request, two checks.
    pub async fn expect_refusal(
        &self,
        behaviour: &str,
        req: &Req,
        refusal: Refusal,
    ) -> Result<Resp, CheckError> {
        match refusal {
            Refusal::Status(status) => self.expect_status(behaviour, req, status).await,
            Refusal::Any => self.expect_refused(behaviour, req).await,
        }
    }

    /// Expect `req` refused: the docs state a requirement it breaks but not
    /// the status, so any 4xx is a refusal, a 429 too (a limit's refusal,
    /// docs/api.md §8; taken as the answer, not waited out). A subscribe
    /// still unanswered [`ACCEPTED_AFTER`] after it went out was taken as a
    /// long poll: accepted.
    pub async fn expect_refused(&self, behaviour: &str, req: &Req) -> Result<Resp, CheckError> {
        let req = Req {
            want_429: true,
            ..req.clone()
        };
        let expected = "a 4xx status: the request refused";
        let sent_before = self.clock().sent();
        let waiting = async {
            self.clock().wait_sent(sent_before + 1).await;
            tokio::time::sleep(ACCEPTED_AFTER).await;
        };
        let resp = tokio::select! {
            resp = self.send(&req) => resp?,
            () = waiting, if req.is_subscribe() => {
                return Err(Failure {
                    behaviour: behaviour.to_owned(),
                    expected: expected.into(),
                    actual: format!(
                        "no answer {} s after it went out: the endpoint took it as a long poll",
                        ACCEPTED_AFTER.as_secs()
                    ),
                    repro: Some(self.curl(&req)),
                }
                .into());
            }
        };
        if !(400..500).contains(&resp.status) {
            return Err(self.fail(behaviour, expected, &req, &resp).into());
        }
        Ok(resp)
    }
}

/// How long a subscribe that should be refused may go unanswered before it
/// counts as accepted (a refusal comes at once; a long poll waits).
pub const ACCEPTED_AFTER: Duration = Duration::from_secs(3);

/// How a check judges the answer to a request that breaks a documented
/// requirement whose status the docs leave open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Any refusal ([`Target::expect_refused`]): the D check.
    Any,
    /// The emulator's exact status: the C check beside it.
    Status(u16),
}
