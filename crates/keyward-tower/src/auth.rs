//! `BearerAuth`: what a service accepts, and how it answers what it refuses.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, Response, Uri, header};
use keyward::token::dpop::DpopVerifier;
use keyward::token::{Claims, TokenError, parse_bearer};
use serde::de::DeserializeOwned;

use crate::dpop::{Binding, Bound, Credentials, Dpop, credentials};
use crate::refusal::{challenges, check_realm};
use crate::{
    ErrorBody, InsufficientScope, InvalidPublicUrl, InvalidRealm, Issuers, KeySource, Refusal,
};

type Check<T> = Arc<dyn Fn(&Claims<T>) -> Result<(), InsufficientScope> + Send + Sync>;
type Shape = Arc<dyn Fn(&Refusal) -> ErrorBody + Send + Sync>;
type Hook = Arc<dyn Fn(&Refusal) + Send + Sync>;
type Verdict = Pin<Box<dyn Future<Output = Result<(), Refusal>> + Send>>;
type TokenCheck<T> = Arc<dyn Fn(&str, &Claims<T>) -> Verdict + Send + Sync>;

/// Bearer-token authentication for a service: which tokens it accepts (keys, issuers,
/// policy, a claims check) and how it answers the others (RFC 6750 §3 challenges, a `realm`,
/// the error body).
///
/// It is the [`tower_layer::Layer`] itself (`.layer(auth)` or `.route_layer(auth)`), and the
/// state the [`BearerClaims`](crate::BearerClaims) extractor verifies with when no layer ran.
/// `T` is the type of the tokens' own claims (`()` for none); the handler gets
/// [`Claims<T>`]. Cloning is cheap (shared, reference-counted).
///
/// ```
/// use keyward::token::{SigningKey, TokenError, TokenIssuer};
/// use keyward_tower::{BearerAuth, InsufficientScope};
///
/// let issuer = TokenIssuer::new(SigningKey::hs256([7u8; 32])?);
/// let auth: BearerAuth = BearerAuth::new(issuer.verifier())
///     .try_with_realm("orders")?
///     .with_claims_check(|claims| {
///         if claims.subject == "mallory" {
///             return Err(InsufficientScope::new().with_scope("orders:read"));
///         }
///         Ok(())
///     });
/// # let _ = auth;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct BearerAuth<T = ()> {
    inner: Arc<Inner<T>>,
}

struct Inner<T> {
    keys: Keys,
    realm: Option<String>,
    check: Option<Check<T>>,
    revocation: Option<TokenCheck<T>>,
    shape: Shape,
    hook: Option<Hook>,
    dpop: Option<Dpop>,
    claims: PhantomData<fn() -> T>,
}

enum Keys {
    One(KeySource),
    ByIssuer(Issuers),
}

impl<T> Clone for Inner<T> {
    fn clone(&self) -> Self {
        Inner {
            keys: match &self.keys {
                Keys::One(source) => Keys::One(source.clone()),
                Keys::ByIssuer(issuers) => Keys::ByIssuer(issuers.clone()),
            },
            realm: self.realm.clone(),
            check: self.check.clone(),
            revocation: self.revocation.clone(),
            shape: Arc::clone(&self.shape),
            hook: self.hook.clone(),
            dpop: self.dpop.clone(),
            claims: PhantomData,
        }
    }
}

