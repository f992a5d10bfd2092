//! The signing-key ring.

use std::time::Duration;

use keyward::token::SigningKey;

use super::{Sessions, earlier, later};
use crate::{
    KeyRing, KeyRotation, KeyState, RotationOutcome, SessionError, SessionStore, StoredKey,
};

impl<S: SessionStore> Sessions<S> {
    /// The ring as stored now: the key to sign with and the JWKS to publish. Every replica
    /// reading the same store gets the same ring; read it again after a rotation (or on a
    /// timer shorter than the [publication lead](crate::SessionPolicy::key_publication_lead)).
    ///
    /// # Errors
    ///
    /// [`SessionError::KeyRing`] when a stored key does not read; [`SessionError::Store`].
    ///
    /// ```no_run
    /// # async fn f<S: keyward_session::SessionStore>(sessions: keyward_session::Sessions<S>) -> Result<(), keyward_session::SessionError> {
    /// let ring = sessions.key_ring().await?;
    /// let jwks = ring.jwks(); // serve at /.well-known/jwks.json
    /// let signing = ring.signing_key(); // sign with this
    /// # let _ = (jwks, signing);
    /// # Ok(()) }
    /// ```
    pub async fn key_ring(&self) -> Result<KeyRing, SessionError> {
        let now = self.now();
        KeyRing::from_stored(self.store.load_keys(now).await?, now)
    }

    /// Makes `key` the signing key if the ring has none yet (the first start, or every
    /// replica starting with the same configured key: all but the first find it there).
    /// Returns `false` when the ring already has a different current key: the stored ring
    /// wins over the configuration.
    ///
    /// # Errors
    ///
    /// [`SessionError::Invalid`] for an HMAC key; [`SessionError::Store`].
    ///
    /// ```no_run
    /// # async fn f<S: keyward_session::SessionStore>(sessions: keyward_session::Sessions<S>) -> Result<(), keyward_session::SessionError> {
    /// use keyward::token::{KeyPairKind, SigningKey};
    /// let key = SigningKey::generate(KeyPairKind::Ed25519).expect("key");
    /// sessions.install_signing_key(&key).await?;
    /// # Ok(()) }
    /// ```
    pub async fn install_signing_key(&self, key: &SigningKey) -> Result<bool, SessionError> {
        let stored = StoredKey::from_signing_key(key, KeyState::Current, self.now())?;
        Ok(self.store.install_current(&stored).await?)
    }

    /// Publishes `key` as the next key: in the JWKS from now on, signing nothing until a
    /// [rotation](Self::rotate_keys) at least the publication lead later. `false` when a next
    /// key is already staged.
    ///
    /// # Errors
    ///
    /// [`SessionError::Invalid`] for an HMAC key; [`SessionError::Store`].
    ///
    /// ```no_run
    /// # async fn f<S: keyward_session::SessionStore>(sessions: keyward_session::Sessions<S>) -> Result<(), keyward_session::SessionError> {
    /// use keyward::token::{KeyPairKind, SigningKey};
    /// let next = SigningKey::generate(KeyPairKind::Ed25519).expect("key");
    /// sessions.stage_next_key(&next).await?; // published now, signs after the lead
    /// # Ok(()) }
    /// ```
    pub async fn stage_next_key(&self, key: &SigningKey) -> Result<bool, SessionError> {
        let stored = StoredKey::from_signing_key(key, KeyState::Next, self.now())?;
        Ok(self.store.stage_next(&stored).await?)
    }

    /// Rotates, in one transaction: the next key (published at least the publication lead
    /// ago) signs from now on; the current key is retired and stays published for
    /// `longest_token` (the longest lifetime, leeway included, of any token it signed), then
    /// is pruned; retired keys past their deadline are pruned; `new_next`, if given, is
    /// published as the next key.
    ///
    /// # Errors
    ///
    /// [`SessionError::Invalid`] for an HMAC `new_next`; [`SessionError::Store`].
    ///
    /// ```no_run
    /// # async fn f<S: keyward_session::SessionStore>(sessions: keyward_session::Sessions<S>) -> Result<(), keyward_session::SessionError> {
    /// use std::time::Duration;
    /// let outcome = sessions.rotate_keys(Duration::from_secs(15 * 60 + 60), None).await?;
    /// # let _ = outcome;
    /// # Ok(()) }
    /// ```
    pub async fn rotate_keys(
        &self,
        longest_token: Duration,
        new_next: Option<&SigningKey>,
    ) -> Result<RotationOutcome, SessionError> {
        let now = self.now();
        let new_next = new_next
            .map(|key| StoredKey::from_signing_key(key, KeyState::Next, now))
            .transpose()?;
        let rotation = KeyRotation {
            now,
            published_by: earlier(now, self.policy.key_publication_lead()),
            retire_until: later(now, longest_token),
            new_next,
        };
        Ok(self.store.rotate(&rotation).await?)
    }
}
