//! The auth server's signing keys: the current one, and the public halves of retired ones that
//! stay published until every token they signed has expired.

use std::sync::{Arc, RwLock};

use chrono::{DateTime, TimeDelta, Utc};
use keyward::token::{Clock, SigningKey, TokenError, TokenIssuer, TokenVerifier, VerifyingKey};

/// Builds an issuer with the server's settings (issuer name, lifetimes, clock) for a key.
pub type MakeIssuer = Box<dyn Fn(SigningKey) -> TokenIssuer + Send + Sync>;

pub struct KeyRing {
    make_issuer: MakeIssuer,
    clock: Arc<dyn Clock>,
    state: RwLock<Ring>,
}

struct Ring {
    issuer: TokenIssuer,
    verifier: TokenVerifier,
    /// Public keys no longer signing, each published until the instant given.
    retired: Vec<(VerifyingKey, DateTime<Utc>)>,
}

/// Asymmetric keys get their RFC 7638 thumbprint as `kid`: stable across restarts, unique per key.
fn with_thumbprint_kid(key: SigningKey) -> SigningKey {
    match key.verifying_key().thumbprint() {
        Some(thumbprint) => key.with_key_id(thumbprint),
        None => key,
    }
}

impl KeyRing {
    pub fn new(key: SigningKey, clock: Arc<dyn Clock>, make_issuer: MakeIssuer) -> Self {
        let issuer = make_issuer(with_thumbprint_kid(key));
        let verifier = issuer.verifier();
        KeyRing {
            make_issuer,
            clock,
            state: RwLock::new(Ring {
                issuer,
                verifier,
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

    /// A verifier for the current key and every retired key still published.
    pub fn verifier(&self) -> TokenVerifier {
        self.read().verifier.clone()
    }

    /// The JWKS document: public keys only, retired ones until their deadline.
    pub fn jwks(&self) -> String {
        let now = self.clock.now();
        let ring = self.read();
        let current = ring.issuer.verifier().keys()[0].clone();
        let live = ring
            .retired
            .iter()
            .filter(|(_, until)| *until > now)
            .map(|(key, _)| key.clone());
        match TokenVerifier::from_keys(std::iter::once(current).chain(live)) {
            Ok(published) => published.to_jwks(),
            Err(_) => ring.issuer.verifier().to_jwks(),
        }
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
        let until = self.deadline(&ring.issuer);
        ring.retired.push((previous, until));
        ring.verifier = ring
            .verifier
            .clone()
            .with_key(ring.retired.last().unwrap().0.clone())?;
        Ok(())
    }

    /// Signs with `key` from now on; the old key's public half stays published and accepted
    /// until every token it signed (refresh tokens included) has expired.
    pub fn rotate(&self, key: SigningKey) -> Result<(), TokenError> {
        let issuer = (self.make_issuer)(with_thumbprint_kid(key));
        let mut ring = self
            .state
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let until = self.deadline(&ring.issuer);
        let old = ring.issuer.verifier().keys()[0].clone();
        ring.retired.push((old, until));
        let now = self.clock.now();
        ring.retired.retain(|(_, until)| *until > now);
        let mut keys = vec![issuer.verifier().keys()[0].clone()];
        keys.extend(ring.retired.iter().map(|(key, _)| key.clone()));
        ring.verifier = issuer.verifier().with_keys(keys)?;
        ring.issuer = issuer;
        tracing::info!(
            kid = ring.issuer.key_id().unwrap_or("-"),
            "signing key rotated"
        );
        Ok(())
    }

    /// When a key retired now may stop being published: after the longest token lifetime.
    fn deadline(&self, issuer: &TokenIssuer) -> DateTime<Utc> {
        let longest = issuer.ttl().max(issuer.refresh_ttl());
        let longest = TimeDelta::from_std(longest).unwrap_or(TimeDelta::MAX);
        self.clock
            .now()
            .checked_add_signed(longest)
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }
}
