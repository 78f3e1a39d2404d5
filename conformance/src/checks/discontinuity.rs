//! Discontinuities (docs/api.md §4): provoked live (a number in the future,
//! a stale `sequence_page`) and through the emulator's admin API (reset,
//! eviction). Each validates the whole shape (`last_topic_sequence` is the
//! subscriber's position, `new_topic_sequence`, `new_sequence_page`) and
//! that the next item carries the new number and page.

use super::{
    Subscriber, batch_fail, check, items, poll_while, poll_while_publishing, publish_ahead,
    publish_ok,
};
use crate::failure::{CheckError, Failure};
use crate::history::Event;
use crate::registry::Check;
use crate::request::Req;
use crate::target::Target;
use std::sync::Arc;

pub(super) fn checks() -> Vec<Check> {
    vec![
        check!(
            "subscribe.discontinuity.after-reset",
            C,
            "§4",
            true,
            after_reset
        ),
        check!(
            "subscribe.discontinuity.after-evict",
            C,
            "§4",
            true,
            after_evict
        ),
        check!(
            "subscribe.discontinuity.future-number",
            C,
            "§4",
            false,
            future_number
        ),
        check!(
            "subscribe.discontinuity.stale-page",
            C,
            "§4",
            false,
            stale_page
        ),
        check!(
            "subscribe.discontinuity.next-item-carries-new",
            D,
            "§4",
            false,
            next_item_carries_new
        ),
    ]
}

/// Publish `n` messages on a fresh topic; return (topic, first number, page).
async fn seeded(t: &Arc<Target>, label: &str, n: usize) -> Result<(String, u64, u64), CheckError> {
    let topic = t.fresh_topic(label);
    let (_, b) = poll_while_publishing(t, &topic, &["s0"]).await?;
    let Some((first, page, _)) = items(&b.events).first().cloned() else {
        return Err(batch_fail(
            t,
            "a poll answers with the message",
            "an item",
            &b,
        ));
    };
    for i in 1..n {
        publish_ok(t, &topic, &format!("s{i}")).await?;
    }
    Ok((topic, first, page))
}

/// What a provoked discontinuity must look like.
struct Expected {
    /// `last_topic_sequence`: the subscriber's position, N - 1.
    last: u64,
    /// A page the new page must differ from.
    stale_page: Option<u64>,
    /// The new number, when the check knows it.
    new: Option<u64>,
}

/// The first event must be a discontinuity of the expected shape, with
/// `new_sequence_page`, and the next item must carry its number and page.
fn expect_discontinuity(
    t: &Target,
    behaviour: &str,
    events: &[Event],
    want: &Expected,
    req: &Req,
) -> Result<(), CheckError> {
    let fail = |expected: String| {
        CheckError::Fail(Failure {
            behaviour: behaviour.to_owned(),
            expected,
            actual: format!("events {events:?}"),
            repro: Some(t.curl(req)),
        })
    };
    let Some(Event::Discontinuity {
        last,
        new,
        new_page,
    }) = events.first()
    else {
        return Err(fail(format!(
            "a discontinuity first, with last_topic_sequence {}",
            want.last
        )));
    };
    if *last != want.last {
        return Err(fail(format!(
            "last_topic_sequence {} (the position the subscriber named, minus 1)",
            want.last
        )));
    }
    if *new_page == 0 {
        return Err(fail("new_sequence_page, the topic's current page".into()));
    }
    if let Some(stale) = want.stale_page
        && *new_page == stale
    {
        return Err(fail(format!(
            "new_sequence_page different from the stale page {stale}"
        )));
    }
    if let Some(n) = want.new
        && *new != n
    {
        return Err(fail(format!("new_topic_sequence {n}")));
    }
    match events.get(1) {
        Some(Event::Item { seq, page, .. }) if (seq, page) == (new, new_page) => Ok(()),
        _ => Err(fail(format!(
            "the next item carries new_topic_sequence {new} and sequence_page {new_page}"
        ))),
    }
}

async fn after_reset(t: Arc<Target>) -> Result<(), CheckError> {
    let (topic, first, page) = seeded(&t, "reset", 2).await?;
    t.reset_topic(&topic).await?;
    publish_ok(&t, &topic, "after-reset").await?;
    let mut sub = Subscriber::new(&t, &topic, first + 2, page);
    let (events, req) = sub.collect(1).await?;
    expect_discontinuity(
        &t,
        "a poll naming a page that was reset gets a discontinuity with the new page",
        &events,
        &Expected {
            last: first + 1,
            stale_page: Some(page),
            new: Some(1),
        },
        &req,
    )
}

