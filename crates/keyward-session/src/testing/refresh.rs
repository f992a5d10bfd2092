//! Refresh families: rotation, reuse, grace, lifetimes, revocation.

use std::time::Duration;

use super::{Harness, client, unique};
use crate::{SessionError, SessionPolicy, SessionStore};

/// An exchange hands out a new token for the same account and client, once.
pub async fn exchange_rotates_once<S: SessionStore + Clone + 'static>(store: S) {
    let h = Harness::new(store);
    let account = h.account(&unique("rotate"), "a password").await;
    let started = h.sessions.start(&account, &client()).await.unwrap();
    let first = started.refresh_token().expose_secret().to_owned();
    let rotated = h.sessions.exchange(&first).await.unwrap();
    assert_eq!(rotated.account(), account.name());
    assert_eq!(rotated.client(), &client());
    assert_eq!(rotated.family(), started.family());
    assert!(!rotated.replayed());
    let second = rotated.refresh_token().expose_secret().to_owned();
    assert_ne!(second, first);
    let again = h.sessions.exchange(&second).await.unwrap();
    assert_ne!(again.refresh_token().expose_secret(), second);
}

/// Presenting a used token again revokes the family: the thief's and the holder's newest
/// tokens are both refused from then on (RFC 9700 §4.14.2).
pub async fn reuse_revokes_the_whole_family<S: SessionStore + Clone + 'static>(store: S) {
    let h = Harness::new(store);
    let account = h.account(&unique("reuse"), "a password").await;
    let other = h.sessions.start(&account, &client()).await.unwrap();
    let started = h.sessions.start(&account, &client()).await.unwrap();
    let stolen = started.refresh_token().expose_secret().to_owned();
    let holder = h.sessions.exchange(&stolen).await.unwrap();
    let reused = h.sessions.exchange(&stolen).await;
    match reused {
        Err(SessionError::RefreshReused {
            account: name,
            family,
        }) => {
            assert_eq!(&name, account.name());
            assert_eq!(&family, started.family());
        }
        other => panic!("wanted RefreshReused, got {other:?}"),
    }
    let successor = h
        .sessions
        .exchange(holder.refresh_token().expose_secret())
        .await;
    assert!(matches!(successor, Err(SessionError::RefreshRefused)));
    // Another session of the same account is untouched.
    h.sessions
        .exchange(other.refresh_token().expose_secret())
        .await
        .unwrap();
}

/// Malformed, unknown and expired tokens are refused, and change nothing.
pub async fn malformed_unknown_and_expired_tokens_are_refused<S: SessionStore + Clone + 'static>(
    store: S,
) {
    let h = Harness::new(store);
    let account = h.account(&unique("refuse"), "a password").await;
    for presented in ["", "eyJhbGciOi.x.y", &"A".repeat(43), &"!".repeat(43)] {
        assert!(matches!(
            h.sessions.exchange(presented).await,
            Err(SessionError::RefreshRefused)
        ));
    }
    let started = h.sessions.start(&account, &client()).await.unwrap();
    let ttl = h.sessions.policy().refresh_ttl().as_duration();
    h.clock.advance(ttl);
    assert!(matches!(
        h.sessions
            .exchange(started.refresh_token().expose_secret())
            .await,
        Err(SessionError::RefreshRefused)
    ));
}

/// Rotating does not extend a family past its absolute lifetime.
pub async fn family_ends_at_its_absolute_lifetime<S: SessionStore + Clone + 'static>(store: S) {
    let mut h = Harness::new(store);
    let policy = SessionPolicy::default()
        .try_with_family_lifetime(Duration::from_secs(3 * 3600))
        .unwrap();
    h.sessions = h.sessions.clone().with_policy(policy);
    let account = h.account(&unique("lifetime"), "a password").await;
    let started = h.sessions.start(&account, &client()).await.unwrap();
    assert_eq!(
        started.refresh_expires_at(),
        h.sessions.now() + chrono::TimeDelta::hours(3)
    );
    let mut token = started.refresh_token().clone();
    for _ in 0..2 {
        h.clock.advance(Duration::from_secs(3600));
        token = h
            .sessions
            .exchange(token.expose_secret())
            .await
            .unwrap()
            .refresh_token()
            .clone();
    }
    h.clock.advance(Duration::from_secs(3600));
    assert!(matches!(
        h.sessions.exchange(token.expose_secret()).await,
        Err(SessionError::RefreshRefused)
    ));
}

