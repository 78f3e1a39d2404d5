//! The cache faults: a set, a read, a delete, a key or a TTL handled the
//! way a real server could get wrong (docs/api.md §7).

use super::{Fault, Incoming, Proxy};
use crate::support::forward::Answer;
use axum::http::Method;

impl Proxy {
    /// A cache request answered with the cache fault.
    pub(super) async fn cache_answer(&self, mut req: Incoming) -> Answer {
        use base64::Engine as _;
        let (get, put, delete) = (
            req.method == Method::GET,
            req.method == Method::PUT,
            req.method == Method::DELETE,
        );
        match self.fault {
            Fault::SetAnswers200 if put => {
                let a = self.send(&req).await;
                if a.status.as_u16() == 204 {
                    return Answer::new(200, "text/plain", "");
                }
                a
            }
            Fault::HitServedAsBase64 if get => {
                let mut a = self.send(&req).await;
                if a.status.as_u16() == 200 {
                    a.body = base64::engine::general_purpose::STANDARD
                        .encode(&a.body)
                        .into();
                }
                a
            }
            Fault::MissWithoutBody if get => {
                let a = self.send(&req).await;
                let text = String::from_utf8_lossy(&a.body).to_lowercase();
                if a.status.as_u16() == 404 && text.contains("key not found") {
                    return Answer::new(404, "text/plain", "");
                }
                a
            }
            Fault::DeleteIgnored if delete && req.path == format!("/cache/{}", self.cache) => {
                Answer::new(204, "text/plain", "")
            }
            Fault::DeleteOfMissingKey404 if delete => {
                let lookup = Incoming {
                    method: Method::GET,
                    ..req.clone()
                };
                let found = self.send(&lookup).await;
                if found.status.as_u16() == 404 {
                    return found;
                }
                self.send(&req).await
            }
            Fault::Base64KeyUndecoded => {
                if let Some(encoded) = req.param("key_base64").map(str::to_owned) {
                    req.query.retain(|(n, _)| n != "key_base64");
                    req.set_param("key", encoded);
                }
                self.send(&req).await
            }
            Fault::TtlLimitOffByOne if put => {
                let ttl = req.param("ttl_seconds").and_then(|t| t.parse::<u64>().ok());
                if ttl.is_some_and(|t| t >= 86_400) {
                    return Answer::new(400, "text/plain", "ttl_seconds must be under 86400");
                }
                self.send(&req).await
            }
            Fault::TtlIgnored if put => {
                if req.param("ttl_seconds").is_some() {
                    req.set_param("ttl_seconds", "86400".into());
                }
                self.send(&req).await
            }
            Fault::ValueCutAtNul if put => {
                if let Some(nul) = req.body.iter().position(|&b| b == 0) {
                    req.body = req.body.slice(..nul);
                }
                self.send(&req).await
            }
            _ => self.send(&req).await,
        }
    }
}