async fn after_evict(t: Arc<Target>) -> Result<(), CheckError> {
    let (topic, first, page) = seeded(&t, "evict", 3).await?;
    t.evict(&topic, 2).await?;
    let mut sub = Subscriber::new(&t, &topic, first, page);
    let (events, req) = sub.collect(1).await?;
    expect_discontinuity(
        &t,
        "a poll naming an evicted number gets a discontinuity to the oldest buffered message",
        &events,
        &Expected {
            last: first.saturating_sub(1),
            stale_page: None,
            new: Some(first + 2),
        },
        &req,
    )
}

async fn future_number(t: Arc<Target>) -> Result<(), CheckError> {
    let (topic, first, page) = seeded(&t, "future", 1).await?;
    let far = first + 100;
    let mut sub = Subscriber::new(&t, &topic, far, page);
    let (events, req) = sub.collect(1).await?;
    expect_discontinuity(
        &t,
        "a poll naming a number in the future gets a discontinuity",
        &events,
        &Expected {
            last: far - 1,
            stale_page: None,
            new: None,
        },
        &req,
    )
}

/// A page the topic never had.
fn stale(page: u64) -> u64 {
    page.wrapping_add(1_000_003).max(1)
}

async fn stale_page(t: Arc<Target>) -> Result<(), CheckError> {
    let (topic, first, page) = seeded(&t, "stale-page", 2).await?;
    let bogus = stale(page);
    let mut sub = Subscriber::new(&t, &topic, first + 1, bogus);
    let (events, req) = sub.collect(1).await?;
    expect_discontinuity(
        &t,
        "a poll naming a page the topic is not on gets a discontinuity with the current page",
        &events,
        &Expected {
            last: first,
            stale_page: Some(bogus),
            new: None,
        },
        &req,
    )
}

/// Whatever discontinuity a live target answers to a future number or a
/// stale page, the item after it carries its `new_topic_sequence` (and
/// page). The docs show it; whether these requests provoke one is the
/// project's reading of the resume rule, so a target that answers neither
/// with a discontinuity skips. Both probes run; when no item follows the
/// discontinuity yet (it points at the next number to be published), the
/// check publishes one while a poll from the new position waits.
async fn next_item_carries_new(t: Arc<Target>) -> Result<(), CheckError> {
    let (topic, first, page) = seeded(&t, "next-carries-new", 2).await?;
    let mut answered = false;
    for (seq, pg) in [(first + 100, page), (first + 1, stale(page))] {
        answered |= item_after_discontinuity(&t, &topic, seq, pg).await?;
    }
    if answered {
        Ok(())
    } else {
        Err(CheckError::Skip(
            "the target answered neither a future number nor a stale page with a discontinuity (see subscribe.discontinuity.*)".into(),
        ))
    }
}

/// Poll `(seq, page)`; on a discontinuity, the item after it (published
/// now if none came) must carry its new number and page. `false` when the
/// answer had no discontinuity.
async fn item_after_discontinuity(
    t: &Arc<Target>,
    topic: &str,
    seq: u64,
    page: u64,
) -> Result<bool, CheckError> {
    let mut sub = Subscriber::new(t, topic, seq, page);
    let batch = sub.poll().await?;
    let Some(at) = batch
        .events
        .iter()
        .position(|e| matches!(e, Event::Discontinuity { .. }))
    else {
        return Ok(false);
    };
    let Event::Discontinuity { new, new_page, .. } = batch.events[at] else {
        return Ok(false);
    };
    let mut after: Vec<Event> = batch.events[at + 1..].to_vec();
    let mut req = batch.req;
    if after.is_empty() {
        let payload = t.fresh_name("after-discontinuity");
        sub.expect(&payload);
        let publish = Req::publish_text(&t.cache, topic, t.token(), &payload);
        let (_, next) = poll_while(t, sub, async || {
            publish_ahead(t, &publish).await.map(|_| ())
        })
        .await?;
        after = next.events;
        req = next.req;
    }
    match after.first() {
        // On a target without pages both are 0.
        Some(Event::Item { seq, page, .. }) if *seq == new && *page == new_page => Ok(true),
        other => Err(CheckError::Fail(Failure {
            behaviour: "the item after a discontinuity carries its new_topic_sequence and new_sequence_page".into(),
            expected: format!("an item numbered {new} on page {new_page}"),
            actual: format!("{other:?} (after the discontinuity: {after:?})"),
            repro: Some(t.curl(&req)),
        })),
    }
}
