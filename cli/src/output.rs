//! How subscription events are written: readable lines, or one JSON object
//! per line (`--format jsonl`).
//!
//! This is the one place that matches on [`TopicEvent`]. Data (items and
//! gaps) goes to stdout in either format; the connection's health
//! (connection lost, restored, polls without progress) is a message, so the
//! readable format puts it on stderr, while `--format jsonl` keeps one
//! stream of events on stdout, each with its `type`.

use std::io::Write;

use base64::Engine as _;
use clap::ValueEnum;
use momento_http::{Cursor, TopicEvent, TopicValue};
use serde::Serialize;

/// `--format` of `topic subscribe`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One readable line per event: `#12 hello`, `#13 [3 bytes, base64] AQID`, `!! gap ...`.
    Text,
    /// One JSON object per line on stdout, by "type": item, discontinuity, connection_lost, connection_restored, no_progress.
    Jsonl,
}

/// What an event was, for counting and for the closing summary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A message.
    Item,
    /// A gap; `lost` is how many numbers are known to be gone (None: unknown).
    Gap {
        /// Messages known lost.
        lost: Option<u64>,
    },
    /// The connection's health: not data, not counted.
    Lifecycle,
}

/// An event, ready to be written in either format.
#[derive(Debug)]
pub struct Rendered {
    /// What it was.
    pub kind: Kind,
    /// The readable line (no newline).
    pub text: String,
    /// The JSON object.
    pub json: JsonEvent,
}

/// One line of `--format jsonl`.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum JsonEvent {
    /// A message: exactly one of `text` and `binary` (standard padded base64).
    Item {
        /// Its number in the topic.
        sequence_number: u64,
        /// The topic instance (0 when the server does not say).
        sequence_page: u64,
        /// The value, when published as text.
        #[serde(skip_serializing_if = "Option::is_none")]
        text: Option<String>,
        /// The value as base64, when published as bytes.
        #[serde(skip_serializing_if = "Option::is_none")]
        binary: Option<String>,
        /// The publisher, when the server says.
        #[serde(skip_serializing_if = "Option::is_none")]
        publisher_id: Option<String>,
    },
    /// Messages were lost.
    Discontinuity {
        /// The last number before the gap, as the client reports it (0: unknown).
        last: u64,
        /// The number the next message carries.
        new: u64,
        /// The topic instance from now on.
        new_page: u64,
        /// True when the client detected the gap itself (the server did not announce it).
        synthesized: bool,
        /// The first lost number, when known (from this subscriber's own position).
        lost_first: Option<u64>,
        /// The last lost number, when known.
        lost_last: Option<u64>,
        /// How many were lost, when known.
        lost_count: Option<u64>,
        /// What was lost, in words.
        message: String,
    },
    /// A poll failed (connection refused or reset, timeout, 429, 5xx); the
    /// subscription tries again by itself and loses nothing meanwhile.
    ConnectionLost {
        /// What went wrong, in words.
        error: String,
        /// Milliseconds until the next try.
        retry_in_ms: u64,
        /// Failed polls in a row, this one included (1: the outage begins).
        failures: u32,
    },
    /// A poll succeeded after `connection_lost`; what was published meanwhile
    /// follows, as items or behind a discontinuity.
    ConnectionRestored {
        /// Milliseconds from the first failed poll to this success.
        away_ms: u64,
        /// How many polls failed in between.
        failures: u32,
    },
    /// The server answers but polls make no progress (an immediate empty
    /// answer, or only messages already seen): the next poll waits.
    NoProgress {
        /// Polls in a row without progress.
        polls: u32,
        /// Milliseconds before the next poll.
        wait_ms: u64,
    },
}

impl Rendered {
    /// Renders `event`, received when the subscription stood at `before`.
    /// The only match on [`TopicEvent`] in this program; `None` for a kind
    /// of event this program does not know yet (the enum is non-exhaustive).
    pub fn of(event: &TopicEvent, before: Cursor) -> Option<Rendered> {
        Some(match event {
            TopicEvent::Item {
                sequence_number,
                sequence_page,
                value,
                publisher_id,
                ..
            } => item(*sequence_number, *sequence_page, value, publisher_id),
            TopicEvent::Discontinuity {
                last,
                new,
                new_page,
                synthesized,
                ..
            } => gap(before, *last, *new, *new_page, *synthesized),
            TopicEvent::ConnectionLost {
                error,
                retry_in,
                failures,
            } => lifecycle(
                format!(
                    "connection lost: {error}; retrying in {retry_in:.1?} (failed polls in a row: {failures})"
                ),
                JsonEvent::ConnectionLost {
                    error: error.to_string(),
                    retry_in_ms: millis(*retry_in),
                    failures: *failures,
                },
            ),
            TopicEvent::ConnectionRestored { away, failures } => lifecycle(
                restored(*away, *failures, before),
                JsonEvent::ConnectionRestored {
                    away_ms: millis(*away),
                    failures: *failures,
                },
            ),
            TopicEvent::NoProgress { polls, wait } => lifecycle(
                format!("no progress after {polls} polls; waiting {wait:.1?} before the next"),
                JsonEvent::NoProgress {
                    polls: *polls,
                    wait_ms: millis(*wait),
                },
            ),
            _ => return None,
        })
    }

