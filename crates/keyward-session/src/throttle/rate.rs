//! A token bucket's shape and key.

use std::time::Duration;

use crate::SessionError;

/// A token bucket's shape: up to `burst` attempts at once, one more regained every `every`.
///
/// ```
/// use std::time::Duration;
/// use keyward_session::Rate;
///
/// let rate = Rate::new(5, Duration::from_secs(60))?;
/// assert_eq!(rate.burst(), 5);
/// assert!(Rate::new(0, Duration::from_secs(60)).is_err());
/// assert!(Rate::new(5, Duration::ZERO).is_err());
/// # Ok::<(), keyward_session::SessionError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    burst: u32,
    every: Duration,
}

impl Rate {
    /// `burst` attempts at once (1 or more), one more every `every` (at least a millisecond,
    /// at most a day).
    ///
    /// # Errors
    ///
    /// [`SessionError::Invalid`] outside those ranges.
    pub fn new(burst: u32, every: Duration) -> Result<Self, SessionError> {
        if burst == 0 {
            return Err(SessionError::Invalid {
                what: "rate burst",
                problem: "0, wanted 1 or more".to_owned(),
            });
        }
        if every < Duration::from_millis(1) || every > Duration::from_secs(86_400) {
            return Err(SessionError::Invalid {
                what: "rate interval",
                problem: format!("{every:?}, wanted 1 ms to 1 day"),
            });
        }
        Ok(Rate { burst, every })
    }

    pub(crate) const fn const_new(burst: u32, every_secs: u64) -> Self {
        Rate {
            burst,
            every: Duration::from_secs(every_secs),
        }
    }

    /// Attempts available when the bucket is full.
    pub fn burst(self) -> u32 {
        self.burst
    }

    /// Time to regain one attempt.
    pub fn every(self) -> Duration {
        self.every
    }

    /// [`every`](Self::every) in whole milliseconds (for store implementations).
    pub fn every_millis(self) -> i64 {
        i64::try_from(self.every.as_millis()).unwrap_or(i64::MAX)
    }
}

/// The key of one bucket in the store, such as `login:account:alice` or
/// `login:address:192.0.2.1`. Built by the rules; stores treat it as opaque text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BucketKey(String);

impl BucketKey {
    pub(crate) fn new(kind: &str, parts: &[&str]) -> Self {
        let mut key = String::from(kind);
        for part in parts {
            key.push(':');
            // Lengths make the key unambiguous whatever the parts contain.
            key.push_str(&part.len().to_string());
            key.push('=');
            key.push_str(part);
        }
        BucketKey(key)
    }

    /// The key text (for store implementations).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
