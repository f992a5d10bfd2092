//! [`KeyStore`] on SQLite.

use chrono::{DateTime, Utc};
use keyward_session::store::KeyStore;
use keyward_session::{KeyRotation, KeyState, RotationOutcome, StoreError, StoredKey};
use rusqlite::{OptionalExtension, params};
use zeroize::Zeroizing;

use crate::SqliteStore;
use crate::time::{instant, ms};

const OPERATION: &str = "read the signing keys";

impl KeyStore for SqliteStore {
    async fn load_keys(&self, now: DateTime<Utc>) -> Result<Vec<StoredKey>, StoreError> {
        let now = ms(now);
        self.call(OPERATION, move |connection| {
            let mut statement = connection.prepare(
                "SELECT kid, state, private_pem, published_ms, retire_until_ms
                 FROM keyward_signing_keys
                 WHERE state <> 'retired' OR retire_until_ms > ?1 ORDER BY published_ms, kid",
            )?;
            let rows = statement.query_map([now], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    Zeroizing::new(row.get::<_, String>(2)?),
                    row.get::<_, i64>(3)?,
                    row.get::<_, Option<i64>>(4)?,
                ))
            })?;
            let mut keys = Vec::new();
            for row in rows {
                let (kid, state, pem, published, retire_until) = row?;
                let key = (|| {
                    let state = KeyState::from_stored(&state).ok_or_else(|| {
                        StoreError::corrupt(OPERATION, format!("key state {state:?}"))
                    })?;
                    Ok(StoredKey::new(
                        kid,
                        state,
                        pem,
                        instant(published, OPERATION)?,
                        retire_until.map(|ms| instant(ms, OPERATION)).transpose()?,
                    ))
                })();
                match key {
                    Ok(key) => keys.push(key),
                    Err(error) => return Ok(Err(error)),
                }
            }
            Ok(Ok(keys))
        })
        .await
    }

    async fn install_current(&self, key: &StoredKey) -> Result<bool, StoreError> {
        let row = owned(key);
        self.write("install the signing key", move |tx| {
            let current: Option<String> = tx
                .query_row(
                    "SELECT kid FROM keyward_signing_keys WHERE state = 'current'",
                    [],
                    |row| row.get(0),
                )
                .optional()?;
            if let Some(kid) = current {
                return Ok(Ok(kid == row.0));
            }
            insert(tx, &row, KeyState::Current)?;
            Ok(Ok(true))
        })
        .await
    }

    async fn stage_next(&self, key: &StoredKey) -> Result<bool, StoreError> {
        let row = owned(key);
        self.write("stage the next signing key", move |tx| {
            let exists = tx
                .query_row(
                    "SELECT 1 FROM keyward_signing_keys WHERE state = 'next' OR kid = ?1",
                    [&row.0],
                    |_| Ok(()),
                )
                .optional()?;
            if exists.is_some() {
                return Ok(Ok(false));
            }
            insert(tx, &row, KeyState::Next)?;
            Ok(Ok(true))
        })
        .await
    }

    async fn rotate(&self, rotation: &KeyRotation) -> Result<RotationOutcome, StoreError> {
        let now = ms(rotation.now);
        let published_by = ms(rotation.published_by);
        let retire_until = ms(rotation.retire_until);
        let new_next = rotation.new_next.as_ref().map(owned);
        self.write("rotate the signing keys", move |tx| {
            let next: Option<(String, i64)> = tx
                .query_row(
                    "SELECT kid, published_ms FROM keyward_signing_keys WHERE state = 'next'",
                    [],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()?;
            let Some((kid, published)) = next else {
                return Ok(Ok(RotationOutcome::NoNextKey));
            };
            if published > published_by {
                return Ok(instant(published, "rotate the signing keys")
                    .map(|published_at| RotationOutcome::NextTooRecent { published_at }));
            }
            tx.execute(
                "DELETE FROM keyward_signing_keys WHERE state = 'retired' AND retire_until_ms <= ?1",
                [now],
            )?;
            tx.execute(
                "UPDATE keyward_signing_keys SET state = 'retired', retire_until_ms = ?1
                 WHERE state = 'current'",
                [retire_until],
            )?;
            tx.execute(
                "UPDATE keyward_signing_keys SET state = 'current' WHERE kid = ?1",
                [&kid],
            )?;
            if let Some(row) = &new_next {
                insert(tx, row, KeyState::Next)?;
            }
            Ok(Ok(RotationOutcome::Rotated { kid }))
        })
        .await
    }
}

type Row = (String, Zeroizing<String>, i64);

fn owned(key: &StoredKey) -> Row {
    (
        key.kid().to_owned(),
        Zeroizing::new(key.expose_private_pem().to_owned()),
        ms(key.published_at()),
    )
}

fn insert(tx: &rusqlite::Transaction<'_>, row: &Row, state: KeyState) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO keyward_signing_keys (kid, state, private_pem, published_ms) VALUES (?1, ?2, ?3, ?4)",
        params![row.0, state.as_str(), row.1.as_str(), row.2],
    )?;
    Ok(())
}
