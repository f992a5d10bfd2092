//! [`AccountStore`] on SQLite.

use chrono::{DateTime, Utc};
use keyward_session::store::{AccountStore, CredentialChange, NewAccount};
use keyward_session::{
    AccountName, AccountRecord, CredentialVersion, Cutoff, StoreError, SubjectKey,
};
use rusqlite::{OptionalExtension, Row, params};

use crate::SqliteStore;
use crate::time::{instant, ms};

const COLUMNS: &str = "name, password_hash, credential_version, created_ms";

fn record(row: &Row<'_>) -> rusqlite::Result<Result<AccountRecord, StoreError>> {
    let operation = "read an account";
    let name: String = row.get(0)?;
    let hash: String = row.get(1)?;
    let version: i64 = row.get(2)?;
    let created: i64 = row.get(3)?;
    Ok((|| {
        let name = AccountName::new(name)
            .map_err(|error| StoreError::corrupt(operation, error.to_string()))?;
        Ok(AccountRecord::new(
            name,
            hash,
            CredentialVersion::from_stored(version),
            instant(created, operation)?,
        ))
    })())
}

/// The rows of a query of accounts: a SQLite error, or the first row that does not read.
fn records(
    rows: impl Iterator<Item = rusqlite::Result<Result<AccountRecord, StoreError>>>,
) -> rusqlite::Result<Result<Vec<AccountRecord>, StoreError>> {
    let mut found = Vec::new();
    for row in rows {
        match row? {
            Ok(record) => found.push(record),
            Err(error) => return Ok(Err(error)),
        }
    }
    Ok(Ok(found))
}

impl AccountStore for SqliteStore {
    async fn create_account(&self, account: &NewAccount) -> Result<bool, StoreError> {
        let (name, key, hash, created) = (
            account.name.as_str().to_owned(),
            account.subject_key.as_str().to_owned(),
            account.password_hash.clone(),
            ms(account.created_at),
        );
        self.write("create an account", move |tx| {
            let inserted = tx.execute(
                "INSERT INTO keyward_accounts
                     (name, subject_key, password_hash, credential_version, created_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (name) DO NOTHING",
                params![
                    name,
                    key,
                    hash,
                    CredentialVersion::FIRST.to_stored(),
                    created
                ],
            )?;
            Ok(Ok(inserted == 1))
        })
        .await
    }

    async fn find_account(&self, name: &AccountName) -> Result<Option<AccountRecord>, StoreError> {
        let name = name.as_str().to_owned();
        self.call("find an account", move |connection| {
            let found = connection
                .query_row(
                    &format!("SELECT {COLUMNS} FROM keyward_accounts WHERE name = ?1"),
                    [name],
                    record,
                )
                .optional()?;
            Ok(found.transpose())
        })
        .await
    }

    async fn accounts_after(
        &self,
        after: Option<&AccountName>,
        limit: u32,
    ) -> Result<Vec<AccountRecord>, StoreError> {
        // No name is empty, so "" sorts before every name: one range scan of the primary key
        // per page, from the start or from `after`.
        let after = after.map_or_else(String::new, |name| name.as_str().to_owned());
        self.call("list accounts", move |connection| {
            let mut statement = connection.prepare(&format!(
                "SELECT {COLUMNS} FROM keyward_accounts WHERE name > ?1 ORDER BY name LIMIT ?2"
            ))?;
            let rows = statement.query_map(params![after, limit], record)?;
            records(rows)
        })
        .await
    }

    async fn find_by_subject_key(
        &self,
        key: &SubjectKey,
    ) -> Result<Vec<AccountRecord>, StoreError> {
        let key = key.as_str().to_owned();
        self.call("find accounts by subject", move |connection| {
            let mut statement = connection.prepare(&format!(
                "SELECT {COLUMNS} FROM keyward_accounts WHERE subject_key = ?1 LIMIT 2"
            ))?;
            let rows = statement.query_map([key], record)?;
            records(rows)
        })
        .await
    }

    async fn update_hash(
        &self,
        name: &AccountName,
        password_hash: &str,
        seen: CredentialVersion,
    ) -> Result<bool, StoreError> {
        let (name, hash) = (name.as_str().to_owned(), password_hash.to_owned());
        self.write("update a password hash", move |tx| {
            let updated = tx.execute(
                "UPDATE keyward_accounts SET password_hash = ?2
                 WHERE name = ?1 AND credential_version = ?3",
                params![name, hash, seen.to_stored()],
            )?;
            Ok(Ok(updated == 1))
        })
        .await
    }

    async fn change_credentials(&self, change: &CredentialChange) -> Result<bool, StoreError> {
        let (name, hash, seen, now) = (
            change.name.as_str().to_owned(),
            change.password_hash.clone(),
            change.seen.to_stored(),
            ms(change.now),
        );
        self.write("change credentials", move |tx| {
            let updated = tx.execute(
                "UPDATE keyward_accounts
                 SET password_hash = ?2, credential_version = credential_version + 1,
                     cutoff_ms = MAX(COALESCE(cutoff_ms, ?4), ?4)
                 WHERE name = ?1 AND credential_version = ?3",
                params![name, hash, seen, now],
            )?;
            if updated == 1 {
                revoke_families(tx, &name, now)?;
            }
            Ok(Ok(updated == 1))
        })
        .await
    }

    async fn end_sessions(
        &self,
        name: &AccountName,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let (name, now) = (name.as_str().to_owned(), ms(now));
        self.write("end every session", move |tx| {
            let updated = tx.execute(
                "UPDATE keyward_accounts SET cutoff_ms = MAX(COALESCE(cutoff_ms, ?2), ?2)
                 WHERE name = ?1",
                params![name, now],
            )?;
            if updated == 1 {
                revoke_families(tx, &name, now)?;
            }
            Ok(Ok(updated == 1))
        })
        .await
    }

    async fn cutoff(&self, name: &AccountName) -> Result<Option<Cutoff>, StoreError> {
        let name = name.as_str().to_owned();
        self.call("read a cutoff", move |connection| {
            let cutoff: Option<Option<i64>> = connection
                .query_row(
                    "SELECT cutoff_ms FROM keyward_accounts WHERE name = ?1",
                    [name],
                    |row| row.get(0),
                )
                .optional()?;
            Ok(cutoff
                .flatten()
                .map(|ms| instant(ms, "read a cutoff").map(Cutoff::at))
                .transpose())
        })
        .await
    }
}

fn revoke_families(tx: &rusqlite::Transaction<'_>, name: &str, now: i64) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE keyward_refresh_families SET revoked_ms = ?2
         WHERE account = ?1 AND revoked_ms IS NULL",
        params![name, now],
    )?;
    Ok(())
}
