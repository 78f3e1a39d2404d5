//! The checker's vocabulary: what a subscriber received, where a message
//! sits, and the order a subscriber is delivered what it received in.

/// One thing a subscriber received, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// A message; `payload` identifies it (publishers send unique payloads).
    Item {
        /// `topic_sequence_number`.
        seq: u64,
        /// `sequence_page` (0 when the server omits it).
        page: u64,
        /// The message (see [`payload_key`]).
        payload: String,
    },
    /// A discontinuity element.
    Discontinuity {
        /// `last_topic_sequence`.
        last: u64,
        /// `new_topic_sequence`.
        new: u64,
        /// `new_sequence_page` (0 when omitted).
        new_page: u64,
    },
}

/// The payload identity the checker compares: the text when the bytes are
/// UTF-8, else `binary:` and their standard base64. A message is the same
/// whether it was published or delivered as text or as bytes.
pub fn payload_key(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => {
            use base64::Engine as _;
            format!(
                "binary:{}",
                base64::engine::general_purpose::STANDARD.encode(bytes)
            )
        }
    }
}

/// The order a subscriber is delivered `events` in: as received, except
/// that a discontinuity right after the item it announces (the one numbered
/// its `new_topic_sequence` on its `new_sequence_page`, a jump forward from
/// `last_topic_sequence`) counts as coming before it: the docs' example
/// answer lists the two that way round. Indices into `events`.
pub fn delivery_order(events: &[Event]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..events.len()).collect();
    let mut i = 0;
    while i + 1 < events.len() {
        if let (
            Event::Item { seq, page, .. },
            Event::Discontinuity {
                last,
                new,
                new_page,
            },
        ) = (&events[i], &events[i + 1])
            && (seq, page) == (new, new_page)
            && last < new
        {
            order.swap(i, i + 1);
            i += 1;
        }
        i += 1;
    }
    order
}

/// Where a message sits on a topic: its page (`sequence_page`, 0 when the
/// server omits it) and its number (`topic_sequence_number`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Position {
    /// `sequence_page`.
    pub page: u64,
    /// `topic_sequence_number`.
    pub seq: u64,
}

impl std::fmt::Display for Position {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "(page {}, number {})", self.page, self.seq)
    }
}
