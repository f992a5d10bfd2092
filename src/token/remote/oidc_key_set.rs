//! `OidcKeySet`: a `RemoteKeySet` whose key set URL comes from OIDC discovery.

use std::future::Future;
use std::sync::{PoisonError, RwLock};

use serde::de::DeserializeOwned;

use super::discovery::{OidcDiscovery, ProviderMetadata};
use super::{FetchError, JwksResponse, RefreshError, RemoteKeySet};
use crate::token::{Claim, Claims, TokenError};

/// A provider's keys found by discovery: a [`RemoteKeySet`] whose fetch first reads the
/// provider's discovery document (through [`OidcDiscovery`]'s checks) for its `jwks_uri`,
/// then fetches that.
///
/// Discovery runs inside the key set's fetch, so it shares the key set's cooldown and single
/// flight: the document is fetched on first use, and again only when a fetch of the key set
/// is due and the previous one failed (the provider may have moved its keys). However many
/// tokens arrive, the provider sees at most two requests per cooldown.
///
/// Tokens must also carry the discovered issuer in `iss` (checked after the key set's own
/// policy), whatever that policy says.
///
/// The caller's fetch takes the URL to GET: the discovery document's, then the key set's.
///
/// ```
/// use keyward::token::{FetchError, JwksResponse, OidcDiscovery, OidcKeySet, RemoteKeySet};
/// use keyward::token::{KeyPairKind, SigningKey, TokenIssuer, TokenVerifier};
///
/// let issuer_url = "https://id.example.com/realms/shop";
/// let provider = TokenIssuer::new(SigningKey::generate(KeyPairKind::Ed25519)?.with_key_id("k1"))
///     .with_issuer(issuer_url)
///     .with_audience("orders");
/// let jwks = provider.verifier().to_jwks();
/// let document = format!(
///     r#"{{"issuer":"{issuer_url}","jwks_uri":"{issuer_url}/protocol/openid-connect/certs"}}"#
/// );
///
/// let keys = OidcKeySet::new(
///     OidcDiscovery::new(issuer_url)?,
///     RemoteKeySet::new(|keys| TokenVerifier::new(keys).with_audience("orders")),
/// );
/// // A stand-in for an HTTP GET with a timeout and a body size limit.
/// let fetch = |url: &str| -> Result<JwksResponse, FetchError> {
///     match url {
///         "https://id.example.com/realms/shop/.well-known/openid-configuration" => Ok(JwksResponse::new(document.clone())),
///         "https://id.example.com/realms/shop/protocol/openid-connect/certs" => Ok(JwksResponse::new(jwks.clone())),
///         other => Err(FetchError::new(format!("unexpected {other}"))),
///     }
/// };
/// let claims = keys.verify_blocking::<()>(&provider.issue("alice", &())?, fetch)?;
/// assert_eq!(claims.subject, "alice");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct OidcKeySet {
    discovery: OidcDiscovery,
    remote: RemoteKeySet,
    metadata: RwLock<Option<ProviderMetadata>>,
}

impl OidcKeySet {
    /// Keys for the issuer `discovery` was made for, kept by `remote` (whose settings and
    /// verifier policy are used as they are).
    ///
    /// ```
    /// # use keyward::token::{OidcDiscovery, OidcKeySet, RemoteKeySet, TokenVerifier};
    /// let keys = OidcKeySet::new(
    ///     OidcDiscovery::new("https://accounts.google.com")?,
    ///     RemoteKeySet::new(|keys| TokenVerifier::new(keys).with_audience("my-client-id")),
    /// );
    /// assert!(keys.metadata().is_none()); // nothing fetched yet
    /// # Ok::<(), keyward::token::DiscoveryError>(())
    /// ```
    pub fn new(discovery: OidcDiscovery, remote: RemoteKeySet) -> Self {
        OidcKeySet {
            discovery,
            remote,
            metadata: RwLock::new(None),
        }
    }

    /// The key set cache, for its [`verifier`](RemoteKeySet::verifier),
    /// [`expires_at`](RemoteKeySet::expires_at) and
    /// [`last_refresh_error`](RemoteKeySet::last_refresh_error) (a failed discovery is a
    /// [`RefreshError::Fetch`] whose source is the [`DiscoveryError`](super::DiscoveryError)).
    ///
    /// ```
    /// # use keyward::token::{OidcDiscovery, OidcKeySet, RemoteKeySet, TokenVerifier};
    /// let keys = OidcKeySet::new(OidcDiscovery::new("https://id.example.com")?, RemoteKeySet::new(TokenVerifier::new));
    /// assert!(keys.remote().last_refresh_error().is_none());
    /// # Ok::<(), keyward::token::DiscoveryError>(())
    /// ```
    pub fn remote(&self) -> &RemoteKeySet {
        &self.remote
    }

