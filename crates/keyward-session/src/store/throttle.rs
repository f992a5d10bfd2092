//! Token buckets and known devices.

use std::future::Future;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::{BucketKey, Rate, StoreError};

/// What taking from buckets did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TakeOutcome {
    /// One token was taken from every bucket.
    Taken,
    /// At least one bucket had less than one token: nothing was taken from any.
    Empty {
        /// How long until every bucket has one token.
        retry_after: Duration,
    },
}

/// Shared token buckets.
///
/// A bucket's level at `now` is `min(burst, tokens + (now - updated_at) / every)`; a missing
/// bucket is full. Levels are kept as floating-point tokens with the update instant.
pub trait ThrottleStore: Send + Sync {
    /// In one transaction: takes one token from each bucket if every bucket's level is at
    /// least one, else takes nothing. Concurrent calls lose no count.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store fails.
    fn take(
        &self,
        buckets: &[(BucketKey, Rate)],
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<TakeOutcome, StoreError>> + Send;

    /// Gives one token back to each bucket (never above its burst).
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store fails.
    fn refund(
        &self,
        buckets: &[(BucketKey, Rate)],
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Remembers `device` (an (account, address group) key) as known until `until`.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store fails.
    fn remember_device(
        &self,
        device: &BucketKey,
        until: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Whether `device` is known at `now`.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store fails.
    fn is_known_device(
        &self,
        device: &BucketKey,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}
