//! Credential rows: accounts, their hash, credential version and session cutoff.

use std::future::Future;

use chrono::{DateTime, Utc};

use crate::{AccountName, AccountRecord, CredentialVersion, Cutoff, StoreError, SubjectKey};

/// A new account row.
#[derive(Debug)]
#[non_exhaustive]
pub struct NewAccount {
    /// The name (primary key).
    pub name: AccountName,
    /// The name's [`SubjectKey`] (an indexed, non-unique column).
    pub subject_key: SubjectKey,
    /// The password hash.
    pub password_hash: String,
    /// The creation instant.
    pub created_at: DateTime<Utc>,
}

/// A password change: a new hash, allowed only if the credential version is still `seen`.
#[derive(Debug)]
#[non_exhaustive]
pub struct CredentialChange {
    /// The account.
    pub name: AccountName,
    /// The new hash.
    pub password_hash: String,
    /// The version read with the hash that was checked.
    pub seen: CredentialVersion,
    /// The change's instant: the new cutoff.
    pub now: DateTime<Utc>,
}

/// Accounts' credential rows.
pub trait AccountStore: Send + Sync {
    /// Inserts `account` with [`CredentialVersion::FIRST`] and no cutoff; `Ok(false)` when the
    /// name is taken (nothing changed).
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store fails.
    fn create_account(
        &self,
        account: &NewAccount,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// The account named `name`.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store fails or the row does not read.
    fn find_account(
        &self,
        name: &AccountName,
    ) -> impl Future<Output = Result<Option<AccountRecord>, StoreError>> + Send;

    /// Accounts whose subject key is `key`, at most two (two means "ambiguous").
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store fails or a row does not read.
    fn find_by_subject_key(
        &self,
        key: &SubjectKey,
    ) -> impl Future<Output = Result<Vec<AccountRecord>, StoreError>> + Send;

    /// Replaces the hash (a rehash of the same password) if the credential version is still
    /// `seen`, without moving it; `Ok(false)` (nothing written) when it moved or the account
    /// is gone. One conditional statement.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store fails.
    fn update_hash(
        &self,
        name: &AccountName,
        password_hash: &str,
        seen: CredentialVersion,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// In one transaction, if the credential version is still `change.seen`: stores the new
    /// hash, moves the version on, sets the cutoff to `change.now` (never moving it back), and
    /// revokes every refresh family of the account. `Ok(false)` (nothing written) when the
    /// version moved or the account is gone.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store fails.
    fn change_credentials(
        &self,
        change: &CredentialChange,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// In one transaction: sets the cutoff to `now` (never moving it back) and revokes every
    /// refresh family of the account ("log out everywhere"); the credential version stays.
    /// `Ok(false)` when there is no such account.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store fails.
    fn end_sessions(
        &self,
        name: &AccountName,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// The account's cutoff, if any. One primary-key read.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store fails.
    fn cutoff(
        &self,
        name: &AccountName,
    ) -> impl Future<Output = Result<Option<Cutoff>, StoreError>> + Send;
}
