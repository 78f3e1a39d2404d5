//! Failures built from a request and its answer, each with the `curl`
//! command that reproduces it (token as `$MOMENTO_API_KEY`).

use super::Target;
use crate::failure::{CheckError, Failure};
use crate::request::{Req, Resp};

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
        if resp.status != status {
            return Err(self
                .fail(behaviour, &format!("status {status}"), req, &resp)
                .into());
        }
        Ok(resp)
    }
}
