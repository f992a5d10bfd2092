//! Races: what a second request or replica can do in between.

use std::net::IpAddr;
use std::time::Duration;

use futures_util::future::join_all;

use super::{Harness, client, hash, unique};
use crate::{Rate, SessionError, SessionStore, ThrottlePolicy};

/// How many exchanges of one token run at once.
pub const RACERS: usize = 200;

/// Of [`RACERS`] concurrent exchanges of one token, exactly one rotates; the losers' reuse
/// revokes the family, so the winner's successor is refused afterwards. Repeated over
/// several families.
pub async fn concurrent_exchanges_have_one_winner<S: SessionStore + Clone + 'static>(store: S) {
    let h = Harness::new(store);
    let account = h.account(&unique("race"), "a password").await;
    for round in 0..5 {
        let started = h.sessions.start(&account, &client()).await.unwrap();
        let presented = started.refresh_token().expose_secret().to_owned();
        let racers = (0..RACERS).map(|_| {
            let (sessions, presented) = (h.sessions.clone(), presented.clone());
            async move { sessions.exchange(&presented).await }
        });
        let results = join_all(racers).await;
        let mut winners = Vec::new();
        let (mut reuses, mut refusals) = (0, 0);
        for result in results {
            match result {
                Ok(rotated) => winners.push(rotated),
                Err(SessionError::RefreshReused { .. }) => reuses += 1,
                Err(SessionError::RefreshRefused) => refusals += 1,
                Err(other) => panic!("round {round}: unexpected {other:?}"),
            }
        }
        assert_eq!(winners.len(), 1, "round {round}: winners");
        assert!(reuses >= 1, "round {round}: no reuse reported");
        assert_eq!(reuses + refusals, RACERS - 1);
        let successor = h
            .sessions
            .exchange(winners[0].refresh_token().expose_secret())
            .await;
        assert!(
            matches!(successor, Err(SessionError::RefreshRefused)),
            "round {round}: the winner's successor survived: {successor:?}"
        );
    }
}

/// Logins that checked the old password, racing a password change: each either fails with
/// [`SessionError::CredentialsChanged`] or started before the change, and then the change
/// revoked its family. No session of the old password outlives the change.
pub async fn logins_in_flight_lose_to_a_password_change<S: SessionStore + Clone + 'static>(
    store: S,
) {
    let h = Harness::new(store);
    for round in 0..5 {
        let account = h.account(&unique("inflight-race"), "old password").await;
        let logins = (0..20).map(|_| {
            let (sessions, account) = (h.sessions.clone(), account.clone());
            async move { sessions.start(&account, &client()).await }
        });
        let change = {
            let (sessions, account) = (h.sessions.clone(), account.clone());
            async move {
                sessions
                    .change_password(&account, &hash("new password"))
                    .await
            }
        };
        let (started, changed) = futures_util::future::join(join_all(logins), change).await;
        changed.unwrap();
        for start in started {
            match start {
                Ok(started) => {
                    let exchanged = h
                        .sessions
                        .exchange(started.refresh_token().expose_secret())
                        .await;
                    assert!(
                        matches!(exchanged, Err(SessionError::RefreshRefused)),
                        "round {round}: a session survived the change: {exchanged:?}"
                    );
                }
                Err(SessionError::CredentialsChanged { .. }) => {}
                Err(other) => panic!("round {round}: unexpected {other:?}"),
            }
        }
    }
}

/// Concurrent takes from one bucket lose no count: after 60 concurrent failures against a
/// burst of 100 (and no refill, the clock stands still), exactly 40 more are allowed.
pub async fn concurrent_throttle_takes_lose_no_count<S: SessionStore + Clone + 'static>(store: S) {
    let mut h = Harness::new(store);
    let wide = Rate::new(1000, Duration::from_secs(3600)).unwrap();
    let policy = ThrottlePolicy::default()
        .with_account_and_address(Rate::new(100, Duration::from_secs(3600)).unwrap())
        .with_address(wide)
        .with_account(wide);
    h.sessions = h.sessions.clone().with_throttle(policy);
    let account = unique("count");
    let address = IpAddr::from([192, 0, 2, 99]);
    let takes = (0..60).map(|_| {
        let (sessions, account) = (h.sessions.clone(), account.clone());
        async move { sessions.throttle_login(&account, address).await.map(drop) }
    });
    for taken in join_all(takes).await {
        taken.unwrap();
    }
    for _ in 0..40 {
        let _failed = h.sessions.throttle_login(&account, address).await.unwrap();
    }
    assert!(matches!(
        h.sessions.throttle_login(&account, address).await,
        Err(SessionError::Throttled { .. })
    ));
}
