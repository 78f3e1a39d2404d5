//! The resume rule (docs/api.md §4): `(N, P)` delivers from N inclusive;
//! N = 0 means from now on.

use super::{Subscriber, batch_fail, check, items, poll_while_publishing, publish_ok};
use crate::failure::{CheckError, Failure};
use crate::registry::Check;
use crate::target::Target;
use std::sync::Arc;

pub(super) fn checks() -> Vec<Check> {
    vec![
        // The docs define sequence_number as the next number expected
        // (last received + 1): delivery from N inclusive is that definition.
        check!("subscribe.resume.inclusive", D, "§4", false, inclusive),
        check!("subscribe.sequence-zero.from-now", I, "§4", false, from_now),
    ]
}

async fn inclusive(t: Arc<Target>) -> Result<(), CheckError> {
    let topic = t.fresh_topic("resume");
    let (_, b) = poll_while_publishing(&t, &topic, &["r0"]).await?;
    let Some((first, page, _)) = items(&b.events).first().cloned() else {
        return Err(batch_fail(
            &t,
            "a poll answers with the message",
            "an item",
            &b,
        ));
    };
    publish_ok(&t, &topic, "r1").await?;
    publish_ok(&t, &topic, "r2").await?;
    let mut resumed = Subscriber::new(&t, &topic, first + 1, page);
    resumed.expect("r1");
    resumed.expect("r2");
    let (events, req) = resumed.collect(2).await?;
    let got: Vec<(u64, String)> = items(&events).into_iter().map(|i| (i.0, i.2)).collect();
    let want = vec![(first + 1, "r1".to_owned()), (first + 2, "r2".to_owned())];
    if got != want {
        return Err(CheckError::Fail(Failure {
            behaviour: "a poll with sequence_number N delivers from N inclusive".into(),
            expected: format!("{want:?}"),
            actual: format!("{got:?} (events {events:?}){}", resumed.connection_report()),
            repro: Some(t.curl(&req)),
        }));
    }
    Ok(())
}

async fn from_now(t: Arc<Target>) -> Result<(), CheckError> {
    let topic = t.fresh_topic("from-now");
    publish_ok(&t, &topic, "before").await?;
    let (_, b) = poll_while_publishing(&t, &topic, &["after"]).await?;
    let got = items(&b.events);
    if got.first().map(|i| i.2.as_str()) != Some("after") {
        return Err(batch_fail(
            &t,
            "sequence_number 0 delivers what is published from now on",
            "the first item is \"after\" (not \"before\")",
            &b,
        ));
    }
    Ok(())
}
