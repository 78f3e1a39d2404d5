//! Profiles: the emulator made to take another of the choices the docs
//! leave open, one per point (`--profile NAME`, [`crate::EmulatorBuilder::profile`]).
//!
//! The conformance suite is run against servers nobody on this project
//! sees, and a check that fails a server the docs allow is a false
//! accusation. Each profile is such a server: the suite must pass every one
//! (`emulator/tests/it/profiles.rs`). A profile names one [`Choice`]; two
//! profiles that choose the same point differently cannot be combined.

mod behaviour;

pub(crate) use behaviour::{AnswerShape, Behaviour, FutureNumber};

/// A behaviour the docs allow, taken by the emulator instead of (or, for
/// the default side of a point, as well as) its default one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
#[non_exhaustive]
pub enum Profile {
    /// Add a round trip of 150 ms to every answer of the API (75 ms before the
    /// request is handled, 75 ms before its answer goes back): a far endpoint.
    #[value(name = "round-trip-150ms")]
    RoundTrip150ms,
    /// Add fields nobody documents to every item, discontinuity, answer and
    /// JSON error body.
    ExtraFields,
    /// Answer a future `sequence_number` with a discontinuity to the number
    /// the next publish gets (nothing buffered is sent again).
    FutureToNext,
    /// Answer a future `sequence_number` with a discontinuity to the oldest
    /// buffered message (the default).
    FutureToOldest,
    /// Number a topic's messages from 0.
    #[value(name = "number-from-0")]
    NumberFrom0,
    /// Number a topic's messages from 1 (the default).
    #[value(name = "number-from-1")]
    NumberFrom1,
    /// One item per answer, behind the discontinuity that points at it,
    /// if any.
    OneItemPerAnswer,
    /// Up to 100 items per answer, after a discontinuity too (the default).
    #[value(name = "100-items-per-answer")]
    HundredItemsPerAnswer,
    /// No `sequence_page` in items and no `new_sequence_page` in
    /// discontinuities, as answers were before pages.
    NoSequencePage,
    /// End an empty long poll after 1 s.
    #[value(name = "empty-wait-1s")]
    EmptyWait1s,
    /// Hold an empty long poll 30 s (the default).
    #[value(name = "empty-wait-30s")]
    EmptyWait30s,
    /// Error bodies as plain text (`title: detail`), not JSON.
    PlainTextErrors,
    /// Error bodies as JSON `{status, title, detail}` (the default).
    JsonErrors,
    /// No `Retry-After` on any answer, a 429 included.
    NoRetryAfter,
    /// Binary values in URL-safe base64 without padding.
    UrlSafeUnpaddedBinary,
    /// Binary values in standard padded base64 (the default).
    StandardPaddedBinary,
    /// Momento's documented limits: 10 operations per second, 100
    /// subscriptions, 3 caches (what `--documented-limits` does).
    DocumentedLimits,
}

/// A point the docs leave open; each [`Profile`] chooses one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Choice {
    /// How far away the endpoint is.
    RoundTrip,
    /// Whether answers carry fields the docs do not name.
    ExtraFields,
    /// Where a future `sequence_number` resumes.
    FutureNumber,
    /// The number of a topic's first message.
    FirstNumber,
    /// How many items one answer carries.
    BatchSize,
    /// Whether items and discontinuities name their page.
    SequencePage,
    /// How long an empty long poll is held.
    EmptyWait,
    /// What an error body is.
    ErrorBody,
    /// Whether a 429 says when to retry.
    RetryAfter,
    /// Which base64 a binary value is written in.
    BinaryAlphabet,
    /// Which limits are enforced.
    Limits,
}

impl Choice {
    /// The point, in words.
    pub fn what(self) -> &'static str {
        match self {
            Choice::RoundTrip => "the round trip added to answers",
            Choice::ExtraFields => "whether answers carry undocumented fields",
            Choice::FutureNumber => "where a future sequence_number resumes",
            Choice::FirstNumber => "the number of a topic's first message",
            Choice::BatchSize => "how many items an answer carries",
            Choice::SequencePage => "whether answers name their page",
            Choice::EmptyWait => "how long an empty long poll is held",
            Choice::ErrorBody => "what an error body is",
            Choice::RetryAfter => "whether a 429 carries Retry-After",
            Choice::BinaryAlphabet => "the base64 of binary values",
            Choice::Limits => "the limits enforced",
        }
    }
}

