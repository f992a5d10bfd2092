//! Remembering which proofs were used: the `ReplayStore` trait and a bounded in-memory store.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, PoisonError};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use sha2::{Digest as _, Sha256};

use super::ReplayStoreError;

/// The identity of one proof for replay detection: SHA-256 over the proof key's thumbprint
/// and the proof's `jti`, so that two clients choosing the same `jti` never collide
/// (RFC 9449 §11.1) and a store holds 32 bytes per proof whatever the `jti`'s length.
///
/// ```
/// use keyward::token::dpop::ReplayKey;
///
/// let key = ReplayKey::new("0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I", "e1j3V_bKic8-LAEB");
/// assert_eq!(key.to_base64url().len(), 43);
/// assert_ne!(key, ReplayKey::new("another-thumbprint", "e1j3V_bKic8-LAEB"));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReplayKey([u8; 32]);

impl ReplayKey {
    /// The key of a proof with `jti` made with the key whose RFC 7638 thumbprint is `jkt`.
    ///
    /// ```
    /// # use keyward::token::dpop::ReplayKey;
    /// assert_eq!(ReplayKey::new("a", "b"), ReplayKey::new("a", "b"));
    /// ```
    pub fn new(jkt: &str, jti: &str) -> Self {
        let mut hash = Sha256::new();
        // Length-prefixed, so that ("ab", "c") and ("a", "bc") differ.
        hash.update((jkt.len() as u64).to_be_bytes());
        hash.update(jkt.as_bytes());
        hash.update(jti.as_bytes());
        ReplayKey(hash.finalize().into())
    }

    /// The 32 bytes, for a store's key column.
    ///
    /// ```
    /// # use keyward::token::dpop::ReplayKey;
    /// assert_eq!(ReplayKey::new("a", "b").as_bytes().len(), 32);
    /// ```
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The bytes as base64url text, for a store keyed by text.
    ///
    /// ```
    /// # use keyward::token::dpop::ReplayKey;
    /// assert!(!ReplayKey::new("a", "b").to_base64url().contains('='));
    /// ```
    pub fn to_base64url(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }
}

impl fmt::Debug for ReplayKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ReplayKey")
            .field(&self.to_base64url())
            .finish()
    }
}

/// Whether a proof was seen before.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Freshness {
    /// First use: the store has now recorded it.
    First,
    /// Already recorded, and not yet expired: a replay.
    Replayed,
}

/// Where used proofs are remembered until they expire: every replica of a service must share
/// one store, or a proof refused by one replica is accepted by the next.
///
/// [`record`](Self::record) must be atomic: two calls with the same key, from two threads or
/// two replicas at once, must not both see [`Freshness::First`]. In SQL that is one
/// statement, e.g. `INSERT ... ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at
/// WHERE replay.expires_at <= now RETURNING ...` (an expired row may be reused), never a
/// `SELECT` then an `INSERT`.
///
/// ```
/// use keyward::token::dpop::{Freshness, InMemoryReplayStore, ReplayKey, ReplayStore};
/// use chrono::{TimeDelta, Utc};
///
/// let store = InMemoryReplayStore::new(1_000);
/// let key = ReplayKey::new("jkt", "jti-1");
/// let (now, until) = (Utc::now(), Utc::now() + TimeDelta::seconds(60));
/// assert_eq!(store.record(&key, until, now)?, Freshness::First);
/// assert_eq!(store.record(&key, until, now)?, Freshness::Replayed);
/// # Ok::<(), keyward::token::dpop::ReplayStoreError>(())
/// ```
pub trait ReplayStore: Send + Sync {
    /// Records `key` as used until `expires_at`, unless it is recorded already with an expiry
    /// after `now`.
    ///
    /// # Errors
    ///
    /// [`ReplayStoreError`] when the store cannot answer; the proof is then refused.
    fn record(
        &self,
        key: &ReplayKey,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Freshness, ReplayStoreError>;
}

/// A [`ReplayStore`] in this process's memory, holding at most a fixed number of unexpired
/// proofs: for a single instance, and for tests. When full of unexpired entries it refuses
/// new proofs ([`ReplayStoreError`]) rather than forget one that may come back.
///
/// ```
/// use keyward::token::dpop::InMemoryReplayStore;
/// let store = InMemoryReplayStore::new(InMemoryReplayStore::DEFAULT_CAPACITY);
/// assert_eq!(store.len(), 0);
/// ```
pub struct InMemoryReplayStore {
    capacity: usize,
    entries: Mutex<HashMap<ReplayKey, DateTime<Utc>>>,
}

impl InMemoryReplayStore {
    /// The default capacity: 100 000 proofs, about 5 MB, a minute of 1 600 requests a second.
    pub const DEFAULT_CAPACITY: usize = 100_000;

    /// An empty store holding at most `capacity` unexpired proofs.
    ///
    /// ```
    /// # use keyward::token::dpop::InMemoryReplayStore;
    /// let store = InMemoryReplayStore::new(10);
    /// ```
    pub fn new(capacity: usize) -> Self {
        InMemoryReplayStore {
            capacity,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// How many proofs are recorded, expired ones not yet dropped included.
    ///
    /// ```
    /// # use keyward::token::dpop::InMemoryReplayStore;
    /// assert_eq!(InMemoryReplayStore::new(10).len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no proof is recorded.
    ///
    /// ```
    /// # use keyward::token::dpop::InMemoryReplayStore;
    /// assert!(InMemoryReplayStore::new(10).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<ReplayKey, DateTime<Utc>>> {
        // Nothing that can panic runs under this lock.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl ReplayStore for InMemoryReplayStore {
    fn record(
        &self,
        key: &ReplayKey,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Freshness, ReplayStoreError> {
        let mut entries = self.lock();
        if entries.get(key).is_some_and(|until| *until > now) {
            return Ok(Freshness::Replayed);
        }
        if entries.len() >= self.capacity && !entries.contains_key(key) {
            entries.retain(|_, until| *until > now);
            if entries.len() >= self.capacity {
                return Err(ReplayStoreError::new(
                    "the in-memory replay store is full of unexpired proofs",
                ));
            }
        }
        entries.insert(*key, expires_at);
        Ok(Freshness::First)
    }
}

impl fmt::Debug for InMemoryReplayStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InMemoryReplayStore")
            .field("capacity", &self.capacity)
            .field("len", &self.len())
            .finish_non_exhaustive()
    }
}