    /// What the last discovery found, if one succeeded.
    ///
    /// ```
    /// # use keyward::token::{OidcDiscovery, OidcKeySet, RemoteKeySet, TokenVerifier};
    /// let keys = OidcKeySet::new(OidcDiscovery::new("https://id.example.com")?, RemoteKeySet::new(TokenVerifier::new));
    /// assert_eq!(keys.metadata(), None);
    /// # Ok::<(), keyward::token::DiscoveryError>(())
    /// ```
    pub fn metadata(&self) -> Option<ProviderMetadata> {
        self.metadata
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Verifies an access token as [`RemoteKeySet::verify_blocking`] does, discovering the key
    /// set's URL through `fetch` when needed, then requires `iss` to be the discovered issuer.
    ///
    /// # Errors
    ///
    /// As [`RemoteKeySet::verify_blocking`]; [`TokenError::MissingClaim`] or
    /// [`TokenError::InvalidIssuer`] for a token without the discovered issuer.
    ///
    /// ```
    /// # use keyward::token::{FetchError, OidcDiscovery, OidcKeySet, RemoteKeySet, TokenError, TokenVerifier};
    /// let keys = OidcKeySet::new(OidcDiscovery::new("https://id.example.com")?, RemoteKeySet::new(TokenVerifier::new));
    /// let down = keys.verify_blocking::<()>("a.b.c", |_| Err(FetchError::new("connection refused")));
    /// assert!(matches!(down.unwrap_err(), TokenError::KeySetUnavailable { .. }));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn verify_blocking<T: DeserializeOwned>(
        &self,
        token: &str,
        fetch: impl Fn(&str) -> Result<JwksResponse, FetchError>,
    ) -> Result<Claims<T>, TokenError> {
        let claims = self
            .remote
            .verify_blocking::<T>(token, || self.fetch_blocking(&fetch))?;
        self.check_issuer(claims)
    }

    /// As [`verify_blocking`](Self::verify_blocking), with an async fetch taking the URL.
    ///
    /// # Errors
    ///
    /// As [`verify_blocking`](Self::verify_blocking).
    ///
    /// ```
    /// # use keyward::token::{FetchError, JwksResponse, OidcDiscovery, OidcKeySet, RemoteKeySet, TokenError, TokenVerifier};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let keys = OidcKeySet::new(OidcDiscovery::new("https://id.example.com")?, RemoteKeySet::new(TokenVerifier::new));
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// let down = keys
    ///     .verify::<(), _, _>("a.b.c", |_url| async { Err::<JwksResponse, _>(FetchError::new("timed out")) })
    ///     .await;
    /// assert!(matches!(down.unwrap_err(), TokenError::KeySetUnavailable { .. }));
    /// # Ok(())
    /// # })
    /// # }
    /// ```
    pub async fn verify<T, F, Fut>(&self, token: &str, fetch: F) -> Result<Claims<T>, TokenError>
    where
        T: DeserializeOwned,
        F: Fn(String) -> Fut,
        Fut: Future<Output = Result<JwksResponse, FetchError>>,
    {
        let claims = self
            .remote
            .verify::<T, _, _>(token, || self.fetch_async(&fetch))
            .await?;
        self.check_issuer(claims)
    }

