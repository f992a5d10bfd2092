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
    ///
    /// ```no_run
    /// # async fn f<S: keyward_session::SessionStore>(sessions: keyward_session::Sessions<S>) -> Result<(), keyward_session::SessionError> {
    /// use keyward_session::AccountName;
    /// let hash = keyward::PasswordHasher::default().hash("correct horse").expect("hash");
    /// let account = sessions.register(&AccountName::new("alice")?, &hash).await?;
    /// assert_eq!(account.name().as_str(), "alice");
    /// # Ok(()) }
    /// ```
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
    ///
    /// ```no_run
    /// # async fn f<S: keyward_session::SessionStore>(sessions: keyward_session::Sessions<S>) -> Result<(), keyward_session::SessionError> {
    /// use keyward_session::AccountName;
    /// let hash = keyward::PasswordHasher::default().hash("correct horse").expect("hash");
    /// sessions.register_quietly(&AccountName::new("alice")?, &hash).await?; // same answer if taken
    /// # Ok(()) }
    /// ```
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
    ///
    /// ```no_run
    /// # async fn f<S: keyward_session::SessionStore>(sessions: keyward_session::Sessions<S>) -> Result<(), keyward_session::SessionError> {
    /// let account = sessions.find_account(&keyward_session::AccountName::new("alice")?).await?;
    /// let hash = account.as_ref().map(|a| a.password_hash());
    /// # let _ = hash;
    /// # Ok(()) }
    /// ```
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
    ///
    /// ```no_run
    /// # async fn f<S: keyward_session::SessionStore>(sessions: keyward_session::Sessions<S>) -> Result<(), keyward_session::SessionError> {
    /// // A legacy token's `sub`: exactly one account, or SubjectUnresolved.
    /// let account = sessions.resolve_subject("Alice").await?;
    /// # let _ = account;
    /// # Ok(()) }
    /// ```
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
    ///
    /// ```no_run
    /// # async fn f<S: keyward_session::SessionStore>(sessions: keyward_session::Sessions<S>) -> Result<(), keyward_session::SessionError> {
    /// # let account = sessions.find_account(&keyward_session::AccountName::new("alice")?).await?.unwrap();
    /// let upgraded = keyward::PasswordHasher::default().hash("correct horse").expect("hash");
    /// sessions.update_hash(&account, &upgraded).await?; // CredentialsChanged if it moved
    /// # Ok(()) }
    /// ```
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
    ///
    /// ```no_run
    /// # async fn f<S: keyward_session::SessionStore>(sessions: keyward_session::Sessions<S>) -> Result<(), keyward_session::SessionError> {
    /// # let account = sessions.find_account(&keyward_session::AccountName::new("alice")?).await?.unwrap();
    /// let new = keyward::PasswordHasher::default().hash("a new passphrase").expect("hash");
    /// let cutoff = sessions.change_password(&account, &new).await?;
    /// assert!(cutoff.voids(sessions.now()));
    /// # Ok(()) }
    /// ```
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
    ///
    /// ```no_run
    /// # async fn f<S: keyward_session::SessionStore>(sessions: keyward_session::Sessions<S>) -> Result<(), keyward_session::SessionError> {
    /// let cutoff = sessions.end_all_sessions(&keyward_session::AccountName::new("alice")?).await?;
    /// # let _ = cutoff;
    /// # Ok(()) }
    /// ```
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
    ///
    /// ```no_run
    /// # async fn f<S: keyward_session::SessionStore>(sessions: keyward_session::Sessions<S>) -> Result<(), keyward_session::SessionError> {
    /// let cutoff = sessions.cutoff(&keyward_session::AccountName::new("alice")?).await?;
    /// # let _ = cutoff;
    /// # Ok(()) }
    /// ```
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
    ///
    /// ```no_run
    /// # async fn f<S: keyward_session::SessionStore>(sessions: keyward_session::Sessions<S>) -> Result<(), keyward_session::SessionError> {
    /// // After verifying the token's signature and claims:
    /// let void = sessions.is_access_voided("alice", Some(sessions.now())).await?;
    /// # let _ = void;
    /// # Ok(()) }
    /// ```
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
