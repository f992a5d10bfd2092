//! `RemoteKeySet`, the JWKS cache: a fake provider that counts its fetches and a `FixedClock`
//! drive every rule (cache age, cooldown, single flight, staleness, caps) without a network
//! and without sleeping on the clock.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::Duration;

use keyward::token::{
    CacheDuration, FetchError, FixedClock, JwksResponse, KeyError, KeyPairKind, KeySet, Lifetime,
    RefreshError, RemoteKeySet, SigningKey, TokenError, TokenIssuer, TokenPart, TokenVerifier,
};

const START: i64 = 1_700_000_000;

/// A provider whose document the test changes, and which counts how often it is fetched.
struct Provider {
    response: Mutex<Result<JwksResponse, String>>,
    calls: AtomicUsize,
    /// Real time each fetch takes, so concurrent callers overlap with it.
    delay: Duration,
}

impl Provider {
    fn new(keys: &[&SigningKey]) -> Arc<Self> {
        Arc::new(Provider {
            response: Mutex::new(Ok(JwksResponse::new(jwks(keys)))),
            calls: AtomicUsize::new(0),
            delay: Duration::ZERO,
        })
    }

    fn slow(keys: &[&SigningKey], delay: Duration) -> Arc<Self> {
        let provider = Self::new(keys);
        Arc::new(Provider {
            response: Mutex::new(provider.response.lock().unwrap().clone()),
            calls: AtomicUsize::new(0),
            delay,
        })
    }

    fn publish(&self, response: JwksResponse) {
        *self.response.lock().unwrap() = Ok(response);
    }

    fn go_down(&self) {
        *self.response.lock().unwrap() = Err("connection refused".to_owned());
    }

    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    fn fetch(&self) -> Result<JwksResponse, FetchError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        std::thread::sleep(self.delay);
        self.response
            .lock()
            .unwrap()
            .clone()
            .map_err(FetchError::new)
    }

    async fn fetch_async(&self) -> Result<JwksResponse, FetchError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(self.delay).await;
        self.response
            .lock()
            .unwrap()
            .clone()
            .map_err(FetchError::new)
    }
}

fn key(kid: &str) -> SigningKey {
    SigningKey::generate(KeyPairKind::Ed25519)
        .unwrap()
        .with_key_id(kid)
}

fn jwks(keys: &[&SigningKey]) -> String {
    KeySet::new(keys.iter().map(|key| key.verifying_key()))
        .unwrap()
        .to_jwks()
}

fn token(key: &SigningKey, clock: &FixedClock) -> String {
    TokenIssuer::new(key.clone())
        .with_ttl(Lifetime::MAX)
        .with_clock(clock.clone())
        .issue("alice", &())
        .unwrap()
}

fn remote(clock: &FixedClock) -> RemoteKeySet {
    let for_tokens = clock.clone();
    RemoteKeySet::new(move |keys| TokenVerifier::new(keys).with_clock(for_tokens.clone()))
        .with_clock(clock.clone())
}

fn secs(seconds: u64) -> Duration {
    Duration::from_secs(seconds)
}

fn verify(remote: &RemoteKeySet, provider: &Provider, token: &str) -> Result<String, TokenError> {
    remote
        .verify_blocking::<()>(token, || provider.fetch())
        .map(|claims| claims.subject)
}

/// Seconds from now until the cached set expires.
fn cache_age(remote: &RemoteKeySet, clock: &FixedClock) -> i64 {
    use keyward::token::Clock;
    (remote.expires_at().unwrap() - clock.now()).num_seconds()
}

#[test]
fn a_cold_start_fetches_once_and_a_hit_does_not_fetch() {
    let clock = FixedClock::at_unix_seconds(START);
    let k1 = key("k1");
    let provider = Provider::new(&[&k1]);
    let remote = remote(&clock);
    assert!(remote.verifier().is_none());
    let token = token(&k1, &clock);
    assert_eq!(verify(&remote, &provider, &token).unwrap(), "alice");
    assert_eq!(provider.calls(), 1);
    for _ in 0..10 {
        assert_eq!(verify(&remote, &provider, &token).unwrap(), "alice");
    }
    assert_eq!(provider.calls(), 1, "cache hits fetch nothing");
}

