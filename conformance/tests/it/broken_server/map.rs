//! The map: every D and I check against a broken server that it fails.
//!
//! A check no server can fail tests nothing. Each [`Broken`] names a server
//! that breaks one behaviour and the checks that must fail on it; every
//! other check of its [`Server::scope`] must pass there, so a server that
//! fails everything proves nothing. The same checks pass every emulator
//! profile (`emulator/tests/it/profiles.rs`), so a failure here is the breakage's.
//!
//! A new D or I check needs a row here: a broken server (the emulator
//! behind `faulty.rs` with one more `Fault`, or a small server of this
//! binary's own where the emulator cannot break that way) that it fails.

use super::fake::Breakage;
use super::faulty::Fault;
use super::lenient::Leniency;
use super::servers::Server;

/// One broken server and the checks that must fail on it.
pub struct Broken {
    /// The server, named for what it breaks.
    pub server: Server,
    /// The checks that must fail on it.
    pub fails: &'static [&'static str],
}

const fn broken(server: Server, fails: &'static [&'static str]) -> Broken {
    Broken { server, fails }
}

use Server::{Fake, Faulty, Lenient};

/// Every broken server, by family.
pub const MAP: &[Broken] = &[
    // Publishing (docs/api.md §3).
    broken(
        Faulty(Fault::UnheardPublishAnswers200),
        &[
            "publish.text.204",
            // Each publishes to a topic before anyone subscribes to it.
            "publish.bytes.204",
            "auth.query-token.204",
            "subscribe.sequence-zero.from-now",
        ],
    ),
    broken(
        Faulty(Fault::BytesPublishAnswers200),
        &["publish.bytes.204", "subscribe.binary.base64"],
    ),
    broken(
        Faulty(Fault::OverLimitPublishCutToFit),
        &["publish.payload-over-limit.refused"],
    ),
    broken(
        Faulty(Fault::CreatesCachesOnUse),
        &[
            "publish.unknown-cache.404",
            "subscribe.unknown-cache.404",
            "cache.get.unknown-cache.404-cache-not-found",
            "cache.set.unknown-cache.404",
            "cache.delete.unknown-cache.404",
        ],
    ),
    // Credentials (docs/api.md §2).
    broken(
        Faulty(Fault::IgnoresQueryToken),
        &[
            "auth.query-token.204",
            "cache.auth.query-token.200",
            // Without the query's token, only the header's is seen.
            "auth.both-placements.publish.400",
            "auth.both-placements.subscribe.400",
            "cache.auth.both-placements.400",
        ],
    ),
    broken(
        Faulty(Fault::HeaderTokenWinsOverQuery),
        &[
            "auth.both-placements.publish.400",
            "auth.both-placements.subscribe.400",
            "cache.auth.both-placements.400",
        ],
    ),
    broken(
        Faulty(Fault::RefusedTokenServedAsAccount),
        &["auth.invalid.401", "auth.expired.401"],
    ),
    broken(
        Faulty(Fault::ScopeNotEnforced),
        &[
            "auth.out-of-scope-cache.403",
            "auth.subscribe-only-token.publish.403",
            "auth.publish-only-token.subscribe.403",
            "cache.auth.other-cache.403",
        ],
    ),
    broken(
        Lenient(Leniency::AnonymousAsAccount),
        &[
            "auth.missing.publish.refused",
            "auth.missing.subscribe.refused",
            "cache.auth.no-token.refused",
        ],
    ),
    // Subscribing (docs/api.md §4).
    broken(Server::SchemaRefusedAnswer, &["subscribe.batch.200"]),
    broken(
        Faulty(Fault::NewlinesInTextBecomeSpaces),
        &["subscribe.text.round-trip", "subscribe.history.delivery"],
    ),
    broken(
        Faulty(Fault::BinaryDeliveredAsText),
        &["subscribe.binary.base64", "subscribe.history.delivery"],
    ),
    broken(
        Faulty(Fault::NumbersFromSix),
        &["subscribe.numbering.starts-at-0-or-1"],
    ),
    broken(
        Faulty(Fault::ZeroServedFromOldest),
        &["subscribe.sequence-zero.from-now"],
    ),
    broken(
        Fake(Breakage::Loss),
        &[
            "subscribe.subscribers-agree",
            "subscribe.history.delivery",
            // Every third message lost: the numbers delivered are not +1,
            // a resume misses what it resumes from.
            "subscribe.numbering.plus-one",
            "subscribe.resume.inclusive",
        ],
    ),
    broken(
        Fake(Breakage::SkippedNumbers),
        &[
            "subscribe.numbering.plus-one",
            "subscribe.history.numbering",
            "subscribe.subscribers-agree",
            "subscribe.resume.inclusive",
        ],
    ),
    broken(
        Fake(Breakage::WokenLate),
        &["subscribe.long-poll.waits-for-publish"],
    ),
    broken(
        Fake(Breakage::DiscontinuityWithoutPage),
        &[
            "subscribe.discontinuity.next-item-carries-new",
            "subscribe.history.numbering",
        ],
    ),
    // The cache (docs/api.md §7).
    broken(
        Faulty(Fault::SetAnswers200),
        // Every check stores an item first.
        &[
            "cache.set.204",
            "cache.get.hit.200-raw-bytes",
            "cache.delete.204-then-miss",
            "cache.key-and-key-base64.same-item",
            "cache.key.case-distinct",
            "cache.key.unicode-forms-distinct",
            "cache.key.escapes-same-bytes",
            "cache.ttl.24h.204",
            "cache.binary.round-trip",
            "cache.ttl.expires",
            "cache.auth.query-token.200",
            "cache.auth.no-token.refused",
        ],
    ),
    broken(
        Faulty(Fault::HitServedAsBase64),
        // Every check that reads a value back.
        &[
            "cache.get.hit.200-raw-bytes",
            "cache.key-and-key-base64.same-item",
            "cache.key.case-distinct",
            "cache.key.unicode-forms-distinct",
            "cache.key.escapes-same-bytes",
            "cache.binary.round-trip",
            "cache.auth.query-token.200",
            "cache.auth.no-token.refused",
        ],
    ),
    broken(
        Faulty(Fault::MissWithoutBody),
        // Every check that expects a miss.
        &[
            "cache.get.miss.404-key-not-found",
            "cache.delete.204-then-miss",
            "cache.both-keys.refused",
            "cache.ttl.missing.refused",
            "cache.item.over-5mb.refused",
            "cache.ttl.expires",
        ],
    ),
    broken(
        Faulty(Fault::DeleteIgnored),
        &["cache.delete.204-then-miss"],
    ),
    broken(
        Faulty(Fault::DeleteOfMissingKey404),
        &["cache.delete.missing-key.204"],
    ),
    broken(
        Faulty(Fault::Base64KeyUndecoded),
        &[
            "cache.key-and-key-base64.same-item",
            // Each of these reads its keys back as `key_base64` too.
            "cache.key.case-distinct",
            "cache.key.unicode-forms-distinct",
            "cache.key.escapes-same-bytes",
            "cache.both-keys.refused",
        ],
    ),
    broken(Faulty(Fault::TtlLimitOffByOne), &["cache.ttl.24h.204"]),
    broken(Faulty(Fault::TtlIgnored), &["cache.ttl.expires"]),
    broken(Faulty(Fault::ValueCutAtNul), &["cache.binary.round-trip"]),
    broken(
        Lenient(Leniency::DefaultTtl),
        &["cache.ttl.missing.refused"],
    ),
    broken(
        Lenient(Leniency::FirstKeyWins),
        &["cache.both-keys.refused", "cache.no-key.refused"],
    ),
    broken(
        Lenient(Leniency::TruncatesOversize),
        &["cache.item.over-5mb.refused"],
    ),
    broken(
        Lenient(Leniency::FoldsKeyCase),
        &["cache.key.case-distinct"],
    ),
    broken(
        Lenient(Leniency::NormalisesKeys),
        &["cache.key.unicode-forms-distinct"],
    ),
    broken(
        Lenient(Leniency::KeepsEscapesLiteral),
        &[
            "cache.key.escapes-same-bytes",
            // Every non-ASCII key is escaped on the wire.
            "cache.key.unicode-forms-distinct",
        ],
    ),
    // Webhooks (docs/api.md §6).
    broken(
        Faulty(Fault::WebhookBodyWithoutPublishTimestamp),
        &[
            "webhook.body.schema",
            "webhook.timestamps.publish-after-event",
        ],
    ),
    broken(
        Faulty(Fault::WebhookTokenIdEmpty),
        &["webhook.body.fields-match-publish"],
    ),
    broken(
        Faulty(Fault::SignatureOverReserialisedBody),
        &[
            "webhook.signature.hmac-sha3-256",
            // It signs with the new secret, over the wrong bytes.
            "webhook.rotate-secret.old-stops-signing",
        ],
    ),
    broken(
        Faulty(Fault::WebhookTimestampsInSeconds),
        &["webhook.timestamps.publish-after-event"],
    ),
    broken(
        Faulty(Fault::OldSecretStillSigns),
        &["webhook.rotate-secret.old-stops-signing"],
    ),
    broken(
        Faulty(Fault::DeletedWebhookStillDelivers),
        &["webhook.delete.stops-delivery"],
    ),
    broken(
        Faulty(Fault::Receiver500Retried),
        &["webhook.receiver-500.not-retried"],
    ),
    broken(
        Faulty(Fault::SlowReceiverRetried),
        &["webhook.slow-receiver.not-retried"],
    ),
    broken(
        Faulty(Fault::WebhookNumbersFromZero),
        &["webhook.sequence-matches-stream"],
    ),
    broken(
        Server::WebhookReceiversGiven1s,
        &["webhook.receiver-answering-in-4s.waited-for"],
    ),
];

