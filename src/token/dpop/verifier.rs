//! `DpopVerifier`: checks a proof against the request it came with (RFC 9449 §4.3).

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};

use super::replay::{Freshness, InMemoryReplayStore, ReplayKey, ReplayStore};
use super::{
    DpopError, DpopNonces, DpopProof, DpopRequest, PendingProof, access_token_hash, htu, proof,
};
use crate::token::{Algorithm, Clock, Leeway, Lifetime, SystemClock};

/// Verifies DPoP proofs (RFC 9449): a resource server checks the proof that comes with each
/// DPoP-bound access token; a token endpoint checks the proof it binds new tokens to.
///
/// A proof is accepted when, in this order (RFC 9449 §4.3): it is at most
/// [`with_max_proof_bytes`](Self::with_max_proof_bytes) long; its header has `typ: dpop+jwt`,
/// an accepted asymmetric `alg` (never `none` or HMAC) and a `jwk` that is a public key with no
/// private member, passes keyward's key checks and fits `alg`; the signature verifies with
/// that key; `htm` is the request's method; `htu` is the request's URL (both normalised,
/// without query and fragment); `iat` is at most [`with_max_age`](Self::with_max_age) old and
/// at most [`with_leeway`](Self::with_leeway) ahead; with an access token, `ath` is its hash
/// and the key's thumbprint is the token's `cnf.jkt`; with [`with_nonces`](Self::with_nonces),
/// its `nonce` is accepted; last, its `jti` was not used with this key before (through the
/// [`ReplayStore`], so that a proof failing any other check does not use up its `jti`).
///
/// ```
/// use keyward::token::dpop::{DpopProver, DpopRequest, DpopVerifier, DpopError, ProofClaims};
/// use keyward::token::{KeyPairKind, SigningKey};
///
/// let client = DpopProver::new(SigningKey::generate(KeyPairKind::Ed25519)?)?;
/// let proof = client.proof("POST", "https://auth.example.com/token")?;
///
/// let verifier = DpopVerifier::new();
/// let request = DpopRequest::new("POST", "https://auth.example.com/token");
/// let verified = verifier.verify(&proof, &request)?;
/// assert_eq!(verified.thumbprint(), client.thumbprint()); // bind the new token to this
/// assert_eq!(verifier.verify(&proof, &request).unwrap_err(), DpopError::Replayed);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct DpopVerifier {
    algorithms: Vec<Algorithm>,
    max_age: Lifetime,
    leeway: Leeway,
    max_proof_bytes: usize,
    clock: Arc<dyn Clock>,
    replay: Arc<dyn ReplayStore>,
    nonces: Option<Arc<dyn DpopNonces>>,
}

impl Default for DpopVerifier {
    fn default() -> Self {
        Self::new()
    }
}

impl DpopVerifier {
    /// The default [`with_max_age`](Self::with_max_age): 60 seconds. A proof is made for one
    /// request, just before it is sent.
    pub const DEFAULT_MAX_AGE: Lifetime = Lifetime::const_secs(60);
    /// The default [`with_max_proof_bytes`](Self::with_max_proof_bytes): 8 KiB, room for an
    /// RSA-4096 `jwk` and signature.
    pub const DEFAULT_MAX_PROOF_BYTES: usize = 8 * 1024;

    /// A verifier with the defaults: RS256, PS256, ES256 and `EdDSA` proofs, at most 60
    /// seconds old and 60 seconds ahead, 8 KiB at most, the system clock, no nonces, and a
    /// replay store of this process ([`InMemoryReplayStore`], 100 000 proofs): give replicas
    /// a shared one with [`with_replay_store`](Self::with_replay_store).
    ///
    /// ```
    /// # use keyward::token::dpop::DpopVerifier;
    /// let verifier = DpopVerifier::new();
    /// assert_eq!(verifier.algorithms_parameter(), "ES256 EdDSA PS256 RS256");
    /// ```
    pub fn new() -> Self {
        DpopVerifier {
            algorithms: super::DEFAULT_ALGORITHMS.to_vec(),
            max_age: Self::DEFAULT_MAX_AGE,
            leeway: Leeway::from_secs(60).unwrap_or(Leeway::MAX),
            max_proof_bytes: Self::DEFAULT_MAX_PROOF_BYTES,
            clock: Arc::new(SystemClock),
            replay: Arc::new(InMemoryReplayStore::new(
                InMemoryReplayStore::DEFAULT_CAPACITY,
            )),
            nonces: None,
        }
    }

