//! A stored account row, its credential version and its session cutoff.

use chrono::{DateTime, Utc};

use super::AccountName;

/// The version of an account's credentials: it moves on every password change, and a
/// session start or a rehash based on an older version is refused.
///
/// Read it with the password hash ([`AccountRecord::credential_version`]) and hand the record
/// back to [`Sessions::start`](crate::Sessions::start) or
/// [`Sessions::update_hash`](crate::Sessions::update_hash): the store checks, in the same
/// transaction that writes, that it has not moved.
///
/// ```
/// use keyward_session::CredentialVersion;
///
/// let v = CredentialVersion::from_stored(3);
/// assert_eq!(v.to_stored(), 3);
/// assert!(v.next() > v);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CredentialVersion(i64);

impl CredentialVersion {
    /// The version of a new account.
    pub const FIRST: CredentialVersion = CredentialVersion(1);

    /// The version as a store keeps it (for store implementations).
    pub const fn from_stored(version: i64) -> Self {
        CredentialVersion(version)
    }

    /// The stored form (for store implementations).
    pub const fn to_stored(self) -> i64 {
        self.0
    }

    /// The version after a change.
    #[must_use]
    pub const fn next(self) -> Self {
        CredentialVersion(self.0.saturating_add(1))
    }
}

/// An account's session cutoff: every access token issued at or before this instant is void,
/// set when its password changes or all its sessions are ended.
///
/// JWT `iat` counts whole seconds, so the rule compares seconds: a token whose `iat` second is
/// at or before the cutoff's second is void. A token issued later in the cutoff's own second
/// would be void too; [`issue_after`](Self::issue_after) is the first instant from which a new
/// access token for the account is valid.
///
/// ```
/// use chrono::DateTime;
/// use keyward_session::Cutoff;
///
/// let cutoff = Cutoff::at(DateTime::from_timestamp(100, 500_000_000).unwrap());
/// assert!(cutoff.voids(DateTime::from_timestamp(100, 0).unwrap()));
/// assert!(cutoff.voids(DateTime::from_timestamp(100, 900_000_000).unwrap()));
/// assert!(!cutoff.voids(DateTime::from_timestamp(101, 0).unwrap()));
/// assert_eq!(cutoff.issue_after().timestamp(), 101);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cutoff(DateTime<Utc>);

impl Cutoff {
    /// A cutoff at `instant`.
    pub const fn at(instant: DateTime<Utc>) -> Self {
        Cutoff(instant)
    }

    /// The instant.
    pub const fn instant(self) -> DateTime<Utc> {
        self.0
    }

    /// Whether an access token issued at `issued_at` is void.
    pub fn voids(self, issued_at: DateTime<Utc>) -> bool {
        issued_at.timestamp() <= self.0.timestamp()
    }

    /// The first instant whose tokens this cutoff does not void: the start of the next second.
    pub fn issue_after(self) -> DateTime<Utc> {
        DateTime::from_timestamp(self.0.timestamp().saturating_add(1), 0)
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }
}

/// An account's credential row as a store returns it.
///
/// ```
/// use chrono::DateTime;
/// use keyward_session::{AccountName, AccountRecord, CredentialVersion};
///
/// let record = AccountRecord::new(
///     AccountName::new("alice")?,
///     "$2b$12$...".to_owned(),
///     CredentialVersion::FIRST,
///     DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
/// );
/// assert_eq!(record.name().as_str(), "alice");
/// # Ok::<(), keyward_session::SessionError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct AccountRecord {
    name: AccountName,
    password_hash: String,
    credential_version: CredentialVersion,
    created_at: DateTime<Utc>,
}

impl AccountRecord {
    /// A record (for store implementations).
    pub fn new(
        name: AccountName,
        password_hash: String,
        credential_version: CredentialVersion,
        created_at: DateTime<Utc>,
    ) -> Self {
        AccountRecord {
            name,
            password_hash,
            credential_version,
            created_at,
        }
    }

    /// The account's name.
    pub fn name(&self) -> &AccountName {
        &self.name
    }

    /// The stored password hash (a PHC or modular-crypt string), to verify against.
    pub fn password_hash(&self) -> &str {
        &self.password_hash
    }

    /// The credential version read with the hash.
    pub fn credential_version(&self) -> CredentialVersion {
        self.credential_version
    }

    /// When the account was created.
    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }
}

impl std::fmt::Debug for AccountRecord {
    /// The hash is not secret in the way a password is, but it is an offline-guessing target:
    /// it is left out.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountRecord")
            .field("name", &self.name)
            .field("password_hash", &"[REDACTED]")
            .field("credential_version", &self.credential_version)
            .field("created_at", &self.created_at)
            .finish()
    }
}
