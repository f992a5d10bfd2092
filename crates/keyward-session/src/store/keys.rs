//! The signing-key ring's rows.

use std::future::Future;

use chrono::{DateTime, Utc};

use crate::{KeyRotation, RotationOutcome, StoreError, StoredKey};

/// The signing-key ring.
pub trait KeyStore: Send + Sync {
    /// Every key, retired ones past their deadline at `now` included or not (the ring leaves
    /// them out either way).
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store fails or a row does not read.
    fn load_keys(
        &self,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<StoredKey>, StoreError>> + Send;

    /// Stores `key` (state [`Current`](crate::KeyState::Current)) if the ring has no current
    /// key yet; `Ok(true)` if it was stored or the same `kid` is already current. Safe when
    /// several replicas start together with the same key.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store fails.
    fn install_current(
        &self,
        key: &StoredKey,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Stores `key` (state [`Next`](crate::KeyState::Next)) if the ring has no next key;
    /// `Ok(false)` otherwise.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store fails.
    fn stage_next(&self, key: &StoredKey) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Carries out `rotation` in one transaction; see [`KeyRotation`].
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store fails.
    fn rotate(
        &self,
        rotation: &KeyRotation,
    ) -> impl Future<Output = Result<RotationOutcome, StoreError>> + Send;
}