    /// Returns this verifier accepting proofs signed with any of `algorithms` (replacing the
    /// default four). Symmetric algorithms are left out: a proof's key is public, so an HMAC
    /// proof proves nothing.
    ///
    /// ```
    /// use keyward::token::Algorithm;
    /// use keyward::token::dpop::DpopVerifier;
    ///
    /// let verifier = DpopVerifier::new().with_algorithms([Algorithm::ES256, Algorithm::HS256]);
    /// assert_eq!(verifier.algorithms_parameter(), "ES256");
    /// ```
    #[must_use]
    pub fn with_algorithms(mut self, algorithms: impl IntoIterator<Item = Algorithm>) -> Self {
        self.algorithms = algorithms
            .into_iter()
            .filter(|algorithm| !algorithm.is_symmetric())
            .collect();
        self
    }

    /// Returns this verifier refusing proofs whose `iat` is more than `max_age` ago
    /// ([`DpopError::Stale`]); used proofs are remembered as long.
    ///
    /// ```
    /// # use keyward::token::{Lifetime, dpop::DpopVerifier};
    /// let verifier = DpopVerifier::new().with_max_age(Lifetime::from_secs(30)?);
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    #[must_use]
    pub fn with_max_age(mut self, max_age: Lifetime) -> Self {
        self.max_age = max_age;
        self
    }

    /// Returns this verifier accepting proofs whose `iat` is up to `leeway` ahead of its clock
    /// (60 seconds by default), for clients whose clock runs fast.
    ///
    /// ```
    /// # use keyward::token::{Leeway, dpop::DpopVerifier};
    /// let verifier = DpopVerifier::new().with_leeway(Leeway::from_secs(5)?);
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    #[must_use]
    pub fn with_leeway(mut self, leeway: Leeway) -> Self {
        self.leeway = leeway;
        self
    }

    /// Returns this verifier refusing proofs longer than `max` bytes, unparsed.
    ///
    /// ```
    /// # use keyward::token::dpop::DpopVerifier;
    /// let verifier = DpopVerifier::new().with_max_proof_bytes(4096);
    /// ```
    #[must_use]
    pub fn with_max_proof_bytes(mut self, max: usize) -> Self {
        self.max_proof_bytes = max;
        self
    }

    /// Returns this verifier reading the time from `clock`.
    ///
    /// ```
    /// # use keyward::token::{FixedClock, dpop::DpopVerifier};
    /// let verifier = DpopVerifier::new().with_clock(FixedClock::at_unix_seconds(1_800_000_000));
    /// ```
    #[must_use]
    pub fn with_clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Returns this verifier remembering used proofs in `store`: one that every replica
    /// shares (`Arc<S>` is a store too, so one store can serve several verifiers).
    ///
    /// ```
    /// use keyward::token::dpop::{DpopVerifier, InMemoryReplayStore};
    /// use std::sync::Arc;
    ///
    /// let shared = Arc::new(InMemoryReplayStore::new(10_000));
    /// let a = DpopVerifier::new().with_replay_store(Arc::clone(&shared));
    /// let b = DpopVerifier::new().with_replay_store(shared);
    /// ```
    #[must_use]
    pub fn with_replay_store(mut self, store: impl ReplayStore + 'static) -> Self {
        self.replay = Arc::new(store);
        self
    }

