//! [`RefreshStore`] on Postgres.

use chrono::{DateTime, Utc};
use keyward::token::TokenDigest;
use keyward_session::store::{
    ExchangeOutcome, ExchangeRequest, FamilyStart, MissVerdict, MissedToken, NewFamily,
    RefreshStore,
};
use keyward_session::{
    AccountName, ClientId, Cutoff, FamilyId, SealedSuccessor, SessionError, StoreError,
};

use crate::PostgresStore;
use crate::connection::query;
use crate::time::{instant, ms};

const EXCHANGE: &str = "exchange a refresh token";

fn corrupt(operation: &'static str) -> impl Fn(SessionError) -> StoreError {
    move |error| StoreError::corrupt(operation, error.to_string())
}

fn cutoff(value: Option<i64>, operation: &'static str) -> Result<Option<Cutoff>, StoreError> {
    value
        .map(|ms| instant(ms, operation).map(Cutoff::at))
        .transpose()
}

impl RefreshStore for PostgresStore {
    async fn start_family(&self, family: &NewFamily) -> Result<FamilyStart, StoreError> {
        const OPERATION: &str = "start a session";
        let mut client = self.client(OPERATION).await?;
        let tx = client.transaction().await.map_err(query(OPERATION))?;
        // FOR SHARE: a credential change (an UPDATE of this row) waits for this transaction,
        // then revokes the family it stored; one that committed first moved the version.
        let current = tx
            .query_opt(
                "SELECT cutoff_ms FROM keyward_accounts
                 WHERE name = $1 AND credential_version = $2 FOR SHARE",
                &[&family.account.as_str(), &family.seen.to_stored()],
            )
            .await
            .map_err(query(OPERATION))?;
        let Some(current) = current else {
            return Ok(FamilyStart::CredentialsChanged);
        };
        tx.execute(
            "INSERT INTO keyward_refresh_families (id, account, client_id, created_ms, expires_ms)
             VALUES ($1, $2, $3, $4, $5)",
            &[
                &family.family.as_str(),
                &family.account.as_str(),
                &family.client.as_str(),
                &ms(family.now),
                &ms(family.family_expires_at),
            ],
        )
        .await
        .map_err(query(OPERATION))?;
        tx.execute(
            "INSERT INTO keyward_refresh_tokens (digest, family_id, expires_ms) VALUES ($1, $2, $3)",
            &[
                &family.digest.to_string(),
                &family.family.as_str(),
                &ms(family.token_expires_at),
            ],
        )
        .await
        .map_err(query(OPERATION))?;
        tx.commit().await.map_err(query(OPERATION))?;
        Ok(FamilyStart::Started {
            cutoff: cutoff(current.get(0), OPERATION)?,
        })
    }

    async fn exchange(&self, exchange: &ExchangeRequest) -> Result<ExchangeOutcome, StoreError> {
        let mut client = self.client(EXCHANGE).await?;
        let tx = client.transaction().await.map_err(query(EXCHANGE))?;
        let presented = exchange.presented.to_string();
        let now = ms(exchange.now);
        let sealed = exchange.sealed.map(|sealed| sealed.as_bytes().to_vec());
        // The compare-and-set. Concurrent exchanges of one token queue on its row lock; once
        // the first commits, the others re-check `used_ms IS NULL` and update nothing.
        let mark = tx
            .prepare_cached(
                "UPDATE keyward_refresh_tokens SET used_ms = $2, sealed = $3
                 WHERE digest = $1 AND used_ms IS NULL AND expires_ms > $2
                 RETURNING family_id",
            )
            .await
            .map_err(query(EXCHANGE))?;
        let marked = tx
            .query_opt(&mark, &[&presented, &now, &sealed])
            .await
            .map_err(query(EXCHANGE))?;
        let read_family = tx
            .prepare_cached(
                "SELECT f.account, f.client_id, a.cutoff_ms,
                        f.revoked_ms IS NULL AND f.expires_ms > $2
                 FROM keyward_refresh_families f JOIN keyward_accounts a ON a.name = f.account
                 WHERE f.id = $1 FOR SHARE OF f",
            )
            .await
            .map_err(query(EXCHANGE))?;
        if let Some(marked) = marked {
            let family: String = marked.get(0);
            let row = tx
                .query_one(&read_family, &[&family, &now])
                .await
                .map_err(query(EXCHANGE))?;
            if !row.get::<_, bool>(3) {
                // Revoked or ended: roll back the mark, refuse.
                return Ok(ExchangeOutcome::Refused);
            }
            let insert = tx
                .prepare_cached(
                    "INSERT INTO keyward_refresh_tokens (digest, family_id, expires_ms)
                     SELECT $1, id, LEAST($2, expires_ms) FROM keyward_refresh_families WHERE id = $3",
                )
                .await
                .map_err(query(EXCHANGE))?;
            tx.execute(
                &insert,
                &[
                    &exchange.successor.to_string(),
                    &ms(exchange.successor_expires_at),
                    &family,
                ],
            )
            .await
            .map_err(query(EXCHANGE))?;
            tx.commit().await.map_err(query(EXCHANGE))?;
            return rotated(&family, row.get(0), row.get(1), row.get(2), None);
        }
        after_miss(tx, exchange, &presented, now, &read_family).await
    }