#[test]
fn a_cold_start_failure_is_unavailable_and_retried_once_per_cooldown() {
    let clock = FixedClock::at_unix_seconds(START);
    let k1 = key("k1");
    let provider = Provider::new(&[&k1]);
    provider.go_down();
    let remote = remote(&clock);
    let token = token(&k1, &clock);
    for _ in 0..5 {
        assert_eq!(
            verify(&remote, &provider, &token),
            Err(TokenError::KeySetUnavailable {
                last_error: remote.last_refresh_error().map(|error| chain(&error))
            })
        );
    }
    assert_eq!(provider.calls(), 1);
    assert!(matches!(
        remote.last_refresh_error(),
        Some(RefreshError::Fetch(_))
    ));
    provider.publish(JwksResponse::new(jwks(&[&k1])));
    clock.advance(RemoteKeySet::DEFAULT_COOLDOWN.as_duration());
    assert_eq!(verify(&remote, &provider, &token).unwrap(), "alice");
    assert_eq!(provider.calls(), 2);
    assert!(remote.last_refresh_error().is_none());
}

#[test]
fn an_unknown_kid_within_the_cooldown_does_not_fetch_and_after_it_fetches_once() {
    let clock = FixedClock::at_unix_seconds(START);
    let (k1, k2) = (key("k1"), key("k2"));
    let provider = Provider::new(&[&k1]);
    let remote = remote(&clock);
    assert!(verify(&remote, &provider, &token(&k1, &clock)).is_ok());

    // The provider rotates; a token signed with the new key arrives.
    provider.publish(JwksResponse::new(jwks(&[&k2, &k1])));
    let new_token = token(&k2, &clock);
    clock.advance(secs(29));
    for _ in 0..10 {
        assert_eq!(
            verify(&remote, &provider, &new_token),
            Err(TokenError::UnknownKeyId {
                key_id: "k2".into()
            })
        );
    }
    assert_eq!(provider.calls(), 1, "within the cooldown: no fetch");

    clock.advance(secs(1));
    assert_eq!(verify(&remote, &provider, &new_token).unwrap(), "alice");
    assert_eq!(provider.calls(), 2, "after it: one fetch");
    assert_eq!(verify(&remote, &provider, &new_token).unwrap(), "alice");
    assert_eq!(provider.calls(), 2);
}

#[test]
fn invented_kids_cost_one_fetch_per_cooldown() {
    let clock = FixedClock::at_unix_seconds(START);
    let k1 = key("k1");
    let provider = Provider::new(&[&k1]);
    let remote = remote(&clock).with_cooldown(CacheDuration::from_secs(60).unwrap());
    assert!(verify(&remote, &provider, &token(&k1, &clock)).is_ok());
    let forged: Vec<String> = (0..20)
        .map(|i| token(&key(&format!("invented-{i}")), &clock))
        .collect();
    for round in 1..=3 {
        clock.advance(secs(60));
        for token in &forged {
            assert!(matches!(
                verify(&remote, &provider, token),
                Err(TokenError::UnknownKeyId { .. })
            ));
        }
        assert_eq!(provider.calls(), 1 + round);
    }
}

#[test]
fn a_token_without_kid_or_a_garbage_token_does_not_fetch() {
    let clock = FixedClock::at_unix_seconds(START);
    let (k1, k2) = (key("k1"), key("k2"));
    let provider = Provider::new(&[&k1, &k2]);
    let remote = remote(&clock);
    assert!(verify(&remote, &provider, &token(&k1, &clock)).is_ok());
    clock.advance(secs(60));
    let unlabelled = SigningKey::generate(KeyPairKind::Ed25519).unwrap();
    assert_eq!(
        verify(&remote, &provider, &token(&unlabelled, &clock)),
        Err(TokenError::MissingKeyId)
    );
    assert_eq!(
        verify(&remote, &provider, "garbage"),
        Err(TokenError::Malformed(TokenPart::Structure))
    );
    assert_eq!(provider.calls(), 1);
}

#[test]
fn a_hundred_threads_with_an_unknown_kid_cause_one_fetch() {
    let clock = FixedClock::at_unix_seconds(START);
    let (k1, k2) = (key("k1"), key("k2"));
    let provider = Provider::slow(&[&k1], Duration::from_millis(200));
    let remote = Arc::new(remote(&clock));
    assert!(verify(&remote, &provider, &token(&k1, &clock)).is_ok());
    provider.publish(JwksResponse::new(jwks(&[&k2, &k1])));
    clock.advance(RemoteKeySet::DEFAULT_COOLDOWN.as_duration());

    let new_token = token(&k2, &clock);
    let start = Arc::new(Barrier::new(100));
    let threads: Vec<_> = (0..100)
        .map(|_| {
            let (remote, provider, start, token) = (
                Arc::clone(&remote),
                Arc::clone(&provider),
                Arc::clone(&start),
                new_token.clone(),
            );
            std::thread::spawn(move || {
                start.wait();
                verify(&remote, &provider, &token)
            })
        })
        .collect();
    for thread in threads {
        assert_eq!(thread.join().unwrap().unwrap(), "alice");
    }
    assert_eq!(
        provider.calls(),
        2,
        "the start-up fetch and one for the burst"
    );
}