impl<T> Clone for BearerAuth<T> {
    fn clone(&self) -> Self {
        BearerAuth {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<T> BearerAuth<T> {
    /// Accepts tokens that `source` verifies: a [`TokenVerifier`](keyward::token::TokenVerifier)
    /// (with the service's issuer, audience and other policy) or a
    /// [`KeySource::remote`] key set.
    ///
    /// ```
    /// # use keyward::token::{SigningKey, TokenIssuer};
    /// # use keyward_tower::BearerAuth;
    /// let auth: BearerAuth = BearerAuth::new(TokenIssuer::new(SigningKey::hs256([7u8; 32])?).verifier());
    /// # let _ = auth;
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn new(source: impl Into<KeySource>) -> Self {
        BearerAuth::with_keys(Keys::One(source.into()))
    }

    /// Accepts tokens from several issuers, each verified by its own source, picked by the
    /// token's `iss` (see [`Issuers`]).
    ///
    /// ```
    /// # use keyward::token::{SigningKey, TokenIssuer};
    /// # use keyward_tower::{BearerAuth, Issuers};
    /// let a = TokenIssuer::new(SigningKey::hs256([7u8; 32])?).with_issuer("a");
    /// let auth: BearerAuth = BearerAuth::by_issuer(Issuers::new().with_issuer("a", a.verifier().with_issuer("a")));
    /// # let _ = auth;
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn by_issuer(issuers: Issuers) -> Self {
        BearerAuth::with_keys(Keys::ByIssuer(issuers))
    }

    fn with_keys(keys: Keys) -> Self {
        BearerAuth {
            inner: Arc::new(Inner {
                keys,
                realm: None,
                check: None,
                revocation: None,
                shape: Arc::new(ErrorBody::default_for),
                hook: None,
                dpop: None,
                claims: PhantomData,
            }),
        }
    }

    fn edit(mut self, change: impl FnOnce(&mut Inner<T>)) -> Self {
        change(Arc::make_mut(&mut self.inner));
        self
    }

    /// Returns this authentication sending `realm="<realm>"` in every challenge.
    ///
    /// # Errors
    ///
    /// [`InvalidRealm`] when `realm` has a character RFC 6750 §3 does not allow in a
    /// challenge attribute (`"`, `\`, a control character, non-ASCII).
    ///
    /// ```
    /// # use keyward::token::{SigningKey, TokenIssuer};
    /// # use keyward_tower::BearerAuth;
    /// let auth: BearerAuth = BearerAuth::new(TokenIssuer::new(SigningKey::hs256([7u8; 32])?).verifier())
    ///     .try_with_realm("example")?;
    /// # let _ = auth;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn try_with_realm(self, realm: impl Into<String>) -> Result<Self, InvalidRealm> {
        let realm = realm.into();
        check_realm(&realm)?;
        Ok(self.edit(|inner| inner.realm = Some(realm)))
    }

    /// Returns this authentication running `check` on every verified token's claims (a
    /// scope, a role, a tenant): an `Err` is answered `403` with
    /// `error="insufficient_scope"`. A later call replaces an earlier one.
    ///
    /// ```
    /// # use keyward::token::{SigningKey, TokenIssuer};
    /// # use keyward_tower::{BearerAuth, InsufficientScope};
    /// #[derive(serde::Deserialize, Clone)]
    /// struct Scoped { scope: String }
    ///
    /// let auth = BearerAuth::<Scoped>::new(TokenIssuer::new(SigningKey::hs256([7u8; 32])?).verifier())
    ///     .with_claims_check(|claims| {
    ///         if claims.extra.scope.split(' ').any(|scope| scope == "orders:read") {
    ///             Ok(())
    ///         } else {
    ///             Err(InsufficientScope::new().with_scope("orders:read"))
    ///         }
    ///     });
    /// # let _ = auth;
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    #[must_use]
    pub fn with_claims_check(
        self,
        check: impl Fn(&Claims<T>) -> Result<(), InsufficientScope> + Send + Sync + 'static,
    ) -> Self {
        self.edit(|inner| inner.check = Some(Arc::new(check)))
    }

    /// Returns this authentication awaiting `check` for every token that verified and passed
    /// the claims check: the place for what only a store can say, such as a session ended by
    /// a password change or a logout, or a token on a deny list. `check` gets the token as
    /// presented (to read its header, or to look it up by hash) and its claims; its `Err` is
    /// answered like any other refusal, so return
    /// [`Refusal::InvalidToken`]`(`[`TokenError::Revoked`]`)` for a revoked token (401
    /// `invalid_token`), or [`Refusal::KeysUnavailable`] when the store cannot answer (503:
    /// the token was not checked). The refusal hook sees it as it sees every refusal.
    ///
    /// With a check, every request is verified in a boxed future, since the check awaits.
    /// A later call replaces an earlier one.
    ///
    /// ```
    /// use std::collections::HashSet;
    /// use std::sync::{Arc, RwLock};
    /// use keyward::token::{TokenError, TokenVerifier, VerifyingKey};
    /// use keyward_tower::{BearerAuth, Refusal};
    ///
    /// // Subjects whose tokens are refused, e.g. filled by a "log out everywhere".
    /// let ended: Arc<RwLock<HashSet<String>>> = Arc::default();
    /// let seen = Arc::clone(&ended);
    /// let auth: BearerAuth = BearerAuth::new(TokenVerifier::new(VerifyingKey::hs256([7u8; 32])?))
    ///     .with_revocation_check(move |_token, claims| {
    ///         let revoked = seen.read().unwrap().contains(&claims.subject);
    ///         async move {
    ///             if revoked {
    ///                 return Err(Refusal::InvalidToken(TokenError::Revoked));
    ///             }
    ///             Ok(())
    ///         }
    ///     });
    /// # let _ = auth;
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    #[must_use]
    pub fn with_revocation_check<F, Fut>(self, check: F) -> Self
    where
        F: Fn(&str, &Claims<T>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), Refusal>> + Send + 'static,
    {
        let check: TokenCheck<T> = Arc::new(move |token, claims| Box::pin(check(token, claims)));
        self.edit(|inner| inner.revocation = Some(check))
    }

    /// Returns this authentication answering refusals with the body `shape` returns (by
    /// default [`ErrorBody::default_for`]). Status and `WWW-Authenticate` stay RFC 6750's.
    ///
    /// ```
    /// # use keyward::token::{SigningKey, TokenIssuer};
    /// # use keyward_tower::{BearerAuth, ErrorBody};
    /// let auth: BearerAuth = BearerAuth::new(TokenIssuer::new(SigningKey::hs256([7u8; 32])?).verifier())
    ///     .with_error_body(|refusal| {
    ///         ErrorBody::json(&serde_json::json!({
    ///             "error": refusal.error_code(),
    ///             "message": refusal.description(),
    ///         }))
    ///     });
    /// # let _ = auth;
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    #[must_use]
    pub fn with_error_body(
        self,
        shape: impl Fn(&Refusal) -> ErrorBody + Send + Sync + 'static,
    ) -> Self {
        self.edit(|inner| inner.shape = Arc::new(shape))
    }

    /// Returns this authentication calling `hook` with every refusal before it is answered:
    /// the place to log the real reason (`Refusal`'s `Display` names the [`TokenError`],
    /// e.g. "token expired at ..." or "token has been revoked"), which the client is not
    /// told.
    ///
    /// [`TokenError`]: keyward::token::TokenError
    ///
    /// ```
    /// # use keyward::token::{SigningKey, TokenIssuer};
    /// # use keyward_tower::BearerAuth;
    /// let auth: BearerAuth = BearerAuth::new(TokenIssuer::new(SigningKey::hs256([7u8; 32])?).verifier())
    ///     .with_refusal_hook(|refusal| eprintln!("token refused: {refusal}"));
    /// # let _ = auth;
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    #[must_use]
    pub fn with_refusal_hook(self, hook: impl Fn(&Refusal) + Send + Sync + 'static) -> Self {
        self.edit(|inner| inner.hook = Some(Arc::new(hook)))
    }

    /// Returns this authentication accepting DPoP-bound tokens (RFC 9449 §7):
    /// `Authorization: DPoP <token>` with a `DPoP` header holding a fresh proof, checked by
    /// `verifier`, of the key the token's `cnf.jkt` names, for this request's method and
    /// URL. The URL is `public_url` (the scheme and host clients use, and a path prefix if a
    /// proxy adds one) followed by the request's path: never rebuilt from the `Host` header a
    /// client chose.
    ///
    /// Once on, a token bound to a key (with `cnf`) sent as `Bearer` is refused
    /// ([`Refusal::BoundTokenAsBearer`]); bearer tokens without `cnf` are still accepted;
    /// and every challenge is sent for both schemes, `DPoP` with the verifier's `algs` (and
    /// `DPoP-Nonce` when its nonces ask for one). The token's `cnf` member is read by the layer:
    /// the claims type `T` does not get it.
    ///
    /// # Errors
    ///
    /// [`InvalidPublicUrl`] when `public_url` is not an absolute `http(s)` URL without query,
    /// fragment or user info.
    ///
    /// ```
    /// use keyward::token::{TokenVerifier, VerifyingKey};
    /// use keyward::token::dpop::DpopVerifier;
    /// use keyward_tower::BearerAuth;
    ///
    /// let auth: BearerAuth = BearerAuth::new(TokenVerifier::new(VerifyingKey::hs256([7u8; 32])?))
    ///     .try_with_dpop(DpopVerifier::new(), "https://api.example.com")?;
    /// # let _ = auth;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn try_with_dpop(
        self,
        verifier: DpopVerifier,
        public_url: &str,
    ) -> Result<Self, InvalidPublicUrl> {
        let dpop = Dpop::new(verifier, public_url)?;
        Ok(self.edit(|inner| inner.dpop = Some(dpop)))
    }

    /// The response for `refusal`: its status, challenge, `Cache-Control: no-store`, and the
    /// shaped body. Calls the refusal hook.
    ///
    /// ```
    /// # use keyward::token::{SigningKey, TokenIssuer};
    /// # use keyward_tower::{BearerAuth, Refusal};
    /// let auth: BearerAuth = BearerAuth::new(TokenIssuer::new(SigningKey::hs256([7u8; 32])?).verifier());
    /// let response = auth.refuse(&Refusal::MissingCredentials);
    /// assert_eq!(response.status(), 401);
    /// assert_eq!(response.headers()["www-authenticate"], "Bearer");
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn refuse(&self, refusal: &Refusal) -> Response<Bytes> {
        if let Some(hook) = &self.inner.hook {
            hook(refusal);
        }
        let (content_type, body) = (self.inner.shape)(refusal).into_parts();
        let mut response = Response::new(body);
        *response.status_mut() = refusal.status();
        let headers = response.headers_mut();
        if let Some(content_type) = content_type {
            headers.insert(header::CONTENT_TYPE, content_type);
        }
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        let algs = self
            .inner
            .dpop
            .as_ref()
            .map(|dpop| dpop.verifier.algorithms_parameter());
        let values = challenges(refusal, self.inner.realm.as_deref(), algs.as_deref());
        if values.is_empty() {
            headers.insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
        }
        for value in values {
            // Only attribute characters are ever written, so this cannot fail.
            if let Ok(value) = HeaderValue::try_from(value) {
                headers.append(header::WWW_AUTHENTICATE, value);
            }
        }
        if let Refusal::InvalidDpopProof(error) = refusal
            && let Some(nonce) = error.dpop_nonce()
            && let Ok(nonce) = HeaderValue::try_from(nonce)
        {
            headers.insert("dpop-nonce", nonce);
        }
        response
    }
}

impl<T: DeserializeOwned> BearerAuth<T> {
    /// Reads the bearer token from `headers` with keyward's one parser
    /// ([`parse_bearer`]), verifies it, and runs the claims check.
    ///
    /// # Errors
    ///
    /// The [`Refusal`], to be answered with [`refuse`](Self::refuse).
    ///
    /// ```
    /// use http::HeaderMap;
    /// use keyward::token::{SigningKey, TokenIssuer};
    /// use keyward_tower::{BearerAuth, Refusal};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let issuer = TokenIssuer::new(SigningKey::hs256([7u8; 32])?);
    /// let auth: BearerAuth = BearerAuth::new(issuer.verifier());
    /// let mut headers = HeaderMap::new();
    /// assert_eq!(auth.authenticate(&headers).await, Err(Refusal::MissingCredentials));
    /// let token = issuer.issue("alice", &())?;
    /// headers.insert("authorization", format!("Bearer {token}").parse()?);
    /// assert_eq!(auth.authenticate(&headers).await?.subject, "alice");
    /// # Ok(())
    /// # }
    /// ```
    pub async fn authenticate(&self, headers: &HeaderMap) -> Result<Claims<T>, Refusal> {
        self.authenticate_request(&Method::GET, &Uri::default(), headers)
            .await
    }