impl Profile {
    /// Every profile, in `--help` order.
    pub const ALL: [Profile; 17] = [
        Profile::RoundTrip150ms,
        Profile::ExtraFields,
        Profile::FutureToNext,
        Profile::FutureToOldest,
        Profile::NumberFrom0,
        Profile::NumberFrom1,
        Profile::OneItemPerAnswer,
        Profile::HundredItemsPerAnswer,
        Profile::NoSequencePage,
        Profile::EmptyWait1s,
        Profile::EmptyWait30s,
        Profile::PlainTextErrors,
        Profile::JsonErrors,
        Profile::NoRetryAfter,
        Profile::UrlSafeUnpaddedBinary,
        Profile::StandardPaddedBinary,
        Profile::DocumentedLimits,
    ];

    /// The name `--profile` takes.
    pub fn name(self) -> &'static str {
        match self {
            Profile::RoundTrip150ms => "round-trip-150ms",
            Profile::ExtraFields => "extra-fields",
            Profile::FutureToNext => "future-to-next",
            Profile::FutureToOldest => "future-to-oldest",
            Profile::NumberFrom0 => "number-from-0",
            Profile::NumberFrom1 => "number-from-1",
            Profile::OneItemPerAnswer => "one-item-per-answer",
            Profile::HundredItemsPerAnswer => "100-items-per-answer",
            Profile::NoSequencePage => "no-sequence-page",
            Profile::EmptyWait1s => "empty-wait-1s",
            Profile::EmptyWait30s => "empty-wait-30s",
            Profile::PlainTextErrors => "plain-text-errors",
            Profile::JsonErrors => "json-errors",
            Profile::NoRetryAfter => "no-retry-after",
            Profile::UrlSafeUnpaddedBinary => "url-safe-unpadded-binary",
            Profile::StandardPaddedBinary => "standard-padded-binary",
            Profile::DocumentedLimits => "documented-limits",
        }
    }

    /// The point this profile chooses.
    pub fn choice(self) -> Choice {
        match self {
            Profile::RoundTrip150ms => Choice::RoundTrip,
            Profile::ExtraFields => Choice::ExtraFields,
            Profile::FutureToNext | Profile::FutureToOldest => Choice::FutureNumber,
            Profile::NumberFrom0 | Profile::NumberFrom1 => Choice::FirstNumber,
            Profile::OneItemPerAnswer | Profile::HundredItemsPerAnswer => Choice::BatchSize,
            Profile::NoSequencePage => Choice::SequencePage,
            Profile::EmptyWait1s | Profile::EmptyWait30s => Choice::EmptyWait,
            Profile::PlainTextErrors | Profile::JsonErrors => Choice::ErrorBody,
            Profile::NoRetryAfter => Choice::RetryAfter,
            Profile::UrlSafeUnpaddedBinary | Profile::StandardPaddedBinary => {
                Choice::BinaryAlphabet
            }
            Profile::DocumentedLimits => Choice::Limits,
        }
    }

    /// What the emulator does differently with this profile.
    pub fn changes(self) -> &'static str {
        match self {
            Profile::RoundTrip150ms => {
                "adds a round trip of 150 ms to every API answer (75 ms each way)"
            }
            Profile::ExtraFields => {
                "adds fields no document names to items, discontinuities, answers and JSON errors"
            }
            Profile::FutureToNext => {
                "answers a future sequence_number with a discontinuity to the number the next \
                 publish gets"
            }
            Profile::FutureToOldest => {
                "answers a future sequence_number with a discontinuity to the oldest buffered \
                 message, then the items from there (the default)"
            }
            Profile::NumberFrom0 => "numbers a topic's messages from 0",
            Profile::NumberFrom1 => "numbers a topic's messages from 1 (the default)",
            Profile::OneItemPerAnswer => {
                "answers one item at a time (a discontinuity comes with the item it points at, \
                 alone only when none is buffered)"
            }
            Profile::HundredItemsPerAnswer => {
                "answers up to 100 items at a time, after a discontinuity too (the default)"
            }
            Profile::NoSequencePage => {
                "writes no sequence_page in items and no new_sequence_page in discontinuities"
            }
            Profile::EmptyWait1s => "ends an empty long poll after 1 s (sets --long-poll-wait)",
            Profile::EmptyWait30s => {
                "holds an empty long poll 30 s (the default; sets --long-poll-wait)"
            }
            Profile::PlainTextErrors => {
                "answers errors in text/plain, `title: detail`, instead of JSON"
            }
            Profile::JsonErrors => "answers errors in JSON {status, title, detail} (the default)",
            Profile::NoRetryAfter => "sends no Retry-After, on a 429 or anywhere else",
            Profile::UrlSafeUnpaddedBinary => {
                "writes binary values in URL-safe base64 without padding"
            }
            Profile::StandardPaddedBinary => {
                "writes binary values in standard padded base64 (the default)"
            }
            Profile::DocumentedLimits => {
                "enforces Momento's documented limits: 10 operations per second, 100 \
                 subscriptions, 3 caches (as --documented-limits)"
            }
        }
    }

    /// Where `docs/api.md` leaves this open: the section, and what it says.
    pub fn allowed_by(self) -> &'static str {
        match self {
            Profile::RoundTrip150ms => {
                "§4: a poll's answer is judged within 500 ms of the publish's own answer, \
                 so a far endpoint's round trip is not counted"
            }
            Profile::ExtraFields => {
                "§4: the docs name the fields an item, a discontinuity and an answer \
                 carry, not that there are no others; §5: error bodies are not documented"
            }
            Profile::FutureToNext | Profile::FutureToOldest => {
                "§4: where a future N resumes is not documented (the row on stale pages, \
                 evicted and future numbers is I / C)"
            }
            Profile::NumberFrom0 | Profile::NumberFrom1 => {
                "§4: the SDKs' tests see 1, the HTTP docs' example shows 0, \
                 so nothing hard-codes where numbering starts"
            }
            Profile::OneItemPerAnswer | Profile::HundredItemsPerAnswer => {
                "§4: a subscribe answers once at least one message or discontinuity is \
                 there; one answer may carry several"
            }
            Profile::NoSequencePage => {
                "§4: older answers carry no sequence_page / new_sequence_page, and \
                 clients accept their absence"
            }
            Profile::EmptyWait1s | Profile::EmptyWait30s => {
                "§4: how long a server waits when nothing arrives is not documented"
            }
            Profile::PlainTextErrors | Profile::JsonErrors => {
                "§5: error bodies are not documented beyond \"see the body\""
            }
            Profile::NoRetryAfter => "§8: Retry-After on a 429 is not documented",
            Profile::UrlSafeUnpaddedBinary | Profile::StandardPaddedBinary => {
                "§4: a binary value is base64 (I), and the docs name no alphabet; \
                 the proto3 JSON mapping reads either, padded or not"
            }
            Profile::DocumentedLimits => {
                "§8: these are the documented defaults (soft limits, raised on request)"
            }
        }
    }
}

