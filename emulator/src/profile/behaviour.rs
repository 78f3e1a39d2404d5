//! The behaviour profiles make together: the emulator's choice on every
//! point the docs leave open, read by the parts that act on it (topics,
//! answers, the profile layer, the limits).

use super::{ConflictingProfiles, Profile};
use std::time::Duration;

/// The emulator's choice on every open point, after its profiles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Behaviour {
    /// Added to every API answer, half before handling, half after.
    pub round_trip: Duration,
    /// How items, discontinuities and answers are written.
    pub shape: AnswerShape,
    /// Where a future `sequence_number` resumes.
    pub future_number: FutureNumber,
    /// The number of a topic's first message.
    pub first_number: u64,
    /// How many items an answer carries.
    pub batch: BatchSize,
    /// The long-poll wait, when a profile names it.
    pub empty_wait: Option<Duration>,
    /// Whether a `Retry-After` goes out.
    pub retry_after: bool,
    /// Momento's documented limits instead of the configured ones.
    pub documented_limits: bool,
}

/// Where a discontinuity for a future `sequence_number` points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FutureNumber {
    /// The oldest buffered message (the next number when none is).
    ToOldest,
    /// The number the next publish gets.
    ToNext,
}

/// How many items one answer carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BatchSize {
    /// One item, behind the discontinuity that points at it. Never a
    /// discontinuity alone while its item is buffered: a server numbering
    /// from 0 could not be asked for that item again (`sequence_number` 0
    /// means from now on, docs/api.md §4).
    One,
    /// Up to 100 items, after a discontinuity too.
    Hundred,
}

impl BatchSize {
    /// The most items in one answer.
    pub(crate) fn items(self) -> usize {
        match self {
            BatchSize::One => 1,
            BatchSize::Hundred => 100,
        }
    }
}

/// How the emulator writes what a subscriber and an error reader see.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct AnswerShape {
    /// Fields nobody documents in items, discontinuities, answers and JSON errors.
    pub extra_fields: bool,
    /// `sequence_page` in items, `new_sequence_page` in discontinuities.
    pub sequence_page: bool,
    /// Error bodies as text (`title: detail`) instead of JSON.
    pub plain_text_errors: bool,
    /// Binary values in URL-safe unpadded base64 instead of standard padded.
    pub url_safe_binary: bool,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour {
            round_trip: Duration::ZERO,
            shape: AnswerShape {
                extra_fields: false,
                sequence_page: true,
                plain_text_errors: false,
                url_safe_binary: false,
            },
            future_number: FutureNumber::ToOldest,
            first_number: 1,
            batch: BatchSize::Hundred,
            empty_wait: None,
            retry_after: true,
            documented_limits: false,
        }
    }
}

impl Behaviour {
    /// The behaviour `profiles` make, or the first two that conflict.
    pub(crate) fn of(profiles: &[Profile]) -> Result<Behaviour, ConflictingProfiles> {
        for (i, first) in profiles.iter().enumerate() {
            if let Some(second) = profiles[i + 1..]
                .iter()
                .find(|p| p.choice() == first.choice() && *p != first)
            {
                return Err(ConflictingProfiles {
                    first: *first,
                    second: *second,
                    choice: first.choice(),
                });
            }
        }
        let mut b = Behaviour::default();
        for p in profiles {
            match p {
                Profile::RoundTrip150ms => b.round_trip = Duration::from_millis(150),
                Profile::ExtraFields => b.shape.extra_fields = true,
                Profile::FutureToNext => b.future_number = FutureNumber::ToNext,
                Profile::FutureToOldest => b.future_number = FutureNumber::ToOldest,
                Profile::NumberFrom0 => b.first_number = 0,
                Profile::NumberFrom1 => b.first_number = 1,
                Profile::OneItemPerAnswer => b.batch = BatchSize::One,
                Profile::HundredItemsPerAnswer => b.batch = BatchSize::Hundred,
                Profile::NoSequencePage => b.shape.sequence_page = false,
                Profile::EmptyWait1s => b.empty_wait = Some(Duration::from_secs(1)),
                Profile::EmptyWait30s => b.empty_wait = Some(Duration::from_secs(30)),
                Profile::PlainTextErrors => b.shape.plain_text_errors = true,
                Profile::JsonErrors => b.shape.plain_text_errors = false,
                Profile::NoRetryAfter => b.retry_after = false,
                Profile::UrlSafeUnpaddedBinary => b.shape.url_safe_binary = true,
                Profile::StandardPaddedBinary => b.shape.url_safe_binary = false,
                Profile::DocumentedLimits => b.documented_limits = true,
            }
        }
        Ok(b)
    }

    /// Whether answers pass through the profile layer at all.
    pub(crate) fn rewrites_answers(&self) -> bool {
        !self.round_trip.is_zero()
            || self.shape.extra_fields
            || self.shape.plain_text_errors
            || !self.retry_after
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflicting_profiles_are_refused_naming_both() {
        // Every point with two sides has them refused together.
        for a in Profile::ALL {
            for b in Profile::ALL {
                if a != b && a.choice() == b.choice() {
                    let e = Behaviour::of(&[a, b]).unwrap_err();
                    assert_eq!((e.first, e.second), (a, b));
                    assert!(e.to_string().contains(a.name()) && e.to_string().contains(b.name()));
                }
            }
        }
    }

    #[test]
    fn the_same_profile_twice_is_one() {
        let b = Behaviour::of(&[Profile::ExtraFields, Profile::ExtraFields]).unwrap();
        assert!(b.shape.extra_fields);
    }
}
