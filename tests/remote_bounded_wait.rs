//! `RemoteKeySet` under a fetch that never completes (issue 21, found by an outside attacker):
//! callers whose token the held set settles are answered at once, sync or async; callers that
//! need a new key wait at most `with_max_fetch_wait`. Each hung fetch is a pending future or a
//! closure blocked on a channel the test releases at the end; outcomes are counted, and the
//! short bound (100 ms) is the only real wait.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use keyward::token::{
    FetchError, FixedClock, JwksResponse, KeyPairKind, KeySet, Lifetime, RefreshError,
    RemoteKeySet, SigningKey, TokenError, TokenIssuer, TokenVerifier,
};

const START: i64 = 1_700_000_000;
const WAIT: Duration = Duration::from_millis(100);
/// A safety net so a regression fails instead of hanging the suite; never reached when green.
const NET: Duration = Duration::from_secs(5);

fn key(kid: &str) -> SigningKey {
    SigningKey::generate(KeyPairKind::Ed25519)
        .unwrap()
        .with_key_id(kid)
}

fn jwks(key: &SigningKey) -> String {
    KeySet::new([key.verifying_key()]).unwrap().to_jwks()
}

fn token(key: &SigningKey, clock: &FixedClock) -> String {
    TokenIssuer::new(key.clone())
        .with_ttl(Lifetime::MAX)
        .with_clock(clock.clone())
        .issue("alice", &())
        .unwrap()
}

fn remote(clock: &FixedClock) -> Arc<RemoteKeySet> {
    let for_tokens = clock.clone();
    Arc::new(
        RemoteKeySet::new(move |keys| TokenVerifier::new(keys).with_clock(for_tokens.clone()))
            .with_clock(clock.clone())
            .with_max_fetch_wait(WAIT),
    )
}

/// A remote key set holding `k1`'s set, fetched at START, then made stale (past its 10-minute
/// default age and the cooldown, within the day of staleness).
fn stale_remote(clock: &FixedClock, k1: &SigningKey) -> Arc<RemoteKeySet> {
    let remote = remote(clock);
    let body = jwks(k1);
    remote
        .refresh_blocking(|| Ok(JwksResponse::new(body)))
        .unwrap();
    clock.advance(Duration::from_secs(11 * 60));
    remote
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .unwrap()
}

/// Starts a caller whose fetch is counted, then never completes.
fn spawn_hung(
    remote: &Arc<RemoteKeySet>,
    token: &str,
    calls: &Arc<AtomicUsize>,
) -> tokio::task::JoinHandle<Result<keyward::Claims<()>, TokenError>> {
    let (remote, token, calls) = (Arc::clone(remote), token.to_owned(), Arc::clone(calls));
    tokio::spawn(async move {
        remote
            .verify::<(), _, _>(&token, || async move {
                calls.fetch_add(1, Ordering::SeqCst);
                std::future::pending::<Result<JwksResponse, FetchError>>().await
            })
            .await
    })
}

/// Runs `n` async callers of `token` whose own fetch would count in `calls`, and returns their
/// outcomes, each within the safety net.
async fn callers(
    remote: &Arc<RemoteKeySet>,
    token: &str,
    calls: &Arc<AtomicUsize>,
    n: usize,
) -> Vec<Result<String, TokenError>> {
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..n {
        let (remote, token, calls) = (Arc::clone(remote), token.to_owned(), Arc::clone(calls));
        tasks.spawn(async move {
            let verify = remote.verify::<(), _, _>(&token, || async move {
                calls.fetch_add(1, Ordering::SeqCst);
                Err::<JwksResponse, _>(FetchError::new("must not be called"))
            });
            tokio::time::timeout(NET, verify)
                .await
                .expect("a caller was held by the hung fetch")
                .map(|claims| claims.subject)
        });
    }
    let mut outcomes = Vec::new();
    while let Some(outcome) = tasks.join_next().await {
        outcomes.push(outcome.unwrap());
    }
    outcomes
}

async fn until_fetching(calls: &AtomicUsize) {
    while calls.load(Ordering::SeqCst) == 0 {
        tokio::task::yield_now().await;
    }
}

