//! [`KeyStore`] on Postgres.

use chrono::{DateTime, Utc};
use keyward_session::store::KeyStore;
use keyward_session::{KeyRotation, KeyState, RotationOutcome, StoreError, StoredKey};
use zeroize::Zeroizing;

use crate::PostgresStore;
use crate::connection::query;
use crate::time::{instant, ms};

/// Serializes ring changes (install, stage, rotate) across replicas, inside their transaction.
const RING_LOCK: &str = "SELECT pg_advisory_xact_lock(7020383515745280001)";

impl KeyStore for PostgresStore {
    async fn load_keys(&self, now: DateTime<Utc>) -> Result<Vec<StoredKey>, StoreError> {
        const OPERATION: &str = "read the signing keys";
        let client = self.client(OPERATION).await?;
        let rows = client
            .query(
                "SELECT kid, state, private_pem, published_ms, retire_until_ms
                 FROM keyward_signing_keys
                 WHERE state <> 'retired' OR retire_until_ms > $1 ORDER BY published_ms, kid",
                &[&ms(now)],
            )
            .await
            .map_err(query(OPERATION))?;
        rows.iter()
            .map(|row| {
                let state: String = row.get(1);
                let state = KeyState::from_stored(&state).ok_or_else(|| {
                    StoreError::corrupt(OPERATION, format!("key state {state:?}"))
                })?;
                Ok(StoredKey::new(
                    row.get(0),
                    state,
                    Zeroizing::new(row.get(2)),
                    instant(row.get(3), OPERATION)?,
                    row.get::<_, Option<i64>>(4)
                        .map(|ms| instant(ms, OPERATION))
                        .transpose()?,
                ))
            })
            .collect()
    }

    async fn install_current(&self, key: &StoredKey) -> Result<bool, StoreError> {
        const OPERATION: &str = "install the signing key";
        let mut client = self.client(OPERATION).await?;
        let tx = client.transaction().await.map_err(query(OPERATION))?;
        tx.execute(RING_LOCK, &[]).await.map_err(query(OPERATION))?;
        let current = tx
            .query_opt(
                "SELECT kid FROM keyward_signing_keys WHERE state = 'current'",
                &[],
            )
            .await
            .map_err(query(OPERATION))?;
        if let Some(row) = current {
            return Ok(row.get::<_, String>(0) == key.kid());
        }
        insert(&tx, key, KeyState::Current, OPERATION).await?;
        tx.commit().await.map_err(query(OPERATION))?;
        Ok(true)
    }

    async fn stage_next(&self, key: &StoredKey) -> Result<bool, StoreError> {
        const OPERATION: &str = "stage the next signing key";
        let mut client = self.client(OPERATION).await?;
        let tx = client.transaction().await.map_err(query(OPERATION))?;
        tx.execute(RING_LOCK, &[]).await.map_err(query(OPERATION))?;
        let exists = tx
            .query_opt(
                "SELECT 1 FROM keyward_signing_keys WHERE state = 'next' OR kid = $1",
                &[&key.kid()],
            )
            .await
            .map_err(query(OPERATION))?;
        if exists.is_some() {
            return Ok(false);
        }
        insert(&tx, key, KeyState::Next, OPERATION).await?;
        tx.commit().await.map_err(query(OPERATION))?;
        Ok(true)
    }

    async fn rotate(&self, rotation: &KeyRotation) -> Result<RotationOutcome, StoreError> {
        const OPERATION: &str = "rotate the signing keys";
        let mut client = self.client(OPERATION).await?;
        let tx = client.transaction().await.map_err(query(OPERATION))?;
        tx.execute(RING_LOCK, &[]).await.map_err(query(OPERATION))?;
        let next = tx
            .query_opt(
                "SELECT kid, published_ms FROM keyward_signing_keys WHERE state = 'next'",
                &[],
            )
            .await
            .map_err(query(OPERATION))?;
        let Some(next) = next else {
            return Ok(RotationOutcome::NoNextKey);
        };
        let (kid, published): (String, i64) = (next.get(0), next.get(1));
        if published > ms(rotation.published_by) {
            return Ok(RotationOutcome::NextTooRecent {
                published_at: instant(published, OPERATION)?,
            });
        }
        tx.execute(
            "DELETE FROM keyward_signing_keys WHERE state = 'retired' AND retire_until_ms <= $1",
            &[&ms(rotation.now)],
        )
        .await
        .map_err(query(OPERATION))?;
        tx.execute(
            "UPDATE keyward_signing_keys SET state = 'retired', retire_until_ms = $1
             WHERE state = 'current'",
            &[&ms(rotation.retire_until)],
        )
        .await
        .map_err(query(OPERATION))?;
        tx.execute(
            "UPDATE keyward_signing_keys SET state = 'current' WHERE kid = $1",
            &[&kid],
        )
        .await
        .map_err(query(OPERATION))?;
        if let Some(new_next) = &rotation.new_next {
            insert(&tx, new_next, KeyState::Next, OPERATION).await?;
        }
        tx.commit().await.map_err(query(OPERATION))?;
        Ok(RotationOutcome::Rotated { kid })
    }
}

async fn insert(
    tx: &deadpool_postgres::Transaction<'_>,
    key: &StoredKey,
    state: KeyState,
    operation: &'static str,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO keyward_signing_keys (kid, state, private_pem, published_ms)
         VALUES ($1, $2, $3, $4)",
        &[
            &key.kid(),
            &state.as_str(),
            &key.expose_private_pem(),
            &ms(key.published_at()),
        ],
    )
    .await
    .map_err(query(operation))?;
    Ok(())
}