    /// Writes the event in `format`, one line, flushed (a pipe sees it at
    /// once): data to `out`; in the readable format the connection's health
    /// goes to `messages` (stderr) instead.
    pub fn write(
        &self,
        format: Format,
        out: &mut impl Write,
        messages: &mut impl Write,
    ) -> std::io::Result<()> {
        match format {
            Format::Text if self.kind == Kind::Lifecycle => {
                // stderr: a failure to write a message is not a reason to stop.
                let _ = writeln!(messages, "{}", self.text);
                let _ = messages.flush();
                return Ok(());
            }
            Format::Text => writeln!(out, "{}", self.text)?,
            Format::Jsonl => {
                serde_json::to_writer(&mut *out, &self.json)?;
                writeln!(out)?;
            }
        }
        out.flush()
    }
}

fn lifecycle(text: String, json: JsonEvent) -> Rendered {
    Rendered {
        kind: Kind::Lifecycle,
        text,
        json,
    }
}

/// The readable line for a restored connection: where the subscription
/// picks up, so a reader can tell what follows is what it missed.
fn restored(away: std::time::Duration, failures: u32, before: Cursor) -> String {
    let line = format!("connection restored after {away:.1?} ({failures} failed polls)");
    match before.sequence_number {
        0 => line,
        n => format!("{line}; resuming at #{n}"),
    }
}

fn millis(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

fn item(
    sequence_number: u64,
    sequence_page: u64,
    value: &TopicValue,
    publisher_id: &Option<String>,
) -> Rendered {
    let (text, json_text, binary) = match value {
        TopicValue::Text(s) => (
            format!("#{sequence_number} {}", readable(s)),
            Some(s.clone()),
            None,
        ),
        TopicValue::Binary(bytes) => {
            let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
            (
                format!("#{sequence_number} [{} bytes, base64] {b64}", bytes.len()),
                None,
                Some(b64),
            )
        }
    };
    Rendered {
        kind: Kind::Item,
        text,
        json: JsonEvent::Item {
            sequence_number,
            sequence_page,
            text: json_text,
            binary,
            publisher_id: publisher_id.clone(),
        },
    }
}

/// Text as it is, or JSON-quoted when it holds control characters (a newline
/// would otherwise pass for a second message).
fn readable(s: &str) -> String {
    if s.chars().any(char::is_control) {
        serde_json::Value::from(s).to_string()
    } else {
        s.to_owned()
    }
}

/// What a gap lost, judged from this subscriber's own position (`before`:
/// the cursor it asked with), not from the server's claim: the numbers from
/// the one it expected up to the one it now gets, on the same page. A new
/// page restarts the numbering, so there the loss is unknown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Lost {
    /// These numbers, inclusive (`first > last`: none).
    Range(u64, u64),
    /// The topic restarted on a new page; messages from `from` on the old page, if any, are gone.
    Restarted { from: u64 },
    /// The subscriber had no position (it started "from now on").
    Unknown,
}

fn lost(before: Cursor, new: u64, new_page: u64) -> Lost {
    let expected = before.sequence_number;
    let same_page = before.sequence_page == 0 || before.sequence_page == new_page;
    match (expected, same_page) {
        (0, _) => Lost::Unknown,
        (_, true) if new >= expected => Lost::Range(expected, new - 1),
        _ => Lost::Restarted { from: expected },
    }
}

