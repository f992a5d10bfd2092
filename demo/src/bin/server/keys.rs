//! What the server signs with, verifies with and publishes.
//!
//! Two sources:
//!
//! - **A shared secret** (HS256, `KEYWARD_SECRET`): one fixed key. Every replica given the same
//!   secret signs and verifies alike; nothing is published (a secret has no public half).
//! - **The key ring in the store** (ES256, EdDSA, RSA): `keyward_session`'s ring of next,
//!   current and retired keys, kept in the database so that every replica signs with, and
//!   publishes, the same keys. This file holds only a snapshot of it, replaced whenever
//!   `main.rs`'s ring task reads the store again; every rule about the ring (when a next key
//!   may sign, how long a retired one stays published) is the library's.

// The test crates include this file and each uses only part of it.
#![cfg_attr(test, allow(dead_code))]

use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};
use keyward::token::{Clock, KeySet, SigningKey, TokenIssuer, TokenVerifier, VerifyingKey};
use keyward_session::{KeyRing, RotationOutcome, SessionError, SessionStore, Sessions};

/// The verifiers' clock leeway (keyward's default), which a retired key's tokens may also use.
const LEEWAY: std::time::Duration = std::time::Duration::from_secs(60);

/// Builds an issuer with the server's settings (issuer name, lifetimes, clock) for a key.
pub type MakeIssuer = Box<dyn Fn(SigningKey) -> TokenIssuer + Send + Sync>;

/// The keys in use now; see the module documentation.
pub struct Keys {
    make_issuer: MakeIssuer,
    clock: Arc<dyn Clock>,
    state: RwLock<Snapshot>,
}

struct Snapshot {
    issuer: TokenIssuer,
    /// The keys to verify with and publish: the ring's, or the secret alone.
    published: KeySet,
    /// A key that signed before the ring held it (`--previous-key`), accepted and published
    /// until the instant given.
    previous: Option<(VerifyingKey, DateTime<Utc>)>,
}

impl Keys {
    /// A fixed key: the HS256 secret (or, in tests, any key).
    pub fn fixed(key: SigningKey, clock: Arc<dyn Clock>, make_issuer: MakeIssuer) -> Self {
        let issuer = make_issuer(key);
        let published = KeySet::from(issuer.verifying_key());
        Keys {
            make_issuer,
            clock,
            state: RwLock::new(Snapshot {
                issuer,
                published,
                previous: None,
            }),
        }
    }

    /// The ring's keys, or `None` when it has no signing key yet.
    pub fn from_ring(
        ring: &KeyRing,
        clock: Arc<dyn Clock>,
        make_issuer: MakeIssuer,
    ) -> Option<Self> {
        let issuer = make_issuer(ring.signing_key()?.clone());
        Some(Keys {
            make_issuer,
            clock,
            state: RwLock::new(Snapshot {
                issuer,
                published: ring.key_set().clone(),
                previous: None,
            }),
        })
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Snapshot> {
        self.state
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Takes a new snapshot of the ring; returns the signing key's id when it changed.
    pub fn update(&self, ring: &KeyRing) -> Option<String> {
        let key = ring.signing_key()?;
        let mut state = self
            .state
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let changed = state.issuer.key_id() != key.key_id();
        if changed {
            state.issuer = (self.make_issuer)(key.clone());
        }
        state.published = ring.key_set().clone();
        changed.then(|| key.key_id().unwrap_or("-").to_owned())
    }

    /// One step of the ring task (`main.rs` runs it every few seconds): asks the library to
    /// promote a staged next key, which it does only once that key has been published for
    /// the publication lead, in one transaction whichever replica asks first; then takes a
    /// new snapshot, so a rotation by any replica reaches this one. Returns the new signing
    /// key's id when it changed.
    ///
    /// # Errors
    ///
    /// The store's, or a stored key that does not read.
    pub async fn sync<S: SessionStore>(
        &self,
        sessions: &Sessions<S>,
    ) -> Result<Option<String>, SessionError> {
        let longest_token = self.issuer().ttl().as_duration() + LEEWAY;
        if sessions.key_ring().await?.next_kid().is_some()
            && let RotationOutcome::Rotated { kid } =
                sessions.rotate_keys(longest_token, None).await?
        {
            tracing::info!(%kid, "rotated: the staged key signs from now on");
        }
        Ok(self.update(&sessions.key_ring().await?))
    }

    /// Also accepts and publishes `previous`, a key that signed before the ring knew it,
    /// until every access token it can have signed has expired.
    pub fn with_previous(self, previous: VerifyingKey) -> Self {
        let previous = match previous.thumbprint() {
            Some(thumbprint) => previous.with_key_id(thumbprint),
            None => previous,
        };
        {
            let mut state = self
                .state
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let lifetime = chrono::TimeDelta::from_std(state.issuer.ttl().as_duration())
                .unwrap_or(chrono::TimeDelta::MAX);
            let until = self
                .clock
                .now()
                .checked_add_signed(lifetime)
                .unwrap_or(DateTime::<Utc>::MAX_UTC);
            state.previous = Some((previous, until));
        }
        self
    }

    /// The issuer of the current key (a cheap clone).
    pub fn issuer(&self) -> TokenIssuer {
        self.read().issuer.clone()
    }

    fn live(&self) -> KeySet {
        let state = self.read();
        let mut keys = state.published.clone();
        if let Some((previous, until)) = &state.previous
            && *until > self.clock.now()
        {
            let _ = keys.insert(previous.clone());
        }
        keys
    }

    /// A verifier for every published key, with the issuer's checks (issuer, audience, clock).
    pub fn verifier(&self) -> TokenVerifier {
        let issuer = self.issuer();
        issuer.verifier().with_key_set(self.live())
    }

    /// The JWKS document: public keys only (none for a shared secret).
    pub fn jwks(&self) -> String {
        self.live().to_jwks()
    }

    /// The time on the server's clock (tests inject theirs).
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}
