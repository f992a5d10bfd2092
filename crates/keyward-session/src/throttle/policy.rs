//! The throttle's settings, and one login attempt's claim on the buckets.

use std::time::Duration;

use super::{AddressGroup, BucketKey, Ipv6Prefix, Rate};
use crate::SessionError;

/// The throttle's bucket shapes, IPv6 grouping and known-device memory. The defaults are in
/// the [module docs](crate::throttle); each `with_*` replaces one.
///
/// ```
/// use std::time::Duration;
/// use keyward_session::{Rate, ThrottlePolicy};
///
/// let policy = ThrottlePolicy::default()
///     .with_account_and_address(Rate::new(3, Duration::from_secs(120))?);
/// assert_eq!(policy.account_and_address().burst(), 3);
/// assert_eq!(ThrottlePolicy::default().account().burst(), 100);
/// # Ok::<(), keyward_session::SessionError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    account_and_address: Rate,
    address: Rate,
    account: Rate,
    registration: Rate,
    ipv6_prefix: Ipv6Prefix,
    known_device_for: Duration,
}

impl Default for ThrottlePolicy {
    /// 5 failures then one a minute per (account, address group); 20 then one per 10 s per
    /// address group; 100 then one per 36 s per account from unknown networks; 5
    /// registrations then one per 5 minutes per address group; IPv6 by /56; a network is
    /// known for 30 days after a successful login.
    fn default() -> Self {
        ThrottlePolicy {
            account_and_address: Rate::const_new(5, 60),
            address: Rate::const_new(20, 10),
            account: Rate::const_new(100, 36),
            registration: Rate::const_new(5, 300),
            ipv6_prefix: Ipv6Prefix::DEFAULT,
            known_device_for: Duration::from_secs(30 * 86_400),
        }
    }
}

impl ThrottlePolicy {
    /// Failures per (account, address group).
    #[must_use]
    pub fn with_account_and_address(mut self, rate: Rate) -> Self {
        self.account_and_address = rate;
        self
    }

    /// Failures per address group, all accounts together.
    #[must_use]
    pub fn with_address(mut self, rate: Rate) -> Self {
        self.address = rate;
        self
    }

    /// Failures per account from networks it has not logged in from.
    #[must_use]
    pub fn with_account(mut self, rate: Rate) -> Self {
        self.account = rate;
        self
    }

    /// Registrations per address group.
    #[must_use]
    pub fn with_registration(mut self, rate: Rate) -> Self {
        self.registration = rate;
        self
    }

    /// How IPv6 addresses are grouped.
    #[must_use]
    pub fn with_ipv6_prefix(mut self, prefix: Ipv6Prefix) -> Self {
        self.ipv6_prefix = prefix;
        self
    }

    /// How long after a successful login a network stays known to the account.
    ///
    /// # Errors
    ///
    /// [`SessionError::Invalid`] beyond 366 days.
    pub fn try_with_known_device_for(mut self, period: Duration) -> Result<Self, SessionError> {
        if period > Duration::from_secs(366 * 86_400) {
            return Err(SessionError::Invalid {
                what: "known-device period",
                problem: format!("{period:?}, wanted at most 366 days"),
            });
        }
        self.known_device_for = period;
        Ok(self)
    }

    /// Failures per (account, address group).
    pub fn account_and_address(&self) -> Rate {
        self.account_and_address
    }

    /// Failures per address group.
    pub fn address(&self) -> Rate {
        self.address
    }

    /// Failures per account from unknown networks.
    pub fn account(&self) -> Rate {
        self.account
    }

    /// Registrations per address group.
    pub fn registration(&self) -> Rate {
        self.registration
    }

    /// The IPv6 grouping.
    pub fn ipv6_prefix(&self) -> Ipv6Prefix {
        self.ipv6_prefix
    }

    /// How long a network stays known.
    pub fn known_device_for(&self) -> Duration {
        self.known_device_for
    }
}

/// One password check's claim on the throttle buckets: give it back with
/// [`Sessions::login_succeeded`](crate::Sessions::login_succeeded) when the password was
/// right, so that only failures count; drop it when it was wrong.
#[derive(Debug)]
#[must_use = "give the attempt back with login_succeeded when the password was right"]
pub struct LoginAttempt {
    pub(crate) buckets: Vec<(BucketKey, Rate)>,
    pub(crate) device: BucketKey,
    pub(crate) group: AddressGroup,
}

impl LoginAttempt {
    /// The address group the attempt was counted under (for logs).
    pub fn address_group(&self) -> AddressGroup {
        self.group
    }
}
