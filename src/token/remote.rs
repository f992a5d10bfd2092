//! `RemoteKeySet`: another issuer's published keys (its JWKS), fetched by the caller, cached
//! and refreshed here.

mod body_limit;
mod cache_control;
mod deadline;
mod discovery;
mod duration;
mod fetch;
mod oidc_key_set;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, RwLock};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use serde::de::DeserializeOwned;

pub use body_limit::{BodyTooLarge, CappedBody};
pub use discovery::{DiscoveryError, OidcDiscovery, ProviderMetadata};
pub use duration::CacheDuration;
pub use fetch::{FetchError, JwksResponse, RefreshError};
pub use oidc_key_set::OidcKeySet;

use super::{Algorithm, Claims, Clock, KeySet, SystemClock, TokenError, TokenVerifier};

/// The published keys of another issuer (an identity provider, a keyward auth service), kept
/// fresh for verifying its tokens: the JWKS cache every resource server needs, without any I/O.
///
/// keyward never makes an HTTP request. Each call that may need the document takes the
/// caller's fetch, a closure returning the body and `Cache-Control` header as a
/// [`JwksResponse`]; it is called only when a fetch is due, and by one caller at a time.
/// [`verify_blocking`](Self::verify_blocking) takes a plain closure;
/// [`verify`](Self::verify) takes one returning a future, and runs on any async runtime.
///
/// # What it does
///
/// - **First use** fetches. Until a fetch has succeeded, tokens are refused with
///   [`TokenError::KeySetUnavailable`].
/// - **Caching**: a set is used for the response's `Cache-Control: max-age`, clamped to
///   [`with_min_cache_age`](Self::with_min_cache_age) ..= [`with_max_cache_age`](Self::with_max_cache_age)
///   (5 minutes ..= 1 day by default); without a `max-age`, for
///   [`DEFAULT_CACHE_AGE`](Self::DEFAULT_CACHE_AGE) (10 minutes). `no-store`, `no-cache`,
///   `max-age=0` and an invalid `max-age` mean the minimum; `s-maxage` is ignored (it is for
///   shared caches). The `Age` header is not read.
/// - **Unknown `kid`**: a token naming a key the set lacks (after a rotation) makes one
///   refetch, then is checked again. A token without a `kid` does not: a new document cannot
///   give the token an id.
/// - **Rate limit**: fetches of either kind happen at most once per
///   [`with_cooldown`](Self::with_cooldown) (30 seconds by default, as `jose`'s
///   `createRemoteJWKSet`), counted from the start of the last attempt, failed or not, so
///   invented `kid`s and a provider outage cost one request per cooldown.
/// - **Single flight**: while one caller fetches, the others that need the result wait for it
///   instead of fetching too, so a burst of tokens causes one fetch.
/// - **Bounded waiting**: a caller whose token the current set settles (fresh, or expired
///   but within the staleness limit) never waits for another caller's fetch: it is answered
///   from the set it has. A caller that needs a key the set lacks waits for the running fetch
///   at most [`with_max_fetch_wait`](Self::with_max_fetch_wait) (10 seconds by default), sync
///   or async, then is answered from whatever set is held. The one caller that runs a fetch
///   waits for its own fetch: give the fetch a timeout.
/// - **Failure**: a failed fetch or an unusable document keeps the last good set, served for
///   up to [`with_max_staleness`](Self::with_max_staleness) (1 day by default) past its expiry;
///   then tokens are refused with [`TokenError::KeySetUnavailable`] until a fetch succeeds.
/// - **Size**: documents over [`try_with_max_document_bytes`](Self::try_with_max_document_bytes)
///   (256 KiB) or with more than [`KeySet::MAX_JWKS_KEYS`] keys are refused unparsed.
///
/// The verifier's policy (issuer, audience, leeway, clock) stays the caller's: `new` takes a
/// closure that turns each fetched [`KeySet`] into a [`TokenVerifier`]. It runs once per
/// fetched document, not per token, so a cache hit costs a read lock and a reference count.
///
/// # Verifying tokens from other issuers
///
/// ```
/// use keyward::token::{CacheDuration, FetchError, JwksResponse, RemoteKeySet, SigningKey, TokenIssuer, TokenVerifier, KeyPairKind};
///
/// // The identity provider, elsewhere: it signs tokens and publishes its keys.
/// let key = SigningKey::generate(KeyPairKind::Ed25519)?.with_key_id("2026-01");
/// let provider = TokenIssuer::new(key).with_issuer("https://id.example.com").with_audience("orders");
/// let published = provider.verifier().to_jwks();
///
/// // The resource server: its policy, and how it fetches (here a stand-in for an HTTP GET).
/// let remote = RemoteKeySet::new(|keys| {
///     TokenVerifier::new(keys).with_issuer("https://id.example.com").with_audience("orders")
/// })
/// .with_cooldown(CacheDuration::from_secs(30)?);
/// let fetch = || -> Result<JwksResponse, FetchError> {
///     Ok(JwksResponse::new(published.clone()).with_cache_control("public, max-age=3600"))
/// };
///
/// let token = provider.issue("alice", &())?;
/// assert_eq!(remote.verify_blocking::<()>(&token, fetch)?.subject, "alice"); // fetched once
/// assert_eq!(remote.verify_blocking::<()>(&token, fetch)?.subject, "alice"); // cached
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// With an HTTP client, the fetch is a few lines: a GET with a timeout, an error for a
/// non-success status, the body and the `Cache-Control` header (see
/// `demo/src/bin/resource_server` for one with `reqwest`). Give the HTTP client a body size limit
/// too: keyward sees the body only once it has been read.
pub struct RemoteKeySet {
    policy: Box<dyn Fn(KeySet) -> TokenVerifier + Send + Sync>,
    settings: Settings,
    clock: Arc<dyn Clock>,
    /// The set in use. Written only by the caller holding the fetch permit; read by every call.
    current: RwLock<Option<Cached>>,
    flight: Mutex<Flight>,
    /// Signalled when a fetch lands, for blocking waiters; async waiters are in `Flight::wakers`.
    landed: Condvar,
}

