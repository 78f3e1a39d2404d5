//! How a subscription waits before trying again after a retryable error.
//!
//! Exponential backoff with jitter; a `Retry-After` from the server wins.
//! Publishes are never retried: they are not idempotent.

use std::time::{Duration, SystemTime};

use rand::Rng as _;

/// When and how often a subscription retries 429, 5xx and connection errors.
///
/// The wait before retry `n` (from 0) is a random duration between half and
/// all of `min(initial_backoff * multiplier^n, max_backoff)`, unless the server
/// sent `Retry-After`, which is honoured as given. The count resets after every
/// successful poll.
///
/// ```
/// use std::time::Duration;
/// use momento_http::RetryPolicy;
///
/// let policy = RetryPolicy::default()
///     .initial_backoff(Duration::from_millis(50))
///     .max_retries(Some(3));
/// assert_eq!(policy.get_max_retries(), Some(3));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    /// The first backoff, before jitter.
    initial_backoff: Duration,
    /// The cap on any computed backoff (not on `Retry-After`).
    max_backoff: Duration,
    /// The growth factor per retry.
    multiplier: f64,
    /// Consecutive failures tolerated; `None` retries for ever.
    max_retries: Option<u32>,
}

impl Default for RetryPolicy {
    /// 200 ms doubling up to 30 s, at most 10 consecutive retries.
    fn default() -> RetryPolicy {
        RetryPolicy {
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(30),
            multiplier: 2.0,
            max_retries: Some(10),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries: the first retryable error ends the subscription.
    pub fn never() -> RetryPolicy {
        RetryPolicy::default().max_retries(Some(0))
    }

    /// Sets the first backoff.
    pub fn initial_backoff(mut self, backoff: Duration) -> RetryPolicy {
        self.initial_backoff = backoff;
        self
    }

    /// Sets the largest computed backoff.
    pub fn max_backoff(mut self, backoff: Duration) -> RetryPolicy {
        self.max_backoff = backoff;
        self
    }

    /// Sets the growth factor (values below 1 are treated as 1).
    pub fn multiplier(mut self, multiplier: f64) -> RetryPolicy {
        self.multiplier = multiplier.max(1.0);
        self
    }

    /// Sets how many consecutive failures are retried (`None`: no limit).
    pub fn max_retries(mut self, retries: Option<u32>) -> RetryPolicy {
        self.max_retries = retries;
        self
    }

    /// How many consecutive failures are retried.
    pub fn get_max_retries(&self) -> Option<u32> {
        self.max_retries
    }

    /// Whether retry number `attempt` (from 0) is allowed.
    pub(crate) fn allows(&self, attempt: u32) -> bool {
        self.max_retries.is_none_or(|max| attempt < max)
    }

    /// The wait before retry number `attempt` (from 0).
    pub(crate) fn backoff(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(wait) = retry_after {
            return wait;
        }
        let exp = self.multiplier.powi(attempt.min(64) as i32);
        let base = self.initial_backoff.as_secs_f64() * exp;
        let capped = base.min(self.max_backoff.as_secs_f64());
        let jitter = rand::rng().random_range(0.5..=1.0);
        // try_: near Duration::MAX, f64 rounding can land just above it.
        Duration::try_from_secs_f64(capped * jitter).unwrap_or(self.max_backoff)
    }
}

/// How long a `Retry-After` header value asks to wait, seen at `now`.
///
/// Both forms of RFC 9110 §10.2.3: delay seconds (decimals accepted, as some
/// servers send them) and an HTTP date, which counts from `now` (a date in
/// the past means "now"). Anything else, or a delay too large for a
/// [`Duration`], is no advice at all: `None`, and the policy's own backoff
/// applies.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    if let Ok(seconds) = value.parse::<f64>() {
        // try_: a server's "1e300" must not panic the client.
        return (seconds >= 0.0)
            .then(|| Duration::try_from_secs_f64(seconds).ok())
            .flatten();
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480); // Wed, 21 Oct 2015 07:28:00 GMT
        assert_eq!(parse_retry_after(" 3 ", now), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_retry_after("0.5", now),
            Some(Duration::from_millis(500))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now),
            Some(Duration::ZERO),
            "a date in the past means retry now"
        );
    }

    #[test]
    fn unusable_retry_after_is_no_advice_and_never_panics() {
        let now = SystemTime::now();
        for bad in [
            "",
            "soon",
            "-1",
            "-0.5",
            "NaN",
            "inf",
            "1e300",
            "99999999999999999999999",
        ] {
            assert_eq!(parse_retry_after(bad, now), None, "{bad:?}");
        }
    }

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        let p = RetryPolicy::default()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(350));
        for _ in 0..50 {
            let b0 = p.backoff(0, None);
            assert!(b0 >= Duration::from_millis(50) && b0 <= Duration::from_millis(100));
            let b2 = p.backoff(2, None);
            assert!(b2 >= Duration::from_millis(175) && b2 <= Duration::from_millis(350));
        }
        assert_eq!(
            p.backoff(5, Some(Duration::from_secs(3))),
            Duration::from_secs(3)
        );
        // Near Duration::MAX the f64 arithmetic must not panic, and jitter
        // still keeps at least about half the cap.
        let unbounded = RetryPolicy::default()
            .multiplier(10.0)
            .max_backoff(Duration::MAX);
        assert!(unbounded.backoff(200, None) >= Duration::MAX / 3);
    }

    #[test]
    fn retry_limits() {
        assert!(!RetryPolicy::never().allows(0));
        assert!(RetryPolicy::default().allows(9));
        assert!(!RetryPolicy::default().allows(10));
        assert!(RetryPolicy::default().max_retries(None).allows(1_000));
    }
}
