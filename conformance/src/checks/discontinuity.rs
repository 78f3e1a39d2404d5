//! Discontinuities (SPEC §4): after a reset (stale page), after eviction,
//! and for a number in the future; the next item carries the new number.

use super::{batch_fail, check, collect, items, poll_while_publishing, publish_ok};
use crate::history::Event;
use crate::registry::Check;
use crate::target::{CheckError, Failure, Req, Target};
use serde_json::{Value, json};
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
    ]
}

/// Publish `n` messages on a fresh topic; return (topic, first number, page).
async fn seeded(t: &Arc<Target>, label: &str, n: usize) -> Result<(String, u64, u64), CheckError> {
    let topic = t.fresh_topic(label);
    let b = poll_while_publishing(t.clone(), &topic, 0, 0, &["s0"]).await?;
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

/// The first element must be a discontinuity with `last`, and the next item
/// must carry its `new_topic_sequence`.
fn expect_discontinuity(
    t: &Target,
    behaviour: &str,
    events: &[Event],
    last: u64,
    stale_page: Option<u64>,
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
        last: l,
        new,
        new_page,
    }) = events.first()
    else {
        return Err(fail(format!(
            "a discontinuity first, with last_topic_sequence {last}"
        )));
    };
    if *l != last {
        return Err(fail(format!("last_topic_sequence {last}")));
    }
    if let Some(stale) = stale_page
        && *new_page == stale
    {
        return Err(fail(format!(
            "new_sequence_page different from the stale page {stale}"
        )));
    }
    if let Some(Event::Item { seq, .. }) = events.get(1)
        && seq != new
    {
        return Err(fail(format!(
            "the item after the discontinuity carries new_topic_sequence {new}"
        )));
    }
    Ok(())
}

async fn after_reset(t: Arc<Target>) -> Result<(), CheckError> {
    let (topic, first, page) = seeded(&t, "reset", 2).await?;
    t.topic_admin(&topic, "/reset", None).await?;
    publish_ok(&t, &topic, "after-reset").await?;
    let (events, req) = collect(&t, &topic, first + 2, page, 1).await?;
    expect_discontinuity(
        &t,
        "a poll naming a page that was reset gets a discontinuity with the new page",
        &events,
        first + 1,
        Some(page),
        &req,
    )
}

async fn after_evict(t: Arc<Target>) -> Result<(), CheckError> {
    let (topic, first, page) = seeded(&t, "evict", 3).await?;
    let state: Value = t
        .topic_admin(&topic, "/evict", Some(json!({"count": 2})))
        .await?;
    let _ = state;
    let (events, req) = collect(&t, &topic, first, page, 1).await?;
    expect_discontinuity(
        &t,
        "a poll naming an evicted number gets a discontinuity, then the oldest buffered item",
        &events,
        first.saturating_sub(1),
        None,
        &req,
    )?;
    if let Some(Event::Discontinuity { new, .. }) = events.first()
        && *new != first + 2
    {
        return Err(CheckError::Fail(Failure {
            behaviour:
                "after evicting 2 of 3 messages the discontinuity points at the oldest buffered one"
                    .into(),
            expected: format!("new_topic_sequence {}", first + 2),
            actual: format!("events {events:?}"),
            repro: Some(t.curl(&req)),
        }));
    }
    Ok(())
}

async fn future_number(t: Arc<Target>) -> Result<(), CheckError> {
    let (topic, first, page) = seeded(&t, "future", 1).await?;
    let far = first + 100;
    let (events, req) = collect(&t, &topic, far, page, 1).await?;
    expect_discontinuity(
        &t,
        "a poll naming a number in the future gets a discontinuity",
        &events,
        far - 1,
        None,
        &req,
    )
}
