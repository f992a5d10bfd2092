//! Refresh families and tokens.

use std::future::Future;

use chrono::{DateTime, Utc};
use keyward::token::TokenDigest;

use crate::{
    AccountName, ClientId, CredentialVersion, Cutoff, FamilyId, SealedSuccessor, StoreError,
};

/// A new family and its first token.
#[derive(Debug)]
#[non_exhaustive]
pub struct NewFamily {
    /// The family's id.
    pub family: FamilyId,
    /// The account.
    pub account: AccountName,
    /// The client.
    pub client: ClientId,
    /// The credential version the caller checked the password against.
    pub seen: CredentialVersion,
    /// The first token's digest.
    pub digest: TokenDigest,
    /// The start instant.
    pub now: DateTime<Utc>,
    /// When the first token expires.
    pub token_expires_at: DateTime<Utc>,
    /// The family's absolute end: no token of it is accepted from then on.
    pub family_expires_at: DateTime<Utc>,
}

/// What starting a family did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FamilyStart {
    /// The family is stored. `cutoff` is the account's cutoff, read in the same transaction.
    Started {
        /// The account's cutoff.
        cutoff: Option<Cutoff>,
    },
    /// The account's credential version is no longer the one seen (or the account is gone):
    /// nothing was stored.
    CredentialsChanged,
}

/// An exchange of the token `presented` for `successor`.
#[derive(Debug)]
#[non_exhaustive]
pub struct ExchangeRequest {
    /// The digest of the token presented.
    pub presented: TokenDigest,
    /// The successor's digest.
    pub successor: TokenDigest,
    /// The successor sealed under the presented token, stored with the presented token's
    /// `used_at` when a grace interval is set.
    pub sealed: Option<SealedSuccessor>,
    /// The exchange's instant.
    pub now: DateTime<Utc>,
    /// When the successor expires, before the family's end caps it.
    pub successor_expires_at: DateTime<Utc>,
    /// A used token whose `used_at` is after this instant is a replay within the grace
    /// interval (equal to `now` when there is none).
    pub grace_after: DateTime<Utc>,
}

/// What an exchange did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExchangeOutcome {
    /// The token was unused, unexpired, of a live family that has not reached its end: it is
    /// now used (with `sealed` stored), and the successor is stored in the family, expiring at
    /// the earlier of `successor_expires_at` and the family's end. The conditional update is
    /// the compare-and-set: exactly one of any number of concurrent exchanges gets this.
    Rotated {
        /// The account.
        account: AccountName,
        /// The client.
        client: ClientId,
        /// The family.
        family: FamilyId,
        /// The account's cutoff.
        cutoff: Option<Cutoff>,
    },
    /// The token was used after `grace_after`, in a live family: nothing changed, and the
    /// sealed successor stored by the first exchange is returned.
    Replayed {
        /// The account.
        account: AccountName,
        /// The client.
        client: ClientId,
        /// The family.
        family: FamilyId,
        /// The account's cutoff.
        cutoff: Option<Cutoff>,
        /// The successor stored by the first exchange.
        sealed: SealedSuccessor,
    },
    /// The token was already used, at or before `grace_after` (or with nothing sealed), in a
    /// live family: the family is now revoked, in the same transaction.
    Reused {
        /// The account.
        account: AccountName,
        /// The family revoked.
        family: FamilyId,
    },
    /// Unknown, expired, past the family's end, or of a revoked family: nothing changed.
    Refused,
}

/// Refresh families and their tokens (digests only).
pub trait RefreshStore: Send + Sync {
    /// In one transaction: if the account's credential version is still `family.seen`
    /// (locking the account row against a concurrent credential change), stores the family
    /// and its first token.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store fails.
    fn start_family(
        &self,
        family: &NewFamily,
    ) -> impl Future<Output = Result<FamilyStart, StoreError>> + Send;

    /// Exchanges a token, atomically; see [`ExchangeOutcome`].
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store fails.
    fn exchange(
        &self,
        exchange: &ExchangeRequest,
    ) -> impl Future<Output = Result<ExchangeOutcome, StoreError>> + Send;

    /// Revokes the family of the token whose digest is `digest` (used or not, expired or not):
    /// the account and family, or `None` for a token never stored.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store fails.
    fn revoke_family_of(
        &self,
        digest: &TokenDigest,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<(AccountName, FamilyId)>, StoreError>> + Send;

    /// Deletes tokens expired at `now` and families past their end or with no token left;
    /// returns how many tokens were deleted.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store fails.
    fn purge_expired(
        &self,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;
}

/// A presented token that the exchange's compare-and-set did not update, as read back in the
/// same transaction: what a store needs to decide between refusal, replay and revocation.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct MissedToken {
    /// When it was first exchanged, if it was.
    pub used_at: Option<DateTime<Utc>>,
    /// The successor sealed at that exchange, if one was.
    pub sealed: Option<SealedSuccessor>,
    /// Whether its family is neither revoked nor past its end.
    pub family_live: bool,
}

impl MissedToken {
    /// A token read back (for store implementations).
    pub fn new(
        used_at: Option<DateTime<Utc>>,
        sealed: Option<SealedSuccessor>,
        family_live: bool,
    ) -> Self {
        MissedToken {
            used_at,
            sealed,
            family_live,
        }
    }

    /// The rule, written once for every store: a token of an ended family, or never used
    /// (so expired), is refused; a used one is replayed if it was used after `grace_after`
    /// (the request's [`ExchangeRequest::grace_after`]) and has a sealed successor; otherwise
    /// it is a reuse, and the store revokes the family in the same transaction.
    pub fn verdict(&self, grace_after: DateTime<Utc>) -> MissVerdict {
        match (self.family_live, self.used_at, self.sealed) {
            (false, _, _) | (true, None, _) => MissVerdict::Refuse,
            (true, Some(used_at), Some(sealed)) if used_at > grace_after => {
                MissVerdict::Replay(sealed)
            }
            (true, Some(_), _) => MissVerdict::RevokeFamily,
        }
    }
}

/// What to do with a [`MissedToken`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MissVerdict {
    /// Answer [`ExchangeOutcome::Refused`]; change nothing.
    Refuse,
    /// Answer [`ExchangeOutcome::Replayed`] with this successor; change nothing.
    Replay(SealedSuccessor),
    /// Revoke the family and answer [`ExchangeOutcome::Reused`].
    RevokeFamily,
}
