//! What verifying a proof gives: `DpopProof`, and `PendingProof` before its replay check.

use chrono::{DateTime, Utc};

use super::DpopError;
use super::replay::{Freshness, ReplayKey};
use crate::token::VerifyingKey;

/// A proof that passed every check.
#[derive(Clone, Debug)]
pub struct DpopProof {
    pub(super) key: VerifyingKey,
    pub(super) jkt: String,
    pub(super) jti: String,
    pub(super) issued_at: DateTime<Utc>,
}

impl DpopProof {
    /// The RFC 7638 thumbprint of the proof's key: the `jkt` to bind new tokens to.
    ///
    /// ```
    /// # use keyward::token::dpop::{DpopProver, DpopRequest, DpopVerifier};
    /// # use keyward::token::{KeyPairKind, SigningKey};
    /// let client = DpopProver::new(SigningKey::generate(KeyPairKind::P256)?)?;
    /// let proof = client.proof("POST", "https://a.example/token")?;
    /// let verified = DpopVerifier::new().verify(&proof, &DpopRequest::new("POST", "https://a.example/token"))?;
    /// assert_eq!(verified.thumbprint(), client.thumbprint());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn thumbprint(&self) -> &str {
        &self.jkt
    }

    /// The proof's public key.
    ///
    /// ```
    /// # use keyward::token::dpop::{DpopProver, DpopRequest, DpopVerifier};
    /// # use keyward::token::{Algorithm, KeyPairKind, SigningKey};
    /// let client = DpopProver::new(SigningKey::generate(KeyPairKind::Ed25519)?)?;
    /// let proof = client.proof("GET", "https://a.example/")?;
    /// let verified = DpopVerifier::new().verify(&proof, &DpopRequest::new("GET", "https://a.example/"))?;
    /// assert_eq!(verified.key().algorithm(), Algorithm::EdDSA);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn key(&self) -> &VerifyingKey {
        &self.key
    }

    /// The proof's `jti`.
    ///
    /// ```
    /// # use keyward::token::dpop::{DpopProver, DpopRequest, DpopVerifier};
    /// # use keyward::token::{KeyPairKind, SigningKey};
    /// let client = DpopProver::new(SigningKey::generate(KeyPairKind::Ed25519)?)?;
    /// let proof = client.proof("GET", "https://a.example/")?;
    /// let verified = DpopVerifier::new().verify(&proof, &DpopRequest::new("GET", "https://a.example/"))?;
    /// assert!(!verified.token_id().is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn token_id(&self) -> &str {
        &self.jti
    }

    /// The proof's `iat`.
    ///
    /// ```
    /// # use keyward::token::dpop::{DpopProver, DpopRequest, DpopVerifier};
    /// # use keyward::token::{KeyPairKind, SigningKey};
    /// let client = DpopProver::new(SigningKey::generate(KeyPairKind::Ed25519)?)?;
    /// let proof = client.proof("GET", "https://a.example/")?;
    /// let verified = DpopVerifier::new().verify(&proof, &DpopRequest::new("GET", "https://a.example/"))?;
    /// assert!(verified.issued_at() <= chrono::Utc::now());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn issued_at(&self) -> DateTime<Utc> {
        self.issued_at
    }
}

/// A proof that passed every check but the replay check
/// ([`DpopVerifier::verify_before_replay_check`](super::DpopVerifier::verify_before_replay_check)): usable only through
/// [`settle`](Self::settle), with the replay store's answer.
#[derive(Debug)]
#[must_use = "a proof is verified only once its replay check is settled"]
pub struct PendingProof {
    pub(super) proof: DpopProof,
    pub(super) replay_key: ReplayKey,
    pub(super) remember_until: DateTime<Utc>,
    pub(super) checked_at: DateTime<Utc>,
}

impl PendingProof {
    /// The key to record in the replay store.
    ///
    /// ```
    /// # use keyward::token::dpop::{DpopProver, DpopRequest, DpopVerifier, ReplayKey};
    /// # use keyward::token::{KeyPairKind, SigningKey};
    /// let client = DpopProver::new(SigningKey::generate(KeyPairKind::Ed25519)?)?;
    /// let proof = client.proof("GET", "https://a.example/")?;
    /// let pending = DpopVerifier::new().verify_before_replay_check(&proof, &DpopRequest::new("GET", "https://a.example/"))?;
    /// assert_eq!(pending.replay_key().as_bytes().len(), 32);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn replay_key(&self) -> &ReplayKey {
        &self.replay_key
    }

    /// Until when the store must remember the key: a second past the instant the proof is
    /// refused as stale anyway.
    ///
    /// ```
    /// # use keyward::token::dpop::{DpopProver, DpopRequest, DpopVerifier};
    /// # use keyward::token::{KeyPairKind, SigningKey};
    /// let client = DpopProver::new(SigningKey::generate(KeyPairKind::Ed25519)?)?;
    /// let proof = client.proof("GET", "https://a.example/")?;
    /// let pending = DpopVerifier::new().verify_before_replay_check(&proof, &DpopRequest::new("GET", "https://a.example/"))?;
    /// assert!(pending.remember_until() > pending.checked_at());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn remember_until(&self) -> DateTime<Utc> {
        self.remember_until
    }

    /// The verifier's clock when the proof was checked: the `now` of
    /// [`ReplayStore::record`](super::ReplayStore::record) (entries expired by then may be reused).
    ///
    /// ```
    /// # use keyward::token::dpop::{DpopProver, DpopRequest, DpopVerifier};
    /// # use keyward::token::{FixedClock, KeyPairKind, SigningKey};
    /// let clock = FixedClock::at_unix_seconds(1_800_000_000);
    /// let client = DpopProver::new(SigningKey::generate(KeyPairKind::Ed25519)?)?.with_clock(clock.clone());
    /// let proof = client.proof("GET", "https://a.example/")?;
    /// let verifier = DpopVerifier::new().with_clock(clock);
    /// let pending = verifier.verify_before_replay_check(&proof, &DpopRequest::new("GET", "https://a.example/"))?;
    /// assert_eq!(pending.checked_at().timestamp(), 1_800_000_000);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn checked_at(&self) -> DateTime<Utc> {
        self.checked_at
    }

    /// The verified proof if the store says this is its first use.
    ///
    /// # Errors
    ///
    /// [`DpopError::Replayed`] for [`Freshness::Replayed`].
    ///
    /// ```
    /// # use keyward::token::dpop::{DpopError, DpopProver, DpopRequest, DpopVerifier, Freshness};
    /// # use keyward::token::{KeyPairKind, SigningKey};
    /// let client = DpopProver::new(SigningKey::generate(KeyPairKind::Ed25519)?)?;
    /// let proof = client.proof("GET", "https://a.example/")?;
    /// let pending = DpopVerifier::new().verify_before_replay_check(&proof, &DpopRequest::new("GET", "https://a.example/"))?;
    /// assert_eq!(pending.settle(Freshness::Replayed).unwrap_err(), DpopError::Replayed);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn settle(self, freshness: Freshness) -> Result<DpopProof, DpopError> {
        match freshness {
            Freshness::First => Ok(self.proof),
            Freshness::Replayed => Err(DpopError::Replayed),
        }
    }
}
