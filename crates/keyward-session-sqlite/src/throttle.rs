//! [`ThrottleStore`] on SQLite.

use std::time::Duration;

use chrono::{DateTime, Utc};
use keyward_session::store::{TakeOutcome, ThrottleStore};
use keyward_session::{BucketKey, Rate, StoreError};
use rusqlite::{OptionalExtension, params};

use crate::SqliteStore;
use crate::time::ms;

/// The level of a bucket at `?now`, from its row (`tokens`, `updated_ms`) and the rate
/// (`?burst`, `?every`): the same formula as the Postgres store's.
const LEVEL: &str = "MIN(CAST(?3 AS REAL), tokens + CAST(MAX(?2 - updated_ms, 0) AS REAL) / ?4)";

fn owned(buckets: &[(BucketKey, Rate)]) -> Vec<(String, f64, i64)> {
    buckets
        .iter()
        .map(|(key, rate)| {
            (
                key.as_str().to_owned(),
                f64::from(rate.burst()),
                rate.every_millis().max(1),
            )
        })
        .collect()
}

impl ThrottleStore for SqliteStore {
    async fn take(
        &self,
        buckets: &[(BucketKey, Rate)],
        now: DateTime<Utc>,
    ) -> Result<TakeOutcome, StoreError> {
        let (buckets, now) = (owned(buckets), ms(now));
        self.write("take throttle allowances", move |tx| {
            let mut wait_ms = 0f64;
            for (key, burst, every) in &buckets {
                let level: f64 = tx
                    .query_row(
                        &format!("SELECT {LEVEL} FROM keyward_throttle_buckets WHERE key = ?1"),
                        params![key, now, burst, every],
                        |row| row.get(0),
                    )
                    .optional()?
                    .unwrap_or(*burst);
                if level < 1.0 {
                    #[allow(clippy::cast_precision_loss)]
                    let wait = (1.0 - level) * *every as f64;
                    wait_ms = wait_ms.max(wait);
                }
            }
            if wait_ms > 0.0 {
                return Ok(Ok(TakeOutcome::Empty {
                    retry_after: Duration::from_secs_f64(wait_ms.ceil() / 1000.0),
                }));
            }
            for (key, burst, every) in &buckets {
                upsert(tx, key, now, *burst, *every, -1.0)?;
            }
            Ok(Ok(TakeOutcome::Taken))
        })
        .await
    }

    async fn refund(
        &self,
        buckets: &[(BucketKey, Rate)],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let (buckets, now) = (owned(buckets), ms(now));
        self.write("refund throttle allowances", move |tx| {
            for (key, burst, every) in &buckets {
                upsert(tx, key, now, *burst, *every, 1.0)?;
            }
            Ok(Ok(()))
        })
        .await
    }

    async fn remember_device(
        &self,
        device: &BucketKey,
        until: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let (key, until) = (device.as_str().to_owned(), ms(until));
        self.write("remember a device", move |tx| {
            tx.execute(
                "INSERT INTO keyward_known_devices (key, until_ms) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET until_ms = MAX(until_ms, excluded.until_ms)",
                params![key, until],
            )?;
            Ok(Ok(()))
        })
        .await
    }

    async fn is_known_device(
        &self,
        device: &BucketKey,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let (key, now) = (device.as_str().to_owned(), ms(now));
        self.call("look up a device", move |connection| {
            let known = connection
                .query_row(
                    "SELECT 1 FROM keyward_known_devices WHERE key = ?1 AND until_ms > ?2",
                    params![key, now],
                    |_| Ok(()),
                )
                .optional()?;
            Ok(Ok(known.is_some()))
        })
        .await
    }
}

/// Adds `delta` to the bucket's level at `now` (a missing bucket is full), capped at `burst`,
/// and records when it will be full again (for purging).
fn upsert(
    tx: &rusqlite::Transaction<'_>,
    key: &str,
    now: i64,
    burst: f64,
    every: i64,
    delta: f64,
) -> rusqlite::Result<()> {
    tx.execute(
        &format!(
            "INSERT INTO keyward_throttle_buckets (key, tokens, updated_ms, full_ms)
             VALUES (?1, MIN(?3, ?3 + ?5), ?2, ?2 + CAST(MAX(0.0, -?5) * ?4 AS INTEGER))
             ON CONFLICT (key) DO UPDATE SET
                 tokens = MIN(?3, {LEVEL} + ?5),
                 full_ms = ?2 + CAST(MAX(0.0, ?3 - MIN(?3, {LEVEL} + ?5)) * ?4 AS INTEGER),
                 updated_ms = ?2"
        ),
        params![key, now, burst, every, delta],
    )?;
    Ok(())
}
