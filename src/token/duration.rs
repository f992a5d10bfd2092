//! Spans of time a token setting takes, checked when they are made rather than at first use.

use std::time::Duration;

use super::TokenError;

/// A token lifetime: whole seconds, from 1 second to [`MAX`](Self::MAX) (366 days).
///
/// JWT dates count whole seconds (RFC 7519 §2, NumericDate), so a lifetime with a fraction of
/// a second would be changed silently on the wire; it is refused instead, like zero and
/// lifetimes longer than a year (a refresh token that outlives a year of key rotations is
/// more likely a unit mistake than a policy).
///
/// ```
/// use keyward::token::{Lifetime, SigningKey, TokenError, TokenIssuer};
/// use std::time::Duration;
///
/// let issuer = TokenIssuer::new(SigningKey::hs256([1u8; 32])?).with_ttl(Lifetime::from_mins(5)?);
/// assert_eq!(issuer.ttl().as_duration(), Duration::from_secs(300));
/// assert!(matches!(Lifetime::try_from(Duration::from_millis(500)), Err(TokenError::InvalidDuration { .. })));
/// # Ok::<(), TokenError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Lifetime(u64);

impl Lifetime {
    /// The longest lifetime: 366 days.
    pub const MAX: Lifetime = Lifetime(366 * 24 * 60 * 60);

    /// A lifetime of `seconds`.
    ///
    /// # Errors
    ///
    /// [`TokenError::InvalidDuration`] for 0 or more than [`MAX`](Self::MAX).
    ///
    /// ```
    /// # use keyward::token::Lifetime;
    /// assert_eq!(Lifetime::from_secs(90)?.as_secs(), 90);
    /// assert!(Lifetime::from_secs(0).is_err());
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn from_secs(seconds: u64) -> Result<Self, TokenError> {
        Self::RANGE.check(seconds).map(Lifetime)
    }

    const RANGE: SecondsRange = SecondsRange {
        setting: "lifetime",
        min: 1,
        max: Self::MAX.0,
    };

    /// A lifetime of `minutes`.
    ///
    /// # Errors
    ///
    /// As [`from_secs`](Self::from_secs).
    ///
    /// ```
    /// # use keyward::token::Lifetime;
    /// assert_eq!(Lifetime::from_mins(15)?.as_secs(), 900);
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn from_mins(minutes: u64) -> Result<Self, TokenError> {
        Self::from_secs(minutes.saturating_mul(60))
    }

    /// A lifetime of `hours`.
    ///
    /// # Errors
    ///
    /// As [`from_secs`](Self::from_secs).
    ///
    /// ```
    /// # use keyward::token::Lifetime;
    /// assert_eq!(Lifetime::from_hours(2)?.as_secs(), 7200);
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn from_hours(hours: u64) -> Result<Self, TokenError> {
        Self::from_secs(hours.saturating_mul(3600))
    }

    /// A lifetime of `days`.
    ///
    /// # Errors
    ///
    /// As [`from_secs`](Self::from_secs).
    ///
    /// ```
    /// # use keyward::token::Lifetime;
    /// assert_eq!(Lifetime::from_days(7)?.as_secs(), 604_800);
    /// assert!(Lifetime::from_days(400).is_err());
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn from_days(days: u64) -> Result<Self, TokenError> {
        Self::from_secs(days.saturating_mul(86_400))
    }

    /// The lifetime in seconds.
    ///
    /// ```
    /// # use keyward::token::Lifetime;
    /// assert_eq!(Lifetime::from_secs(5)?.as_secs(), 5);
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub const fn as_secs(self) -> u64 {
        self.0
    }

    /// The lifetime as a [`Duration`].
    ///
    /// ```
    /// # use keyward::token::Lifetime;
    /// # use std::time::Duration;
    /// assert_eq!(Lifetime::from_secs(5)?.as_duration(), Duration::from_secs(5));
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub const fn as_duration(self) -> Duration {
        Duration::from_secs(self.0)
    }

    pub(crate) const fn const_secs(seconds: u64) -> Self {
        Lifetime(seconds)
    }
}

impl TryFrom<Duration> for Lifetime {
    type Error = TokenError;

    /// A lifetime of `duration`, which must be whole seconds.
    fn try_from(duration: Duration) -> Result<Self, TokenError> {
        Self::RANGE.check_duration(duration).map(Lifetime)
    }
}

/// Tolerated clock skew when checking `exp`, `nbf` and `iat`: whole seconds, from 0 to
/// [`MAX`](Self::MAX) (five minutes). A larger leeway silently extends every token's life.
///
/// ```
/// use keyward::token::{Leeway, TokenVerifier, VerifyingKey};
///
/// let verifier = TokenVerifier::new(VerifyingKey::hs256([1u8; 32])?).with_leeway(Leeway::from_secs(30)?);
/// assert!(Leeway::from_secs(3600).is_err());
/// # Ok::<(), keyward::token::TokenError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Leeway(u64);

impl Leeway {
    /// No leeway, the default.
    pub const ZERO: Leeway = Leeway(0);
    /// The largest leeway: five minutes.
    pub const MAX: Leeway = Leeway(5 * 60);

    /// A leeway of `seconds`.
    ///
    /// # Errors
    ///
    /// [`TokenError::InvalidDuration`] above [`MAX`](Self::MAX).
    ///
    /// ```
    /// # use keyward::token::Leeway;
    /// assert_eq!(Leeway::from_secs(60)?.as_secs(), 60);
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn from_secs(seconds: u64) -> Result<Self, TokenError> {
        Self::RANGE.check(seconds).map(Leeway)
    }

    const RANGE: SecondsRange = SecondsRange {
        setting: "leeway",
        min: 0,
        max: Self::MAX.0,
    };

    /// The leeway in seconds.
    ///
    /// ```
    /// # use keyward::token::Leeway;
    /// assert_eq!(Leeway::ZERO.as_secs(), 0);
    /// ```
    pub const fn as_secs(self) -> u64 {
        self.0
    }

    /// The leeway as a [`Duration`].
    ///
    /// ```
    /// # use keyward::token::Leeway;
    /// # use std::time::Duration;
    /// assert_eq!(Leeway::MAX.as_duration(), Duration::from_secs(300));
    /// ```
    pub const fn as_duration(self) -> Duration {
        Duration::from_secs(self.0)
    }
}

impl TryFrom<Duration> for Leeway {
    type Error = TokenError;

    /// A leeway of `duration`, which must be whole seconds.
    fn try_from(duration: Duration) -> Result<Self, TokenError> {
        Self::RANGE.check_duration(duration).map(Leeway)
    }
}

/// The whole seconds a duration setting accepts, and the error that names them.
pub(crate) struct SecondsRange {
    pub(crate) setting: &'static str,
    pub(crate) min: u64,
    pub(crate) max: u64,
}

impl SecondsRange {
    /// `seconds`, if within the range.
    pub(crate) fn check(&self, seconds: u64) -> Result<u64, TokenError> {
        if (self.min..=self.max).contains(&seconds) {
            Ok(seconds)
        } else {
            Err(self.error())
        }
    }

    /// `duration` in seconds, if it is whole seconds within the range: a fraction would be
    /// dropped silently otherwise.
    pub(crate) fn check_duration(&self, duration: Duration) -> Result<u64, TokenError> {
        if duration.subsec_nanos() == 0 {
            self.check(duration.as_secs())
        } else {
            Err(self.error())
        }
    }

    fn error(&self) -> TokenError {
        TokenError::InvalidDuration {
            setting: self.setting,
            min_secs: self.min,
            max_secs: self.max,
        }
    }
}
