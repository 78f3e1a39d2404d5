//! Profiles: the emulator made to take another of the choices the docs
//! leave open, one per point (`--profile NAME`, [`crate::EmulatorBuilder::profile`]).
//!
//! The conformance suite is run against servers nobody on this project
//! sees, and a check that fails a server the docs allow is a false
//! accusation. Each profile is such a server: the suite must pass every one
//! (`emulator/tests/profiles.rs`). A profile names one [`Choice`]; two
//! profiles that choose the same point differently cannot be combined.

use std::time::Duration;

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
}

/// A point the docs leave open; each [`Profile`] chooses one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Choice {
    /// How far away the endpoint is.
    RoundTrip,
    /// Whether answers carry fields the docs do not name.
    ExtraFields,
}

impl Profile {
    /// Every profile, in `--help` order.
    pub const ALL: [Profile; 2] = [Profile::RoundTrip150ms, Profile::ExtraFields];

    /// The name `--profile` takes.
    pub fn name(self) -> &'static str {
        match self {
            Profile::RoundTrip150ms => "round-trip-150ms",
            Profile::ExtraFields => "extra-fields",
        }
    }

    /// The point this profile chooses.
    pub fn choice(self) -> Choice {
        match self {
            Profile::RoundTrip150ms => Choice::RoundTrip,
            Profile::ExtraFields => Choice::ExtraFields,
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
        }
    }

    /// A profile by its `--profile` name.
    pub fn from_name(name: &str) -> Option<Profile> {
        Profile::ALL.into_iter().find(|p| p.name() == name)
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
    "profiles {first} and {second} choose the same point ({choice:?}) two ways; keep one of them"
)]
pub struct ConflictingProfiles {
    /// The one given first.
    pub first: Profile,
    /// The one given after it.
    pub second: Profile,
    /// What they both choose.
    pub choice: Choice,
}

/// The emulator's choice on every open point, after its profiles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Behaviour {
    /// Added to every API answer, half before handling, half after.
    pub round_trip: Duration,
    /// How items, discontinuities and answers are written.
    pub shape: AnswerShape,
}

/// How the emulator writes what a subscriber and an error reader see.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct AnswerShape {
    /// Fields nobody documents in items, discontinuities, answers and JSON errors.
    pub extra_fields: bool,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour {
            round_trip: Duration::ZERO,
            shape: AnswerShape {
                extra_fields: false,
            },
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
            }
        }
        Ok(b)
    }

    /// Whether answers pass through the profile layer at all.
    pub(crate) fn rewrites_answers(&self) -> bool {
        !self.round_trip.is_zero() || self.shape.extra_fields
    }
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
            assert_eq!(Profile::from_name(p.name()), Some(p));
            assert_eq!(
                <Profile as clap::ValueEnum>::from_str(p.name(), false),
                Ok(p)
            );
            assert!(p.allowed_by().starts_with('§'), "{p}");
        }
    }

    #[test]
    fn the_readme_documents_every_profile() {
        let readme = include_str!("../README.md");
        for p in Profile::ALL {
            assert!(
                readme.contains(&format!("| `{}` |", p.name())),
                "emulator/README.md has no row for the profile {p}: add one (what it changes, what allows it)"
            );
        }
    }

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