    /// [`authenticate`](Self::authenticate) for a request with `method` and `uri` (its
    /// path is what a DPoP proof's `htu` is compared with, after the public URL): with
    /// DPoP on ([`try_with_dpop`](Self::try_with_dpop)), the one that checks
    /// `Authorization: DPoP` credentials and their proof.
    ///
    /// # Errors
    ///
    /// The [`Refusal`], to be answered with [`refuse`](Self::refuse).
    ///
    /// ```
    /// use http::{HeaderMap, Method, Uri};
    /// use keyward::token::{TokenVerifier, VerifyingKey};
    /// use keyward::token::dpop::DpopVerifier;
    /// use keyward_tower::{BearerAuth, Refusal};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let auth: BearerAuth = BearerAuth::new(TokenVerifier::new(VerifyingKey::hs256([7u8; 32])?))
    ///     .try_with_dpop(DpopVerifier::new(), "https://api.example.com")?;
    /// let mut headers = HeaderMap::new();
    /// headers.insert("authorization", "DPoP a.b.c".parse()?);
    /// let uri = Uri::from_static("/orders");
    /// let refusal = auth.authenticate_request(&Method::GET, &uri, &headers).await.unwrap_err();
    /// assert!(matches!(refusal, Refusal::InvalidDpopToken(_)));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn authenticate_request(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
    ) -> Result<Claims<T>, Refusal> {
        let Some(dpop) = &self.inner.dpop else {
            let token = bearer(headers)?;
            let verified = match &self.inner.keys {
                Keys::One(source) => source.verify::<T>(token).await,
                Keys::ByIssuer(issuers) => issuers.verify::<T>(token).await,
            };
            let claims = self.check(verified)?;
            return self.revocation_checked(token, claims).await;
        };
        let credentials = credentials(headers, true)?;
        let token = match &credentials {
            Credentials::Bearer(token) => token,
            Credentials::Dpop(token) => token.as_str(),
        };
        let verified = match &self.inner.keys {
            Keys::One(source) => source.verify::<Bound<T>>(token).await,
            Keys::ByIssuer(issuers) => issuers.verify::<Bound<T>>(token).await,
        };
        let claims = self.check_bound(dpop, &credentials, verified, method, uri, headers)?;
        self.revocation_checked(token, claims).await
    }

