//! The soak's fault schedule: which fault to arm next, drawn from the seed.

use std::num::NonZeroU32;

use momento_http::admin_wire::{FaultAction, FaultOperation, FaultRequest};

use crate::seeded::Rng;

/// A random fault on `cache`/`topic`: (kind for the report, the request that arms it).
///
/// 25% a 500, 10% a 503, 10% a 429 with `Retry-After: 1`, 25% a dropped
/// connection, 30% a delay of 20..620 ms; on publishes or subscribes alike,
/// for the next 1 to 3 matching requests.
pub fn random_fault(rng: &mut Rng, cache: &str, topic: &str) -> (&'static str, FaultRequest) {
    let operation = if rng.below(2) == 0 {
        FaultOperation::Publish
    } else {
        FaultOperation::Subscribe
    };
    let count = NonZeroU32::MIN.saturating_add(rng.below(3) as u32);
    let status = |status: u16| FaultAction {
        status: Some(status),
        ..FaultAction::default()
    };
    let (kind, action) = match rng.below(100) {
        0..=24 => ("500", status(500)),
        25..=34 => ("503", status(503)),
        35..=44 => (
            "429+Retry-After",
            FaultAction {
                retry_after_seconds: Some(1),
                ..status(429)
            },
        ),
        45..=69 => (
            "drop",
            FaultAction {
                drop: Some(true),
                ..FaultAction::default()
            },
        ),
        _ => (
            "delay",
            FaultAction {
                delay_ms: Some(20 + rng.below(600)),
                ..FaultAction::default()
            },
        ),
    };
    let request = FaultRequest {
        action,
        cache: Some(cache.into()),
        count,
        operation,
        topic: Some(topic.into()),
    };
    (kind, request)
}

#[cfg(test)]
mod tests {
    use super::random_fault;
    use crate::seeded::Rng;

    #[test]
    fn every_drawn_fault_arms_exactly_one_action_for_one_to_three_requests() {
        let mut rng = Rng::new(6);
        for _ in 0..500 {
            let (kind, f) = random_fault(&mut rng, "c", "t");
            let a = &f.action;
            let actions = [a.status.is_some(), a.drop.is_some(), a.delay_ms.is_some()];
            assert_eq!(actions.iter().filter(|&&x| x).count(), 1, "{kind}: {a:?}");
            assert!((1..=3).contains(&f.count.get()), "{kind}: {}", f.count);
            assert_eq!(a.retry_after_seconds.is_some(), kind == "429+Retry-After");
        }
    }
}