/// The same servers unbroken: each passes every check it is judged on, so
/// a failure above is the breakage's, not the server's.
pub const CONTROLS: &[Broken] = &[
    broken(Fake(Breakage::None), &[]),
    broken(Lenient(Leniency::None), &[]),
    broken(Faulty(Fault::None), &[]),
];

/// D and I checks with no broken server yet: the list to burn down. A check
/// leaves it when a row of [`MAP`] names it.
pub const WITHOUT_BROKEN_SERVER: &[&str] = &[];

/// The checks a live run can never exercise: they need the emulator's
/// admin API (webhooks are registered through it, faults injected by it).
pub const LIVE_RUN_NEVER_EXERCISES: &[&str] = &[
    "subscribe.discontinuity.after-reset",
    "subscribe.discontinuity.after-evict",
    "webhook.body.schema",
    "webhook.body.fields-match-publish",
    "webhook.signature.hmac-sha3-256",
    "webhook.timestamps.publish-after-event",
    "webhook.rotate-secret.old-stops-signing",
    "webhook.delete.stops-delivery",
    "webhook.receiver-500.not-retried",
    "webhook.receiver-answering-in-4s.waited-for",
    "webhook.slow-receiver.not-retried",
    "webhook.sequence-matches-stream",
    "emulator.webhook.deliveries-recorded",
    "emulator.cache.rate-limit.429",
    "emulator.cache.server-error.500",
    "emulator.publish.rate-limit.429",
    "emulator.publish.server-error.500",
    "emulator.subscribe.rate-limit.429",
    "emulator.subscribe.server-error.500",
];