    async fn revoke_family_of(
        &self,
        digest: &TokenDigest,
        now: DateTime<Utc>,
    ) -> Result<Option<(AccountName, FamilyId)>, StoreError> {
        const OPERATION: &str = "revoke a session";
        let client = self.client(OPERATION).await?;
        // One statement: the family of the token, revoked if it was not already.
        let row = client
            .query_opt(
                "WITH found AS (
                     SELECT f.id, f.account FROM keyward_refresh_tokens t
                     JOIN keyward_refresh_families f ON f.id = t.family_id WHERE t.digest = $1
                 ), revoked AS (
                     UPDATE keyward_refresh_families SET revoked_ms = $2
                     WHERE id IN (SELECT id FROM found) AND revoked_ms IS NULL
                 )
                 SELECT id, account FROM found",
                &[&digest.to_string(), &ms(now)],
            )
            .await
            .map_err(query(OPERATION))?;
        row.map(|row| {
            Ok((
                AccountName::new(row.get::<_, String>(1)).map_err(corrupt(OPERATION))?,
                FamilyId::new(row.get::<_, String>(0)).map_err(corrupt(OPERATION))?,
            ))
        })
        .transpose()
    }

    async fn purge_expired(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        const OPERATION: &str = "purge expired sessions";
        let mut client = self.client(OPERATION).await?;
        let tx = client.transaction().await.map_err(query(OPERATION))?;
        let now = ms(now);
        let tokens = tx
            .execute(
                "DELETE FROM keyward_refresh_tokens WHERE expires_ms <= $1
                    OR family_id IN (SELECT id FROM keyward_refresh_families WHERE expires_ms <= $1)",
                &[&now],
            )
            .await
            .map_err(query(OPERATION))?;
        tx.execute(
            "DELETE FROM keyward_refresh_families f WHERE f.expires_ms <= $1 OR NOT EXISTS
                 (SELECT 1 FROM keyward_refresh_tokens t WHERE t.family_id = f.id)",
            &[&now],
        )
        .await
        .map_err(query(OPERATION))?;
        tx.execute(
            "DELETE FROM keyward_throttle_buckets WHERE full_ms <= $1",
            &[&now],
        )
        .await
        .map_err(query(OPERATION))?;
        tx.execute(
            "DELETE FROM keyward_known_devices WHERE until_ms <= $1",
            &[&now],
        )
        .await
        .map_err(query(OPERATION))?;
        tx.commit().await.map_err(query(OPERATION))?;
        Ok(tokens)
    }
}

/// The exchange's compare-and-set updated nothing: refuse, replay or revoke, by the rule in
/// [`MissedToken::verdict`], in the same transaction.
async fn after_miss(
    tx: deadpool_postgres::Transaction<'_>,
    exchange: &ExchangeRequest,
    presented: &str,
    now: i64,
    read_family: &tokio_postgres::Statement,
) -> Result<ExchangeOutcome, StoreError> {
    let missed = tx
        .query_opt(
            "SELECT t.family_id, t.used_ms, t.sealed,
                        f.revoked_ms IS NULL AND f.expires_ms > $2
                 FROM keyward_refresh_tokens t
                 JOIN keyward_refresh_families f ON f.id = t.family_id
                 WHERE t.digest = $1",
            &[&presented, &now],
        )
        .await
        .map_err(query(EXCHANGE))?;
    let Some(missed) = missed else {
        return Ok(ExchangeOutcome::Refused);
    };
    let family: String = missed.get(0);
    let used_at = missed
        .get::<_, Option<i64>>(1)
        .map(|ms| instant(ms, EXCHANGE))
        .transpose()?;
    let sealed = missed
        .get::<_, Option<Vec<u8>>>(2)
        .as_deref()
        .and_then(SealedSuccessor::from_stored);
    match MissedToken::new(used_at, sealed, missed.get(3)).verdict(exchange.grace_after) {
        MissVerdict::Replay(sealed) => {
            let row = tx
                .query_one(read_family, &[&family, &now])
                .await
                .map_err(query(EXCHANGE))?;
            if !row.get::<_, bool>(3) {
                return Ok(ExchangeOutcome::Refused);
            }
            tx.commit().await.map_err(query(EXCHANGE))?;
            rotated(&family, row.get(0), row.get(1), row.get(2), Some(sealed))
        }
        MissVerdict::RevokeFamily => {
            let row = tx
                .query_opt(
                    "UPDATE keyward_refresh_families SET revoked_ms = $2
                         WHERE id = $1 AND revoked_ms IS NULL RETURNING account",
                    &[&family, &now],
                )
                .await
                .map_err(query(EXCHANGE))?;
            tx.commit().await.map_err(query(EXCHANGE))?;
            // Revoked by a concurrent reuse in between: already reported there.
            let Some(row) = row else {
                return Ok(ExchangeOutcome::Refused);
            };
            Ok(ExchangeOutcome::Reused {
                account: AccountName::new(row.get::<_, String>(0)).map_err(corrupt(EXCHANGE))?,
                family: FamilyId::new(family).map_err(corrupt(EXCHANGE))?,
            })
        }
        _ => Ok(ExchangeOutcome::Refused),
    }
}

fn rotated(
    family: &str,
    account: String,
    client: String,
    cutoff_ms: Option<i64>,
    sealed: Option<SealedSuccessor>,
) -> Result<ExchangeOutcome, StoreError> {
    let account = AccountName::new(account).map_err(corrupt(EXCHANGE))?;
    let client = ClientId::new(client).map_err(corrupt(EXCHANGE))?;
    let family = FamilyId::new(family).map_err(corrupt(EXCHANGE))?;
    let cutoff = cutoff(cutoff_ms, EXCHANGE)?;
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
