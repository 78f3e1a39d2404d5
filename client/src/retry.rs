//! How a subscription waits before trying again: after a retryable error,
//! and after polls that make no progress.
//!
//! Exponential backoff with jitter; a `Retry-After` from the server may ask
//! for longer (up to a cap), never for less. Publishes are never retried:
//! they are not idempotent.

use std::time::{Duration, SystemTime};

/// When and how often a subscription retries transient failures: 429, 5xx,
/// connection refused or reset, and polls that time out without a complete
/// answer.
///
/// By default it retries for ever: an outage of any length ends in the
/// subscription resuming from its cursor, while each failure is reported as
/// [`TopicEvent::ConnectionLost`](crate::TopicEvent::ConnectionLost). Set
/// [`max_retries`](Self::max_retries) to give up instead.
///
/// The wait before retry `n` (from 0) is a random duration between half and
/// all of `min(initial_backoff * multiplier^n, max_backoff)` (all of it
/// [`without_jitter`](Self::without_jitter)). That backoff is
/// the floor: a server's `Retry-After` can lengthen the wait, up to
/// [`max_retry_after`](Self::max_retry_after) (so a server asking for years
/// is asked again after a minute), but never shorten it (so `Retry-After: 0`
/// or a date in the past, on every answer, cannot make the subscription
/// spin). The count resets after every successful poll.
///
/// Polls that succeed but make no progress (an immediate 204 or empty batch,
/// only repeats) are spaced out too: the `k`-th in a row starts at least
/// `min(no_progress_floor * 2^(k-1), no_progress_cap)` after the one before,
/// so a long poll that waited on the server costs nothing extra while a
/// server answering at once cannot make the subscription spin.
///
/// ```
/// use std::time::Duration;
/// use momento_http::RetryPolicy;
///
/// let policy = RetryPolicy::default()
///     .initial_backoff(Duration::from_millis(50))
///     .max_retries(Some(3));
/// assert_eq!(policy.get_max_retries(), Some(3));
/// assert_eq!(RetryPolicy::default().get_max_retries(), None, "for ever by default");
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
    /// The longest `Retry-After` honoured.
    max_retry_after: Duration,
    /// Whether waits are drawn from half to all of the backoff.
    jitter: bool,
    /// The spacing after the first poll in a row that made no progress.
    no_progress_floor: Duration,
    /// The largest spacing between polls that make no progress.
    no_progress_cap: Duration,
}

/// The default cap on a server's `Retry-After`: 60 s.
pub const DEFAULT_MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