fn gap(before: Cursor, last: u64, new: u64, new_page: u64, synthesized: bool) -> Rendered {
    let lost = lost(before, new, new_page);
    let mut message = match lost {
        Lost::Range(first, end) if first > end => {
            format!("no message lost; next is #{new} on page {new_page}")
        }
        Lost::Range(first, end) if first == end => {
            format!("message #{first} was lost; next is #{new} on page {new_page}")
        }
        Lost::Range(first, end) => format!(
            "messages #{first} to #{end} were lost ({} messages); next is #{new} on page {new_page}",
            end - first + 1
        ),
        Lost::Restarted { from } => format!(
            "the topic restarted (page {new_page}, numbering from #{new}); messages from #{from} on the old page, if any, were lost"
        ),
        Lost::Unknown => {
            format!("messages before #{new} were lost; next is #{new} on page {new_page}")
        }
    };
    if synthesized {
        message.push_str(" [detected by the client; the server did not announce it]");
    }
    let range = match lost {
        Lost::Range(first, end) if first <= end => Some((first, end)),
        _ => None,
    };
    let count = match lost {
        Lost::Range(first, end) => Some((end + 1).saturating_sub(first)),
        Lost::Restarted { .. } | Lost::Unknown => None,
    };
    Rendered {
        kind: Kind::Gap { lost: count },
        text: format!("!! gap: {message}"),
        json: JsonEvent::Discontinuity {
            last,
            new,
            new_page,
            synthesized,
            lost_first: range.map(|(first, _)| first),
            lost_last: range.map(|(_, end)| end),
            lost_count: count,
            message,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(sequence_number: u64, sequence_page: u64) -> Cursor {
        Cursor {
            sequence_number,
            sequence_page,
        }
    }

    #[test]
    fn a_gap_names_the_lost_numbers_from_the_subscribers_own_position() {
        // The server claims nothing was lost ({last: 4, new: 5}); the
        // subscriber expected #3, so #3 and #4 are gone.
        let r = gap(at(3, 9), 4, 5, 9, false);
        assert_eq!(r.kind, Kind::Gap { lost: Some(2) });
        assert_eq!(
            r.text,
            "!! gap: messages #3 to #4 were lost (2 messages); next is #5 on page 9"
        );
    }

    #[test]
    fn a_restart_says_the_loss_is_unknown() {
        let r = gap(at(8, 9), 7, 1, 10, false);
        assert_eq!(r.kind, Kind::Gap { lost: None });
        assert!(r.text.contains("restarted"), "{}", r.text);
        assert!(r.text.contains("from #8"), "{}", r.text);
    }

    #[test]
    fn a_gap_of_nothing_says_so() {
        let r = gap(at(5, 9), 4, 5, 9, false);
        assert_eq!(r.kind, Kind::Gap { lost: Some(0) });
        assert!(r.text.contains("no message lost"), "{}", r.text);
    }

    #[test]
    fn a_text_with_a_newline_stays_on_one_line() {
        let r = item(1, 1, &TopicValue::Text("a\nb".into()), &None);
        assert_eq!(r.text, r#"#1 "a\nb""#);
    }

    #[test]
    fn connection_restored_and_no_progress_are_json_objects_with_milliseconds() {
        let restored = TopicEvent::ConnectionRestored {
            away: std::time::Duration::from_millis(2412),
            failures: 4,
        };
        let r = Rendered::of(&restored, at(3, 9)).expect("a known event");
        assert_eq!(r.kind, Kind::Lifecycle);
        assert_eq!(
            serde_json::to_string(&r.json).unwrap(),
            r#"{"type":"connection_restored","away_ms":2412,"failures":4}"#
        );
        let idle = TopicEvent::NoProgress {
            polls: 3,
            wait: std::time::Duration::from_millis(800),
        };
        let r = Rendered::of(&idle, at(3, 9)).expect("a known event");
        assert_eq!(
            serde_json::to_string(&r.json).unwrap(),
            r#"{"type":"no_progress","polls":3,"wait_ms":800}"#
        );
    }

    #[test]
    fn in_text_the_connections_health_goes_to_stderr_not_stdout() {
        let restored = TopicEvent::ConnectionRestored {
            away: std::time::Duration::from_millis(1500),
            failures: 2,
        };
        let r = Rendered::of(&restored, at(3, 9)).unwrap();
        let (mut out, mut messages) = (Vec::new(), Vec::new());
        r.write(Format::Text, &mut out, &mut messages).unwrap();
        assert!(out.is_empty());
        assert_eq!(
            String::from_utf8(messages).unwrap(),
            "connection restored after 1.5s (2 failed polls); resuming at #3\n"
        );
        let (mut out, mut messages) = (Vec::new(), Vec::new());
        r.write(Format::Jsonl, &mut out, &mut messages).unwrap();
        assert!(messages.is_empty());
        assert!(
            String::from_utf8(out)
                .unwrap()
                .starts_with(r#"{"type":"connection_restored""#)
        );
    }
}
