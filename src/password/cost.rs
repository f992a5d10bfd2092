//! The bcrypt work factor as a type that cannot hold an invalid value.

use std::fmt;

use super::PasswordError;

/// A bcrypt cost (the base-2 logarithm of the number of key-expansion rounds), always in
/// [`Cost::MIN`]`..=`[`Cost::MAX`].
///
/// Each step up doubles the time a hash takes. Use the benchmarks (or
/// `cargo run -p keyward-demo --bin keyward -- calibrate`) to pick a cost for your hardware.
///
/// ```
/// use keyward::password::{Cost, PasswordError};
///
/// assert_eq!(Cost::DEFAULT.get(), 12);
/// assert_eq!(Cost::new(10)?.get(), 10);
/// assert_eq!(Cost::new(3), Err(PasswordError::InvalidCost { cost: 3 }));
/// # Ok::<(), PasswordError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cost(u32);

impl Cost {
    /// The lowest cost bcrypt defines (4): only for tests.
    pub const MIN: Cost = Cost(4);
    /// The highest cost bcrypt defines (31): days of CPU per hash.
    pub const MAX: Cost = Cost(31);
    /// The default cost (12), OWASP's floor for bcrypt at the time of writing.
    pub const DEFAULT: Cost = Cost(12);
    /// The default [`max_verify_cost`](crate::password::PasswordHasher::max_verify_cost) (16):
    /// about sixteen times the default's work, far above any sane setting.
    pub const DEFAULT_MAX_VERIFY: Cost = Cost(16);

    /// Returns the cost if it is in `4..=31`.
    ///
    /// # Errors
    ///
    /// [`PasswordError::InvalidCost`] when `cost` is outside `4..=31`.
    ///
    /// ```
    /// # use keyward::password::Cost;
    /// assert!(Cost::new(31).is_ok());
    /// assert!(Cost::new(32).is_err());
    /// ```
    pub const fn new(cost: u32) -> Result<Self, PasswordError> {
        if cost >= Self::MIN.0 && cost <= Self::MAX.0 {
            Ok(Cost(cost))
        } else {
            Err(PasswordError::InvalidCost { cost })
        }
    }

    /// Returns the cost as a number.
    ///
    /// ```
    /// # use keyward::password::Cost;
    /// assert_eq!(Cost::MIN.get(), 4);
    /// ```
    pub const fn get(self) -> u32 {
        self.0
    }
}

impl Default for Cost {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl TryFrom<u32> for Cost {
    type Error = PasswordError;

    fn try_from(cost: u32) -> Result<Self, Self::Error> {
        Cost::new(cost)
    }
}

impl From<Cost> for u32 {
    fn from(cost: Cost) -> u32 {
        cost.0
    }
}

impl fmt::Display for Cost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
