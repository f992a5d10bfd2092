//! Length limits in Unicode code points.

use super::PolicyError;

/// The shortest and longest new password a [`PasswordPolicy`](crate::password::PasswordPolicy)
/// accepts, counted in Unicode code points (after normalization, when the hasher normalizes),
/// as NIST SP 800-63B-4 §3.1.1.2 counts them: each code point is one character, whatever its
/// byte length, so 64 characters are 64 characters in Latin, Cyrillic, Devanagari or emoji.
///
/// ```
/// use keyward::password::LengthLimits;
///
/// assert_eq!(LengthLimits::NIST_SINGLE_FACTOR.min(), 15);
/// let with_mfa = LengthLimits::try_new(8, 128)?;
/// assert_eq!((with_mfa.min(), with_mfa.max()), (8, 128));
/// # Ok::<(), keyward::password::PolicyError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LengthLimits {
    min: usize,
    max: usize,
}

impl LengthLimits {
    /// NIST's minimum for a password that is the only factor: 15, up to
    /// [`DEFAULT_MAX`](Self::DEFAULT_MAX). The default.
    pub const NIST_SINGLE_FACTOR: LengthLimits = LengthLimits {
        min: 15,
        max: Self::DEFAULT_MAX,
    };
    /// NIST's minimum for a password used with a second factor: 8, up to
    /// [`DEFAULT_MAX`](Self::DEFAULT_MAX).
    pub const NIST_MULTI_FACTOR: LengthLimits = LengthLimits {
        min: 8,
        max: Self::DEFAULT_MAX,
    };
    /// The default maximum, 256 code points: four times NIST's "at least 64", longer than any
    /// password manager's default output and any passphrase a person types. At 4 bytes per
    /// code point and NFC's worst-case growth of 3× (UAX #15 §9), 256 code points are at most
    /// 3072 bytes, so a password this policy accepts always fits the pre-hashed bcrypt and
    /// Argon2id cap of 4096 bytes.
    pub const DEFAULT_MAX: usize = 256;
    /// The highest maximum [`try_new`](Self::try_new) accepts (1024 code points): beyond it a
    /// password can no longer be guaranteed to fit the 4096-byte hashing cap.
    pub const MAX_CHARACTERS: usize = 1024;

    /// Limits from `min` to `max` code points.
    ///
    /// # Errors
    ///
    /// [`PolicyError::MinimumBelowNist`] below 8, [`PolicyError::MaximumBelowNist`] below 64,
    /// [`PolicyError::MaximumAboveCap`] above [`MAX_CHARACTERS`](Self::MAX_CHARACTERS),
    /// [`PolicyError::MinimumAboveMaximum`].
    ///
    /// ```
    /// use keyward::password::{LengthLimits, PolicyError};
    ///
    /// assert!(LengthLimits::try_new(20, 64).is_ok());
    /// assert_eq!(LengthLimits::try_new(15, 32), Err(PolicyError::MaximumBelowNist { max: 32 }));
    /// ```
    pub const fn try_new(min: usize, max: usize) -> Result<Self, PolicyError> {
        if min < 8 {
            Err(PolicyError::MinimumBelowNist { min })
        } else if max < 64 {
            Err(PolicyError::MaximumBelowNist { max })
        } else if max > Self::MAX_CHARACTERS {
            Err(PolicyError::MaximumAboveCap {
                max,
                cap: Self::MAX_CHARACTERS,
            })
        } else if min > max {
            Err(PolicyError::MinimumAboveMaximum { min, max })
        } else {
            Ok(LengthLimits { min, max })
        }
    }

    /// The minimum, in code points.
    ///
    /// ```
    /// # use keyward::password::LengthLimits;
    /// assert_eq!(LengthLimits::NIST_MULTI_FACTOR.min(), 8);
    /// ```
    pub const fn min(&self) -> usize {
        self.min
    }

    /// The maximum, in code points.
    ///
    /// ```
    /// # use keyward::password::LengthLimits;
    /// assert_eq!(LengthLimits::default().max(), 256);
    /// ```
    pub const fn max(&self) -> usize {
        self.max
    }
}

impl Default for LengthLimits {
    fn default() -> Self {
        Self::NIST_SINGLE_FACTOR
    }
}