#[derive(Clone, Copy, Debug)]
struct Settings {
    cooldown: CacheDuration,
    min_cache_age: CacheDuration,
    max_cache_age: CacheDuration,
    max_staleness: CacheDuration,
    max_document_bytes: usize,
    rsa_algorithm: Option<Algorithm>,
    max_fetch_wait: Duration,
}

#[derive(Clone)]
struct Cached {
    verifier: TokenVerifier,
    fetched_at: DateTime<Utc>,
    lifetime: TimeDelta,
}

/// Where a cached set stands at some instant.
enum Age {
    Fresh,
    /// Expired, but within the staleness limit: refetch, and use it if that fails.
    Stale,
    /// Beyond the staleness limit: refetch, and refuse tokens if that fails.
    Unusable,
}

/// What a verify call does after looking at the cached set.
enum Plan<T> {
    /// The fresh set settles the token.
    Done(Result<Claims<T>, TokenError>),
    /// The set is expired but still usable, and settles the token: fetch if this caller can
    /// take the permit at once, else answer with this, never waiting for another's fetch.
    RefreshOrAnswer(Result<Claims<T>, TokenError>),
    /// No usable set, or a key it lacks: fetch, or wait a bounded time for another's fetch.
    NeedKeys,
}

/// Who fetches, and who waits for whom. Only ever locked briefly, never across a fetch.
#[derive(Default)]
struct Flight {
    fetching: bool,
    /// Counts fetches that have finished, so a waiter can tell that the one it waited for has.
    landed: u64,
    /// Whether the last fetch to finish was abandoned (its future dropped) rather than done.
    last_abandoned: bool,
    /// Whether an abandoned fetch has already been given back its place in the cooldown since
    /// the last fetch that finished: only one is, so that callers who start fetches and hang up
    /// cannot turn the cooldown into no limit at all.
    refunded: bool,
    last_attempt: Option<DateTime<Utc>>,
    last_error: Option<RefreshError>,
    wakers: Vec<(u64, Waker)>,
    next_waiter: u64,
}

enum Turn<'a> {
    /// This caller fetches; the permit lets the others go when dropped.
    Fetch(Permit<'a>),
    /// Another caller is fetching; wait until the count of landed fetches passes this.
    Wait(u64),
    /// The cooldown holds fetches back: use what is cached.
    Skip,
}

impl RemoteKeySet {
    /// The default [`with_cooldown`](Self::with_cooldown): 30 seconds, `jose`'s. Short enough
    /// that a new key is picked up promptly after a rotation, long enough that tokens with
    /// invented `kid`s cannot turn into a flood of requests to the provider.
    pub const DEFAULT_COOLDOWN: CacheDuration = CacheDuration::const_secs(30);
    /// How long a document without `max-age` is used: 10 minutes, `jose`'s and `jwks-rsa`'s
    /// cache age (before clamping to the minimum and maximum cache ages).
    pub const DEFAULT_CACHE_AGE: CacheDuration = CacheDuration::const_secs(10 * 60);
    /// The default [`with_min_cache_age`](Self::with_min_cache_age): 5 minutes. Providers
    /// advertise as little as 15 seconds (Auth0); an unknown `kid` refetches anyway, so a
    /// shorter age would only buy a faster goodbye to removed keys at many more requests.
    pub const DEFAULT_MIN_CACHE_AGE: CacheDuration = CacheDuration::const_secs(5 * 60);
    /// The default [`with_max_cache_age`](Self::with_max_cache_age): 1 day. Google advertises
    /// about 6 hours; a longer age would keep trusting a key the provider has withdrawn.
    pub const DEFAULT_MAX_CACHE_AGE: CacheDuration = CacheDuration::const_secs(86_400);
    /// The default [`with_max_staleness`](Self::with_max_staleness): 1 day past expiry, the
    /// `stale-if-error` Auth0 sends. Long enough to ride out an outage of the provider, short
    /// enough that a service cut off from it stops trusting old keys the next day.
    pub const DEFAULT_MAX_STALENESS: CacheDuration = CacheDuration::const_secs(86_400);
    /// The default [`try_with_max_document_bytes`](Self::try_with_max_document_bytes): 256 KiB.
    /// Provider documents are a few KiB; 100 RSA keys with certificate chains still fit.
    pub const DEFAULT_MAX_DOCUMENT_BYTES: usize = 256 * 1024;
    /// The default [`with_max_fetch_wait`](Self::with_max_fetch_wait): 10 seconds, after
    /// which a caller waiting for another caller's fetch goes on with the cached set. Give the
    /// fetch itself a shorter timeout.
    pub const DEFAULT_MAX_FETCH_WAIT: Duration = Duration::from_secs(10);

