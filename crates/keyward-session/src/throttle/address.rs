//! Client addresses grouped the way one party holds them.

use std::fmt;
use std::net::{IpAddr, Ipv6Addr};

use crate::SessionError;

/// The IPv6 prefix length by which addresses are grouped for throttling.
///
/// ```
/// use keyward_session::Ipv6Prefix;
///
/// assert_eq!(Ipv6Prefix::DEFAULT.len(), 56);
/// assert_eq!(Ipv6Prefix::new(64)?.len(), 64);
/// assert!(Ipv6Prefix::new(8).is_err());
/// # Ok::<(), keyward_session::SessionError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ipv6Prefix(u8);

impl Ipv6Prefix {
    /// /56: one subscriber's usual assignment (see the [module docs](crate::throttle)).
    pub const DEFAULT: Ipv6Prefix = Ipv6Prefix(56);

    /// A prefix of `len` bits, 32 to 128.
    ///
    /// # Errors
    ///
    /// [`SessionError::Invalid`] outside that range: shorter prefixes would put unrelated
    /// subscribers of one provider in one group.
    pub fn new(len: u8) -> Result<Self, SessionError> {
        if (32..=128).contains(&len) {
            Ok(Ipv6Prefix(len))
        } else {
            Err(SessionError::Invalid {
                what: "IPv6 prefix",
                problem: format!("/{len}, wanted /32 to /128"),
            })
        }
    }

    /// The prefix length in bits.
    #[allow(clippy::len_without_is_empty)]
    pub fn len(self) -> u8 {
        self.0
    }
}

/// A client address as the throttle counts it: IPv4 (and IPv4-mapped IPv6) as is, IPv6 by
/// its [`Ipv6Prefix`].
///
/// ```
/// use keyward_session::{AddressGroup, Ipv6Prefix};
///
/// let a = AddressGroup::of("2001:db8:0:1200::1".parse()?, Ipv6Prefix::DEFAULT);
/// let b = AddressGroup::of("2001:db8:0:12ff:ffff::9".parse()?, Ipv6Prefix::DEFAULT);
/// let c = AddressGroup::of("2001:db8:0:1300::1".parse()?, Ipv6Prefix::DEFAULT);
/// assert_eq!(a, b);
/// assert_ne!(a, c);
/// assert_eq!(a.to_string(), "2001:db8:0:1200::/56");
/// let v4 = AddressGroup::of("::ffff:192.0.2.7".parse()?, Ipv6Prefix::DEFAULT);
/// assert_eq!(v4.to_string(), "192.0.2.7");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AddressGroup {
    network: IpAddr,
    prefix: Option<u8>,
}

impl AddressGroup {
    /// The group of `address`.
    pub fn of(address: IpAddr, prefix: Ipv6Prefix) -> Self {
        match address.to_canonical() {
            IpAddr::V4(v4) => AddressGroup {
                network: IpAddr::V4(v4),
                prefix: None,
            },
            IpAddr::V6(v6) => {
                let bits = u128::from(v6);
                let keep = u32::from(prefix.0);
                let mask = u128::MAX.checked_shl(128 - keep).unwrap_or(0);
                AddressGroup {
                    network: IpAddr::V6(Ipv6Addr::from(bits & mask)),
                    prefix: Some(prefix.0),
                }
            }
        }
    }
}

impl fmt::Display for AddressGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.prefix {
            Some(prefix) => write!(f, "{}/{prefix}", self.network),
            None => write!(f, "{}", self.network),
        }
    }
}
