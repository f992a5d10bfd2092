//! A snapshot of the ring: what to sign with and what to publish.

use chrono::{DateTime, Utc};
use keyward::token::{KeySet, SigningKey};

use super::{KeyState, StoredKey};
use crate::SessionError;

/// The ring as read from the store at one instant: the signing key, and the key set to publish
/// and verify with (next, current, and retired keys until their deadline).
///
/// Every replica that reads the same store builds the same ring, so publishes the same JWKS.
///
/// ```
/// use chrono::Utc;
/// use keyward::token::{KeyPairKind, SigningKey};
/// use keyward_session::{KeyRing, KeyState, StoredKey};
///
/// let current = SigningKey::generate(KeyPairKind::Ed25519).unwrap();
/// let next = SigningKey::generate(KeyPairKind::Ed25519).unwrap();
/// let now = Utc::now();
/// let ring = KeyRing::from_stored(
///     vec![
///         StoredKey::from_signing_key(&current, KeyState::Current, now)?,
///         StoredKey::from_signing_key(&next, KeyState::Next, now)?,
///     ],
///     now,
/// )?;
/// assert_eq!(ring.key_set().len(), 2);
/// assert_eq!(ring.signing_key().unwrap().key_id(), current.verifying_key().thumbprint().as_deref());
/// # Ok::<(), keyward_session::SessionError>(())
/// ```
#[derive(Debug, Clone)]
pub struct KeyRing {
    signing: Option<SigningKey>,
    published: KeySet,
    next_kid: Option<String>,
}

impl KeyRing {
    /// The ring of `keys` at `now`: retired keys past their deadline are left out.
    ///
    /// # Errors
    ///
    /// [`SessionError::KeyRing`] when a stored key does not read, or two keys share a `kid`.
    pub fn from_stored(keys: Vec<StoredKey>, now: DateTime<Utc>) -> Result<Self, SessionError> {
        let mut signing = None;
        let mut next_kid = None;
        let mut published = Vec::new();
        for key in keys {
            let live = match key.state() {
                KeyState::Retired => key.retire_until().is_some_and(|until| until > now),
                KeyState::Next | KeyState::Current => true,
            };
            if !live {
                continue;
            }
            let signing_key = key.signing_key()?;
            published.push(signing_key.verifying_key());
            match key.state() {
                KeyState::Current => signing = Some(signing_key),
                KeyState::Next => next_kid = Some(key.kid().to_owned()),
                KeyState::Retired => {}
            }
        }
        let published = KeySet::new(published)
            .map_err(|error| SessionError::KeyRing(format!("stored keys: {error}")))?;
        Ok(KeyRing {
            signing,
            published,
            next_kid,
        })
    }

    /// The key that signs, `None` before one is installed.
    pub fn signing_key(&self) -> Option<&SigningKey> {
        self.signing.as_ref()
    }

    /// The published keys: next, current and live retired ones.
    pub fn key_set(&self) -> &KeySet {
        &self.published
    }

    /// The JWKS document of [`key_set`](Self::key_set).
    pub fn jwks(&self) -> String {
        self.published.to_jwks()
    }

    /// The next key's id, when one is staged.
    pub fn next_kid(&self) -> Option<&str> {
        self.next_kid.as_deref()
    }
}