#[test]
fn a_hundred_futures_with_an_unknown_kid_cause_one_fetch() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .unwrap();
    runtime.block_on(async {
        let clock = FixedClock::at_unix_seconds(START);
        let (k1, k2) = (key("k1"), key("k2"));
        let provider = Provider::slow(&[&k1], Duration::from_millis(200));
        let remote = Arc::new(remote(&clock));
        let old_token = token(&k1, &clock);
        let first = remote.verify::<(), _, _>(&old_token, || provider.fetch_async());
        assert!(first.await.is_ok());
        provider.publish(JwksResponse::new(jwks(&[&k2, &k1])));
        clock.advance(RemoteKeySet::DEFAULT_COOLDOWN.as_duration());

        let new_token = token(&k2, &clock);
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..100 {
            let (remote, provider, token) = (
                Arc::clone(&remote),
                Arc::clone(&provider),
                new_token.clone(),
            );
            // `spawn` also proves the future is Send.
            tasks.spawn(async move {
                remote
                    .verify::<(), _, _>(&token, || provider.fetch_async())
                    .await
                    .map(|claims| claims.subject)
            });
        }
        while let Some(outcome) = tasks.join_next().await {
            assert_eq!(outcome.unwrap().unwrap(), "alice");
        }
        assert_eq!(
            provider.calls(),
            2,
            "the start-up fetch and one for the burst"
        );
    });
}

/// A caller verifying `token` whose fetch never lands (counted, then pending forever), as a
/// task the test can abort like a client hanging up.
fn spawn_hung_fetch(
    remote: &Arc<RemoteKeySet>,
    provider: &Arc<Provider>,
    token: &str,
) -> tokio::task::JoinHandle<Result<keyward::Claims<()>, TokenError>> {
    let (remote, provider, token) = (Arc::clone(remote), Arc::clone(provider), token.to_owned());
    tokio::spawn(async move {
        let fetch = || async move {
            provider.calls.fetch_add(1, Ordering::SeqCst);
            std::future::pending::<Result<JwksResponse, FetchError>>().await
        };
        remote.verify::<(), _, _>(&token, fetch).await
    })
}

/// Clients that send a token with an unknown `kid` and hang up before the fetch lands must not
/// turn the cooldown into no limit: the first abandoned fetch gives back its place (so a waiter
/// can fetch at once, as below), later ones before a fetch finishes do not.
#[test]
fn hanging_up_during_fetches_does_not_lift_the_cooldown() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    runtime.block_on(async {
        let clock = FixedClock::at_unix_seconds(START);
        let k1 = key("k1");
        let provider = Provider::new(&[&k1]);
        let remote = Arc::new(remote(&clock));
        let token = token(&k1, &clock);
        for _ in 0..5 {
            let hung = spawn_hung_fetch(&remote, &provider, &token);
            tokio::task::yield_now().await;
            hung.abort();
            let _ = hung.await;
        }
        // One fetch, one given back after its abandonment, then the cooldown holds.
        assert_eq!(provider.calls(), 2);
        assert_eq!(
            remote
                .verify::<(), _, _>(&token, || provider.fetch_async())
                .await,
            Err(TokenError::KeySetUnavailable {
                last_error: remote.last_refresh_error().map(|error| chain(&error))
            })
        );
        assert_eq!(provider.calls(), 2);
        // After the cooldown, fetching resumes.
        clock.advance(std::time::Duration::from_secs(31));
        assert_eq!(
            remote
                .verify::<(), _, _>(&token, || provider.fetch_async())
                .await
                .unwrap()
                .subject,
            "alice"
        );
        assert_eq!(provider.calls(), 3);
    });
}

