//! Every broken server of this binary by one name, with the checks it is
//! judged on: a [`Server`] runs a list of checks and says which of them it
//! can be held to (the checks a server of its kind passes when unbroken).

use super::fake::{Breakage, run_broken};
use super::faulty::{Fault, run_faulty};
use super::lenient::{Leniency, run_lenient};
use momento_http_conformance::checks;
use momento_http_conformance::report::{CheckResult, Evidence};
use std::collections::HashMap;
use std::time::Duration;

/// A server that breaks one behaviour, named for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Server {
    /// The small topic server of `fake.rs`.
    Fake(Breakage),
    /// The emulator behind a proxy that lets a refused request through.
    Lenient(Leniency),
    /// The emulator behind a proxy that breaks one behaviour.
    Faulty(Fault),
    /// A subscribe answer the spec's schema refuses (`legacy.rs`).
    SchemaRefusedAnswer,
    /// The emulator giving webhook receivers 1 s, not 5.
    WebhookReceiversGiven1s,
}

/// The checks the fake serves correctly when unbroken: topics only, with
/// no tokens, caches or admin API.
pub const FAKE_SCOPE: &[&str] = &[
    "subscribe.text.round-trip",
    "subscribe.numbering.starts-at-0-or-1",
    "subscribe.numbering.plus-one",
    "subscribe.subscribers-agree",
    "subscribe.long-poll.waits-for-publish",
    "subscribe.resume.inclusive",
    "subscribe.sequence-zero.from-now",
    "subscribe.discontinuity.next-item-carries-new",
    "subscribe.history.delivery",
    "subscribe.history.numbering",
];

/// The families of the API's own checks (not webhooks).
const API_FAMILIES: [&str; 4] = ["publish.", "auth.", "subscribe.", "cache."];

/// Whether `evidence` makes a check one a broken server must fail.
pub fn judged(evidence: Evidence) -> bool {
    matches!(evidence, Evidence::D | Evidence::I)
}

/// Whether a check exercises the emulator's own API: a live run never
/// runs it.
pub fn emulator_only(id: &str, needs_admin: bool) -> bool {
    needs_admin || id.starts_with("emulator.")
}

/// The D and I checks whose id starts with one of `families`.
fn family(families: &[&str]) -> Vec<&'static str> {
    checks::all()
        .into_iter()
        .filter(|c| judged(c.evidence) && families.iter().any(|f| c.id.starts_with(f)))
        .map(|c| c.id)
        .collect()
}

impl Server {
    /// The checks this server is judged on: each must fail if the map says
    /// so and pass otherwise.
    pub fn scope(self) -> Vec<&'static str> {
        match self {
            Server::Fake(_) => FAKE_SCOPE.to_vec(),
            Server::Faulty(Fault::None) => family(&API_FAMILIES)
                .into_iter()
                .chain(family(&["webhook."]))
                .collect(),
            Server::Faulty(f) if f.breaks_webhooks() => family(&["webhook."]),
            Server::Lenient(_) | Server::Faulty(_) => family(&API_FAMILIES),
            Server::SchemaRefusedAnswer => vec!["subscribe.batch.200"],
            Server::WebhookReceiversGiven1s => family(&["webhook."]),
        }
    }

    /// Run `ids` against this server.
    pub async fn run(self, ids: &[&str]) -> HashMap<String, CheckResult> {
        match self {
            Server::Fake(b) => run_broken(b, ids).await,
            Server::Lenient(l) => run_lenient(l, ids).await,
            Server::Faulty(f) => run_faulty(f, ids).await,
            Server::SchemaRefusedAnswer => super::legacy::run_schema_refused(ids).await,
            Server::WebhookReceiversGiven1s => {
                super::webhook_timing::run_with_timeout(Duration::from_secs(1), ids).await
            }
        }
    }
}
