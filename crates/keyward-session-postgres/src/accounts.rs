//! [`AccountStore`] on Postgres.

use chrono::{DateTime, Utc};
use keyward_session::store::{AccountStore, CredentialChange, NewAccount};
use keyward_session::{
    AccountName, AccountRecord, CredentialVersion, Cutoff, StoreError, SubjectKey,
};
use tokio_postgres::Row;

use crate::PostgresStore;
use crate::connection::query;
use crate::time::{instant, ms};

const COLUMNS: &str = "name, password_hash, credential_version, created_ms";

fn record(row: &Row) -> Result<AccountRecord, StoreError> {
    const OPERATION: &str = "read an account";
    let name = AccountName::new(row.get::<_, String>(0))
        .map_err(|error| StoreError::corrupt(OPERATION, error.to_string()))?;
    Ok(AccountRecord::new(
        name,
        row.get(1),
        CredentialVersion::from_stored(row.get(2)),
        instant(row.get(3), OPERATION)?,
    ))
}

impl AccountStore for PostgresStore {
    async fn create_account(&self, account: &NewAccount) -> Result<bool, StoreError> {
        const OPERATION: &str = "create an account";
        let client = self.client(OPERATION).await?;
        let inserted = client
            .execute(
                "INSERT INTO keyward_accounts
                     (name, subject_key, password_hash, credential_version, created_ms)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO NOTHING",
                &[
                    &account.name.as_str(),
                    &account.subject_key.as_str(),
                    &account.password_hash,
                    &CredentialVersion::FIRST.to_stored(),
                    &ms(account.created_at),
                ],
            )
            .await
            .map_err(query(OPERATION))?;
        Ok(inserted == 1)
    }

    async fn find_account(&self, name: &AccountName) -> Result<Option<AccountRecord>, StoreError> {
        const OPERATION: &str = "find an account";
        let client = self.client(OPERATION).await?;
        let statement = client
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM keyward_accounts WHERE name = $1"
            ))
            .await
            .map_err(query(OPERATION))?;
        client
            .query_opt(&statement, &[&name.as_str()])
            .await
            .map_err(query(OPERATION))?
            .as_ref()
            .map(record)
            .transpose()
    }

    async fn accounts_after(
        &self,
        after: Option<&AccountName>,
        limit: u32,
    ) -> Result<Vec<AccountRecord>, StoreError> {
        const OPERATION: &str = "list accounts";
        let client = self.client(OPERATION).await?;
        let statement = client
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM keyward_accounts WHERE name > $1 ORDER BY name LIMIT $2"
            ))
            .await
            .map_err(query(OPERATION))?;
        client
            .query(
                &statement,
                // No name is empty, so "" sorts before every name: one range scan of the
                // primary key per page, from the start or from `after`.
                &[&after.map_or("", AccountName::as_str), &i64::from(limit)],
            )
            .await
            .map_err(query(OPERATION))?
            .iter()
            .map(record)
            .collect()
    }

    async fn find_by_subject_key(
        &self,
        key: &SubjectKey,
    ) -> Result<Vec<AccountRecord>, StoreError> {
        const OPERATION: &str = "find accounts by subject";
        let client = self.client(OPERATION).await?;
        client
            .query(
                &format!("SELECT {COLUMNS} FROM keyward_accounts WHERE subject_key = $1 LIMIT 2"),
                &[&key.as_str()],
            )
            .await
            .map_err(query(OPERATION))?
            .iter()
            .map(record)
            .collect()
    }

    async fn update_hash(
        &self,
        name: &AccountName,
        password_hash: &str,
        seen: CredentialVersion,
    ) -> Result<bool, StoreError> {
        const OPERATION: &str = "update a password hash";
        let client = self.client(OPERATION).await?;
        let updated = client
            .execute(
                "UPDATE keyward_accounts SET password_hash = $2
                 WHERE name = $1 AND credential_version = $3",
                &[&name.as_str(), &password_hash, &seen.to_stored()],
            )
            .await
            .map_err(query(OPERATION))?;
        Ok(updated == 1)
    }

    async fn change_credentials(&self, change: &CredentialChange) -> Result<bool, StoreError> {
        const OPERATION: &str = "change credentials";
        let mut client = self.client(OPERATION).await?;
        let tx = client.transaction().await.map_err(query(OPERATION))?;
        let now = ms(change.now);
        // The row lock this takes waits for session starts holding the row FOR SHARE.
        let updated = tx
            .execute(
                "UPDATE keyward_accounts
                 SET password_hash = $2, credential_version = credential_version + 1,
                     cutoff_ms = GREATEST(COALESCE(cutoff_ms, $4), $4)
                 WHERE name = $1 AND credential_version = $3",
                &[
                    &change.name.as_str(),
                    &change.password_hash,
                    &change.seen.to_stored(),
                    &now,
                ],
            )
            .await
            .map_err(query(OPERATION))?;
        if updated != 1 {
            return Ok(false);
        }
        revoke_families(&tx, change.name.as_str(), now, OPERATION).await?;
        tx.commit().await.map_err(query(OPERATION))?;
        Ok(true)
    }

    async fn end_sessions(
        &self,
        name: &AccountName,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        const OPERATION: &str = "end every session";
        let mut client = self.client(OPERATION).await?;
        let tx = client.transaction().await.map_err(query(OPERATION))?;
        let now = ms(now);
        let updated = tx
            .execute(
                "UPDATE keyward_accounts SET cutoff_ms = GREATEST(COALESCE(cutoff_ms, $2), $2)
                 WHERE name = $1",
                &[&name.as_str(), &now],
            )
            .await
            .map_err(query(OPERATION))?;
        if updated != 1 {
            return Ok(false);
        }
        revoke_families(&tx, name.as_str(), now, OPERATION).await?;
        tx.commit().await.map_err(query(OPERATION))?;
        Ok(true)
    }

    async fn cutoff(&self, name: &AccountName) -> Result<Option<Cutoff>, StoreError> {
        const OPERATION: &str = "read a cutoff";
        let client = self.client(OPERATION).await?;
        let statement = client
            .prepare_cached("SELECT cutoff_ms FROM keyward_accounts WHERE name = $1")
            .await
            .map_err(query(OPERATION))?;
        let row = client
            .query_opt(&statement, &[&name.as_str()])
            .await
            .map_err(query(OPERATION))?;
        row.and_then(|row| row.get::<_, Option<i64>>(0))
            .map(|ms| instant(ms, OPERATION).map(Cutoff::at))
            .transpose()
    }
}

async fn revoke_families(
    tx: &deadpool_postgres::Transaction<'_>,
    name: &str,
    now: i64,
    operation: &'static str,
) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE keyward_refresh_families SET revoked_ms = $2
         WHERE account = $1 AND revoked_ms IS NULL",
        &[&name, &now],
    )
    .await
    .map_err(query(operation))?;
    Ok(())
}
