//! Instants as stored: Unix milliseconds.

use chrono::{DateTime, Utc};
use keyward_session::StoreError;

pub(crate) fn ms(instant: DateTime<Utc>) -> i64 {
    instant.timestamp_millis()
}

pub(crate) fn instant(ms: i64, operation: &'static str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| StoreError::corrupt(operation, format!("instant {ms} ms out of range")))
}