#[test]
fn an_abandoned_async_fetch_lets_a_waiting_caller_fetch_at_once() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    runtime.block_on(async {
        let clock = FixedClock::at_unix_seconds(START);
        let k1 = key("k1");
        let provider = Provider::new(&[&k1]);
        let remote = Arc::new(remote(&clock));
        let token = token(&k1, &clock);

        // The first caller's fetch hangs; a second caller waits for it.
        let hung = spawn_hung_fetch(&remote, &provider, &token);
        tokio::task::yield_now().await;
        let waiter = {
            let (remote, provider, token) =
                (Arc::clone(&remote), Arc::clone(&provider), token.clone());
            tokio::spawn(async move {
                remote
                    .verify::<(), _, _>(&token, || provider.fetch_async())
                    .await
            })
        };
        tokio::task::yield_now().await;
        assert_eq!(provider.calls(), 1);
        assert!(
            !waiter.is_finished(),
            "the second caller waits, it does not fetch"
        );

        // The first caller goes away (its client hung up): the waiter fetches, with the clock
        // not moved, because an abandoned fetch does not count against the cooldown.
        hung.abort();
        assert_eq!(waiter.await.unwrap().unwrap().subject, "alice");
        assert_eq!(provider.calls(), 2);
    });
}

#[test]
fn max_age_is_honoured() {
    let clock = FixedClock::at_unix_seconds(START);
    let k1 = key("k1");
    let provider = Provider::new(&[&k1]);
    provider.publish(JwksResponse::new(jwks(&[&k1])).with_cache_control("public, max-age=3600"));
    let remote = remote(&clock);
    let token = token(&k1, &clock);
    assert!(verify(&remote, &provider, &token).is_ok());
    assert_eq!(cache_age(&remote, &clock), 3600);
    clock.advance(secs(3599));
    assert!(verify(&remote, &provider, &token).is_ok());
    assert_eq!(provider.calls(), 1, "still fresh");
    clock.advance(secs(1));
    assert!(verify(&remote, &provider, &token).is_ok());
    assert_eq!(provider.calls(), 2, "expired: refetched before use");
}

#[test]
fn max_age_is_clamped_to_both_bounds() {
    let clock = FixedClock::at_unix_seconds(START);
    let k1 = key("k1");
    let age_for = |remote: RemoteKeySet, cache_control: &str| {
        let response = JwksResponse::new(jwks(&[&k1])).with_cache_control(cache_control);
        remote.refresh_blocking(|| Ok(response)).unwrap();
        cache_age(&remote, &clock)
    };
    // The defaults: 5 minutes ..= 1 day.
    assert_eq!(age_for(remote(&clock), "max-age=15"), 300);
    assert_eq!(age_for(remote(&clock), "max-age=31536000"), 86_400);
    // Configured bounds.
    let bounded = || {
        remote(&clock)
            .with_min_cache_age(CacheDuration::from_secs(60).unwrap())
            .with_max_cache_age(CacheDuration::from_hours(1).unwrap())
    };
    assert_eq!(age_for(bounded(), "max-age=15"), 60);
    assert_eq!(age_for(bounded(), "max-age=1800"), 1800);
    assert_eq!(age_for(bounded(), "max-age=7200"), 3600);
    // A minimum above the maximum wins.
    let crossed = remote(&clock)
        .with_min_cache_age(CacheDuration::from_hours(2).unwrap())
        .with_max_cache_age(CacheDuration::from_hours(1).unwrap());
    assert_eq!(age_for(crossed, "max-age=60"), 7200);
}

