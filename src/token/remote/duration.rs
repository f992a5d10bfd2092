//! `CacheDuration`: the spans of time a remote key set's settings take.

use std::time::Duration;

use crate::token::TokenError;
use crate::token::duration::SecondsRange;

/// A span of time for a [`RemoteKeySet`](super::RemoteKeySet) setting (cooldown, cache ages,
/// staleness): whole seconds, from 1 second to [`MAX`](Self::MAX) (30 days).
///
/// Zero is refused so that no setting can switch the rate limit or the cache off by accident,
/// and 30 days is already far longer than a signing key should be trusted without a fresh look
/// at its issuer's key set.
///
/// ```
/// use keyward::token::{CacheDuration, TokenError};
/// use std::time::Duration;
///
/// assert_eq!(CacheDuration::from_mins(5)?.as_secs(), 300);
/// assert!(matches!(CacheDuration::from_secs(0), Err(TokenError::InvalidDuration { .. })));
/// assert!(CacheDuration::try_from(Duration::from_millis(1_500)).is_err());
/// # Ok::<(), TokenError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CacheDuration(u64);

impl CacheDuration {
    /// The shortest: 1 second.
    pub const MIN: CacheDuration = CacheDuration(1);
    /// The longest: 30 days.
    pub const MAX: CacheDuration = CacheDuration(30 * 86_400);

    pub(crate) const fn const_secs(seconds: u64) -> Self {
        CacheDuration(seconds)
    }

    const RANGE: SecondsRange = SecondsRange {
        setting: "cache duration",
        min: Self::MIN.0,
        max: Self::MAX.0,
    };

    /// A duration of `seconds`.
    ///
    /// # Errors
    ///
    /// [`TokenError::InvalidDuration`] for 0 or more than [`MAX`](Self::MAX).
    ///
    /// ```
    /// # use keyward::token::CacheDuration;
    /// assert_eq!(CacheDuration::from_secs(30)?.as_secs(), 30);
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn from_secs(seconds: u64) -> Result<Self, TokenError> {
        Self::RANGE.check(seconds).map(CacheDuration)
    }

    /// A duration of `minutes`.
    ///
    /// # Errors
    ///
    /// As [`from_secs`](Self::from_secs).
    ///
    /// ```
    /// # use keyward::token::CacheDuration;
    /// assert_eq!(CacheDuration::from_mins(10)?.as_secs(), 600);
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn from_mins(minutes: u64) -> Result<Self, TokenError> {
        Self::from_secs(minutes.saturating_mul(60))
    }

    /// A duration of `hours`.
    ///
    /// # Errors
    ///
    /// As [`from_secs`](Self::from_secs).
    ///
    /// ```
    /// # use keyward::token::CacheDuration;
    /// assert_eq!(CacheDuration::from_hours(6)?.as_secs(), 21_600);
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn from_hours(hours: u64) -> Result<Self, TokenError> {
        Self::from_secs(hours.saturating_mul(3600))
    }

    /// A duration of `days`.
    ///
    /// # Errors
    ///
    /// As [`from_secs`](Self::from_secs).
    ///
    /// ```
    /// # use keyward::token::CacheDuration;
    /// assert_eq!(CacheDuration::from_days(1)?.as_secs(), 86_400);
    /// assert!(CacheDuration::from_days(31).is_err());
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn from_days(days: u64) -> Result<Self, TokenError> {
        Self::from_secs(days.saturating_mul(86_400))
    }

    /// The duration in seconds.
    ///
    /// ```
    /// # use keyward::token::CacheDuration;
    /// assert_eq!(CacheDuration::MIN.as_secs(), 1);
    /// ```
    pub const fn as_secs(self) -> u64 {
        self.0
    }

    /// The duration as a [`Duration`].
    ///
    /// ```
    /// # use keyward::token::CacheDuration;
    /// # use std::time::Duration;
    /// assert_eq!(CacheDuration::from_secs(5)?.as_duration(), Duration::from_secs(5));
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub const fn as_duration(self) -> Duration {
        Duration::from_secs(self.0)
    }
}

impl TryFrom<Duration> for CacheDuration {
    type Error = TokenError;

    /// A cache duration of `duration`, which must be whole seconds.
    fn try_from(duration: Duration) -> Result<Self, TokenError> {
        Self::RANGE.check_duration(duration).map(CacheDuration)
    }
}
