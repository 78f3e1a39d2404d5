//! The history checker: each hole an earlier checker had is a named case
//! (`cases`), counting and evidence have theirs (`counting`, `evidence`);
//! histories generated from a model of a correct server (`model`: several
//! publishers, discontinuities after losses, page changes after resets, page
//! 0, publishes without an answer, `last` 0, the docs' answer order) have no
//! violations, and each kind of fault injected into them is named with its
//! evidence mark (`faults`).

use momento_http_conformance::history::{Event, History};

mod cases;
mod counting;
mod evidence;
mod faults;
mod gap_faults;
mod model;

pub(crate) fn item(seq: u64, page: u64, payload: &str) -> Event {
    Event::Item {
        seq,
        page,
        payload: payload.into(),
    }
}

pub(crate) fn disc(last: u64, new: u64, new_page: u64) -> Event {
    Event::Discontinuity {
        last,
        new,
        new_page,
    }
}

pub(crate) fn kinds(h: &History) -> Vec<&'static str> {
    h.check().iter().map(|v| v.kind()).collect()
}

/// One subscriber "a" that saw `events`; `m1..=mN` published while it listened.
pub(crate) fn history(published: u64, events: Vec<Event>) -> History {
    shared_history(published, &["a"], &events)
}

/// `subscribers` each saw `events`; `m1..=mN` published while they listened.
pub(crate) fn shared_history(published: u64, subscribers: &[&str], events: &[Event]) -> History {
    let mut h = History::default();
    for sub in subscribers {
        for i in 1..=published {
            h.published(sub, &format!("m{i}"));
        }
        for e in events {
            h.record(sub, e.clone());
        }
    }
    h
}
