//! Accounts: registration, lookups, credential changes and cutoffs.

use chrono::{DateTime, Utc};
use keyward::PasswordHash;

use super::Sessions;
use crate::store::{CredentialChange, NewAccount};
use crate::{
    AccountName, AccountRecord, CredentialVersion, Cutoff, SessionError, SessionStore, SubjectKey,
};

impl<S: SessionStore> Sessions<S> {
    /// Creates the account `name` with `password_hash`.
    ///
    /// To answer registrations without telling which names exist, give the same response
    /// for [`SessionError::NameTaken`] as for success (for example "check your email"), or
    /// use [`register_quietly`](Self::register_quietly); throttle registrations per address
    /// with [`throttle_registration`](Self::throttle_registration) either way.
    ///
    /// # Errors
    ///
    /// [`SessionError::NameTaken`] when the name exists; [`SessionError::Store`].
    pub async fn register(
        &self,
        name: &AccountName,
        password_hash: &PasswordHash,
    ) -> Result<AccountRecord, SessionError> {
        let created_at = self.now();
        let account = NewAccount {
            name: name.clone(),
            subject_key: SubjectKey::of(name.as_str()),
            password_hash: password_hash.as_str().to_owned(),
            created_at,
        };
        if !self.store.create_account(&account).await? {
            return Err(SessionError::NameTaken {
                account: name.clone(),
            });
        }
        Ok(AccountRecord::new(
            account.name,
            account.password_hash,
            CredentialVersion::FIRST,
            created_at,
        ))
    }

    /// As [`register`](Self::register), but a taken name is `Ok(())` too: the caller cannot
    /// leak what it is not told. The work is the same either way (one insert).
    ///
    /// # Errors
    ///
    /// [`SessionError::Store`].
    pub async fn register_quietly(
        &self,
        name: &AccountName,
        password_hash: &PasswordHash,
    ) -> Result<(), SessionError> {
        match self.register(name, password_hash).await {
            Ok(_) | Err(SessionError::NameTaken { .. }) => Ok(()),
            Err(error) => Err(error),
        }
    }

    /// The account `name`, with its hash and credential version, to check a password against.
    ///
    /// # Errors
    ///
    /// [`SessionError::Store`].
    pub async fn find_account(
        &self,
        name: &AccountName,
    ) -> Result<Option<AccountRecord>, SessionError> {
        Ok(self.store.find_account(name).await?)
    }

    /// The one account a foreign or legacy token's `sub` names: the account whose
    /// [`SubjectKey`] equals the subject's. A subject is never mapped to an account by a
    /// looser rule than that, and when two accounts share the key (`alice` and `Alice`, kept
    /// apart by a case-sensitive service the tokens come from), the token is refused rather
    /// than served as either.
    ///
    /// # Errors
    ///
    /// [`SessionError::SubjectUnresolved`] with `matches` 0 or 2; [`SessionError::Store`].
    pub async fn resolve_subject(&self, subject: &str) -> Result<AccountRecord, SessionError> {
        let unresolved = |matches| SessionError::SubjectUnresolved {
            subject: subject.chars().take(AccountName::MAX_BYTES).collect(),
            matches,
        };
        let mut found = self
            .store
            .find_by_subject_key(&SubjectKey::of(subject))
            .await?;
        match found.len() {
            1 => found.pop().ok_or_else(|| unresolved(0)),
            0 => Err(unresolved(0)),
            _ => Err(unresolved(2)),
        }
    }

    /// Stores a rehash of the password just checked against `account` (a stronger cost or a
    /// new algorithm), only if its credentials have not changed since `account` was read: a
    /// rehash never writes an old password back over a new one.
    ///
    /// # Errors
    ///
    /// [`SessionError::CredentialsChanged`]; [`SessionError::Store`].
    pub async fn update_hash(
        &self,
        account: &AccountRecord,
        password_hash: &PasswordHash,
    ) -> Result<(), SessionError> {
        let written = self
            .store
            .update_hash(
                account.name(),
                password_hash.as_str(),
                account.credential_version(),
            )
            .await?;
        if written {
            Ok(())
        } else {
            Err(SessionError::CredentialsChanged {
                account: account.name().clone(),
            })
        }
    }

    /// Changes the password of `account` (read, and its current password checked, by the
    /// caller), in one transaction: the new hash, a new credential version (so every login
    /// and rehash in flight with the old one is refused), a cutoff voiding every access token
    /// issued so far, and every refresh family revoked. Returns the cutoff.
    ///
    /// # Errors
    ///
    /// [`SessionError::CredentialsChanged`] when another change came first (check the current
    /// password again); [`SessionError::Store`].
    pub async fn change_password(
        &self,
        account: &AccountRecord,
        password_hash: &PasswordHash,
    ) -> Result<Cutoff, SessionError> {
        let now = self.now();
        let change = CredentialChange {
            name: account.name().clone(),
            password_hash: password_hash.as_str().to_owned(),
            seen: account.credential_version(),
            now,
        };
        if self.store.change_credentials(&change).await? {
            Ok(Cutoff::at(now))
        } else {
            Err(SessionError::CredentialsChanged {
                account: account.name().clone(),
            })
        }
    }

    /// Ends every session of `name` ("log out everywhere"): revokes its refresh families and
    /// voids every access token issued so far, in one transaction. Returns the cutoff.
    ///
    /// # Errors
    ///
    /// [`SessionError::UnknownAccount`]; [`SessionError::Store`].
    pub async fn end_all_sessions(&self, name: &AccountName) -> Result<Cutoff, SessionError> {
        let now = self.now();
        if self.store.end_sessions(name, now).await? {
            Ok(Cutoff::at(now))
        } else {
            Err(SessionError::UnknownAccount {
                account: name.clone(),
            })
        }
    }

    /// The account's cutoff, read from the store.
    ///
    /// # Errors
    ///
    /// [`SessionError::Store`].
    pub async fn cutoff(&self, name: &AccountName) -> Result<Option<Cutoff>, SessionError> {
        Ok(self.store.cutoff(name).await?)
    }

    /// Whether an access token of `subject` issued at `issued_at` is void by the account's
    /// cutoff: the check to run on every request, after the token's signature and claims
    /// verified (`Claims::subject`, `Claims::issued_at`). A token without `iat` is void once
    /// the account has any cutoff. One primary-key read, so a password change or a "log out
    /// everywhere" on one replica holds on every replica at their next request.
    ///
    /// # Errors
    ///
    /// [`SessionError::Store`]. A subject that is not a valid account name has no cutoff.
    pub async fn is_access_voided(
        &self,
        subject: &str,
        issued_at: Option<DateTime<Utc>>,
    ) -> Result<bool, SessionError> {
        let Ok(name) = AccountName::new(subject) else {
            return Ok(false);
        };
        Ok(match self.store.cutoff(&name).await? {
            None => false,
            Some(cutoff) => issued_at.is_none_or(|issued| cutoff.voids(issued)),
        })
    }
}
