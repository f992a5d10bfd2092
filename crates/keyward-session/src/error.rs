//! The two error types: [`SessionError`] for the rules, [`StoreError`] for the storage under them.

use std::error::Error as StdError;
use std::fmt;
use std::time::Duration;

use crate::account::AccountName;
use crate::refresh::FamilyId;

/// Why a session operation did not happen.
///
/// The variants a caller acts on are the rules' verdicts ([`RefreshReused`](Self::RefreshReused),
/// [`CredentialsChanged`](Self::CredentialsChanged), [`Throttled`](Self::Throttled), ...);
/// [`Store`](Self::Store) is the storage failing, to answer as a server error.
///
/// ```
/// use keyward_session::SessionError;
///
/// let error = SessionError::RefreshRefused;
/// assert_eq!(error.to_string(), "refresh token refused: unknown, expired, or of an ended session");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// A refresh token that was already exchanged was presented again, after the grace
    /// interval: two parties hold it, one of them a thief, so the whole family (every token
    /// of that login, the legitimate holder's current one included) is now revoked.
    #[error("refresh token reused: session {family} of {account} revoked")]
    RefreshReused {
        /// The account whose session was ended.
        account: AccountName,
        /// The family revoked.
        family: FamilyId,
    },
    /// The refresh token is unknown, malformed, expired, past its family's absolute lifetime,
    /// or of a revoked family. Nothing changed.
    #[error("refresh token refused: unknown, expired, or of an ended session")]
    RefreshRefused,
    /// The account's credentials changed (a password change, or another credential update)
    /// after the caller read them: the session or the rehash that was based on the old
    /// credentials is refused. Check the password again.
    #[error("credentials of {account} changed since they were checked")]
    CredentialsChanged {
        /// The account.
        account: AccountName,
    },
    /// No account has this name.
    #[error("no account named {account}")]
    UnknownAccount {
        /// The name looked up.
        account: AccountName,
    },
    /// An account of this name already exists.
    #[error("an account named {account} already exists")]
    NameTaken {
        /// The name asked for.
        account: AccountName,
    },
    /// Too many failed attempts (or registrations) from this client or for this account:
    /// retry after the duration given. Nothing was counted.
    #[error("too many attempts: retry in {} s", retry_after.as_secs().max(1))]
    Throttled {
        /// How long until one attempt is available again.
        retry_after: Duration,
    },
    /// A foreign or legacy token's subject matched no account, or more than one.
    #[error("subject {subject:?} matches {matches} accounts, not exactly one")]
    SubjectUnresolved {
        /// The subject as the token had it.
        subject: String,
        /// How many accounts it matched: 0 or 2 (2 means "two or more").
        matches: usize,
    },
    /// A value given to the library was out of range or badly formed; the message says which
    /// and what was wanted.
    #[error("invalid {what}: {problem}")]
    Invalid {
        /// The setting or argument.
        what: &'static str,
        /// What is wrong with it and what was wanted.
        problem: String,
    },
    /// The signing-key ring has no key in the state the operation needs.
    #[error("key ring: {0}")]
    KeyRing(String),
    /// The operating system's random generator failed.
    #[error("the random generator is unavailable")]
    RandomnessUnavailable,
    /// The store failed; see [`StoreError`].
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What kind of storage failure a [`StoreError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreErrorKind {
    /// The database could not be reached or refused the connection (retryable).
    Unavailable,
    /// A statement failed.
    Query,
    /// A stored value does not parse (a corrupt or foreign row).
    Corrupt,
    /// A schema migration failed.
    Migration,
}

impl fmt::Display for StoreErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StoreErrorKind::Unavailable => "database unavailable",
            StoreErrorKind::Query => "query failed",
            StoreErrorKind::Corrupt => "stored value unreadable",
            StoreErrorKind::Migration => "migration failed",
        })
    }
}

/// A storage failure, from any store. The driver's error, when there is one, is the
/// [`source`](StdError::source) (type-erased, so no driver type is part of this API); the
/// message names only the operation and the [`StoreErrorKind`].
///
/// ```
/// use keyward_session::{StoreError, StoreErrorKind};
///
/// let error = StoreError::new(StoreErrorKind::Corrupt, "read a refresh family")
///     .with_detail("family id is empty");
/// assert_eq!(error.kind(), StoreErrorKind::Corrupt);
/// assert_eq!(error.to_string(), "read a refresh family: stored value unreadable: family id is empty");
/// ```
#[derive(Debug)]
pub struct StoreError {
    kind: StoreErrorKind,
    operation: &'static str,
    detail: Option<String>,
    source: Option<Box<dyn StdError + Send + Sync + 'static>>,
}

impl StoreError {
    /// An error of `kind` while doing `operation` (a short phrase: "exchange a refresh token").
    pub fn new(kind: StoreErrorKind, operation: &'static str) -> Self {
        StoreError {
            kind,
            operation,
            detail: None,
            source: None,
        }
    }

    /// Adds the underlying error, reachable through [`source`](StdError::source).
    #[must_use]
    pub fn with_source(mut self, source: impl StdError + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// Adds a detail to the message (for errors with no underlying error to carry it).
    #[must_use]
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// The kind of failure.
    pub fn kind(&self) -> StoreErrorKind {
        self.kind
    }

    /// A corrupt stored value: `what` says which and why.
    pub fn corrupt(operation: &'static str, what: impl Into<String>) -> Self {
        StoreError::new(StoreErrorKind::Corrupt, operation).with_detail(what)
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.operation, self.kind)?;
        if let Some(detail) = &self.detail {
            write!(f, ": {detail}")?;
        }
        Ok(())
    }
}

impl StdError for StoreError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|source| source as &(dyn StdError + 'static))
    }
}