    /// Returns this verifier requiring a nonce from `nonces` in every proof (RFC 9449 §8):
    /// a proof without one, or with one `nonces` does not accept, is refused with
    /// `use_dpop_nonce` and a fresh nonce ([`DpopError::dpop_nonce`]).
    ///
    /// ```
    /// use keyward::token::dpop::{DpopNonces, DpopVerifier};
    ///
    /// struct Fixed;
    /// impl DpopNonces for Fixed {
    ///     fn current(&self) -> String { "n-1".to_owned() }
    ///     fn accepts(&self, nonce: &str) -> bool { nonce == "n-1" }
    /// }
    /// let verifier = DpopVerifier::new().with_nonces(Fixed);
    /// ```
    #[must_use]
    pub fn with_nonces(mut self, nonces: impl DpopNonces + 'static) -> Self {
        self.nonces = Some(Arc::new(nonces));
        self
    }

    /// The accepted algorithms, space-separated, as the `algs` parameter of a challenge.
    ///
    /// ```
    /// # use keyward::token::dpop::DpopVerifier;
    /// assert!(DpopVerifier::new().algorithms_parameter().contains("EdDSA"));
    /// ```
    pub fn algorithms_parameter(&self) -> String {
        super::algorithm_names(&self.algorithms)
    }

    /// The `WWW-Authenticate` value to answer `error` with (RFC 9449 §7.1), naming this
    /// verifier's algorithms. Send [`DpopError::dpop_nonce`], when there is one, as the
    /// `DPoP-Nonce` header beside it.
    ///
    /// ```
    /// use keyward::token::dpop::{DpopError, DpopVerifier};
    /// let challenge = DpopVerifier::new().challenge(&DpopError::Replayed);
    /// assert_eq!(challenge, r#"DPoP error="invalid_dpop_proof", algs="ES256 EdDSA PS256 RS256""#);
    /// ```
    pub fn challenge(&self, error: &DpopError) -> String {
        super::challenge(error.error_code(), &self.algorithms)
    }