    /// An empty cache whose fetched key sets become verifiers through `policy`, with the
    /// default settings and the system clock. Nothing is fetched until first use.
    ///
    /// ```
    /// use keyward::token::{RemoteKeySet, TokenVerifier};
    ///
    /// let remote = RemoteKeySet::new(|keys| TokenVerifier::new(keys).with_audience("orders"));
    /// assert!(remote.verifier().is_none());
    /// ```
    pub fn new(policy: impl Fn(KeySet) -> TokenVerifier + Send + Sync + 'static) -> Self {
        RemoteKeySet {
            policy: Box::new(policy),
            settings: Settings {
                cooldown: Self::DEFAULT_COOLDOWN,
                min_cache_age: Self::DEFAULT_MIN_CACHE_AGE,
                max_cache_age: Self::DEFAULT_MAX_CACHE_AGE,
                max_staleness: Self::DEFAULT_MAX_STALENESS,
                max_document_bytes: Self::DEFAULT_MAX_DOCUMENT_BYTES,
                rsa_algorithm: None,
                max_fetch_wait: Self::DEFAULT_MAX_FETCH_WAIT,
            },
            clock: Arc::new(SystemClock),
            current: RwLock::new(None),
            flight: Mutex::new(Flight::default()),
            landed: Condvar::new(),
        }
    }

    /// Returns this cache fetching at most once per `cooldown`.
    ///
    /// ```
    /// # use keyward::token::{CacheDuration, RemoteKeySet, TokenVerifier};
    /// let remote = RemoteKeySet::new(TokenVerifier::new).with_cooldown(CacheDuration::from_mins(1)?);
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    #[must_use]
    pub fn with_cooldown(mut self, cooldown: CacheDuration) -> Self {
        self.settings.cooldown = cooldown;
        self
    }

    /// Returns this cache keeping a document for at least `age`, whatever its `max-age` says.
    /// A minimum above the maximum cache age raises the maximum to it.
    ///
    /// ```
    /// # use keyward::token::{CacheDuration, RemoteKeySet, TokenVerifier};
    /// let remote = RemoteKeySet::new(TokenVerifier::new).with_min_cache_age(CacheDuration::from_mins(1)?);
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    #[must_use]
    pub fn with_min_cache_age(mut self, age: CacheDuration) -> Self {
        self.settings.min_cache_age = age;
        self
    }

    /// Returns this cache keeping a document for at most `age` before refetching, whatever its
    /// `max-age` says.
    ///
    /// ```
    /// # use keyward::token::{CacheDuration, RemoteKeySet, TokenVerifier};
    /// let remote = RemoteKeySet::new(TokenVerifier::new).with_max_cache_age(CacheDuration::from_hours(6)?);
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    #[must_use]
    pub fn with_max_cache_age(mut self, age: CacheDuration) -> Self {
        self.settings.max_cache_age = age;
        self
    }

    /// Returns this cache serving an expired set for at most `staleness` past its expiry while
    /// fetches fail; after that, tokens are refused with [`TokenError::KeySetUnavailable`].
    ///
    /// ```
    /// # use keyward::token::{CacheDuration, RemoteKeySet, TokenVerifier};
    /// let remote = RemoteKeySet::new(TokenVerifier::new).with_max_staleness(CacheDuration::from_hours(1)?);
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    #[must_use]
    pub fn with_max_staleness(mut self, staleness: CacheDuration) -> Self {
        self.settings.max_staleness = staleness;
        self
    }

