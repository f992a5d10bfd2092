//! The session rules' settings.

use std::time::Duration;

use keyward::token::Lifetime;

use crate::SessionError;

/// How long refresh tokens and families live, the reuse grace interval, and how long a next
/// signing key is published before it may sign.
///
/// ```
/// use std::time::Duration;
/// use keyward::token::Lifetime;
/// use keyward_session::SessionPolicy;
///
/// let policy = SessionPolicy::default()
///     .try_with_reuse_grace(Duration::from_secs(2))?
///     .try_with_family_lifetime(Duration::from_secs(7 * 86_400))?;
/// assert_eq!(policy.reuse_grace(), Duration::from_secs(2));
/// assert_eq!(SessionPolicy::default().reuse_grace(), Duration::ZERO);
/// assert!(SessionPolicy::default().try_with_reuse_grace(Duration::from_secs(600)).is_err());
/// # Ok::<(), keyward_session::SessionError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    refresh_ttl: Lifetime,
    family_lifetime: Duration,
    reuse_grace: Duration,
    key_publication_lead: Duration,
}

impl Default for SessionPolicy {
    /// Refresh tokens live 14 days, families 30 days from login however often they rotate,
    /// no reuse grace, and a next key is published 10 minutes before it may sign (twice a
    /// five-minute JWKS cache lifetime).
    fn default() -> Self {
        SessionPolicy {
            refresh_ttl: Lifetime::from_days(14).unwrap_or(Lifetime::MAX),
            family_lifetime: Duration::from_secs(30 * 86_400),
            reuse_grace: Duration::ZERO,
            key_publication_lead: Duration::from_secs(600),
        }
    }
}

impl SessionPolicy {
    /// The longest reuse grace interval accepted: a minute.
    pub const MAX_REUSE_GRACE: Duration = Duration::from_secs(60);

    /// Each refresh token's lifetime (capped by the family's end).
    #[must_use]
    pub fn with_refresh_ttl(mut self, ttl: Lifetime) -> Self {
        self.refresh_ttl = ttl;
        self
    }

    /// A family's absolute lifetime from login: no token of it is accepted afterwards.
    ///
    /// # Errors
    ///
    /// [`SessionError::Invalid`] for less than a second or more than 366 days.
    pub fn try_with_family_lifetime(mut self, lifetime: Duration) -> Result<Self, SessionError> {
        if lifetime < Duration::from_secs(1) || lifetime > Lifetime::MAX.as_duration() {
            return Err(SessionError::Invalid {
                what: "family lifetime",
                problem: format!("{lifetime:?}, wanted 1 s to 366 days"),
            });
        }
        self.family_lifetime = lifetime;
        Ok(self)
    }

    /// The reuse grace interval: a used refresh token presented again within this interval of
    /// its first exchange gets the same successor back instead of revoking its family (for
    /// clients that send two refreshes at once; Auth0 calls it the reuse interval). Default 0:
    /// every reuse revokes.
    ///
    /// # Errors
    ///
    /// [`SessionError::Invalid`] beyond [`MAX_REUSE_GRACE`](Self::MAX_REUSE_GRACE): a longer
    /// window gives a thief of a used token that long to use it.
    pub fn try_with_reuse_grace(mut self, grace: Duration) -> Result<Self, SessionError> {
        if grace > Self::MAX_REUSE_GRACE {
            return Err(SessionError::Invalid {
                what: "reuse grace",
                problem: format!("{grace:?}, wanted at most 60 s"),
            });
        }
        self.reuse_grace = grace;
        Ok(self)
    }

    /// How long a next signing key must have been published before a rotation makes it sign:
    /// at least the JWKS cache lifetime resource servers use.
    ///
    /// # Errors
    ///
    /// [`SessionError::Invalid`] beyond a day.
    pub fn try_with_key_publication_lead(mut self, lead: Duration) -> Result<Self, SessionError> {
        if lead > Duration::from_secs(86_400) {
            return Err(SessionError::Invalid {
                what: "key publication lead",
                problem: format!("{lead:?}, wanted at most a day"),
            });
        }
        self.key_publication_lead = lead;
        Ok(self)
    }

    /// Each refresh token's lifetime.
    pub fn refresh_ttl(&self) -> Lifetime {
        self.refresh_ttl
    }

    /// A family's absolute lifetime.
    pub fn family_lifetime(&self) -> Duration {
        self.family_lifetime
    }

    /// The reuse grace interval.
    pub fn reuse_grace(&self) -> Duration {
        self.reuse_grace
    }

    /// The next key's publication lead.
    pub fn key_publication_lead(&self) -> Duration {
        self.key_publication_lead
    }
}
