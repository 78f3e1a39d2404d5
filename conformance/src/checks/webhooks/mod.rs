//! Webhooks (docs/api.md §6), set up through the emulator's admin API: a
//! receiver inside the suite (axum on 127.0.0.1, port 0) gets a signed POST
//! per text publish whose body matches the spec's `WebhookEvent` schema and
//! what was published (cache, topic, the publisher's token id, the text,
//! epoch-millisecond timestamps near the publish).
//!
//! "Not retried" is watched for several seconds after the one attempt, long
//! enough for any plausible retry backoff; the checks run concurrently with
//! the others, so the wait costs little wall time.
//!
//! Rooms: `receiver` (the suite's receiver, which sees what a sender did),
//! `registration` (webhooks through the admin API, one delivery end to
//! end), `body` (what a delivery carries), `lifecycle` (rotation and
//! deletion) and `timing` (the 5 s allowance, from both sides).

mod body;
mod lifecycle;
mod receiver;
mod registration;
mod timing;

use super::check;
use crate::failure::{CheckError, Failure};
use crate::registry::Check;
use std::time::Duration;

pub use receiver::hmac_sha3_hex;

/// How long the suite watches for a retry after the one attempt.
const RETRY_WATCH: Duration = Duration::from_secs(4);

pub(super) fn checks() -> Vec<Check> {
    vec![
        check!("webhook.body.schema", D, "§6", true, body::body_schema),
        check!(
            "webhook.body.fields-match-publish",
            D,
            "§6",
            true,
            body::fields_match_publish
        ),
        check!(
            "webhook.signature.hmac-sha3-256",
            I,
            "§6",
            true,
            body::signature
        ),
        check!(
            "webhook.timestamps.publish-after-event",
            D,
            "§6",
            true,
            body::timestamps
        ),
        check!(
            "webhook.rotate-secret.old-stops-signing",
            D,
            "§6",
            true,
            lifecycle::rotation
        ),
        check!(
            "webhook.delete.stops-delivery",
            D,
            "§6",
            true,
            lifecycle::delete_stops
        ),
        check!(
            "webhook.receiver-500.not-retried",
            D,
            "§6",
            true,
            timing::receiver_500,
            15
        ),
        check!(
            "webhook.receiver-answering-in-4s.waited-for",
            D,
            "§6",
            true,
            timing::receiver_within_allowance,
            20
        ),
        check!(
            "webhook.slow-receiver.not-retried",
            D,
            "§6",
            true,
            timing::slow_receiver,
            20
        ),
        check!(
            "webhook.sequence-matches-stream",
            D,
            "§6",
            true,
            body::sequence_matches_stream
        ),
        check!(
            "emulator.webhook.deliveries-recorded",
            C,
            "§9",
            true,
            timing::deliveries_recorded,
            20
        ),
    ]
}

fn fail(behaviour: &str, expected: &str, actual: impl Into<String>) -> CheckError {
    CheckError::Fail(Failure::new(behaviour, expected, actual))
}