    /// `claims`, once the revocation check (if any) has passed them.
    async fn revocation_checked(
        &self,
        token: &str,
        claims: Claims<T>,
    ) -> Result<Claims<T>, Refusal> {
        if let Some(revocation) = &self.inner.revocation {
            revocation(token, &claims).await?;
        }
        Ok(claims)
    }

    /// [`authenticate_request`](Self::authenticate_request) without awaiting, when no key
    /// set may need a fetch (keys in memory) and no revocation check awaits; `None`
    /// otherwise.
    pub(crate) fn authenticate_now(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
    ) -> Option<Result<Claims<T>, Refusal>> {
        // A revocation check awaits: the caller takes the async path.
        if self.inner.revocation.is_some() {
            return None;
        }
        let Some(dpop) = &self.inner.dpop else {
            let token = match bearer(headers) {
                Ok(token) => token,
                Err(refusal) => return Some(Err(refusal)),
            };
            let verified = match &self.inner.keys {
                Keys::One(source) => source.verify_now::<T>(token)?,
                Keys::ByIssuer(issuers) => issuers.verify_now::<T>(token)?,
            };
            return Some(self.check(verified));
        };
        let credentials = match credentials(headers, true) {
            Ok(credentials) => credentials,
            Err(refusal) => return Some(Err(refusal)),
        };
        let token = match &credentials {
            Credentials::Bearer(token) => token,
            Credentials::Dpop(token) => token.as_str(),
        };
        let verified = match &self.inner.keys {
            Keys::One(source) => source.verify_now::<Bound<T>>(token)?,
            Keys::ByIssuer(issuers) => issuers.verify_now::<Bound<T>>(token)?,
        };
        Some(self.check_bound(dpop, &credentials, verified, method, uri, headers))
    }

