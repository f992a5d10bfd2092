//! Where the keys that verify a token come from: a verifier held in memory, or another
//! issuer's published key set fetched by the caller's own HTTP client.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use keyward::token::{Claims, FetchError, JwksResponse, OidcKeySet, RemoteKeySet, TokenVerifier};
use serde::de::DeserializeOwned;

type BoxFetch = Pin<Box<dyn Future<Output = Result<JwksResponse, FetchError>> + Send + 'static>>;
type Fetch = Arc<dyn Fn() -> BoxFetch + Send + Sync>;
type FetchUrl = Arc<dyn Fn(String) -> BoxFetch + Send + Sync>;

/// The keys and policy (issuer, audience, leeway...) one issuer's tokens are checked with.
///
/// A [`TokenVerifier`] (`From` it), one that changes at run time ([`current`](Self::current)),
/// or a [`RemoteKeySet`] with the fetch that reads the issuer's JWKS
/// ([`remote`](Self::remote)); the policy is the verifier's.
///
/// ```
/// use keyward::token::{SigningKey, TokenIssuer, TokenVerifier};
/// use keyward_tower::KeySource;
///
/// let issuer = TokenIssuer::new(SigningKey::hs256([3u8; 32])?).with_issuer("https://auth.example.com");
/// let source = KeySource::from(issuer.verifier().with_issuer("https://auth.example.com"));
/// # let _ = source;
/// # Ok::<(), keyward::token::TokenError>(())
/// ```
#[derive(Clone)]
pub struct KeySource(Kind);

#[derive(Clone)]
enum Kind {
    Local(TokenVerifier),
    Current(Arc<dyn Fn() -> TokenVerifier + Send + Sync>),
    PerToken(Arc<dyn Fn(&str) -> TokenVerifier + Send + Sync>),
    Remote {
        keys: Arc<RemoteKeySet>,
        fetch: Fetch,
    },
    Oidc {
        keys: Arc<OidcKeySet>,
        fetch: FetchUrl,
    },
}

impl KeySource {
    /// Keys held in memory: verification is a CPU-bound call of a few tens of microseconds,
    /// made in the request's task.
    ///
    /// ```
    /// # use keyward::token::{SigningKey, TokenIssuer};
    /// # use keyward_tower::KeySource;
    /// let source = KeySource::verifier(TokenIssuer::new(SigningKey::hs256([3u8; 32])?).verifier());
    /// # let _ = source;
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn verifier(verifier: TokenVerifier) -> Self {
        KeySource(Kind::Local(verifier))
    }

    /// Keys that change while the service runs (a key ring rotated on `SIGHUP`, revocation
    /// cutoffs reloaded): `current` is called for each token and returns the verifier to
    /// check it with, as [`verifier`](Self::verifier) would. Keep it cheap (a clone of an
    /// `Arc`-held verifier under a read lock).
    ///
    /// ```
    /// use std::sync::{Arc, RwLock};
    /// use keyward::token::{SigningKey, TokenIssuer, TokenVerifier};
    /// use keyward_tower::KeySource;
    ///
    /// let ring = Arc::new(RwLock::new(TokenIssuer::new(SigningKey::hs256([3u8; 32])?).verifier()));
    /// let current = Arc::clone(&ring);
    /// let source = KeySource::current(move || current.read().unwrap().clone());
    /// // On rotation: *ring.write().unwrap() = new_verifier;
    /// # let _ = source;
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn current(current: impl Fn() -> TokenVerifier + Send + Sync + 'static) -> Self {
        KeySource(Kind::Current(Arc::new(current)))
    }

    /// A verifier chosen for each token by `choose`, which sees the token before it is
    /// verified: for a service that accepts two kinds of token on one route, told apart by
    /// something each verifier enforces (the header's `typ`, say: a migration window for a
    /// replaced service's tokens beside the service's own). Whatever `choose` reads is
    /// unverified, so the choice must never relax a check: each verifier it may return must
    /// refuse the other kind's tokens. For tokens of several issuers, use [`Issuers`].
    ///
    /// [`Issuers`]: crate::Issuers
    ///
    /// ```
    /// use keyward::token::{TokenVerifier, VerifyingKey, dangerous};
    /// use keyward_tower::KeySource;
    ///
    /// let current = TokenVerifier::new(VerifyingKey::hs256([3u8; 32])?);
    /// let legacy = TokenVerifier::new(VerifyingKey::hs256([4u8; 32])?)
    ///     .with_access_token_types(["JWT"]);
    /// let source = KeySource::per_token(move |token| {
    ///     let typ = dangerous::decode_unverified::<serde::de::IgnoredAny>(token)
    ///         .ok()
    ///         .and_then(|seen| seen.header.typ);
    ///     if typ.as_deref() == Some("JWT") { legacy.clone() } else { current.clone() }
    /// });
    /// # let _ = source;
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn per_token(choose: impl Fn(&str) -> TokenVerifier + Send + Sync + 'static) -> Self {
        KeySource(Kind::PerToken(Arc::new(choose)))
    }