    /// Returns this cache refusing documents longer than `max` bytes, unparsed
    /// ([`RefreshError::TooLarge`]).
    ///
    /// # Errors
    ///
    /// [`TokenError::ZeroLimit`] for 0, which would refuse every document.
    ///
    /// ```
    /// # use keyward::token::{RemoteKeySet, TokenError, TokenVerifier};
    /// let remote = RemoteKeySet::new(TokenVerifier::new).try_with_max_document_bytes(64 * 1024)?;
    /// assert!(RemoteKeySet::new(TokenVerifier::new).try_with_max_document_bytes(0).is_err());
    /// # Ok::<(), TokenError>(())
    /// ```
    pub fn try_with_max_document_bytes(mut self, max: usize) -> Result<Self, TokenError> {
        if max == 0 {
            return Err(TokenError::ZeroLimit {
                setting: "max_document_bytes",
            });
        }
        self.settings.max_document_bytes = max;
        Ok(self)
    }

    /// Returns this cache reading RSA keys without `alg` as keys for `algorithm`, RS256 or
    /// PS256, as [`KeySet::from_jwks_assuming`] does (Microsoft Entra ID publishes such keys).
    /// Any other algorithm makes every document fail with [`KeyError::AlgorithmMismatch`]
    /// (in [`RefreshError::Keys`]).
    ///
    /// [`KeyError::AlgorithmMismatch`]: crate::token::KeyError::AlgorithmMismatch
    ///
    /// ```
    /// # use keyward::token::{Algorithm, RemoteKeySet, TokenVerifier};
    /// let entra = RemoteKeySet::new(TokenVerifier::new).with_rsa_algorithm(Algorithm::RS256);
    /// ```
    #[must_use]
    pub fn with_rsa_algorithm(mut self, algorithm: Algorithm) -> Self {
        self.settings.rsa_algorithm = Some(algorithm);
        self
    }

    /// Returns this cache making a caller that needs a key the current set lacks (an unknown
    /// `kid`, the first fetch, a set past its staleness limit) wait at most `wait` for another
    /// caller's fetch, sync or async; then it is answered from the set held at that moment
    /// ([`TokenError::UnknownKeyId`], or [`TokenError::KeySetUnavailable`] without a usable
    /// set), and [`refresh`](Self::refresh) gives [`RefreshError::WaitTimedOut`]. Zero means
    /// never wait. Callers whose token the current set settles never wait at all.
    ///
    /// ```
    /// # use keyward::token::{RemoteKeySet, TokenVerifier};
    /// # use std::time::Duration;
    /// let remote = RemoteKeySet::new(TokenVerifier::new).with_max_fetch_wait(Duration::from_secs(2));
    /// ```
    #[must_use]
    pub fn with_max_fetch_wait(mut self, wait: Duration) -> Self {
        self.settings.max_fetch_wait = wait;
        self
    }

    /// Returns this cache reading the time (cache ages, cooldown, staleness) from `clock`. The
    /// verifiers `policy` builds keep their own clock: give them the same one there.
    ///
    /// ```
    /// # use keyward::token::{FixedClock, RemoteKeySet, TokenVerifier};
    /// let clock = FixedClock::at_unix_seconds(1_700_000_000);
    /// let for_tokens = clock.clone();
    /// let remote = RemoteKeySet::new(move |keys| TokenVerifier::new(keys).with_clock(for_tokens.clone()))
    ///     .with_clock(clock);
    /// ```
    #[must_use]
    pub fn with_clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The verifier of the current key set, if a fetch has succeeded (whether or not the set
    /// has since expired): for its [`key_set`](TokenVerifier::key_set), whose
    /// [`skipped`](KeySet::skipped) keys say what the document held that keyward could not
    /// use.
    ///
    /// ```
    /// # use keyward::token::{RemoteKeySet, TokenVerifier};
    /// assert!(RemoteKeySet::new(TokenVerifier::new).verifier().is_none());
    /// ```
    pub fn verifier(&self) -> Option<TokenVerifier> {
        self.snapshot().map(|cached| cached.verifier)
    }

    /// When the current key set expires and the next use refetches, if a fetch has succeeded.
    ///
    /// ```
    /// # use keyward::token::{RemoteKeySet, TokenVerifier};
    /// assert!(RemoteKeySet::new(TokenVerifier::new).expires_at().is_none());
    /// ```
    pub fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.snapshot()
            .map(|cached| add(cached.fetched_at, cached.lifetime))
    }

    /// Why the last fetch failed, if it did: for logs and health checks, since a verify that
    /// had to fetch reports only [`TokenError::KeySetUnavailable`] or the token's own fault.
    ///
    /// ```
    /// use keyward::token::{FetchError, RemoteKeySet, TokenError, TokenVerifier};
    ///
    /// let remote = RemoteKeySet::new(TokenVerifier::new);
    /// let outcome = remote.verify_blocking::<()>("a.b.c", || Err(FetchError::new("connection refused")));
    /// let error = outcome.unwrap_err();
    /// assert!(matches!(error, TokenError::KeySetUnavailable { .. }));
    /// assert_eq!(error.to_string(), "the issuer's key set is unavailable: fetching the key set failed: connection refused");
    /// assert!(remote.last_refresh_error().is_some());
    /// ```
    pub fn last_refresh_error(&self) -> Option<RefreshError> {
        self.lock_flight().last_error.clone()
    }