/// Within the grace interval, a second presentation gets the same successor back and
/// revokes nothing (a client that sent two refreshes at once keeps its session).
pub async fn grace_replay_returns_the_same_successor<S: SessionStore + Clone + 'static>(store: S) {
    let mut h = Harness::new(store);
    let policy = SessionPolicy::default()
        .try_with_reuse_grace(Duration::from_secs(2))
        .unwrap();
    h.sessions = h.sessions.clone().with_policy(policy);
    let account = h.account(&unique("grace"), "a password").await;
    let started = h.sessions.start(&account, &client()).await.unwrap();
    let presented = started.refresh_token().expose_secret().to_owned();
    let first = h.sessions.exchange(&presented).await.unwrap();
    h.clock.advance(Duration::from_millis(1500));
    let second = h.sessions.exchange(&presented).await.unwrap();
    assert!(second.replayed());
    assert_eq!(
        second.refresh_token().expose_secret(),
        first.refresh_token().expose_secret()
    );
    // The successor still works: nothing was revoked.
    h.sessions
        .exchange(first.refresh_token().expose_secret())
        .await
        .unwrap();
}

/// After the grace interval, a reuse revokes the family as with no grace.
pub async fn grace_does_not_outlive_its_interval<S: SessionStore + Clone + 'static>(store: S) {
    let mut h = Harness::new(store);
    let policy = SessionPolicy::default()
        .try_with_reuse_grace(Duration::from_secs(2))
        .unwrap();
    h.sessions = h.sessions.clone().with_policy(policy);
    let account = h.account(&unique("graceend"), "a password").await;
    let started = h.sessions.start(&account, &client()).await.unwrap();
    let presented = started.refresh_token().expose_secret().to_owned();
    let first = h.sessions.exchange(&presented).await.unwrap();
    h.clock.advance(Duration::from_secs(2));
    assert!(matches!(
        h.sessions.exchange(&presented).await,
        Err(SessionError::RefreshReused { .. })
    ));
    assert!(matches!(
        h.sessions
            .exchange(first.refresh_token().expose_secret())
            .await,
        Err(SessionError::RefreshRefused)
    ));
}

/// Revocation ends the token's family, used or not; unknown and malformed tokens are a
/// success with nothing to report (RFC 7009 §2.2).
pub async fn revoke_is_rfc7009<S: SessionStore + Clone + 'static>(store: S) {
    let h = Harness::new(store);
    let account = h.account(&unique("revoke"), "a password").await;
    let started = h.sessions.start(&account, &client()).await.unwrap();
    let old = started.refresh_token().expose_secret().to_owned();
    let rotated = h.sessions.exchange(&old).await.unwrap();
    // Revoking by the used token ends the family, so its successor too.
    let revoked = h.sessions.revoke(&old).await.unwrap();
    assert_eq!(
        revoked,
        Some((account.name().clone(), started.family().clone()))
    );
    assert!(matches!(
        h.sessions
            .exchange(rotated.refresh_token().expose_secret())
            .await,
        Err(SessionError::RefreshRefused)
    ));
    assert_eq!(h.sessions.revoke(&"B".repeat(43)).await.unwrap(), None);
    assert_eq!(h.sessions.revoke("not a token").await.unwrap(), None);
}

/// Purging deletes expired tokens and leaves live ones.
pub async fn purge_forgets_expired_tokens<S: SessionStore + Clone + 'static>(store: S) {
    let h = Harness::new(store);
    let account = h.account(&unique("purge"), "a password").await;
    let old = h.sessions.start(&account, &client()).await.unwrap();
    h.clock.advance(Duration::from_secs(86_400));
    let young = h.sessions.start(&account, &client()).await.unwrap();
    h.clock.advance(
        h.sessions
            .policy()
            .refresh_ttl()
            .as_duration()
            .saturating_sub(Duration::from_secs(3600)),
    );
    assert_eq!(h.sessions.purge_expired().await.unwrap(), 1);
    assert_eq!(
        h.sessions
            .revoke(old.refresh_token().expose_secret())
            .await
            .unwrap(),
        None
    );
    h.sessions
        .exchange(young.refresh_token().expose_secret())
        .await
        .unwrap();
}
