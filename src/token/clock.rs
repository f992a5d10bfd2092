//! Where "now" comes from, so expiry can be tested without sleeping.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Utc};

/// A source of the current time for issuing and validating tokens.
///
/// [`SystemClock`] is the default. Inject another with `with_clock` on
/// [`TokenIssuer`](crate::token::TokenIssuer) or [`TokenVerifier`](crate::token::TokenVerifier),
/// for example a [`FixedClock`] in tests.
///
/// ```
/// use chrono::{DateTime, Utc};
/// use keyward::token::Clock;
///
/// #[derive(Debug)]
/// struct Frozen;
/// impl Clock for Frozen {
///     fn now(&self) -> DateTime<Utc> {
///         DateTime::from_timestamp(1_700_000_000, 0).unwrap()
///     }
/// }
/// assert_eq!(Frozen.now().timestamp(), 1_700_000_000);
/// ```
pub trait Clock: fmt::Debug + Send + Sync {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;

    /// The current time in whole seconds since the Unix epoch (rounded down), the resolution
    /// of JWT dates: what issuing and verifying read. The default takes it from
    /// [`now`](Self::now); a clock that has it directly can say so and skip the calendar.
    ///
    /// ```
    /// use keyward::token::{Clock, FixedClock};
    /// assert_eq!(FixedClock::at_unix_seconds(1_700_000_000).unix_seconds(), 1_700_000_000);
    /// ```
    fn unix_seconds(&self) -> i64 {
        self.now().timestamp()
    }
}

/// A shared clock is a clock, so `with_clock` takes an `Arc<dyn Clock>` (or `Arc<FixedClock>`)
/// that the rest of a service reads too.
impl<C: Clock + ?Sized> Clock for Arc<C> {
    fn now(&self) -> DateTime<Utc> {
        (**self).now()
    }

    fn unix_seconds(&self) -> i64 {
        (**self).unix_seconds()
    }
}

/// The operating system's clock, [`Utc::now`].
///
/// ```
/// use keyward::token::{Clock, SystemClock};
/// assert!(SystemClock.now().timestamp() > 1_700_000_000);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    fn unix_seconds(&self) -> i64 {
        whole_seconds(SystemTime::now())
    }
}

/// `time` in whole seconds since the Unix epoch, rounded down: before the epoch (a badly set
/// clock) negative, as `now().timestamp()` would have it.
fn whole_seconds(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(since) => i64::try_from(since.as_secs()).unwrap_or(i64::MAX),
        Err(before) => {
            let before = before.duration();
            let whole = i64::try_from(before.as_secs()).unwrap_or(i64::MAX);
            if before.subsec_nanos() == 0 {
                -whole
            } else {
                -whole - 1
            }
        }
    }
}

/// A clock that stands still until told to move, for tests. Clones share one instant, so a
/// test can keep a handle after giving a clone to an issuer.
///
/// It counts whole seconds, the resolution of JWT dates.
///
/// ```
/// use keyward::token::{Clock, FixedClock};
/// use std::time::{Duration, SystemTime, UNIX_EPOCH};
///
/// let clock = FixedClock::at_unix_seconds(1_000);
/// let shared = clock.clone();
/// clock.advance(Duration::from_secs(30));
/// assert_eq!(shared.now().timestamp(), 1_030);
/// ```
#[derive(Debug, Clone)]
pub struct FixedClock {
    unix_seconds: Arc<AtomicI64>,
}

impl FixedClock {
    /// A clock reading `instant`, truncated to whole seconds.
    ///
    /// ```
    /// # use keyward::token::{Clock, FixedClock};
    /// let start = chrono::DateTime::from_timestamp(42, 0).unwrap();
    /// assert_eq!(FixedClock::at(start).now(), start);
    /// ```
    pub fn at(instant: DateTime<Utc>) -> Self {
        Self::at_unix_seconds(instant.timestamp())
    }