    /// Verifies an access token with the current key set, calling `fetch` first when the set
    /// is missing or expired, or when the token names a key id the set lacks (then checking
    /// it again), within the cooldown. If another thread is fetching already, a caller whose
    /// token the held set settles is answered from it at once; one that needs a new key waits
    /// for that fetch, at most [`with_max_fetch_wait`](Self::with_max_fetch_wait).
    ///
    /// It blocks the thread while fetching or waiting: from async code, use
    /// [`verify`](Self::verify).
    ///
    /// # Errors
    ///
    /// The verifier's [`TokenError`]s, and [`TokenError::KeySetUnavailable`] when there is no
    /// set it may use.
    ///
    /// ```
    /// use keyward::token::{FetchError, JwksResponse, RemoteKeySet, TokenError, TokenIssuer, TokenVerifier};
    ///
    /// let provider = TokenIssuer::from_pem(std::fs::read("tests/keys/ed25519-private.pem")?)?.with_key_id("k1");
    /// let jwks = provider.verifier().to_jwks();
    /// let remote = RemoteKeySet::new(TokenVerifier::new);
    /// let fetch = || -> Result<JwksResponse, FetchError> { Ok(JwksResponse::new(jwks.clone())) };
    /// let claims = remote.verify_blocking::<()>(&provider.issue("alice", &())?, fetch)?;
    /// assert_eq!(claims.subject, "alice");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn verify_blocking<T: DeserializeOwned>(
        &self,
        token: &str,
        fetch: impl FnOnce() -> Result<JwksResponse, FetchError>,
    ) -> Result<Claims<T>, TokenError> {
        match self.plan(token) {
            Plan::Done(result) => result,
            Plan::RefreshOrAnswer(result) => match self.turn(true) {
                Turn::Fetch(permit) => {
                    let _ = self.fetch_blocking(permit, fetch);
                    self.settled(token)
                }
                Turn::Wait(_) | Turn::Skip => result,
            },
            Plan::NeedKeys => {
                // The outcome is recorded for `last_refresh_error`; what matters here is the
                // set now held.
                let _ = self.refresh_blocking_inner(fetch, true);
                self.settled(token)
            }
        }
    }

    /// As [`verify_blocking`](Self::verify_blocking), with an async fetch: `fetch` returns a
    /// future, and waiting for another caller's fetch needs no particular runtime.
    ///
    /// Dropping the returned future is safe at any point: if it was fetching, the fetch is
    /// abandoned and the next caller fetches instead. The first abandoned fetch since the last
    /// one that finished does not count against the cooldown; later ones do, so that clients
    /// that send an unknown `kid` and hang up cannot make keyward fetch without limit.
    ///
    /// # Errors
    ///
    /// As [`verify_blocking`](Self::verify_blocking).
    ///
    /// ```
    /// use keyward::token::{FetchError, JwksResponse, RemoteKeySet, TokenIssuer, TokenVerifier};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let provider = TokenIssuer::from_pem(std::fs::read("tests/keys/ed25519-private.pem")?)?.with_key_id("k1");
    /// let jwks = provider.verifier().to_jwks();
    /// let token = provider.issue("alice", &())?;
    /// let remote = RemoteKeySet::new(TokenVerifier::new);
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// let claims = remote
    ///     .verify::<(), _, _>(&token, || async {
    ///         // e.g. client.get(url).send().await, .error_for_status(), .text().await
    ///         Ok::<_, FetchError>(JwksResponse::new(jwks.clone()))
    ///     })
    ///     .await?;
    /// assert_eq!(claims.subject, "alice");
    /// # Ok(())
    /// # })
    /// # }
    /// ```
    pub async fn verify<T, F, Fut>(&self, token: &str, fetch: F) -> Result<Claims<T>, TokenError>
    where
        T: DeserializeOwned,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<JwksResponse, FetchError>>,
    {
        match self.plan(token) {
            Plan::Done(result) => result,
            Plan::RefreshOrAnswer(result) => match self.turn(true) {
                Turn::Fetch(permit) => {
                    let _ = self.fetch_async(permit, fetch).await;
                    self.settled(token)
                }
                Turn::Wait(_) | Turn::Skip => result,
            },
            Plan::NeedKeys => {
                let _ = self.refresh_inner(fetch, true).await;
                self.settled(token)
            }
        }
    }

    /// Fetches now, whatever the cache holds and ignoring the cooldown (if another caller is
    /// fetching, waits for that fetch instead): to fail at start-up with the reason, or to
    /// pick up a rotation announced out of band.
    ///
    /// # Errors
    ///
    /// [`RefreshError`]; the set held before, if any, is kept.
    ///
    /// ```
    /// use keyward::token::{FetchError, JwksResponse, RefreshError, RemoteKeySet, TokenVerifier};
    ///
    /// let remote = RemoteKeySet::new(TokenVerifier::new);
    /// let down = remote.refresh_blocking(|| Err(FetchError::new("connection refused")));
    /// assert!(matches!(down, Err(RefreshError::Fetch(_))));
    /// ```
    pub fn refresh_blocking(
        &self,
        fetch: impl FnOnce() -> Result<JwksResponse, FetchError>,
    ) -> Result<(), RefreshError> {
        self.refresh_blocking_inner(fetch, false)
    }

    /// As [`refresh_blocking`](Self::refresh_blocking), with an async fetch.
    ///
    /// # Errors
    ///
    /// As [`refresh_blocking`](Self::refresh_blocking).
    ///
    /// ```
    /// use keyward::token::{FetchError, JwksResponse, RemoteKeySet, TokenVerifier};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let remote = RemoteKeySet::new(TokenVerifier::new);
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// let outcome = remote.refresh(|| async { Err::<JwksResponse, _>(FetchError::new("timed out")) }).await;
    /// assert!(outcome.is_err());
    /// # Ok(())
    /// # })
    /// # }
    /// ```
    pub async fn refresh<F, Fut>(&self, fetch: F) -> Result<(), RefreshError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<JwksResponse, FetchError>>,
    {
        self.refresh_inner(fetch, false).await
    }

    /// What a verify call does, given the cached set.
    fn plan<T: DeserializeOwned>(&self, token: &str) -> Plan<T> {
        let Some(cached) = self.snapshot() else {
            return Plan::NeedKeys;
        };
        match cached.age(self.clock.now(), self.settings.max_staleness) {
            Age::Fresh => match cached.verifier.verify::<T>(token) {
                Err(TokenError::UnknownKeyId { .. }) => Plan::NeedKeys,
                result => Plan::Done(result),
            },
            Age::Stale => match cached.verifier.verify::<T>(token) {
                Err(TokenError::UnknownKeyId { .. }) => Plan::NeedKeys,
                result => Plan::RefreshOrAnswer(result),
            },
            Age::Unusable => Plan::NeedKeys,
        }
    }

    /// `KeySetUnavailable`, saying why the last fetch failed.
    fn unavailable(&self) -> TokenError {
        TokenError::KeySetUnavailable {
            last_error: self.last_refresh_error().map(|error| {
                let mut text = error.to_string();
                let mut cause = std::error::Error::source(&error);
                while let Some(error) = cause {
                    text.push_str(": ");
                    text.push_str(&error.to_string());
                    cause = error.source();
                }
                text
            }),
        }
    }

    /// The answer from the set held now, after any fetch: no further fetch.
    fn settled<T: DeserializeOwned>(&self, token: &str) -> Result<Claims<T>, TokenError> {
        let Some(cached) = self.snapshot() else {
            return Err(self.unavailable());
        };
        match cached.age(self.clock.now(), self.settings.max_staleness) {
            Age::Fresh | Age::Stale => cached.verifier.verify::<T>(token),
            Age::Unusable => Err(self.unavailable()),
        }
    }

    /// Runs the fetch this caller holds the permit for, and lands it.
    fn fetch_blocking(
        &self,
        permit: Permit<'_>,
        fetch: impl FnOnce() -> Result<JwksResponse, FetchError>,
    ) -> Result<(), RefreshError> {
        let outcome = fetch()
            .map_err(RefreshError::Fetch)
            .and_then(|response| self.install(&response));
        permit.land(outcome.clone());
        outcome
    }

    /// As [`fetch_blocking`](Self::fetch_blocking), with an async fetch. If this future is
    /// dropped during the fetch, `permit`'s drop lets the others go.
    async fn fetch_async<F, Fut>(&self, permit: Permit<'_>, fetch: F) -> Result<(), RefreshError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<JwksResponse, FetchError>>,
    {
        let outcome = match fetch().await {
            Ok(response) => self.install(&response),
            Err(error) => Err(RefreshError::Fetch(error)),
        };
        permit.land(outcome.clone());
        outcome
    }

    /// The latest instant a caller starting now waits for another caller's fetch until.
    fn wait_deadline(&self) -> Instant {
        let now = Instant::now();
        now.checked_add(self.settings.max_fetch_wait).unwrap_or(now)
    }

    fn refresh_blocking_inner(
        &self,
        fetch: impl FnOnce() -> Result<JwksResponse, FetchError>,
        respect_cooldown: bool,
    ) -> Result<(), RefreshError> {
        let deadline = self.wait_deadline();
        let permit = loop {
            match self.turn(respect_cooldown) {
                Turn::Fetch(permit) => break permit,
                Turn::Wait(seen) => {
                    if !self.wait_blocking(seen, deadline) {
                        return Err(RefreshError::WaitTimedOut);
                    }
                    if let Some(outcome) = self.landed_outcome() {
                        return outcome;
                    }
                }
                // Nothing was fetched, and nothing went wrong: the cached set stands.
                Turn::Skip => return Ok(()),
            }
        };
        self.fetch_blocking(permit, fetch)
    }

    async fn refresh_inner<F, Fut>(
        &self,
        fetch: F,
        respect_cooldown: bool,
    ) -> Result<(), RefreshError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<JwksResponse, FetchError>>,
    {
        let deadline = self.wait_deadline();
        let permit = loop {
            match self.turn(respect_cooldown) {
                Turn::Fetch(permit) => break permit,
                Turn::Wait(seen) => {
                    let landed = Landing {
                        remote: self,
                        seen,
                        waiter: None,
                        deadline,
                        timer: None,
                    }
                    .await;
                    if !landed {
                        return Err(RefreshError::WaitTimedOut);
                    }
                    if let Some(outcome) = self.landed_outcome() {
                        return outcome;
                    }
                }
                Turn::Skip => return Ok(()),
            }
        };
        self.fetch_async(permit, fetch).await
    }

    /// Takes the fetch permit, or says why not.
    fn turn(&self, respect_cooldown: bool) -> Turn<'_> {
        let mut flight = self.lock_flight();
        if flight.fetching {
            return Turn::Wait(flight.landed);
        }
        let now = self.clock.now();
        if respect_cooldown && let Some(last) = flight.last_attempt {
            let since = now.signed_duration_since(last);
            // A clock that went backwards (since < 0) does not hold fetches back until it
            // catches up again.
            if since >= TimeDelta::zero() && since < delta(self.settings.cooldown.as_secs()) {
                return Turn::Skip;
            }
        }
        let previous_attempt = flight.last_attempt.replace(now);
        flight.fetching = true;
        Turn::Fetch(Permit {
            remote: self,
            previous_attempt,
            landed: false,
        })
    }

    /// After waiting: the outcome of the fetch that landed, or `None` if it was abandoned and
    /// the waiter should try to fetch itself.
    fn landed_outcome(&self) -> Option<Result<(), RefreshError>> {
        let flight = self.lock_flight();
        (!flight.last_abandoned).then(|| flight.last_error.clone().map_or(Ok(()), Err))
    }

    /// Waits until the count of landed fetches passes `seen`; `false` if `deadline` came first.
    fn wait_blocking(&self, seen: u64, deadline: Instant) -> bool {
        let mut flight = self.lock_flight();
        while flight.landed == seen {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            flight = self
                .landed
                .wait_timeout(flight, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        true
    }

    /// Parses a fetched document and, if it is usable, makes it the current set.
    fn install(&self, response: &JwksResponse) -> Result<(), RefreshError> {
        let body = response.body();
        let max = self.settings.max_document_bytes;
        if body.len() > max {
            return Err(RefreshError::TooLarge {
                len: body.len(),
                max,
            });
        }
        let keys = match self.settings.rsa_algorithm {
            Some(algorithm) => KeySet::from_jwks_assuming(body, algorithm),
            None => KeySet::from_jwks(body),
        }
        .map_err(RefreshError::Keys)?;
        let cached = Cached {
            verifier: (self.policy)(keys),
            fetched_at: self.clock.now(),
            lifetime: delta(self.lifetime_secs(response.cache_control())),
        };
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Some(cached);
        Ok(())
    }

    /// How long a document with this `Cache-Control` value is used, in seconds.
    fn lifetime_secs(&self, cache_control: Option<&str>) -> u64 {
        let min = self.settings.min_cache_age.as_secs();
        let max = self.settings.max_cache_age.as_secs().max(min);
        cache_control
            .and_then(cache_control::max_age_secs)
            .unwrap_or(Self::DEFAULT_CACHE_AGE.as_secs())
            .clamp(min, max)
    }

    fn snapshot(&self) -> Option<Cached> {
        // Held only to clone a reference-counted verifier; verification runs unlocked.
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn lock_flight(&self) -> MutexGuard<'_, Flight> {
        // No code that can panic runs under this lock, so a poisoned one is still consistent.
        self.flight.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Cached {
    fn age(&self, now: DateTime<Utc>, max_staleness: CacheDuration) -> Age {
        let age = now.signed_duration_since(self.fetched_at);
        if age < TimeDelta::zero() {
            // The clock went backwards: refetch, but keep serving what was good a moment ago.
            Age::Stale
        } else if age < self.lifetime {
            Age::Fresh
        } else if age < self.lifetime + delta(max_staleness.as_secs()) {
            Age::Stale
        } else {
            Age::Unusable
        }
    }
}

/// The right to fetch. Landing it (or dropping it, if the fetch was abandoned) wakes every
/// caller waiting for the fetch.
struct Permit<'a> {
    remote: &'a RemoteKeySet,
    previous_attempt: Option<DateTime<Utc>>,
    landed: bool,
}

impl Permit<'_> {
    fn land(mut self, outcome: Result<(), RefreshError>) {
        self.landed = true;
        self.remote.land(Some(outcome), self.previous_attempt);
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if self.landed {
            return;
        }
        if std::thread::panicking() {
            // The caller's fetch or policy panicked: a failure like any other, cooldown and all,
            // so a fetch that always panics is not retried on every request.
            let error = RefreshError::Fetch(FetchError::new("the fetch panicked"));
            self.remote.land(Some(Err(error)), self.previous_attempt);
        } else {
            self.remote.land(None, self.previous_attempt);
        }
    }
}

impl RemoteKeySet {
    /// Ends a fetch: `None` when it was abandoned. The first abandoned fetch since the last one
    /// that finished gives back its place in the cooldown (it learned nothing), so that a waiter
    /// can fetch at once; later ones do not, so that clients starting fetches and hanging up
    /// cause at most one extra fetch per cooldown.
    fn land(
        &self,
        outcome: Option<Result<(), RefreshError>>,
        previous_attempt: Option<DateTime<Utc>>,
    ) {
        let wakers = {
            let mut flight = self.lock_flight();
            flight.fetching = false;
            flight.landed = flight.landed.wrapping_add(1);
            if let Some(outcome) = outcome {
                flight.last_abandoned = false;
                flight.refunded = false;
                flight.last_error = outcome.err();
            } else {
                flight.last_abandoned = true;
                if !flight.refunded {
                    flight.refunded = true;
                    flight.last_attempt = previous_attempt;
                }
            }
            std::mem::take(&mut flight.wakers)
        };
        self.landed.notify_all();
        for (_, waker) in wakers {
            waker.wake();
        }
    }
}

/// An async caller waiting for another's fetch to land, until a deadline: its waker sits in
/// `Flight::wakers` until then, and is removed if the wait is dropped first; the shared timer
/// wakes it at the deadline. `true` when the fetch landed, `false` when the deadline came.
struct Landing<'a> {
    remote: &'a RemoteKeySet,
    seen: u64,
    waiter: Option<u64>,
    deadline: Instant,
    /// The waker handed to the timer, to hand it again if the task's waker changes.
    timer: Option<Waker>,
}

