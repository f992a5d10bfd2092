//! A key as the store holds it, and the rotation request.

use std::fmt;

use chrono::{DateTime, Utc};
use keyward::token::SigningKey;
use zeroize::Zeroizing;

use crate::SessionError;

/// Where a key is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyState {
    /// Published, not signing yet.
    Next,
    /// Signing.
    Current,
    /// Published until its deadline, no longer signing.
    Retired,
}

impl KeyState {
    /// The stored name: `next`, `current` or `retired` (for store implementations).
    pub fn as_str(self) -> &'static str {
        match self {
            KeyState::Next => "next",
            KeyState::Current => "current",
            KeyState::Retired => "retired",
        }
    }

    /// The state of a stored name (for store implementations).
    pub fn from_stored(name: &str) -> Option<Self> {
        match name {
            "next" => Some(KeyState::Next),
            "current" => Some(KeyState::Current),
            "retired" => Some(KeyState::Retired),
            _ => None,
        }
    }
}

/// One key of the ring as stored: its `kid` (the RFC 7638 thumbprint), state, private key as
/// PKCS#8 PEM, when it was first published, and for a retired key until when it stays
/// published. `Debug` leaves the private key out.
///
/// ```
/// use chrono::Utc;
/// use keyward::token::{KeyPairKind, SigningKey};
/// use keyward_session::{KeyState, StoredKey};
///
/// let key = SigningKey::generate(KeyPairKind::Ed25519).unwrap();
/// let stored = StoredKey::from_signing_key(&key, KeyState::Next, Utc::now())?;
/// assert_eq!(stored.state(), KeyState::Next);
/// assert!(!format!("{stored:?}").contains("PRIVATE"));
/// assert_eq!(stored.signing_key()?.verifying_key().to_jwk(), key.verifying_key().with_key_id(stored.kid()).to_jwk());
/// # Ok::<(), keyward_session::SessionError>(())
/// ```
#[derive(Clone)]
pub struct StoredKey {
    kid: String,
    state: KeyState,
    private_pem: Zeroizing<String>,
    published_at: DateTime<Utc>,
    retire_until: Option<DateTime<Utc>>,
}

impl StoredKey {
    /// A stored key (for store implementations reading a row).
    pub fn new(
        kid: String,
        state: KeyState,
        private_pem: Zeroizing<String>,
        published_at: DateTime<Utc>,
        retire_until: Option<DateTime<Utc>>,
    ) -> Self {
        StoredKey {
            kid,
            state,
            private_pem,
            published_at,
            retire_until,
        }
    }

    /// `key` in `state`, published from `published_at`, with its thumbprint as `kid`.
    ///
    /// # Errors
    ///
    /// [`SessionError::Invalid`] for an HMAC key: a shared secret cannot be published in a
    /// JWKS, so it has no place in the ring.
    pub fn from_signing_key(
        key: &SigningKey,
        state: KeyState,
        published_at: DateTime<Utc>,
    ) -> Result<Self, SessionError> {
        let not_asymmetric = || SessionError::Invalid {
            what: "ring key",
            problem: format!(
                "an {:?} secret, wanted an asymmetric key (RS256, PS256, ES256 or EdDSA)",
                key.algorithm()
            ),
        };
        let kid = key
            .verifying_key()
            .thumbprint()
            .ok_or_else(not_asymmetric)?;
        let private_pem = key.to_pkcs8_pem().ok_or_else(not_asymmetric)?;
        Ok(StoredKey {
            kid,
            state,
            private_pem,
            published_at,
            retire_until: None,
        })
    }

    /// The key id.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The state.
    pub fn state(&self) -> KeyState {
        self.state
    }

    /// The private key, PKCS#8 PEM. Named to stand out in review.
    pub fn expose_private_pem(&self) -> &str {
        &self.private_pem
    }

    /// When the key was first published.
    pub fn published_at(&self) -> DateTime<Utc> {
        self.published_at
    }

    /// For a retired key, until when it stays published.
    pub fn retire_until(&self) -> Option<DateTime<Utc>> {
        self.retire_until
    }

    /// The signing key, with the stored `kid`.
    ///
    /// # Errors
    ///
    /// [`SessionError::KeyRing`] when the stored PEM does not read as a key.
    pub fn signing_key(&self) -> Result<SigningKey, SessionError> {
        SigningKey::from_pem(self.private_pem.as_bytes())
            .map(|key| key.with_key_id(self.kid.clone()))
            .map_err(|error| SessionError::KeyRing(format!("stored key {}: {error}", self.kid)))
    }
}

impl fmt::Debug for StoredKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredKey")
            .field("kid", &self.kid)
            .field("state", &self.state)
            .field("private_pem", &"[REDACTED]")
            .field("published_at", &self.published_at)
            .field("retire_until", &self.retire_until)
            .finish()
    }
}

/// A rotation as the store carries it out, in one transaction: the next key (published at or
/// before `published_by`) becomes current; the current key becomes retired, published until
/// `retire_until`; retired keys whose deadline is past are deleted; `new_next`, if any, is
/// stored as the next key.
#[derive(Debug)]
#[non_exhaustive]
pub struct KeyRotation {
    /// The rotation's instant.
    pub now: DateTime<Utc>,
    /// The next key must have been published at or before this instant.
    pub published_by: DateTime<Utc>,
    /// Until when the key that stops signing stays published.
    pub retire_until: DateTime<Utc>,
    /// The key to publish as next after the rotation.
    pub new_next: Option<StoredKey>,
}

/// What a rotation did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RotationOutcome {
    /// The key `kid` now signs.
    Rotated {
        /// The new current key's id.
        kid: String,
    },
    /// There is no next key to promote.
    NoNextKey,
    /// The next key was published too recently: resource servers may not have it yet.
    NextTooRecent {
        /// When it was published.
        published_at: DateTime<Utc>,
    },
}
