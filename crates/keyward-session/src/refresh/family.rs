//! Family and client identifiers, and what starting and exchanging hand back.

use std::fmt;

use chrono::{DateTime, Utc};

use super::RefreshToken;
use crate::{AccountName, Cutoff, SessionError};

macro_rules! text_id {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// The identifier `id`: 1 to 128 printable ASCII characters.
            ///
            /// # Errors
            ///
            /// [`SessionError::Invalid`] otherwise.
            pub fn new(id: impl Into<String>) -> Result<Self, SessionError> {
                let id = id.into();
                if id.is_empty() || id.len() > 128 || !id.bytes().all(|b| b.is_ascii_graphic()) {
                    return Err(SessionError::Invalid {
                        what: $what,
                        problem: format!(
                            "{:?} ({} bytes), wanted 1 to 128 printable ASCII characters",
                            id.chars().take(32).collect::<String>(),
                            id.len()
                        ),
                    });
                }
                Ok($name(id))
            }

            /// The identifier.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }
    };
}

text_id!(
    /// A refresh family's identifier: one per login, random, safe to log.
    ///
    /// ```
    /// use keyward_session::FamilyId;
    ///
    /// assert_ne!(FamilyId::generate()?, FamilyId::generate()?);
    /// assert_eq!(FamilyId::new("f1")?.as_str(), "f1");
    /// assert!(FamilyId::new("").is_err());
    /// # Ok::<(), keyward_session::SessionError>(())
    /// ```
    FamilyId,
    "family id"
);

text_id!(
    /// The OAuth client a session was issued to (RFC 9068 §2.2 `client_id`).
    ///
    /// ```
    /// use keyward_session::ClientId;
    ///
    /// assert_eq!(ClientId::new("web")?.to_string(), "web");
    /// assert!(ClientId::new("has space").is_err());
    /// # Ok::<(), keyward_session::SessionError>(())
    /// ```
    ClientId,
    "client id"
);

impl FamilyId {
    /// A new random identifier (128 bits, as 32 hex digits).
    ///
    /// # Errors
    ///
    /// [`SessionError::RandomnessUnavailable`] when the operating system's generator fails.
    pub fn generate() -> Result<Self, SessionError> {
        // Half of a fresh token's digest: 128 random bits, and no other random source needed.
        let digest = RefreshToken::generate()?.digest().to_string();
        Ok(FamilyId(digest[..32].to_owned()))
    }
}

/// A new session: the first refresh token of a new family.
///
/// ```no_run
/// # async fn f(sessions: keyward_session::Sessions<impl keyward_session::SessionStore>,
/// #            account: keyward_session::AccountRecord,
/// #            client: keyward_session::ClientId) -> Result<(), keyward_session::SessionError> {
/// let started = sessions.start(&account, &client).await?;
/// let for_client = started.refresh_token().expose_secret();
/// # let _ = for_client; Ok(()) }
/// ```
#[derive(Debug)]
pub struct Started {
    pub(crate) family: FamilyId,
    pub(crate) refresh_token: RefreshToken,
    pub(crate) refresh_expires_at: DateTime<Utc>,
    pub(crate) cutoff: Option<Cutoff>,
}

impl Started {
    /// The new family.
    pub fn family(&self) -> &FamilyId {
        &self.family
    }

    /// The refresh token for the client.
    pub fn refresh_token(&self) -> &RefreshToken {
        &self.refresh_token
    }

    /// When this refresh token expires (the refresh lifetime, capped by the family's
    /// absolute lifetime).
    pub fn refresh_expires_at(&self) -> DateTime<Utc> {
        self.refresh_expires_at
    }

    /// The first instant at which an access token for this account is not void by its
    /// [`Cutoff`]: `None` when there is no cutoff, or it is past. Issue the access token at
    /// or after it (at most a second's wait, and only right after a password change).
    pub fn access_not_before(&self) -> Option<DateTime<Utc>> {
        self.cutoff.map(Cutoff::issue_after)
    }
}

/// A successful exchange: the account, and the successor refresh token to hand out.
#[derive(Debug)]
pub struct Rotated {
    pub(crate) account: AccountName,
    pub(crate) client: ClientId,
    pub(crate) family: FamilyId,
    pub(crate) refresh_token: RefreshToken,
    pub(crate) replayed: bool,
    pub(crate) cutoff: Option<Cutoff>,
}

impl Rotated {
    /// The account the session belongs to (the `sub` of the access token to issue).
    pub fn account(&self) -> &AccountName {
        &self.account
    }

    /// The client the session was issued to.
    pub fn client(&self) -> &ClientId {
        &self.client
    }

    /// The family.
    pub fn family(&self) -> &FamilyId {
        &self.family
    }

    /// The successor refresh token for the client.
    pub fn refresh_token(&self) -> &RefreshToken {
        &self.refresh_token
    }

    /// `true` when this was a second presentation within the grace interval, answered with
    /// the successor the first presentation got.
    pub fn replayed(&self) -> bool {
        self.replayed
    }

    /// As [`Started::access_not_before`].
    pub fn access_not_before(&self) -> Option<DateTime<Utc>> {
        self.cutoff.map(Cutoff::issue_after)
    }
}