impl Future for Landing<'_> {
    type Output = bool;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<bool> {
        let this = self.get_mut();
        let mut flight = this.remote.lock_flight();
        if flight.landed != this.seen {
            // `land` took every waker with it.
            this.waiter = None;
            return Poll::Ready(true);
        }
        if Instant::now() >= this.deadline {
            return Poll::Ready(false);
        }
        if !this
            .timer
            .as_ref()
            .is_some_and(|held| held.will_wake(cx.waker()))
        {
            if !deadline::wake_at(this.deadline, cx.waker().clone()) {
                // No timer thread: never wait without a bound.
                return Poll::Ready(false);
            }
            this.timer = Some(cx.waker().clone());
        }
        let slot = this
            .waiter
            .and_then(|id| flight.wakers.iter_mut().find(|(held, _)| *held == id));
        if let Some((_, waker)) = slot {
            waker.clone_from(cx.waker());
        } else {
            let id = flight.next_waiter;
            flight.next_waiter = flight.next_waiter.wrapping_add(1);
            flight.wakers.push((id, cx.waker().clone()));
            this.waiter = Some(id);
        }
        Poll::Pending
    }
}

impl Drop for Landing<'_> {
    fn drop(&mut self) {
        if let Some(id) = self.waiter {
            self.remote
                .lock_flight()
                .wakers
                .retain(|(held, _)| *held != id);
        }
    }
}

impl fmt::Debug for RemoteKeySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let settings = &self.settings;
        f.debug_struct("RemoteKeySet")
            .field("cooldown", &settings.cooldown)
            .field("min_cache_age", &settings.min_cache_age)
            .field("max_cache_age", &settings.max_cache_age)
            .field("max_staleness", &settings.max_staleness)
            .field("max_document_bytes", &settings.max_document_bytes)
            .field("rsa_algorithm", &settings.rsa_algorithm)
            .field("max_fetch_wait", &settings.max_fetch_wait)
            .field("clock", &self.clock)
            .field("expires_at", &self.expires_at())
            .finish_non_exhaustive()
    }
}

/// Whole seconds as a `TimeDelta`; every setting is at most 30 days, far inside its range.
fn delta(seconds: u64) -> TimeDelta {
    i64::try_from(seconds)
        .ok()
        .and_then(TimeDelta::try_seconds)
        .unwrap_or(TimeDelta::MAX)
}

/// `instant + delta`, saturating at chrono's range instead of overflowing.
fn add(instant: DateTime<Utc>, delta: TimeDelta) -> DateTime<Utc> {
    instant
        .checked_add_signed(delta)
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}