    /// A verified token's binding against the scheme it came with, the proof, then the
    /// claims check.
    fn check_bound(
        &self,
        dpop: &Dpop,
        credentials: &Credentials<'_>,
        verified: Result<Claims<Bound<T>>, TokenError>,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
    ) -> Result<Claims<T>, Refusal> {
        let (binding, claims) = match (verified, credentials) {
            (Ok(claims), _) => Bound::split(claims),
            (Err(TokenError::KeySetUnavailable { .. }), _) => return Err(Refusal::KeysUnavailable),
            (Err(error), Credentials::Bearer(_)) => return Err(Refusal::InvalidToken(error)),
            (Err(error), Credentials::Dpop(_)) => return Err(Refusal::InvalidDpopToken(error)),
        };
        match (credentials, binding) {
            (Credentials::Bearer(_), Binding::Unbound) => {}
            (Credentials::Bearer(_), Binding::Dpop(_) | Binding::Other) => {
                return Err(Refusal::BoundTokenAsBearer);
            }
            (Credentials::Dpop(_), Binding::Unbound | Binding::Other) => {
                return Err(Refusal::UnboundDpopToken);
            }
            (Credentials::Dpop(token), Binding::Dpop(jkt)) => {
                dpop.check_proof(method, uri, headers, token, &jkt)?;
            }
        }
        self.check(Ok(claims))
    }

