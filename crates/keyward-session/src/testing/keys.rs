//! The signing-key ring.

use std::time::Duration;

use keyward::token::{KeyPairKind, SigningKey};

use super::Harness;
use crate::{RotationOutcome, SessionStore};

fn key() -> SigningKey {
    SigningKey::generate(KeyPairKind::Ed25519).expect("generate a key")
}

fn kid(key: &SigningKey) -> String {
    key.verifying_key().thumbprint().expect("asymmetric")
}

/// Replicas starting with the same key install it once; a replica configured with another
/// key finds the stored one and signs with it, so every replica publishes the same JWKS.
pub async fn ring_installs_once_across_replicas<S: SessionStore + Clone + 'static>(store: S) {
    let one = Harness::new(store.clone());
    let two = Harness::new(store);
    let configured = key();
    assert!(one.sessions.install_signing_key(&configured).await.unwrap());
    assert!(two.sessions.install_signing_key(&configured).await.unwrap());
    assert!(!two.sessions.install_signing_key(&key()).await.unwrap());
    let (a, b) = (
        one.sessions.key_ring().await.unwrap(),
        two.sessions.key_ring().await.unwrap(),
    );
    assert_eq!(a.jwks(), b.jwks());
    assert_eq!(a.key_set().len(), 1);
    assert_eq!(
        b.signing_key().unwrap().key_id(),
        Some(kid(&configured).as_str())
    );
}

/// A next key is in the JWKS from the moment it is staged, and a rotation before the
/// publication lead has passed is refused; after it, the next key signs.
pub async fn next_key_is_published_before_it_signs<S: SessionStore + Clone + 'static>(store: S) {
    let h = Harness::new(store);
    let (current, next) = (key(), key());
    h.sessions.install_signing_key(&current).await.unwrap();
    assert!(h.sessions.stage_next_key(&next).await.unwrap());
    assert!(!h.sessions.stage_next_key(&key()).await.unwrap());
    let ring = h.sessions.key_ring().await.unwrap();
    assert_eq!(ring.next_kid(), Some(kid(&next).as_str()));
    assert!(ring.jwks().contains(&kid(&next)));
    assert_eq!(
        ring.signing_key().unwrap().key_id(),
        Some(kid(&current).as_str())
    );
    let lead = h.sessions.policy().key_publication_lead();
    h.clock.advance(lead.saturating_sub(Duration::from_secs(1)));
    let early = h
        .sessions
        .rotate_keys(Duration::from_secs(900), None)
        .await
        .unwrap();
    assert!(matches!(early, RotationOutcome::NextTooRecent { .. }));
    h.clock.advance(Duration::from_secs(1));
    let rotated = h
        .sessions
        .rotate_keys(Duration::from_secs(900), None)
        .await
        .unwrap();
    assert_eq!(rotated, RotationOutcome::Rotated { kid: kid(&next) });
    let ring = h.sessions.key_ring().await.unwrap();
    assert_eq!(
        ring.signing_key().unwrap().key_id(),
        Some(kid(&next).as_str())
    );
    assert!(ring.jwks().contains(&kid(&current)));
    let none = h
        .sessions
        .rotate_keys(Duration::from_secs(900), None)
        .await
        .unwrap();
    assert_eq!(none, RotationOutcome::NoNextKey);
}

/// A retired key stays published while tokens it signed can be valid, then leaves the JWKS
/// and is pruned at the next rotation.
pub async fn retired_key_is_published_until_its_deadline_then_pruned<
    S: SessionStore + Clone + 'static,
>(
    store: S,
) {
    let h = Harness::new(store);
    let (first, second, third) = (key(), key(), key());
    let lead = h.sessions.policy().key_publication_lead();
    h.sessions.install_signing_key(&first).await.unwrap();
    h.sessions.stage_next_key(&second).await.unwrap();
    h.clock.advance(lead);
    h.sessions
        .rotate_keys(Duration::from_secs(900), Some(&third))
        .await
        .unwrap();
    h.clock.advance(Duration::from_secs(899));
    assert!(
        h.sessions
            .key_ring()
            .await
            .unwrap()
            .jwks()
            .contains(&kid(&first))
    );
    h.clock.advance(Duration::from_secs(1));
    let ring = h.sessions.key_ring().await.unwrap();
    assert!(!ring.jwks().contains(&kid(&first)));
    assert!(ring.jwks().contains(&kid(&third)));
    h.sessions
        .rotate_keys(Duration::from_secs(900), None)
        .await
        .unwrap();
    let stored = h
        .sessions
        .store()
        .load_keys(chrono::DateTime::<chrono::Utc>::MIN_UTC)
        .await
        .unwrap();
    assert!(stored.iter().all(|key| key.kid() != kid(&first)));
    assert_eq!(stored.len(), 2);
}