    /// Another issuer's published keys, kept by `keys` (its cache, cooldown and policy), and
    /// `fetch`, which reads the issuer's JWKS with the caller's async HTTP client when `keys`
    /// says a fetch is due. The fetch is awaited, never blocked on; cap what it reads with
    /// [`keyward::token::CappedBody`]. Keep a clone of `keys` to ask it
    /// [`last_refresh_error`](RemoteKeySet::last_refresh_error).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use keyward::token::{FetchError, JwksResponse, RemoteKeySet, TokenVerifier};
    /// use keyward_tower::KeySource;
    ///
    /// let keys = Arc::new(RemoteKeySet::new(|keys| {
    ///     TokenVerifier::new(keys).with_issuer("https://auth.example.com")
    /// }));
    /// let source = KeySource::remote(keys, || async {
    ///     // e.g. client.get(url).send().await, then the body through a CappedBody
    ///     Err::<JwksResponse, _>(FetchError::new("offline in this example"))
    /// });
    /// # let _ = source;
    /// ```
    pub fn remote<F, Fut>(keys: Arc<RemoteKeySet>, fetch: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<JwksResponse, FetchError>> + Send + 'static,
    {
        let fetch: Fetch = Arc::new(move || Box::pin(fetch()));
        KeySource(Kind::Remote { keys, fetch })
    }

    /// An OpenID provider's keys found by discovery: `keys` (an [`OidcKeySet`]: the
    /// discovery document's checks, its `jwks_uri`, the key set's cache and cooldown, and the
    /// discovered `iss`), and `fetch`, which GETs the URL it is given (the discovery
    /// document's, then the key set's) with the caller's async HTTP client. Cap what it reads
    /// with [`keyward::token::CappedBody`].
    ///
    /// ```
    /// use std::sync::Arc;
    /// use keyward::token::{FetchError, JwksResponse, OidcDiscovery, OidcKeySet, RemoteKeySet, TokenVerifier};
    /// use keyward_tower::KeySource;
    ///
    /// let keys = Arc::new(OidcKeySet::new(
    ///     OidcDiscovery::new("https://id.example.com/realms/shop")?,
    ///     RemoteKeySet::new(|keys| TokenVerifier::new(keys).with_audience("orders")),
    /// ));
    /// let source = KeySource::oidc(keys, |url: String| async move {
    ///     // e.g. client.get(url).send().await, then the body through a CappedBody
    ///     Err::<JwksResponse, _>(FetchError::new(format!("offline in this example: {url}")))
    /// });
    /// # let _ = source;
    /// # Ok::<(), keyward::token::DiscoveryError>(())
    /// ```
    pub fn oidc<F, Fut>(keys: Arc<OidcKeySet>, fetch: F) -> Self
    where
        F: Fn(String) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<JwksResponse, FetchError>> + Send + 'static,
    {
        let fetch: FetchUrl = Arc::new(move |url| Box::pin(fetch(url)));
        KeySource(Kind::Oidc { keys, fetch })
    }

    /// Verifies now when no fetch can be needed (keys in memory); `None` for a remote set.
    pub(crate) fn verify_now<T: DeserializeOwned>(
        &self,
        token: &str,
    ) -> Option<Result<Claims<T>, keyward::token::TokenError>> {
        match &self.0 {
            Kind::Local(verifier) => Some(verifier.verify(token)),
            Kind::Current(current) => Some(current().verify(token)),
            Kind::PerToken(choose) => Some(choose(token).verify(token)),
            Kind::Remote { .. } | Kind::Oidc { .. } => None,
        }
    }

    pub(crate) async fn verify<T: DeserializeOwned>(
        &self,
        token: &str,
    ) -> Result<Claims<T>, keyward::token::TokenError> {
        match &self.0 {
            Kind::Local(verifier) => verifier.verify(token),
            Kind::Current(current) => current().verify(token),
            Kind::PerToken(choose) => choose(token).verify(token),
            Kind::Remote { keys, fetch } => keys.verify(token, || fetch()).await,
            Kind::Oidc { keys, fetch } => keys.verify(token, |url| fetch(url)).await,
        }
    }
}

impl From<TokenVerifier> for KeySource {
    fn from(verifier: TokenVerifier) -> Self {
        KeySource::verifier(verifier)
    }
}

impl fmt::Debug for KeySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Kind::Local(verifier) => f
                .debug_tuple("KeySource::Verifier")
                .field(verifier)
                .finish(),
            Kind::Current(_) => f.write_str("KeySource::Current(..)"),
            Kind::PerToken(_) => f.write_str("KeySource::PerToken(..)"),
            Kind::Remote { keys, .. } => f.debug_tuple("KeySource::Remote").field(keys).finish(),
            Kind::Oidc { keys, .. } => f.debug_tuple("KeySource::Oidc").field(keys).finish(),
        }
    }
}
