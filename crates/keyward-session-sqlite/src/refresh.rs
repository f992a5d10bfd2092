//! [`RefreshStore`] on SQLite.

use chrono::{DateTime, Utc};
use keyward::token::TokenDigest;
use keyward_session::store::{
    ExchangeOutcome, ExchangeRequest, FamilyStart, MissVerdict, MissedToken, NewFamily,
    RefreshStore,
};
use keyward_session::{
    AccountName, ClientId, Cutoff, FamilyId, SealedSuccessor, SessionError, StoreError,
};
use rusqlite::{OptionalExtension, params};

use crate::SqliteStore;
use crate::time::{instant, ms};

fn corrupt(operation: &'static str) -> impl Fn(SessionError) -> StoreError {
    move |error| StoreError::corrupt(operation, error.to_string())
}

fn cutoff(value: Option<i64>, operation: &'static str) -> Result<Option<Cutoff>, StoreError> {
    value
        .map(|ms| instant(ms, operation).map(Cutoff::at))
        .transpose()
}

impl RefreshStore for SqliteStore {
    async fn start_family(&self, family: &NewFamily) -> Result<FamilyStart, StoreError> {
        let (id, account, client, seen, digest, now, token_expires, family_expires) = (
            family.family.as_str().to_owned(),
            family.account.as_str().to_owned(),
            family.client.as_str().to_owned(),
            family.seen.to_stored(),
            family.digest.to_string(),
            ms(family.now),
            ms(family.token_expires_at),
            ms(family.family_expires_at),
        );
        self.write("start a session", move |tx| {
            let current: Option<Option<i64>> = tx
                .query_row(
                    "SELECT cutoff_ms FROM keyward_accounts
                     WHERE name = ?1 AND credential_version = ?2",
                    params![account, seen],
                    |row| row.get(0),
                )
                .optional()?;
            let Some(cutoff_ms) = current else {
                return Ok(Ok(FamilyStart::CredentialsChanged));
            };
            tx.execute(
                "INSERT INTO keyward_refresh_families (id, account, client_id, created_ms, expires_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![id, account, client, now, family_expires],
            )?;
            tx.execute(
                "INSERT INTO keyward_refresh_tokens (digest, family_id, expires_ms) VALUES (?1, ?2, ?3)",
                params![digest, id, token_expires],
            )?;
            Ok(cutoff(cutoff_ms, "start a session").map(|cutoff| FamilyStart::Started { cutoff }))
        })
        .await
    }

    async fn exchange(&self, exchange: &ExchangeRequest) -> Result<ExchangeOutcome, StoreError> {
        const OPERATION: &str = "exchange a refresh token";
        let presented = exchange.presented.to_string();
        let successor = exchange.successor.to_string();
        let sealed = exchange.sealed.map(|sealed| sealed.as_bytes().to_vec());
        let now = ms(exchange.now);
        let successor_expires = ms(exchange.successor_expires_at);
        let grace_after = exchange.grace_after;
        self.write(OPERATION, move |tx| {
            // The compare-and-set: only an unused, unexpired token of a live family is marked.
            let family: Option<String> = tx
                .query_row(
                    "UPDATE keyward_refresh_tokens SET used_ms = ?2, sealed = ?3
                     WHERE digest = ?1 AND used_ms IS NULL AND expires_ms > ?2
                       AND family_id IN (SELECT id FROM keyward_refresh_families
                                         WHERE revoked_ms IS NULL AND expires_ms > ?2)
                     RETURNING family_id",
                    params![presented, now, sealed],
                    |row| row.get(0),
                )
                .optional()?;
            let read = |family: &str| {
                tx.query_row(
                    "SELECT f.account, f.client_id, a.cutoff_ms, f.expires_ms
                     FROM keyward_refresh_families f JOIN keyward_accounts a ON a.name = f.account
                     WHERE f.id = ?1",
                    [family],
                    |row| {
                        Ok((
                            row.get::<_, String>(0)?,
                            row.get::<_, String>(1)?,
                            row.get::<_, Option<i64>>(2)?,
                        ))
                    },
                )
            };
            if let Some(family) = family {
                tx.execute(
                    "INSERT INTO keyward_refresh_tokens (digest, family_id, expires_ms)
                     SELECT ?1, id, MIN(?2, expires_ms) FROM keyward_refresh_families WHERE id = ?3",
                    params![successor, successor_expires, family],
                )?;
                let (account, client, cutoff_ms) = read(&family)?;
                return Ok(rotated(&family, account, client, cutoff_ms, None));
            }
            let missed = tx
                .query_row(
                    "SELECT t.family_id, t.used_ms, t.sealed,
                            f.revoked_ms IS NULL AND f.expires_ms > ?2
                     FROM keyward_refresh_tokens t
                     JOIN keyward_refresh_families f ON f.id = t.family_id
                     WHERE t.digest = ?1",
                    params![presented, now],
                    |row| {
                        Ok((
                            row.get::<_, String>(0)?,
                            row.get::<_, Option<i64>>(1)?,
                            row.get::<_, Option<Vec<u8>>>(2)?,
                            row.get::<_, bool>(3)?,
                        ))
                    },
                )
                .optional()?;
            let Some((family, used_ms, sealed, live)) = missed else {
                return Ok(Ok(ExchangeOutcome::Refused));
            };
            let used_at = match used_ms.map(|ms| instant(ms, OPERATION)).transpose() {
                Ok(used_at) => used_at,
                Err(error) => return Ok(Err(error)),
            };
            let sealed = sealed.as_deref().and_then(SealedSuccessor::from_stored);
            match MissedToken::new(used_at, sealed, live).verdict(grace_after) {
                MissVerdict::Replay(sealed) => {
                    let (account, client, cutoff_ms) = read(&family)?;
                    Ok(rotated(&family, account, client, cutoff_ms, Some(sealed)))
                }
                MissVerdict::RevokeFamily => {
                    tx.execute(
                        "UPDATE keyward_refresh_families SET revoked_ms = ?2
                         WHERE id = ?1 AND revoked_ms IS NULL",
                        params![family, now],
                    )?;
                    let (account, _, _) = read(&family)?;
                    Ok((|| {
                        Ok(ExchangeOutcome::Reused {
                            account: AccountName::new(account).map_err(corrupt(OPERATION))?,
                            family: FamilyId::new(family).map_err(corrupt(OPERATION))?,
                        })
                    })())
                }
                _ => Ok(Ok(ExchangeOutcome::Refused)),
            }
        })
        .await
    }

