//! The auth server's signing keys: the current one, and the public halves of retired ones that
//! stay published, and accepted, until every token they signed has expired, and not a second
//! longer: each retired key carries its deadline, judged on every request against the clock.

// The test crates include this file and each uses only part of it.
#![cfg_attr(test, allow(dead_code))]

use std::sync::{Arc, RwLock};

use chrono::{DateTime, TimeDelta, Utc};
use keyward::token::{
    Clock, KeySet, SigningKey, TokenError, TokenIssuer, TokenVerifier, VerifyingKey,
};

/// Builds an issuer with the server's settings (issuer name, lifetimes, clock) for a key.
pub type MakeIssuer = Box<dyn Fn(SigningKey) -> TokenIssuer + Send + Sync>;

pub struct KeyRing {
    make_issuer: MakeIssuer,
    clock: Arc<dyn Clock>,
    state: RwLock<Ring>,
}

struct Ring {
    issuer: TokenIssuer,
    /// Public keys no longer signing, each published and accepted until the instant given.
    retired: Vec<(VerifyingKey, DateTime<Utc>)>,
}

impl Ring {
    /// The current key and the retired keys whose deadline is still ahead of `now`.
    fn live_keys(&self, now: DateTime<Utc>) -> KeySet {
        let mut keys = KeySet::from(self.issuer.verifying_key());
        for (key, until) in &self.retired {
            if *until > now {
                // Thumbprint key ids are unique per key, so this cannot collide; a key retained
                // twice is simply published once.
                let _ = keys.insert(key.clone());
            }
        }
        keys
    }
}

/// Asymmetric keys get their RFC 7638 thumbprint as `kid`: stable across restarts, unique per
/// key. An HMAC secret (a shared-secret deployment) keeps no `kid`.
fn with_thumbprint_kid(key: SigningKey) -> SigningKey {
    key.clone().try_with_thumbprint_key_id().unwrap_or(key)
}

impl KeyRing {
    pub fn new(key: SigningKey, clock: Arc<dyn Clock>, make_issuer: MakeIssuer) -> Self {
        let issuer = make_issuer(with_thumbprint_kid(key));
        KeyRing {
            make_issuer,
            clock,
            state: RwLock::new(Ring {
                issuer,
                retired: Vec::new(),
            }),
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Ring> {
        self.state
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The issuer of the current key (a cheap clone).
    pub fn issuer(&self) -> TokenIssuer {
        self.read().issuer.clone()
    }

    /// A verifier for the current key and every retired key whose deadline has not passed:
    /// a retired key stops verifying at its deadline, with no rotation needed to prune it.
    pub fn verifier(&self) -> TokenVerifier {
        let now = self.clock.now();
        let ring = self.read();
        ring.issuer.verifier().with_key_set(ring.live_keys(now))
    }

    /// The JWKS document: public keys only, retired ones until their deadline.
    pub fn jwks(&self) -> String {
        self.read().live_keys(self.clock.now()).to_jwks()
    }

    /// Keeps `previous` (a key that signed before a restart) published and accepted for as long
    /// as its tokens can live.
    pub fn retain(&self, previous: VerifyingKey) -> Result<(), TokenError> {
        let previous = match previous.thumbprint() {
            Some(thumbprint) => previous.with_key_id(thumbprint),
            None => previous,
        };
        let mut ring = self
            .state
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Refuse a key that clashes with the current one's id now, not on some later request.
        KeySet::new([ring.issuer.verifying_key(), previous.clone()])?;
        let until = self.deadline(&ring.issuer);
        ring.retired.push((previous, until));
        Ok(())
    }

    /// Signs with `key` from now on; the old key's public half stays published and accepted
    /// until every access token it signed has expired.
    pub fn rotate(&self, key: SigningKey) -> Result<(), TokenError> {
        let issuer = (self.make_issuer)(with_thumbprint_kid(key));
        let mut ring = self
            .state
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let until = self.deadline(&ring.issuer);
        let old = ring.issuer.verifying_key();
        KeySet::new([issuer.verifying_key(), old.clone()])?;
        ring.retired.push((old, until));
        let now = self.clock.now();
        ring.retired.retain(|(_, until)| *until > now);
        ring.issuer = issuer;
        tracing::info!(
            kid = ring.issuer.key_id().unwrap_or("-"),
            "signing key rotated"
        );
        Ok(())
    }

    /// The time on the ring's clock (the server's clock: tests inject theirs).
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// When a key retired now may stop being published: when the last access token it signed
    /// expires. Refresh tokens are opaque (see `app.rs`), so no key signs them.
    fn deadline(&self, issuer: &TokenIssuer) -> DateTime<Utc> {
        let longest = TimeDelta::from_std(issuer.ttl().as_duration()).unwrap_or(TimeDelta::MAX);
        self.clock
            .now()
            .checked_add_signed(longest)
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }
}