#[test]
fn cache_control_is_read_as_a_private_cache() {
    let clock = FixedClock::at_unix_seconds(START);
    let k1 = key("k1");
    let min = RemoteKeySet::DEFAULT_MIN_CACHE_AGE.as_secs();
    let default = RemoteKeySet::DEFAULT_CACHE_AGE.as_secs();
    let cases: &[(Option<&str>, u64)] = &[
        (None, default),
        (Some("max-age=0"), min),
        (Some("no-store"), min),
        (Some("no-cache"), min),
        (Some("max-age=3600, no-cache"), min),
        (Some("public, max-age=1200, must-revalidate"), 1200),
        (Some("Public,MAX-AGE = 1200"), 1200),
        (Some(r#"max-age="1200""#), 1200),
        (Some("max-age=1200, max-age=1200"), 1200),
        (Some("max-age=1200, max-age=1800"), min),
        (Some("max-age=abc"), min),
        (Some("max-age=-5"), min),
        (Some("max-age=99999999999999999999999999"), 86_400),
        (Some("garbage"), default),
        (Some(""), default),
        (Some("s-maxage=3600"), default),
        (Some("s-maxage=60, max-age=1200"), 1200),
    ];
    for &(cache_control, expected) in cases {
        let remote = remote(&clock);
        let mut response = JwksResponse::new(jwks(&[&k1]));
        if let Some(value) = cache_control {
            response = response.with_cache_control(value);
        }
        remote.refresh_blocking(|| Ok(response)).unwrap();
        assert_eq!(
            cache_age(&remote, &clock),
            i64::try_from(expected).unwrap(),
            "Cache-Control: {cache_control:?}"
        );
    }
}

#[test]
fn a_failed_refetch_serves_the_stale_set_until_the_limit_then_fails_closed() {
    let clock = FixedClock::at_unix_seconds(START);
    let k1 = key("k1");
    let provider = Provider::new(&[&k1]);
    provider.publish(JwksResponse::new(jwks(&[&k1])).with_cache_control("max-age=600"));
    let remote = remote(&clock).with_max_staleness(CacheDuration::from_hours(1).unwrap());
    let token = token(&k1, &clock);
    assert!(verify(&remote, &provider, &token).is_ok());

    provider.go_down();
    clock.advance(secs(600));
    assert_eq!(
        verify(&remote, &provider, &token).unwrap(),
        "alice",
        "stale"
    );
    assert_eq!(provider.calls(), 2, "a refetch was tried");
    assert!(matches!(
        remote.last_refresh_error(),
        Some(RefreshError::Fetch(_))
    ));
    for _ in 0..10 {
        assert!(verify(&remote, &provider, &token).is_ok());
    }
    assert_eq!(
        provider.calls(),
        2,
        "and is not retried within the cooldown"
    );

    clock.advance(secs(3600 - 1));
    assert!(
        verify(&remote, &provider, &token).is_ok(),
        "one second left"
    );
    assert_eq!(provider.calls(), 3);
    clock.advance(secs(1));
    assert_eq!(
        verify(&remote, &provider, &token),
        Err(TokenError::KeySetUnavailable {
            last_error: remote.last_refresh_error().map(|error| chain(&error))
        }),
        "beyond the staleness limit: fail closed"
    );

    provider.publish(JwksResponse::new(jwks(&[&k1])));
    clock.advance(RemoteKeySet::DEFAULT_COOLDOWN.as_duration());
    assert!(verify(&remote, &provider, &token).is_ok(), "recovered");
}

#[test]
fn a_key_dropped_from_the_document_is_refused_after_the_refresh() {
    let clock = FixedClock::at_unix_seconds(START);
    let (k1, k2) = (key("k1"), key("k2"));
    let provider = Provider::new(&[&k1, &k2]);
    let remote = remote(&clock);
    let (old, new) = (token(&k1, &clock), token(&k2, &clock));
    assert!(verify(&remote, &provider, &old).is_ok());
    assert!(verify(&remote, &provider, &new).is_ok());

    provider.publish(JwksResponse::new(jwks(&[&k2])));
    assert!(
        verify(&remote, &provider, &old).is_ok(),
        "not refetched yet"
    );
    clock.advance(RemoteKeySet::DEFAULT_CACHE_AGE.as_duration());
    assert_eq!(
        verify(&remote, &provider, &old),
        Err(TokenError::UnknownKeyId {
            key_id: "k1".into()
        })
    );
    assert_eq!(provider.calls(), 2);
    assert!(verify(&remote, &provider, &new).is_ok());
}

#[test]
fn an_oversized_document_is_refused_and_the_old_set_kept() {
    let clock = FixedClock::at_unix_seconds(START);
    let k1 = key("k1");
    let remote = remote(&clock).try_with_max_document_bytes(1024).unwrap();
    let good = jwks(&[&k1]);
    remote
        .refresh_blocking(|| Ok(JwksResponse::new(good.clone())))
        .unwrap();
    let token = token(&k1, &clock);

    // Over the byte cap: refused unparsed.
    let padded = format!("{good:<2000}");
    assert!(matches!(
        remote.refresh_blocking(|| Ok(JwksResponse::new(padded))),
        Err(RefreshError::TooLarge {
            len: 2000,
            max: 1024
        })
    ));
    assert!(remote.verifier().unwrap().verify::<()>(&token).is_ok());

    // Over the key-count cap.
    let remote = self::remote(&clock);
    remote
        .refresh_blocking(|| Ok(JwksResponse::new(good.clone())))
        .unwrap();
    let one: serde_json::Value = serde_json::from_str(&good).unwrap();
    let many: Vec<serde_json::Value> = (0..=KeySet::MAX_JWKS_KEYS)
        .map(|i| {
            let mut jwk = one["keys"][0].clone();
            jwk["kid"] = format!("k{i}").into();
            jwk
        })
        .collect();
    let crowded = serde_json::json!({ "keys": many }).to_string();
    let error = remote
        .refresh_blocking(|| Ok(JwksResponse::new(crowded)))
        .unwrap_err();
    assert!(
        matches!(
            error,
            RefreshError::Keys(TokenError::InvalidKey(KeyError::TooManyKeys { max: 100 }))
        ),
        "{error:?}"
    );
    assert!(remote.verifier().unwrap().verify::<()>(&token).is_ok());
}

#[test]
fn unusable_keys_are_skipped_and_reported_and_usable_ones_used() {
    let clock = FixedClock::at_unix_seconds(START);
    let k1 = key("k1");
    let mut document: serde_json::Value = serde_json::from_str(&jwks(&[&k1])).unwrap();
    document["keys"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"kty":"RSA","kid":"enc-1","use":"enc","alg":"RSA-OAEP","n":"AQAB","e":"AQAB"}));
    let provider = Provider::new(&[&k1]);
    provider.publish(JwksResponse::new(document.to_string()));
    let remote = remote(&clock);
    assert!(verify(&remote, &provider, &token(&k1, &clock)).is_ok());
    let verifier = remote.verifier().unwrap();
    let skipped = verifier.key_set().skipped();
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0].key_id(), Some("enc-1"));
    assert_eq!(skipped[0].reason(), &KeyError::NotForSigning("enc".into()));
}