    /// Discovers and fetches now, ignoring the cooldown, as [`RemoteKeySet::refresh_blocking`]
    /// does: to fail at start-up with the reason.
    ///
    /// # Errors
    ///
    /// [`RefreshError`]; a discovery failure is a [`RefreshError::Fetch`] whose source is the
    /// [`DiscoveryError`](super::DiscoveryError).
    ///
    /// ```
    /// use keyward::token::{DiscoveryError, JwksResponse, OidcDiscovery, OidcKeySet, RemoteKeySet, TokenVerifier};
    /// use std::error::Error;
    ///
    /// let keys = OidcKeySet::new(OidcDiscovery::new("https://id.example.com")?, RemoteKeySet::new(TokenVerifier::new));
    /// let moved = r#"{"issuer":"https://other.example.com","jwks_uri":"https://other.example.com/keys"}"#;
    /// let error = keys.refresh_blocking(|_| Ok(JwksResponse::new(moved))).unwrap_err();
    /// let cause = error.source().and_then(|e| e.downcast_ref::<DiscoveryError>());
    /// assert!(matches!(cause, Some(DiscoveryError::IssuerMismatch { .. })));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn refresh_blocking(
        &self,
        fetch: impl Fn(&str) -> Result<JwksResponse, FetchError>,
    ) -> Result<(), RefreshError> {
        self.remote
            .refresh_blocking(|| self.fetch_blocking_rediscovering(&fetch, true))
    }

    /// As [`refresh_blocking`](Self::refresh_blocking), with an async fetch.
    ///
    /// # Errors
    ///
    /// As [`refresh_blocking`](Self::refresh_blocking).
    ///
    /// ```
    /// # use keyward::token::{FetchError, JwksResponse, OidcDiscovery, OidcKeySet, RemoteKeySet, TokenVerifier};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let keys = OidcKeySet::new(OidcDiscovery::new("https://id.example.com")?, RemoteKeySet::new(TokenVerifier::new));
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// assert!(keys.refresh(|_url| async { Err::<JwksResponse, _>(FetchError::new("down")) }).await.is_err());
    /// # Ok(())
    /// # })
    /// # }
    /// ```
    pub async fn refresh<F, Fut>(&self, fetch: F) -> Result<(), RefreshError>
    where
        F: Fn(String) -> Fut,
        Fut: Future<Output = Result<JwksResponse, FetchError>>,
    {
        self.remote
            .refresh(|| self.fetch_async_rediscovering(&fetch, true))
            .await
    }

    /// The key set URL to fetch: the discovered one, unless none is known or the last fetch
    /// failed (then `None`: discover again).
    fn known_jwks_uri(&self, force: bool) -> Option<String> {
        if force || self.remote.last_refresh_error().is_some() {
            return None;
        }
        self.metadata()
            .map(|metadata| metadata.jwks_uri().to_owned())
    }

    fn learn(&self, document: &JwksResponse) -> Result<String, FetchError> {
        let metadata = self
            .discovery
            .read(document.body())
            .map_err(FetchError::new)?;
        let jwks_uri = metadata.jwks_uri().to_owned();
        *self
            .metadata
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Some(metadata);
        Ok(jwks_uri)
    }

    fn fetch_blocking(
        &self,
        fetch: &impl Fn(&str) -> Result<JwksResponse, FetchError>,
    ) -> Result<JwksResponse, FetchError> {
        self.fetch_blocking_rediscovering(fetch, false)
    }

    fn fetch_blocking_rediscovering(
        &self,
        fetch: &impl Fn(&str) -> Result<JwksResponse, FetchError>,
        force: bool,
    ) -> Result<JwksResponse, FetchError> {
        let jwks_uri = match self.known_jwks_uri(force) {
            Some(uri) => uri,
            None => self.learn(&fetch(&self.discovery.document_url())?)?,
        };
        fetch(&jwks_uri)
    }

    async fn fetch_async<F, Fut>(&self, fetch: &F) -> Result<JwksResponse, FetchError>
    where
        F: Fn(String) -> Fut,
        Fut: Future<Output = Result<JwksResponse, FetchError>>,
    {
        self.fetch_async_rediscovering(fetch, false).await
    }

    async fn fetch_async_rediscovering<F, Fut>(
        &self,
        fetch: &F,
        force: bool,
    ) -> Result<JwksResponse, FetchError>
    where
        F: Fn(String) -> Fut,
        Fut: Future<Output = Result<JwksResponse, FetchError>>,
    {
        let jwks_uri = match self.known_jwks_uri(force) {
            Some(uri) => uri,
            None => self.learn(&fetch(self.discovery.document_url()).await?)?,
        };
        fetch(jwks_uri).await
    }

    fn check_issuer<T>(&self, claims: Claims<T>) -> Result<Claims<T>, TokenError> {
        let Some(metadata) = self.metadata() else {
            // Keys are installed only after a discovery succeeded.
            return Err(self.remote.unavailable());
        };
        match claims.issuer.as_deref() {
            None => Err(TokenError::MissingClaim(Claim::Issuer)),
            Some(issuer) if issuer == metadata.issuer() => Ok(claims),
            Some(issuer) => Err(TokenError::InvalidIssuer {
                found: issuer.to_owned(),
            }),
        }
    }
}