    /// The verification's outcome, through the claims check.
    fn check(&self, verified: Result<Claims<T>, TokenError>) -> Result<Claims<T>, Refusal> {
        let claims = verified.map_err(Refusal::from)?;
        if let Some(check) = &self.inner.check {
            check(&claims).map_err(Refusal::InsufficientScope)?;
        }
        Ok(claims)
    }
}

/// The bearer token of the request, by keyward's one parser.
fn bearer(headers: &HeaderMap) -> Result<&str, Refusal> {
    let values = headers
        .get_all(header::AUTHORIZATION)
        .iter()
        .map(HeaderValue::as_bytes);
    match parse_bearer(values) {
        Ok(Some(token)) => Ok(token),
        Ok(None) => Err(Refusal::MissingCredentials),
        Err(error) => Err(Refusal::MalformedRequest(error)),
    }
}

impl<T> fmt::Debug for BearerAuth<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("BearerAuth");
        match &self.inner.keys {
            Keys::One(source) => debug.field("keys", source),
            Keys::ByIssuer(issuers) => debug.field("keys", issuers),
        };
        debug
            .field("realm", &self.inner.realm)
            .field("claims_check", &self.inner.check.is_some())
            .field("revocation_check", &self.inner.revocation.is_some())
            .field("refusal_hook", &self.inner.hook.is_some())
            .field("dpop", &self.inner.dpop)
            .finish_non_exhaustive()
    }
}