#[test]
fn an_unusable_document_keeps_the_old_set_and_says_why() {
    let clock = FixedClock::at_unix_seconds(START);
    let k1 = key("k1");
    let provider = Provider::new(&[&k1]);
    let remote = remote(&clock);
    let token = token(&k1, &clock);
    assert!(verify(&remote, &provider, &token).is_ok());
    provider.publish(JwksResponse::new("<html>maintenance</html>"));
    clock.advance(RemoteKeySet::DEFAULT_CACHE_AGE.as_duration());
    assert!(verify(&remote, &provider, &token).is_ok(), "stale, kept");
    assert!(matches!(
        remote.last_refresh_error(),
        Some(RefreshError::Keys(TokenError::InvalidKey(
            KeyError::NotJson(_)
        )))
    ));
}

#[test]
fn the_policy_closure_decides_the_checks() {
    let clock = FixedClock::at_unix_seconds(START);
    let k1 = key("k1");
    let provider = Provider::new(&[&k1]);
    let for_tokens = clock.clone();
    let remote = RemoteKeySet::new(move |keys| {
        TokenVerifier::new(keys)
            .with_issuer("https://id.example.com")
            .with_clock(for_tokens.clone())
    })
    .with_clock(clock.clone());
    assert!(matches!(
        verify(&remote, &provider, &token(&k1, &clock)),
        Err(TokenError::MissingClaim(_))
    ));
}

#[test]
fn the_types_are_shareable() {
    fn shareable<T: Send + Sync + 'static>() {}
    shareable::<RemoteKeySet>();
    shareable::<RefreshError>();
    shareable::<JwksResponse>();
    let _ = format!("{:?}", remote(&FixedClock::at_unix_seconds(START)));
}

#[test]
fn a_panicking_fetch_releases_the_permit_and_counts_as_a_failed_attempt() {
    let clock = FixedClock::at_unix_seconds(START);
    let k1 = key("k1");
    let provider = Provider::new(&[&k1]);
    let remote = remote(&clock);
    let token = token(&k1, &clock);
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        remote.verify_blocking::<()>(&token, || panic!("a bug in the fetch"))
    }));
    assert!(panicked.is_err());
    assert!(matches!(
        remote.last_refresh_error(),
        Some(RefreshError::Fetch(_))
    ));
    // Not stuck in flight, and not retried on every request either.
    assert_eq!(
        verify(&remote, &provider, &token),
        Err(TokenError::KeySetUnavailable {
            last_error: remote.last_refresh_error().map(|error| chain(&error))
        })
    );
    assert_eq!(provider.calls(), 0);
    clock.advance(RemoteKeySet::DEFAULT_COOLDOWN.as_duration());
    assert!(verify(&remote, &provider, &token).is_ok());
}

/// An error's message and its causes', joined as `TokenError::KeySetUnavailable` joins them.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(error) = cause {
        text.push_str(": ");
        text.push_str(&error.to_string());
        cause = error.source();
    }
    text
}