impl std::fmt::Display for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Two profiles that choose the same point differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "profiles {first} and {second} both choose {}; keep one of them",
    choice.what()
)]
pub struct ConflictingProfiles {
    /// The one given first.
    pub first: Profile,
    /// The one given after it.
    pub second: Profile,
    /// What they both choose.
    pub choice: Choice,
}

/// `--help` for `--profile`: each profile, what it changes and what allows it.
pub fn help() -> String {
    let mut help = String::from(
        "Take another behaviour the docs allow (repeatable; one profile per point). \
         Each makes a server the conformance suite must pass:\n",
    );
    for p in Profile::ALL {
        help.push_str(&format!(
            "\n  {}: {}.\n      Allowed by docs/api.md {}.",
            p.name(),
            p.changes(),
            p.allowed_by()
        ));
    }
    help
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_profile_has_its_name_back_and_a_reason() {
        for p in Profile::ALL {
            assert_eq!(
                <Profile as clap::ValueEnum>::from_str(p.name(), false),
                Ok(p)
            );
            assert!(p.allowed_by().starts_with('§'), "{p}");
        }
    }

    #[test]
    fn the_readme_documents_every_profile() {
        let readme = include_str!("../../README.md");
        for p in Profile::ALL {
            assert!(
                readme.contains(&format!("| `{}` |", p.name())),
                "emulator/README.md has no row for the profile {p}: add one (what it changes, what allows it)"
            );
        }
    }
}
