//! [`ThrottleStore`] on Postgres.

use std::time::Duration;

use chrono::{DateTime, Utc};
use keyward_session::store::{TakeOutcome, ThrottleStore};
use keyward_session::{BucketKey, Rate, StoreError};

use crate::PostgresStore;
use crate::connection::query;
use crate::time::ms;

/// The level of the stored bucket at `$2`, for burst `$3` and interval `$4` (ms): the same
/// formula as the SQLite store's.
const LEVEL: &str =
    "LEAST($3::float8, b.tokens + GREATEST($2 - b.updated_ms, 0)::float8 / $4::float8)";

/// Adds `$5` to a bucket's level (a missing bucket is full), capped at the burst, when the
/// result is at least 0 (a take from an empty bucket updates nothing, so returns no row).
fn upsert() -> String {
    format!(
        "INSERT INTO keyward_throttle_buckets AS b (key, tokens, updated_ms, full_ms)
         VALUES ($1, LEAST($3::float8, $3::float8 + $5::float8), $2,
                 $2 + (GREATEST(0, -$5::float8) * $4::float8)::bigint)
         ON CONFLICT (key) DO UPDATE SET
             tokens = LEAST($3::float8, {LEVEL} + $5::float8),
             full_ms = $2 + (GREATEST(0, $3::float8 - LEAST($3::float8, {LEVEL} + $5::float8)) * $4::float8)::bigint,
             updated_ms = $2
         WHERE {LEVEL} + $5::float8 >= 0
         RETURNING tokens"
    )
}

fn shape(rate: Rate) -> (f64, f64) {
    #[allow(clippy::cast_precision_loss)]
    let every = rate.every_millis().max(1) as f64;
    (f64::from(rate.burst()), every)
}

impl ThrottleStore for PostgresStore {
    async fn take(
        &self,
        buckets: &[(BucketKey, Rate)],
        now: DateTime<Utc>,
    ) -> Result<TakeOutcome, StoreError> {
        const OPERATION: &str = "take throttle allowances";
        let mut client = self.client(OPERATION).await?;
        let now = ms(now);
        let tx = client.transaction().await.map_err(query(OPERATION))?;
        let statement = tx
            .prepare_cached(&upsert())
            .await
            .map_err(query(OPERATION))?;
        let mut empty = false;
        for (key, rate) in buckets {
            let (burst, every) = shape(*rate);
            let taken = tx
                .query_opt(&statement, &[&key.as_str(), &now, &burst, &every, &-1.0f64])
                .await
                .map_err(query(OPERATION))?;
            if taken.is_none() {
                empty = true;
                break;
            }
        }
        if !empty {
            tx.commit().await.map_err(query(OPERATION))?;
            return Ok(TakeOutcome::Taken);
        }
        // Nothing is taken from any bucket; the wait is the longest of the buckets' waits.
        tx.rollback().await.map_err(query(OPERATION))?;
        let mut wait_ms = 0f64;
        for (key, rate) in buckets {
            let (burst, every) = shape(*rate);
            let level: Option<f64> = client
                .query_opt(
                    &format!("SELECT {LEVEL} FROM keyward_throttle_buckets b WHERE key = $1"),
                    &[&key.as_str(), &now, &burst, &every],
                )
                .await
                .map_err(query(OPERATION))?
                .map(|row| row.get(0));
            wait_ms = wait_ms.max((1.0 - level.unwrap_or(burst)) * every);
        }
        Ok(TakeOutcome::Empty {
            retry_after: Duration::from_secs_f64(wait_ms.max(1.0).ceil() / 1000.0),
        })
    }

    async fn refund(
        &self,
        buckets: &[(BucketKey, Rate)],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        const OPERATION: &str = "refund throttle allowances";
        let mut client = self.client(OPERATION).await?;
        let tx = client.transaction().await.map_err(query(OPERATION))?;
        let statement = tx
            .prepare_cached(&upsert())
            .await
            .map_err(query(OPERATION))?;
        let now = ms(now);
        for (key, rate) in buckets {
            let (burst, every) = shape(*rate);
            tx.execute(&statement, &[&key.as_str(), &now, &burst, &every, &1.0f64])
                .await
                .map_err(query(OPERATION))?;
        }
        tx.commit().await.map_err(query(OPERATION))
    }

    async fn remember_device(
        &self,
        device: &BucketKey,
        until: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        const OPERATION: &str = "remember a device";
        let client = self.client(OPERATION).await?;
        client
            .execute(
                "INSERT INTO keyward_known_devices AS d (key, until_ms) VALUES ($1, $2)
                 ON CONFLICT (key) DO UPDATE SET until_ms = GREATEST(d.until_ms, excluded.until_ms)",
                &[&device.as_str(), &ms(until)],
            )
            .await
            .map_err(query(OPERATION))?;
        Ok(())
    }

    async fn is_known_device(
        &self,
        device: &BucketKey,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        const OPERATION: &str = "look up a device";
        let client = self.client(OPERATION).await?;
        let statement = client
            .prepare_cached("SELECT 1 FROM keyward_known_devices WHERE key = $1 AND until_ms > $2")
            .await
            .map_err(query(OPERATION))?;
        Ok(client
            .query_opt(&statement, &[&device.as_str(), &ms(now)])
            .await
            .map_err(query(OPERATION))?
            .is_some())
    }
}