impl Default for RetryPolicy {
    /// 200 ms doubling up to 30 s, for ever; `Retry-After` honoured up to
    /// 60 s; polls without progress spaced from 10 ms doubling up to 500 ms.
    fn default() -> RetryPolicy {
        RetryPolicy {
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(30),
            multiplier: 2.0,
            max_retries: None,
            max_retry_after: DEFAULT_MAX_RETRY_AFTER,
            jitter: true,
            no_progress_floor: Duration::from_millis(10),
            no_progress_cap: Duration::from_millis(500),
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

    /// Sets how many consecutive failures are retried (`None`, the
    /// default: no limit).
    pub fn max_retries(mut self, retries: Option<u32>) -> RetryPolicy {
        self.max_retries = retries;
        self
    }

    /// Sets the longest `Retry-After` honoured (default 60 s); a server
    /// asking for longer is asked again after this.
    pub fn max_retry_after(mut self, cap: Duration) -> RetryPolicy {
        self.max_retry_after = cap;
        self
    }

    /// Waits the whole backoff every time instead of a random part of it
    /// (half to all). For tests that assert exact waits: in production,
    /// jitter keeps many clients that failed together from retrying together.
    pub fn without_jitter(mut self) -> RetryPolicy {
        self.jitter = false;
        self
    }

    /// Sets how polls that make no progress are spaced: from `floor`,
    /// doubling, up to `cap` (default 10 ms to 500 ms).
    pub fn no_progress_backoff(mut self, floor: Duration, cap: Duration) -> RetryPolicy {
        self.no_progress_floor = floor;
        self.no_progress_cap = cap.max(floor);
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

    /// The wait before retry number `attempt` (from 0): the policy's own
    /// backoff, or the server's `Retry-After` (capped) when that is longer.
    /// `jitter`, drawn in `[0.5, 1]`, is the part of the backoff waited
    /// when the policy jitters.
    pub(crate) fn backoff(
        &self,
        attempt: u32,
        retry_after: Option<Duration>,
        jitter: f64,
    ) -> Duration {
        let jitter = if self.jitter {
            jitter.clamp(0.5, 1.0)
        } else {
            1.0
        };
        let own = self.own_backoff(attempt, jitter);
        match retry_after {
            Some(asked) => own.max(asked.min(self.max_retry_after)),
            None => own,
        }
    }

    /// The exponential backoff before retry number `attempt`, `jitter` of it.
    fn own_backoff(&self, attempt: u32, jitter: f64) -> Duration {
        let exp = self.multiplier.powi(attempt.min(64) as i32);
        let base = self.initial_backoff.as_secs_f64() * exp;
        let capped = base.min(self.max_backoff.as_secs_f64());
        // try_: near Duration::MAX, f64 rounding can land just above it.
        Duration::try_from_secs_f64(capped * jitter).unwrap_or(self.max_backoff)
    }
}

impl RetryPolicy {
    /// The least time between the start of the `k`-th poll in a row that
    /// made no progress (from 1) and the start of the next.
    pub(crate) fn no_progress_spacing(&self, k: u32) -> Duration {
        if k == 0 {
            return Duration::ZERO;
        }
        let factor = 1u32.checked_shl(k - 1).unwrap_or(u32::MAX);
        self.no_progress_floor
            .checked_mul(factor)
            .unwrap_or(Duration::MAX)
            .min(self.no_progress_cap)
    }
}

/// How long a `Retry-After` header value asks to wait, seen at `now`.
///
/// Both forms of RFC 9110 §10.2.3: delay seconds (decimals accepted, as some
/// servers send them) and an HTTP date, which counts from `now` (a date in
/// the past means "now"). Anything else, or a delay too large for a
/// [`Duration`], is no advice at all: `None`, and the policy's own backoff
/// applies.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480); // 07:28:00
/// assert_eq!(momento_http::parse_retry_after("2", now), Some(Duration::from_secs(2)));
/// assert_eq!(
///     momento_http::parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now),
///     Some(Duration::from_secs(30))
/// );
/// ```
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
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
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480);
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

    /// The jitter fractions at both ends and between.
    const JITTERS: [f64; 3] = [0.5, 0.75, 1.0];

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        let p = RetryPolicy::default()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(350));
        let ms = Duration::from_millis;
        assert_eq!(
            JITTERS.map(|j| p.backoff(0, None, j)),
            [ms(50), ms(75), ms(100)]
        );
        assert_eq!(
            JITTERS.map(|j| p.backoff(2, None, j)),
            [ms(175), ms(262) + Duration::from_micros(500), ms(350)],
            "400 ms capped at 350"
        );
        assert_eq!(
            p.backoff(5, Some(Duration::from_secs(3)), 1.0),
            Duration::from_secs(3)
        );
        assert_eq!(
            p.backoff(0, Some(Duration::from_secs(999_999_999)), 0.5),
            DEFAULT_MAX_RETRY_AFTER,
            "a server may not park a subscription for years"
        );
        // Near Duration::MAX the f64 arithmetic must not panic, and jitter
        // still keeps at least about half the cap.
        let unbounded = RetryPolicy::default()
            .multiplier(10.0)
            .max_backoff(Duration::MAX);
        for jitter in JITTERS {
            assert!(unbounded.backoff(200, None, jitter) >= Duration::MAX / 3);
        }
    }

    #[test]
    fn without_jitter_every_wait_is_the_whole_backoff() {
        let p = RetryPolicy::default()
            .initial_backoff(Duration::from_millis(100))
            .without_jitter();
        for jitter in JITTERS {
            assert_eq!(p.backoff(1, None, jitter), Duration::from_millis(200));
        }
    }

    #[test]
    fn a_server_may_ask_for_longer_never_for_less() {
        let p = RetryPolicy::default()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(100));
        for asked in [Duration::ZERO, Duration::from_millis(10)] {
            for jitter in JITTERS {
                assert!(
                    p.backoff(0, Some(asked), jitter) >= Duration::from_millis(50),
                    "Retry-After {asked:?} undercut the policy's own backoff"
                );
            }
        }
        assert_eq!(
            p.backoff(0, Some(Duration::from_secs(2)), 0.5),
            Duration::from_secs(2)
        );
    }

    #[test]
    fn retry_limits() {
        assert!(!RetryPolicy::never().allows(0));
        assert!(
            RetryPolicy::default().allows(u32::MAX),
            "for ever by default"
        );
        let limited = RetryPolicy::default().max_retries(Some(10));
        assert!(limited.allows(9));
        assert!(!limited.allows(10));
    }

    #[test]
    fn polls_without_progress_are_spaced_from_a_floor_doubling_to_a_cap() {
        let p = RetryPolicy::default();
        let spacing: Vec<_> = (0..8).map(|k| p.no_progress_spacing(k)).collect();
        let ms = |n| Duration::from_millis(n);
        assert_eq!(
            spacing,
            vec![
                ms(0),
                ms(10),
                ms(20),
                ms(40),
                ms(80),
                ms(160),
                ms(320),
                ms(500)
            ]
        );
        assert_eq!(p.no_progress_spacing(u32::MAX), ms(500));
    }
}