    /// Checks `proof` against `request`, as described on [`DpopVerifier`], and records its
    /// `jti` as used.
    ///
    /// # Errors
    ///
    /// The [`DpopError`] of the first check that fails.
    ///
    /// ```
    /// use keyward::token::dpop::{DpopError, DpopProver, DpopRequest, DpopVerifier};
    /// use keyward::token::{KeyPairKind, SigningKey};
    ///
    /// let client = DpopProver::new(SigningKey::generate(KeyPairKind::Ed25519)?)?;
    /// let proof = client.proof("GET", "https://api.example.com/orders")?;
    /// let elsewhere = DpopRequest::new("GET", "https://api.example.com/admin");
    /// assert!(matches!(DpopVerifier::new().verify(&proof, &elsewhere), Err(DpopError::UrlMismatch { .. })));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn verify(&self, proof: &str, request: &DpopRequest<'_>) -> Result<DpopProof, DpopError> {
        let pending = self.verify_before_replay_check(proof, request)?;
        let freshness = self
            .replay
            .record(
                &pending.replay_key,
                pending.remember_until,
                pending.checked_at,
            )
            .map_err(DpopError::ReplayStore)?;
        pending.settle(freshness)
    }

    /// Every check of [`verify`](Self::verify) but the last, the replay check, for a store
    /// that cannot answer synchronously (an async database client): record
    /// [`PendingProof::replay_key`] until [`PendingProof::remember_until`] atomically, as
    /// [`ReplayStore::record`] describes, then hand the answer to [`PendingProof::settle`].
    /// The verifier's own store is not used.
    ///
    /// # Errors
    ///
    /// As [`verify`](Self::verify), except [`DpopError::Replayed`] and
    /// [`DpopError::ReplayStore`], which `settle` and your store give.
    ///
    /// ```
    /// use keyward::token::dpop::{DpopError, DpopProver, DpopRequest, DpopVerifier, Freshness};
    /// use keyward::token::{KeyPairKind, SigningKey};
    ///
    /// let client = DpopProver::new(SigningKey::generate(KeyPairKind::Ed25519)?)?;
    /// let proof = client.proof("GET", "https://api.example.com/")?;
    /// let request = DpopRequest::new("GET", "https://api.example.com/");
    /// let pending = DpopVerifier::new().verify_before_replay_check(&proof, &request)?;
    /// // e.g. INSERT ... ON CONFLICT ... RETURNING with pending.replay_key().to_base64url()
    /// let seen_before = false;
    /// let answer = if seen_before { Freshness::Replayed } else { Freshness::First };
    /// let verified = pending.settle(answer)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn verify_before_replay_check(
        &self,
        proof: &str,
        request: &DpopRequest<'_>,
    ) -> Result<PendingProof, DpopError> {
        if proof.len() > self.max_proof_bytes {
            return Err(DpopError::TooLarge {
                len: proof.len(),
                max: self.max_proof_bytes,
            });
        }
        let expected_url =
            htu::normalise(request.url).ok_or_else(|| DpopError::InvalidRequestUrl {
                url: request.url.to_owned(),
            })?;
        let signed = proof::read(proof, &self.algorithms)?;
        if signed.htm != request.method {
            return Err(DpopError::MethodMismatch {
                found: signed.htm,
                expected: request.method.to_owned(),
            });
        }
        let found_url =
            htu::normalise(&signed.htu).ok_or(DpopError::InvalidClaim { claim: "htu" })?;
        if found_url != expected_url {
            return Err(DpopError::UrlMismatch {
                found: found_url,
                expected: expected_url,
            });
        }
        let now = self.clock.now();
        let issued_at = DateTime::from_timestamp(signed.iat, 0)
            .ok_or(DpopError::InvalidClaim { claim: "iat" })?;
        if issued_at > add(now, self.leeway.as_secs()) {
            return Err(DpopError::IssuedInFuture { issued_at, now });
        }
        let expires_at = add(issued_at, self.max_age.as_secs());
        if now > expires_at {
            return Err(DpopError::Stale { issued_at, now });
        }
        if let Some(token) = request.access_token {
            let ath = signed
                .ath
                .as_deref()
                .ok_or(DpopError::MissingClaim { claim: "ath" })?;
            let expected = access_token_hash(token);
            if !bool::from(subtle::ConstantTimeEq::ct_eq(
                ath.as_bytes(),
                expected.as_bytes(),
            )) {
                return Err(DpopError::AccessTokenHashMismatch);
            }
        }
        if let Some(jkt) = request.bound_key
            && jkt != signed.jkt
        {
            return Err(DpopError::KeyMismatch {
                found: signed.jkt,
                expected: jkt.to_owned(),
            });
        }
        if let Some(nonces) = &self.nonces {
            match signed.nonce.as_deref() {
                None => {
                    return Err(DpopError::NonceRequired {
                        nonce: nonces.current(),
                    });
                }
                Some(nonce) if !nonces.accepts(nonce) => {
                    return Err(DpopError::InvalidNonce {
                        nonce: nonces.current(),
                    });
                }
                Some(_) => {}
            }
        }
        Ok(PendingProof {
            replay_key: ReplayKey::new(&signed.jkt, &signed.jti),
            // Kept until the proof would be refused as stale anyway, and a second beyond.
            remember_until: add(expires_at, 1),
            checked_at: now,
            proof: DpopProof {
                key: signed.key,
                jkt: signed.jkt,
                jti: signed.jti,
                issued_at,
            },
        })
    }
}

impl<S: ReplayStore + ?Sized> ReplayStore for Arc<S> {
    fn record(
        &self,
        key: &ReplayKey,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Freshness, super::ReplayStoreError> {
        (**self).record(key, expires_at, now)
    }
}

/// `instant + seconds`, saturating at chrono's range.
fn add(instant: DateTime<Utc>, seconds: u64) -> DateTime<Utc> {
    i64::try_from(seconds)
        .ok()
        .and_then(TimeDelta::try_seconds)
        .and_then(|delta| instant.checked_add_signed(delta))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

impl fmt::Debug for DpopVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DpopVerifier")
            .field("algorithms", &self.algorithms)
            .field("max_age", &self.max_age)
            .field("leeway", &self.leeway)
            .field("max_proof_bytes", &self.max_proof_bytes)
            .field("clock", &self.clock)
            .field("nonces_required", &self.nonces.is_some())
            .finish_non_exhaustive()
    }
}
