//! Accounts, credential changes, cutoffs and foreign subjects.

use std::time::Duration;

use chrono::DateTime;

use super::{Harness, client, hash, unique};
use crate::{AccountName, SessionError, SessionStore};

/// A registered account is found with its hash and the first credential version.
pub async fn register_then_find<S: SessionStore + Clone + 'static>(store: S) {
    let h = Harness::new(store);
    let name = unique("reg");
    let created = h.account(&name, "correct horse").await;
    let found = h
        .sessions
        .find_account(created.name())
        .await
        .unwrap()
        .expect("found");
    assert_eq!(found, created);
    assert!(
        keyward::PasswordHasher::default()
            .verify("correct horse", found.password_hash())
            .is_ok()
    );
    let missing = AccountName::new(unique("missing")).unwrap();
    assert!(h.sessions.find_account(&missing).await.unwrap().is_none());
}

/// A second registration of a name is refused and changes nothing; the quiet form answers
/// the same for a taken name as for a new one.
pub async fn name_taken_is_refused_and_quiet_registration_hides_it<
    S: SessionStore + Clone + 'static,
>(
    store: S,
) {
    let h = Harness::new(store);
    let name = unique("taken");
    let first = h.account(&name, "first password").await;
    let second = h
        .sessions
        .register(first.name(), &hash("second password"))
        .await;
    assert!(matches!(second, Err(SessionError::NameTaken { .. })));
    h.sessions
        .register_quietly(first.name(), &hash("third password"))
        .await
        .expect("a taken name is Ok(()) when quiet");
    let fresh = AccountName::new(unique("quiet")).unwrap();
    h.sessions
        .register_quietly(&fresh, &hash("a password"))
        .await
        .unwrap();
    assert!(h.sessions.find_account(&fresh).await.unwrap().is_some());
    let kept = h
        .sessions
        .find_account(first.name())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.password_hash(), first.password_hash());
}

/// A login that read the credentials before a password change gets no session, and its
/// rehash cannot write the old password back (issue 19: a login in flight kept a session).
pub async fn password_change_refuses_sessions_and_rehashes_based_on_old_credentials<
    S: SessionStore + Clone + 'static,
>(
    store: S,
) {
    let h = Harness::new(store);
    let account = h.account(&unique("inflight"), "old password").await;
    // The login read `account`; meanwhile the password changes.
    let fresh = h
        .sessions
        .find_account(account.name())
        .await
        .unwrap()
        .unwrap();
    h.sessions
        .change_password(&fresh, &hash("new password"))
        .await
        .unwrap();
    let start = h.sessions.start(&account, &client()).await;
    assert!(matches!(
        start,
        Err(SessionError::CredentialsChanged { .. })
    ));
    let rehash = h
        .sessions
        .update_hash(&account, &hash("old password"))
        .await;
    assert!(matches!(
        rehash,
        Err(SessionError::CredentialsChanged { .. })
    ));
    let now = h
        .sessions
        .find_account(account.name())
        .await
        .unwrap()
        .unwrap();
    assert!(
        keyward::PasswordHasher::default()
            .verify("new password", now.password_hash())
            .is_ok()
    );
    assert!(now.credential_version() > account.credential_version());
    // A second change based on the stale read is refused too.
    let stale = h
        .sessions
        .change_password(&account, &hash("attacker's"))
        .await;
    assert!(matches!(
        stale,
        Err(SessionError::CredentialsChanged { .. })
    ));
    // A rehash on the current credentials is accepted and keeps the version.
    h.sessions
        .update_hash(&now, &hash("new password"))
        .await
        .unwrap();
    let after = h
        .sessions
        .find_account(account.name())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.credential_version(), now.credential_version());
}

/// A password change revokes every family and voids access tokens issued up to it.
pub async fn password_change_ends_sessions_and_voids_access_tokens<
    S: SessionStore + Clone + 'static,