    /// A clock reading `seconds` after the Unix epoch.
    ///
    /// ```
    /// # use keyward::token::{Clock, FixedClock};
    /// assert_eq!(FixedClock::at_unix_seconds(7).now().timestamp(), 7);
    /// ```
    pub fn at_unix_seconds(seconds: i64) -> Self {
        FixedClock {
            unix_seconds: Arc::new(AtomicI64::new(seconds)),
        }
    }

    /// Moves the clock forward by `by`, in whole seconds (the fraction is dropped).
    ///
    /// ```
    /// # use keyward::token::{Clock, FixedClock};
    /// # use std::time::{Duration, SystemTime, UNIX_EPOCH};
    /// let clock = FixedClock::at_unix_seconds(0);
    /// clock.advance(Duration::from_millis(2_500));
    /// assert_eq!(clock.now().timestamp(), 2);
    /// ```
    pub fn advance(&self, by: Duration) {
        let seconds = i64::try_from(by.as_secs()).unwrap_or(i64::MAX);
        let _ = self
            .unix_seconds
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |now| {
                Some(now.saturating_add(seconds))
            });
    }

    /// Moves the clock back by `by`, in whole seconds.
    ///
    /// ```
    /// # use keyward::token::{Clock, FixedClock};
    /// # use std::time::{Duration, SystemTime, UNIX_EPOCH};
    /// let clock = FixedClock::at_unix_seconds(10);
    /// clock.rewind(Duration::from_secs(4));
    /// assert_eq!(clock.now().timestamp(), 6);
    /// ```
    pub fn rewind(&self, by: Duration) {
        let seconds = i64::try_from(by.as_secs()).unwrap_or(i64::MAX);
        let _ = self
            .unix_seconds
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |now| {
                Some(now.saturating_sub(seconds))
            });
    }

    /// Sets the clock to `instant`, truncated to whole seconds.
    ///
    /// ```
    /// # use keyward::token::{Clock, FixedClock};
    /// let clock = FixedClock::at_unix_seconds(0);
    /// clock.set(chrono::DateTime::from_timestamp(99, 0).unwrap());
    /// assert_eq!(clock.now().timestamp(), 99);
    /// ```
    pub fn set(&self, instant: DateTime<Utc>) {
        self.unix_seconds
            .store(instant.timestamp(), Ordering::SeqCst);
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        let seconds = self.unix_seconds.load(Ordering::SeqCst);
        // Out of chrono's range only after a saturating advance; clamp to its ends.
        DateTime::from_timestamp(seconds, 0).unwrap_or(if seconds < 0 {
            DateTime::<Utc>::MIN_UTC
        } else {
            DateTime::<Utc>::MAX_UTC
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shortcut rounds as chrono's `timestamp` does, on both sides of the epoch (fixed
    /// instants, not the running clock, so the test cannot race it).
    #[test]
    fn system_whole_seconds_agree_with_chrono() {
        for (seconds, nanos) in [
            (0, 0),
            (1_700_000_000, 0),
            (1_700_000_000, 999_999_999),
            (-1, 0),
            (-2, 500_000_000),
            (-1_000_000, 1),
        ] {
            let instant = DateTime::<Utc>::from_timestamp(seconds, nanos).unwrap();
            let time = SystemTime::from(instant);
            assert_eq!(
                whole_seconds(time),
                instant.timestamp(),
                "{seconds}.{nanos:09}"
            );
        }
    }

    /// A clock that only has `now` gets whole seconds, rounded down, also before the epoch.
    #[test]
    fn the_default_rounds_down() {
        #[derive(Debug)]
        struct At(i64, u32);
        impl Clock for At {
            fn now(&self) -> DateTime<Utc> {
                DateTime::from_timestamp(self.0, self.1).unwrap()
            }
        }
        assert_eq!(At(1_700_000_000, 999_999_999).unix_seconds(), 1_700_000_000);
        assert_eq!(At(-2, 500_000_000).unix_seconds(), -2);
        let shared: Arc<dyn Clock> = Arc::new(At(42, 0));
        assert_eq!(shared.unix_seconds(), 42);
    }
}
