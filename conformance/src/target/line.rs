//! A connection of a check's own, opened before the request that needs it.
//!
//! A poll a check publishes into must be waiting on the endpoint when the
//! publish arrives. Sent on a cold connection, its request may spend
//! longer in the handshake (a far region, TLS) than any fixed head start,
//! and a poll from now on then misses what it was sent to receive. So a
//! suite subscriber polls on a [`Line`] of its own, warmed by one request
//! first: the poll goes out on an open connection, and the warm-up's round
//! trip tells the check how long to give it.

use super::Target;
use super::pacer::Lane;
use crate::failure::Failure;
use crate::request::Req;
use std::time::Duration;

/// A connection pool of one check's own (one connection at a time for
/// HTTP/1.1: a long poll holds it).
#[derive(Clone, Debug)]
pub struct Line {
    pub(super) http: reqwest::Client,
}

impl Target {
    /// A line to the endpoint, not yet connected.
    pub fn line(&self) -> Line {
        Line {
            http: super::http_client(),
        }
    }

    /// Open `line` with one request (a publish to a topic nobody reads:
    /// every endpoint answers it at once); its round trip, the connection's
    /// set-up included.
    pub async fn warm(&self, line: &Line) -> Result<Duration, Failure> {
        let topic = self.fresh_topic("warm-up");
        let req = Req::publish_text(&self.cache, &topic, self.token(), "warm-up");
        // Any answer leaves the connection open; its status is not judged.
        let resp = self.send_on(line, &req, Lane::InTurn).await?;
        Ok(resp.elapsed)
    }
}