>(
    store: S,
) {
    let h = Harness::new(store);
    let account = h.account(&unique("change"), "old password").await;
    let one = h.sessions.start(&account, &client()).await.unwrap();
    let two = h.sessions.start(&account, &client()).await.unwrap();
    let issued = h.sessions.now();
    let subject = account.name().as_str();
    assert!(
        !h.sessions
            .is_access_voided(subject, Some(issued))
            .await
            .unwrap()
    );
    h.clock.advance(Duration::from_millis(300));
    let cutoff = h
        .sessions
        .change_password(&account, &hash("new password"))
        .await
        .unwrap();
    for started in [one, two] {
        let exchanged = h
            .sessions
            .exchange(started.refresh_token().expose_secret())
            .await;
        assert!(matches!(exchanged, Err(SessionError::RefreshRefused)));
    }
    assert_eq!(
        h.sessions.cutoff(account.name()).await.unwrap(),
        Some(cutoff)
    );
    assert!(
        h.sessions
            .is_access_voided(subject, Some(issued))
            .await
            .unwrap()
    );
    assert!(h.sessions.is_access_voided(subject, None).await.unwrap());
    // Same second as the change: void. The next second: valid.
    assert!(
        h.sessions
            .is_access_voided(subject, Some(h.sessions.now()))
            .await
            .unwrap()
    );
    let next = DateTime::from_timestamp(cutoff.instant().timestamp() + 1, 0).unwrap();
    assert!(
        !h.sessions
            .is_access_voided(subject, Some(next))
            .await
            .unwrap()
    );
    // A new login right after the change says when its access token may be issued.
    let current = h
        .sessions
        .find_account(account.name())
        .await
        .unwrap()
        .unwrap();
    let started = h.sessions.start(&current, &client()).await.unwrap();
    assert_eq!(started.access_not_before(), Some(next));
    h.clock.set(next);
    let later = h.sessions.start(&current, &client()).await.unwrap();
    assert_eq!(later.access_not_before(), None);
}

/// "Log out everywhere" revokes every family and sets the cutoff; the password is kept.
pub async fn end_all_sessions_voids_everything<S: SessionStore + Clone + 'static>(store: S) {
    let h = Harness::new(store);
    let account = h.account(&unique("everywhere"), "a password").await;
    let started = h.sessions.start(&account, &client()).await.unwrap();
    let issued = h.sessions.now();
    h.sessions.end_all_sessions(account.name()).await.unwrap();
    let exchanged = h
        .sessions
        .exchange(started.refresh_token().expose_secret())
        .await;
    assert!(matches!(exchanged, Err(SessionError::RefreshRefused)));
    assert!(
        h.sessions
            .is_access_voided(account.name().as_str(), Some(issued))
            .await
            .unwrap()
    );
    // The credentials did not change: the record read before still starts a session.
    h.sessions.start(&account, &client()).await.unwrap();
    let unknown = AccountName::new(unique("nobody")).unwrap();
    assert!(matches!(
        h.sessions.end_all_sessions(&unknown).await,
        Err(SessionError::UnknownAccount { .. })
    ));
}

/// A foreign `sub` maps to exactly one account or is refused (issue 19: a legacy `Alice`
/// token was served as `alice` while both accounts existed).
pub async fn subject_maps_to_exactly_one_account<S: SessionStore + Clone + 'static>(store: S) {
    let h = Harness::new(store);
    let base = unique("alice");
    let lower = h.account(&base, "lower's password").await;
    let upper_name = base.to_uppercase();
    h.account(&upper_name, "upper's password").await;
    let full_width: String = base
        .chars()
        .map(|c| match c {
            'a'..='z' => char::from_u32(u32::from(c) - 0x61 + 0xFF41).unwrap_or(c),
            _ => c,
        })
        .collect();
    for subject in [base.as_str(), upper_name.as_str(), full_width.as_str()] {
        let resolved = h.sessions.resolve_subject(subject).await;
        assert!(
            matches!(
                resolved,
                Err(SessionError::SubjectUnresolved { matches: 2, .. })
            ),
            "{subject}: {resolved:?}"
        );
    }
    let _ = lower;
    let solo = unique("bob");
    let bob = h.account(&solo, "bob's password").await;
    for subject in [solo.clone(), solo.to_uppercase()] {
        let resolved = h.sessions.resolve_subject(&subject).await.unwrap();
        assert_eq!(resolved.name(), bob.name());
    }
    let nobody = h.sessions.resolve_subject(&unique("nobody")).await;
    assert!(matches!(
        nobody,
        Err(SessionError::SubjectUnresolved { matches: 0, .. })
    ));
}