    async fn revoke_family_of(
        &self,
        digest: &TokenDigest,
        now: DateTime<Utc>,
    ) -> Result<Option<(AccountName, FamilyId)>, StoreError> {
        const OPERATION: &str = "revoke a session";
        let (digest, now) = (digest.to_string(), ms(now));
        self.write(OPERATION, move |tx| {
            let found = tx
                .query_row(
                    "SELECT f.id, f.account FROM keyward_refresh_tokens t
                     JOIN keyward_refresh_families f ON f.id = t.family_id WHERE t.digest = ?1",
                    [&digest],
                    |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)),
                )
                .optional()?;
            let Some((family, account)) = found else {
                return Ok(Ok(None));
            };
            tx.execute(
                "UPDATE keyward_refresh_families SET revoked_ms = ?2
                 WHERE id = ?1 AND revoked_ms IS NULL",
                params![family, now],
            )?;
            Ok((|| {
                Ok(Some((
                    AccountName::new(account).map_err(corrupt(OPERATION))?,
                    FamilyId::new(family).map_err(corrupt(OPERATION))?,
                )))
            })())
        })
        .await
    }

    async fn purge_expired(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let now = ms(now);
        self.write("purge expired sessions", move |tx| {
            let tokens = tx.execute(
                "DELETE FROM keyward_refresh_tokens WHERE expires_ms <= ?1
                    OR family_id IN (SELECT id FROM keyward_refresh_families WHERE expires_ms <= ?1)",
                [now],
            )?;
            tx.execute(
                "DELETE FROM keyward_refresh_families WHERE expires_ms <= ?1 OR NOT EXISTS
                     (SELECT 1 FROM keyward_refresh_tokens t WHERE t.family_id = keyward_refresh_families.id)",
                [now],
            )?;
            tx.execute("DELETE FROM keyward_throttle_buckets WHERE full_ms <= ?1", [now])?;
            tx.execute("DELETE FROM keyward_known_devices WHERE until_ms <= ?1", [now])?;
            Ok(Ok(u64::try_from(tokens).unwrap_or(u64::MAX)))
        })
        .await
    }
}

fn rotated(
    family: &str,
    account: String,
    client: String,
    cutoff_ms: Option<i64>,
    sealed: Option<SealedSuccessor>,
) -> Result<ExchangeOutcome, StoreError> {
    const OPERATION: &str = "exchange a refresh token";
    let account = AccountName::new(account).map_err(corrupt(OPERATION))?;
    let client = ClientId::new(client).map_err(corrupt(OPERATION))?;
    let family = FamilyId::new(family).map_err(corrupt(OPERATION))?;
    let cutoff = cutoff(cutoff_ms, OPERATION)?;
    Ok(match sealed {
        None => ExchangeOutcome::Rotated {
            account,
            client,
            family,
            cutoff,
        },
        Some(sealed) => ExchangeOutcome::Replayed {
            account,
            client,
            family,
            cutoff,
            sealed,
        },
    })
}