#[test]
fn async_callers_with_a_known_kid_on_a_stale_set_are_not_held_by_a_hung_fetch() {
    runtime().block_on(async {
        let clock = FixedClock::at_unix_seconds(START);
        let k1 = key("k1");
        let remote = stale_remote(&clock, &k1);
        let token = token(&k1, &clock);
        let calls = Arc::new(AtomicUsize::new(0));
        let hung = spawn_hung(&remote, &token, &calls);
        until_fetching(&calls).await;

        let outcomes = callers(&remote, &token, &calls, 20).await;
        let accepted = outcomes
            .iter()
            .filter(|o| o.as_deref() == Ok("alice"))
            .count();
        assert_eq!(accepted, 20, "{outcomes:?}");
        assert_eq!(calls.load(Ordering::SeqCst), 1, "only the hung fetch ran");
        assert!(!hung.is_finished());
        hung.abort();
    });
}

#[test]
fn async_callers_with_an_unknown_kid_wait_only_the_bound() {
    runtime().block_on(async {
        let clock = FixedClock::at_unix_seconds(START);
        let (k1, k2) = (key("k1"), key("k2"));
        let remote = stale_remote(&clock, &k1);
        let calls = Arc::new(AtomicUsize::new(0));
        let hung = spawn_hung(&remote, &token(&k1, &clock), &calls);
        until_fetching(&calls).await;

        let outcomes = callers(&remote, &token(&k2, &clock), &calls, 10).await;
        let unknown = outcomes
            .iter()
            .filter(|o| matches!(o, Err(TokenError::UnknownKeyId { .. })))
            .count();
        assert_eq!(unknown, 10, "{outcomes:?}");
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        hung.abort();
    });
}

#[test]
fn async_callers_of_a_first_fetch_that_hangs_get_unavailable_after_the_bound() {
    runtime().block_on(async {
        let clock = FixedClock::at_unix_seconds(START);
        let k1 = key("k1");
        let remote = remote(&clock);
        let token = token(&k1, &clock);
        let calls = Arc::new(AtomicUsize::new(0));
        let hung = spawn_hung(&remote, &token, &calls);
        until_fetching(&calls).await;

        let outcomes = callers(&remote, &token, &calls, 10).await;
        assert_eq!(
            outcomes
                .iter()
                .filter(|o| matches!(o, Err(TokenError::KeySetUnavailable { .. })))
                .count(),
            10,
            "{outcomes:?}"
        );
        let refresh = tokio::time::timeout(
            NET,
            remote.refresh(|| async {
                Err::<JwksResponse, _>(FetchError::new("must not be called"))
            }),
        )
        .await
        .unwrap();
        assert!(
            matches!(refresh, Err(RefreshError::WaitTimedOut)),
            "{refresh:?}"
        );
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        hung.abort();
    });
}

/// The blocking twin: one thread's fetch blocks on a channel; the others finish while it is
/// blocked, and the test releases it at the end.
#[test]
fn blocking_callers_are_not_held_by_a_hung_fetch() {
    let clock = FixedClock::at_unix_seconds(START);
    let (k1, k2) = (key("k1"), key("k2"));
    let remote = stale_remote(&clock, &k1);
    let known = token(&k1, &clock);
    let unknown = token(&k2, &clock);
    let calls = Arc::new(AtomicUsize::new(0));
    let (release, held) = mpsc::channel::<()>();
    let (started_tx, started) = mpsc::channel::<()>();

    let fetcher = {
        let (remote, known, calls, body) = (
            Arc::clone(&remote),
            known.clone(),
            Arc::clone(&calls),
            jwks(&k1),
        );
        std::thread::spawn(move || {
            remote.verify_blocking::<()>(&known, move || {
                calls.fetch_add(1, Ordering::SeqCst);
                started_tx.send(()).unwrap();
                held.recv().ok();
                Ok(JwksResponse::new(body))
            })
        })
    };
    started.recv_timeout(NET).expect("the fetch started");

    let outcomes: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let (remote, token, calls) =
                    (&remote, if i % 2 == 0 { &known } else { &unknown }, &calls);
                scope.spawn(move || {
                    remote
                        .verify_blocking::<()>(token, || {
                            calls.fetch_add(1, Ordering::SeqCst);
                            Err(FetchError::new("must not be called"))
                        })
                        .map(|claims| claims.subject)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let accepted = outcomes
        .iter()
        .filter(|o| o.as_deref() == Ok("alice"))
        .count();
    let unknown_kid = outcomes
        .iter()
        .filter(|o| matches!(o, Err(TokenError::UnknownKeyId { .. })))
        .count();
    assert_eq!((accepted, unknown_kid), (4, 4), "{outcomes:?}");
    assert_eq!(calls.load(Ordering::SeqCst), 1);

    release.send(()).unwrap();
    assert_eq!(fetcher.join().unwrap().unwrap().subject, "alice");
}
