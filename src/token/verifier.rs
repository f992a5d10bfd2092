//! `TokenVerifier`: checks tokens against one or more keys and the configured policy.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use serde::de::DeserializeOwned;

use super::claims::media_types_match;
use super::jws::{Compact, HEADER_ON_STACK, Header, PAYLOAD_ON_STACK, PartBuf, SIGNATURE_ON_STACK};
use super::payload::{self, ReadClaims, Registered};
use super::revocation::{RevocationCheck, TokenInfo};
use super::{
    Claim, Claims, Clock, JsonError, KeySet, Leeway, SystemClock, TokenError, TokenKind, TokenPart,
};

/// Verifies tokens: the verify-only half of a [`TokenIssuer`](crate::token::TokenIssuer), or a
/// standalone verifier for a service that only checks tokens.
///
/// It holds one or more [`VerifyingKey`](crate::token::VerifyingKey)s (only public keys for asymmetric algorithms), chosen
/// per token by the header's `kid`, and the policy: expected issuer and audience, leeway, size
/// cap, clock and revocation check. Cloning is cheap and clones share nothing mutable, so one
/// verifier can serve every thread.
///
/// Verification runs in this order, and stops at the first failure: size cap; three
/// dot-separated parts; header (`alg`, `typ`, `kid`, `crit`); key by `kid`, whose algorithm
/// must be the header's; signature; token type; only then the claims, decoded once; then `exp`,
/// `nbf`, `iat`, `iss`, `aud`; then the revocation check. A forged or garbage token never
/// reaches the claims parser.
///
/// ```
/// use keyward::token::{Algorithm, KeySet, SigningKey, TokenIssuer, TokenVerifier, VerifyingKey};
///
/// // The auth service signs with a private key...
/// let pem = std::fs::read("tests/keys/p256-1-private.pem")?;
/// let issuer = TokenIssuer::new(SigningKey::from_pem(&pem)?.with_key_id("2026-11")).with_audience("orders");
/// let token = issuer.issue("alice", &())?;
///
/// // ...and publishes its public keys; an API service builds its verifier from them.
/// let jwks = issuer.verifier().key_set().to_jwks();
/// let verifier = TokenVerifier::new(KeySet::from_jwks(&jwks)?).with_audience("orders");
/// assert_eq!(verifier.verify::<()>(&token)?.subject, "alice");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct TokenVerifier {
    config: Arc<Config>,
}

#[derive(Clone)]
struct Config {
    keys: KeySet,
    issuers: Vec<String>,
    audiences: Vec<String>,
    refresh_audience: String,
    access_types: Vec<String>,
    untyped_access_tokens: bool,
    optional_iat: bool,
    optional_subject: bool,
    required_claims: Vec<(String, String)>,
    leeway: Leeway,
    max_token_bytes: usize,
    clock: Arc<dyn Clock>,
    revocation: Option<Arc<dyn RevocationCheck>>,
}

impl TokenVerifier {
    /// The default size cap: 8 KiB, far above any sensible token and far below what would make
    /// decoding costly.
    pub const DEFAULT_MAX_TOKEN_BYTES: usize = 8 * 1024;
    /// The `aud` of refresh tokens unless [`with_refresh_audience`](Self::with_refresh_audience)
    /// says otherwise: a name no resource server uses, so that a verifier elsewhere that checks
    /// `aud` but not `typ` (PyJWT, `jose`) still refuses a refresh token as an access token.
    pub const DEFAULT_REFRESH_AUDIENCE: &'static str = "urn:keyward:refresh-token";

    /// A verifier of `keys` (one [`VerifyingKey`](crate::token::VerifyingKey), or a [`KeySet`]) with the default policy:
    /// no issuer or audience expected (a token that carries `aud` is then refused), no
    /// leeway, an 8 KiB size cap, the system clock.
    ///
    /// ```
    /// use keyward::token::{TokenVerifier, VerifyingKey};
    /// let verifier = TokenVerifier::new(VerifyingKey::hs256([1u8; 32])?);
    /// assert_eq!(verifier.key_set().keys().len(), 1);
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn new(keys: impl Into<KeySet>) -> Self {
        TokenVerifier {
            config: Arc::new(Config {
                keys: keys.into(),
                issuers: Vec::new(),
                audiences: Vec::new(),
                refresh_audience: Self::DEFAULT_REFRESH_AUDIENCE.to_owned(),
                access_types: vec![TokenKind::Access.media_type().to_owned()],
                untyped_access_tokens: false,
                optional_iat: false,
                optional_subject: false,
                required_claims: Vec::new(),
                leeway: Leeway::ZERO,
                max_token_bytes: Self::DEFAULT_MAX_TOKEN_BYTES,
                clock: Arc::new(SystemClock),
                revocation: None,
            }),
        }
    }

    /// Returns this verifier with its whole key set replaced by `keys`, keeping every other
    /// setting: for a resource server that refetches its issuer's JWKS after a rotation.
    ///
    /// The verifier itself is immutable; to switch the keys under running threads, keep it in
    /// an `Arc` behind your swap of choice (an `RwLock<Arc<TokenVerifier>>` held only to clone
    /// the `Arc`, or `arc-swap`) and store the new one.
    ///
    /// ```
    /// use keyward::token::{KeySet, SigningKey, TokenIssuer, TokenVerifier};
    ///
    /// let old = SigningKey::hs256([1u8; 32])?.with_key_id("old");
    /// let new = SigningKey::hs256([2u8; 32])?.with_key_id("new");
    /// let verifier = TokenVerifier::new(old.verifying_key()).with_audience("api");
    /// let rotated = verifier.with_key_set(KeySet::from(new.verifying_key()));
    /// let token = TokenIssuer::new(new).with_audience("api").issue("alice", &())?;
    /// assert_eq!(rotated.verify::<()>(&token)?.subject, "alice"); // audience kept
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    #[must_use]
    pub fn with_key_set(mut self, keys: impl Into<KeySet>) -> Self {
        self.config_mut().keys = keys.into();
        self
    }

    /// The key set.
    ///
    /// ```
    /// # use keyward::token::{TokenVerifier, VerifyingKey};
    /// let verifier = TokenVerifier::new(VerifyingKey::hs256([1u8; 32])?);
    /// assert!(verifier.key_set().skipped().is_empty());
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn key_set(&self) -> &KeySet {
        &self.config.keys
    }

    /// Returns this verifier requiring `iss` to equal `issuer`. A token without `iss` is then
    /// refused too.
    ///
    /// ```
    /// use keyward::token::{SigningKey, TokenError, TokenIssuer};
    ///
    /// let issuer = TokenIssuer::new(SigningKey::hs256([1u8; 32])?);
    /// let token = issuer.issue("alice", &())?; // no iss
    /// let strict = issuer.verifier().with_issuer("https://auth.example.com");
    /// assert_eq!(strict.verify::<()>(&token).unwrap_err(), TokenError::MissingClaim(keyward::token::Claim::Issuer));
    /// # Ok::<(), TokenError>(())
    /// ```
    #[must_use]
    pub fn with_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.config_mut().issuers = vec![issuer.into()];
        self
    }

    /// Returns this verifier accepting `iss` equal to any of `issuers` (replacing any issuer set
    /// before). Without an issuer setting, the default, any `iss` or none is accepted.
    ///
    /// # Errors
    ///
    /// [`TokenError::EmptySetting`] when `issuers` is empty: an empty list would turn the
    /// issuer check off, which is never what a list of issuers means.
    ///
    /// ```
    /// use keyward::token::{SigningKey, TokenError, TokenIssuer};
    ///
    /// let issuer = TokenIssuer::new(SigningKey::hs256([1u8; 32])?).with_issuer("https://eu.auth.example.com");
    /// let verifier = issuer.verifier()
    ///     .try_with_issuers(["https://eu.auth.example.com", "https://us.auth.example.com"])?;
    /// verifier.verify::<()>(&issuer.issue("alice", &())?)?;
    /// let none: [&str; 0] = [];
    /// assert_eq!(issuer.verifier().try_with_issuers(none).unwrap_err(), TokenError::EmptySetting { setting: "issuers" });
    /// # Ok::<(), TokenError>(())
    /// ```
    pub fn try_with_issuers(
        mut self,
        issuers: impl IntoIterator<Item = impl Into<String>>,
    ) -> Result<Self, TokenError> {
        let issuers: Vec<String> = issuers.into_iter().map(Into::into).collect();
        if issuers.is_empty() {
            return Err(TokenError::EmptySetting { setting: "issuers" });
        }
        self.config_mut().issuers = issuers;
        Ok(self)
    }

    /// Returns this verifier accepting access tokens whose `aud` names `audience` (replacing
    /// any audience set before). A token without `aud` is then refused.
    ///
    /// ```
    /// use keyward::token::{SigningKey, TokenError, TokenIssuer};
    ///
    /// let issuer = TokenIssuer::new(SigningKey::hs256([1u8; 32])?).with_audience("billing");
    /// let token = issuer.issue("alice", &())?;
    /// assert!(issuer.verifier().verify::<()>(&token).is_ok());
    /// let orders = issuer.verifier().with_audience("orders");
    /// assert_eq!(orders.verify::<()>(&token).unwrap_err(), TokenError::InvalidAudience { found: vec!["billing".into()] });
    /// # Ok::<(), TokenError>(())
    /// ```
    #[must_use]
    pub fn with_audience(self, audience: impl Into<String>) -> Self {
        self.with_audiences([audience])
    }

    /// Returns this verifier accepting access tokens whose `aud` names any of `audiences`
    /// (replacing any set before); none, the default, refuses every token that has an `aud`
    /// (RFC 7519 §4.1.3).
    ///
    /// ```
    /// use keyward::token::{SigningKey, TokenIssuer};
    ///
    /// let issuer = TokenIssuer::new(SigningKey::hs256([1u8; 32])?).with_audience("billing");
    /// let either = issuer.verifier().with_audiences(["orders", "billing"]);
    /// either.verify::<()>(&issuer.issue("alice", &())?)?;
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    #[must_use]
    pub fn with_audiences(
        mut self,
        audiences: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.config_mut().audiences = audiences.into_iter().map(Into::into).collect();
        self
    }

    /// Returns this verifier expecting `audience` as the `aud` of refresh tokens, instead of
    /// [`DEFAULT_REFRESH_AUDIENCE`](Self::DEFAULT_REFRESH_AUDIENCE). Refresh tokens never carry
    /// the access audiences, so a resource server that checks `aud` refuses them whether or not
    /// it checks `typ`.
    ///
    /// ```
    /// use keyward::token::{SigningKey, TokenIssuer};
    ///
    /// let issuer = TokenIssuer::new(SigningKey::hs256([1u8; 32])?).with_refresh_audience("https://auth.example.com/token");
    /// let refresh = issuer.issue_refresh("alice", &())?;
    /// let claims = issuer.verify_refresh::<()>(&refresh)?;
    /// assert!(claims.audience.unwrap().contains("https://auth.example.com/token"));
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    #[must_use]
    pub fn with_refresh_audience(mut self, audience: impl Into<String>) -> Self {
        self.config_mut().refresh_audience = audience.into();
        self
    }

    /// Returns this verifier taking tokens whose `typ` is any of `types` as access tokens,
    /// replacing the default, `at+jwt` (RFC 9068). For tokens from other issuers, which send
    /// `typ: JWT` (Keycloak, Auth0, Entra ID, Google, python-jose); see also
    /// [`with_untyped_access_tokens`](Self::with_untyped_access_tokens).
    ///
    /// Names compare as RFC 7515 §4.1.9 media types: without case, with or without
    /// `application/`. `refresh+jwt` is never an access token type, whatever the list says.
    ///
    /// Access and refresh tokens are then told apart by their audience, not their type: keep
    /// [`with_audience`](Self::with_audience) (or a [`required
    /// claim`](Self::with_required_claims) such as Cognito's `token_use`) set to what only the
    /// issuer's access tokens carry.
    ///
    /// ```
    /// use keyward::SecretKey;
    /// use keyward::token::{TokenError, TokenVerifier, VerifyingKey};
    ///
    /// let verifier = TokenVerifier::new(VerifyingKey::hs256(SecretKey::from_text("a secret shared with a python-jose app"))?);
    /// let jwt_typed = verifier.clone().with_access_token_types(["at+jwt", "JWT"]);
    /// # Ok::<(), TokenError>(())
    /// ```
    #[must_use]
    pub fn with_access_token_types(
        mut self,
        types: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.config_mut().access_types = types.into_iter().map(Into::into).collect();
        self
    }

    /// Returns this verifier taking tokens without a `typ` header as access tokens (`false`,
    /// the default, refuses them): Amazon Cognito and `jose`'s default tokens have none. As
    /// with [`with_access_token_types`](Self::with_access_token_types), access and refresh
    /// tokens are then told apart by audience or a required claim.
    ///
    /// ```
    /// # use keyward::token::{TokenVerifier, VerifyingKey};
    /// let verifier = TokenVerifier::new(VerifyingKey::hs256([1u8; 32])?).with_untyped_access_tokens(true);
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    #[must_use]
    pub fn with_untyped_access_tokens(mut self, accept: bool) -> Self {
        self.config_mut().untyped_access_tokens = accept;
        self
    }

    /// Returns this verifier accepting tokens without `iat` (`false`, the default, refuses
    /// them): python-jose's tutorial tokens carry only `sub` and `exp`. Such a token's
    /// [`Claims::issued_at`] is `None`. An `iat` that is present is still checked.
    ///
    /// ```
    /// # use keyward::token::{TokenVerifier, VerifyingKey};
    /// let verifier = TokenVerifier::new(VerifyingKey::hs256([1u8; 32])?).with_optional_iat(true);
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    #[must_use]
    pub fn with_optional_iat(mut self, optional: bool) -> Self {
        self.config_mut().optional_iat = optional;
        self
    }

    /// Returns this verifier accepting tokens without `sub` (`false`, the default, refuses
    /// them): Node `jose`'s README token and some client-credentials tokens have none. Such a
    /// token's [`Claims::subject`] is empty and [`Claims::optional_subject`] is `None`; an
    /// empty `sub` that is present is still refused, so empty always means absent.
    ///
    /// ```
    /// use keyward::token::{TokenVerifier, VerifyingKey};
    ///
    /// let verifier = TokenVerifier::new(VerifyingKey::hs256([1u8; 32])?).with_optional_subject(true);
    /// assert!(format!("{verifier:?}").contains("optional_subject: true"));
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    #[must_use]
    pub fn with_optional_subject(mut self, optional: bool) -> Self {
        self.config_mut().optional_subject = optional;
        self
    }

    /// Returns this verifier requiring, for every `(name, value)` in `claims` (replacing any set
    /// before), a string claim `name` equal to `value`: Cognito's `token_use` and `client_id`,
    /// an `azp`, a tenant id. Registered claims (`iss`, `aud`, ...) have their own settings;
    /// naming one here matches nothing, so every token is refused.
    ///
    /// # Errors at verification
    ///
    /// [`TokenError::ClaimMismatch`] names the first claim that is absent or different.
    ///
    /// ```
    /// use keyward::token::{SigningKey, TokenError, TokenIssuer};
    ///
    /// let issuer = TokenIssuer::new(SigningKey::hs256([1u8; 32])?);
    /// let token = issuer.issue("alice", &serde_json::json!({ "token_use": "id" }))?;
    /// let access_only = issuer.verifier().with_required_claims([("token_use", "access")]);
    /// assert_eq!(access_only.verify::<()>(&token).unwrap_err(), TokenError::ClaimMismatch { name: "token_use".into(), found: Some("id".into()) });
    /// # Ok::<(), TokenError>(())
    /// ```
    #[must_use]
    pub fn with_required_claims(
        mut self,
        claims: impl IntoIterator<Item = (impl Into<String>, impl Into<String>)>,
    ) -> Self {
        self.config_mut().required_claims = claims
            .into_iter()
            .map(|(name, value)| (name.into(), value.into()))
            .collect();
        self
    }

    /// Returns this verifier tolerating clock skew of up to `leeway` on `exp`, `nbf` and `iat`.
    ///
    /// ```
    /// use keyward::token::{Leeway, TokenVerifier, VerifyingKey};
    ///
    /// let verifier = TokenVerifier::new(VerifyingKey::hs256([1u8; 32])?).with_leeway(Leeway::from_secs(30)?);
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    #[must_use]
    pub fn with_leeway(mut self, leeway: Leeway) -> Self {
        self.config_mut().leeway = leeway;
        self
    }

    /// Returns this verifier refusing tokens longer than `max` bytes before any decoding.
    ///
    /// # Errors
    ///
    /// [`TokenError::ZeroLimit`] for 0, which would refuse every token.
    ///
    /// ```
    /// use keyward::token::{SigningKey, TokenError, TokenIssuer};
    ///
    /// let issuer = TokenIssuer::new(SigningKey::hs256([1u8; 32])?);
    /// let token = issuer.issue("alice", &())?;
    /// let tiny = issuer.verifier().try_with_max_token_bytes(16)?;
    /// assert!(matches!(tiny.verify::<()>(&token), Err(TokenError::TooLarge { max: 16, .. })));
    /// assert_eq!(issuer.verifier().try_with_max_token_bytes(0).unwrap_err(), TokenError::ZeroLimit { setting: "max_token_bytes" });
    /// # Ok::<(), TokenError>(())
    /// ```
    pub fn try_with_max_token_bytes(mut self, max: usize) -> Result<Self, TokenError> {
        if max == 0 {
            return Err(TokenError::ZeroLimit {
                setting: "max_token_bytes",
            });
        }
        self.config_mut().max_token_bytes = max;
        Ok(self)
    }

    /// Returns this verifier reading the time from `clock`: any [`Clock`], including an
    /// `Arc<dyn Clock>` shared with the rest of a service.
    ///
    /// ```
    /// use keyward::token::{Clock, FixedClock, TokenVerifier, VerifyingKey};
    /// use std::sync::Arc;
    ///
    /// let clock: Arc<dyn Clock> = Arc::new(FixedClock::at_unix_seconds(1_700_000_000));
    /// let verifier = TokenVerifier::new(VerifyingKey::hs256([1u8; 32])?).with_clock(Arc::clone(&clock));
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    #[must_use]
    pub fn with_clock(mut self, clock: impl Clock + 'static) -> Self {
        self.config_mut().clock = Arc::new(clock);
        self
    }

    /// Returns this verifier consulting `check` on every token that passes all other checks; a
    /// `true` refuses it with [`TokenError::Revoked`]. `check` is a type of the caller's that
    /// implements [`RevocationCheck`] (a denylist, a per-user cut-off time), or a closure
    /// `|t: &TokenInfo<'_>| -> bool`; see [`RevocationCheck`] for what to key it on.
    ///
    /// ```
    /// use keyward::token::{RevocationCheck, SigningKey, TokenError, TokenInfo, TokenIssuer};
    ///
    /// let issuer = TokenIssuer::new(SigningKey::hs256([1u8; 32])?);
    /// let token = issuer.issue("mallory", &())?;
    ///
    /// // A closure: name its argument's type, which a trait bound cannot infer.
    /// let verifier = issuer.verifier().with_revocation_check(|t: &TokenInfo<'_>| t.subject == "mallory");
    /// assert_eq!(verifier.verify::<()>(&token).unwrap_err(), TokenError::Revoked);
    ///
    /// // A type of your own.
    /// struct DenyAll;
    /// impl RevocationCheck for DenyAll {
    ///     fn is_revoked(&self, _: &TokenInfo<'_>) -> bool { true }
    /// }
    /// let verifier = issuer.verifier().with_revocation_check(DenyAll);
    /// assert_eq!(verifier.verify::<()>(&token).unwrap_err(), TokenError::Revoked);
    /// # Ok::<(), TokenError>(())
    /// ```
    #[must_use]
    pub fn with_revocation_check(mut self, check: impl RevocationCheck + 'static) -> Self {
        self.config_mut().revocation = Some(Arc::new(check));
        self
    }

    fn config_mut(&mut self) -> &mut Config {
        Arc::make_mut(&mut self.config)
    }

    /// Verifies an access token and returns its claims, with the caller's claims decoded as `T`
    /// (use `()` to ignore them).
    ///
    /// # Errors
    ///
    /// Every [`TokenError`] verification variant; a refresh token is
    /// [`TokenError::WrongTokenType`]. See the type's documentation for the order of checks.
    ///
    /// ```
    /// use keyward::token::{SigningKey, TokenError, TokenIssuer};
    ///
    /// let issuer = TokenIssuer::new(SigningKey::hs256([1u8; 32])?);
    /// let token = issuer.issue("alice", &())?;
    /// let verifier = issuer.verifier();
    /// assert_eq!(verifier.verify::<()>(&token)?.subject, "alice");
    ///
    /// let tampered = format!("{}x", &token[..token.len() - 1]);
    /// assert!(verifier.verify::<()>(&tampered).is_err());
    /// # Ok::<(), TokenError>(())
    /// ```
    pub fn verify<T: DeserializeOwned>(&self, token: &str) -> Result<Claims<T>, TokenError> {
        self.verify_kind(token, TokenKind::Access)
    }

    /// Verifies a refresh token (`typ: refresh+jwt`) and returns its claims. An access token is
    /// refused with [`TokenError::WrongTokenType`].
    ///
    /// # Errors
    ///
    /// As [`verify`](Self::verify), with the kinds swapped.
    ///
    /// ```
    /// use keyward::token::{SigningKey, TokenError, TokenIssuer, TokenKind};
    ///
    /// let issuer = TokenIssuer::new(SigningKey::hs256([1u8; 32])?);
    /// let refresh = issuer.issue_refresh("alice", &())?;
    /// assert_eq!(issuer.verifier().verify_refresh::<()>(&refresh)?.subject, "alice");
    /// assert_eq!(
    ///     issuer.verifier().verify::<()>(&refresh).unwrap_err(),
    ///     TokenError::WrongTokenType { expected: TokenKind::Access, found: Some("refresh+jwt".into()) }
    /// );
    /// # Ok::<(), TokenError>(())
    /// ```
    pub fn verify_refresh<T: DeserializeOwned>(
        &self,
        token: &str,
    ) -> Result<Claims<T>, TokenError> {
        self.verify_kind(token, TokenKind::Refresh)
    }

    fn verify_kind<T: DeserializeOwned>(
        &self,
        token: &str,
        kind: TokenKind,
    ) -> Result<Claims<T>, TokenError> {
        let config = &*self.config;
        if token.len() > config.max_token_bytes {
            return Err(TokenError::TooLarge {
                len: token.len(),
                max: config.max_token_bytes,
            });
        }
        let compact = Compact::split(token)?;
        // Decoded into stack buffers made only when needed: a forged token costs no allocation
        // up to the signature check, and a genuine one none for its header and small payload.
        let mut header_buf;
        // keyward's own tokens carry exactly the header their key writes: recognised by its
        // bytes, it needs no decoding (the same bytes always decode to the same fields).
        let known = config
            .keys
            .keys()
            .iter()
            .find(|key| key.encoded_header(kind) == compact.header);
        let header = if let Some(key) = known {
            Header {
                algorithm: key.algorithm(),
                typ: Some(Cow::Borrowed(kind.media_type())),
                kid: key.key_id().map(Cow::Borrowed),
            }
        } else {
            header_buf = PartBuf::<HEADER_ON_STACK>::new();
            Header::decode(compact.header, &mut header_buf)?
        };
        let key = config.keys.key_for(header.kid.as_deref())?;
        if key.algorithm() != header.algorithm {
            return Err(TokenError::WrongAlgorithm {
                expected: key.algorithm(),
                found: header.algorithm,
            });
        }
        // Decoded on the stack (but for RSA's): a forged token costs no allocation up to here.
        let mut signature = PartBuf::<SIGNATURE_ON_STACK>::new();
        let signature = signature.decode(compact.signature, TokenPart::Signature)?;
        key.verify_signature(compact.signing_input.as_bytes(), signature)?;
        if !self.has_type(header.typ.as_deref(), kind) {
            return Err(TokenError::WrongTokenType {
                expected: kind,
                found: header.typ.map(Cow::into_owned),
            });
        }
        let mut payload_buf = PartBuf::<PAYLOAD_ON_STACK>::new();
        let payload = payload_buf.decode(compact.payload, TokenPart::Payload)?;
        let mut registered = Registered::default();
        let claims = match payload::read(payload, &config.required_claims, &mut registered) {
            Ok(read) => self.validate(&mut registered, read, kind)?,
            Err(error) => return Err(self.refusal(payload, kind, error)),
        };
        if let Some(check) = &config.revocation {
            let info = TokenInfo {
                subject: &claims.subject,
                token_id: claims.token_id.as_deref(),
                issued_at: claims.issued_at,
                expires_at: claims.expires_at,
                kind,
            };
            if check.is_revoked(&info) {
                return Err(TokenError::Revoked);
            }
        }
        Ok(claims)
    }

    /// Whether a header's `typ` makes the token of `kind` under this verifier's policy.
    fn has_type(&self, typ: Option<&str>, kind: TokenKind) -> bool {
        let config = &*self.config;
        match (typ, kind) {
            (Some(typ), TokenKind::Refresh) => kind.matches(typ),
            (None, TokenKind::Refresh) => false,
            (None, TokenKind::Access) => config.untyped_access_tokens,
            (Some(typ), TokenKind::Access) => {
                !TokenKind::Refresh.matches(typ)
                    && config
                        .access_types
                        .iter()
                        .any(|accepted| media_types_match(accepted, typ))
            }
        }
    }

    /// Why a payload that did not read as `T` is refused. It is read again without `T`: if
    /// that fails too, the JSON itself is at fault (not one object, or a name repeated);
    /// otherwise the registered claims are judged first, as they are for a payload that reads,
    /// and only a token that passes them is refused for the caller's claims.
    fn refusal(&self, payload: &[u8], kind: TokenKind, error: serde_json::Error) -> TokenError {
        let mut registered = Registered::default();
        match payload::read::<()>(payload, &self.config.required_claims, &mut registered) {
            Err(_) => TokenError::Malformed(TokenPart::Payload),
            Ok(read) => match self.validate(&mut registered, read, kind) {
                Err(refusal) => refusal,
                Ok(_) => TokenError::InvalidExtraClaims(JsonError::new(error)),
            },
        }
    }

    fn validate<T>(
        &self,
        payload: &mut Registered,
        read: ReadClaims<T>,
        kind: TokenKind,
    ) -> Result<Claims<T>, TokenError> {
        let config = &*self.config;
        // Compared in whole seconds: the claims are whole seconds, so `now < exp` holds for
        // the current instant exactly when it holds for the second it falls in.
        let now = config.clock.unix_seconds();
        let leeway =
            i64::try_from(config.leeway.as_secs()).expect("leeway is capped at five minutes");

        let expires_at = payload
            .date(Claim::ExpiresAt)?
            .ok_or(TokenError::MissingClaim(Claim::ExpiresAt))?;
        // RFC 7519 §4.1.4: the current time must be before `exp`.
        if now >= expires_at.seconds.saturating_add(leeway) {
            return Err(TokenError::Expired {
                expired_at: expires_at.instant,
            });
        }
        let not_before = payload.date(Claim::NotBefore)?;
        if let Some(not_before) = not_before {
            // RFC 7519 §4.1.5: the current time must be at or after `nbf`.
            if now.saturating_add(leeway) < not_before.seconds {
                return Err(TokenError::NotYetValid {
                    valid_from: not_before.instant,
                });
            }
        }
        let issued_at = payload.date(Claim::IssuedAt)?;
        match issued_at {
            None if !config.optional_iat => {
                return Err(TokenError::MissingClaim(Claim::IssuedAt));
            }
            Some(issued_at) if now.saturating_add(leeway) < issued_at.seconds => {
                return Err(TokenError::NotYetValid {
                    valid_from: issued_at.instant,
                });
            }
            _ => {}
        }

        let issuer = payload.string(Claim::Issuer)?;
        if !config.issuers.is_empty() {
            match &issuer {
                None => return Err(TokenError::MissingClaim(Claim::Issuer)),
                Some(found) if !config.issuers.contains(found) => {
                    return Err(TokenError::InvalidIssuer {
                        found: found.clone(),
                    });
                }
                Some(_) => {}
            }
        }
        let audience = payload.audience()?;
        let refresh_audience = std::slice::from_ref(&config.refresh_audience);
        let expected = match kind {
            TokenKind::Access => config.audiences.as_slice(),
            TokenKind::Refresh => refresh_audience,
        };
        match (&audience, expected.is_empty()) {
            (None, false) => return Err(TokenError::MissingClaim(Claim::Audience)),
            // RFC 7519 §4.1.3: a recipient not named in a present `aud` must reject the token.
            (Some(_), true) => return Err(TokenError::UnexpectedAudience),
            (Some(found), false) if !expected.iter().any(|a| found.contains(a)) => {
                return Err(TokenError::InvalidAudience {
                    found: found.iter().map(str::to_owned).collect(),
                });
            }
            _ => {}
        }
        for ((name, value), found) in config.required_claims.iter().zip(&read.required) {
            if found.as_deref() != Some(value.as_str()) {
                return Err(TokenError::ClaimMismatch {
                    name: name.clone(),
                    found: found.clone(),
                });
            }
        }

        let subject = match payload.string(Claim::Subject)? {
            Some(subject) if subject.is_empty() => {
                return Err(TokenError::InvalidClaim(Claim::Subject));
            }
            Some(subject) => subject,
            // Empty stands for absent: a present empty `sub` was refused just above.
            None if config.optional_subject => String::new(),
            None => return Err(TokenError::MissingClaim(Claim::Subject)),
        };
        let token_id = payload.string(Claim::TokenId)?;
        Ok(Claims {
            subject,
            expires_at: expires_at.instant,
            issued_at: issued_at.map(|date| date.instant),
            not_before: not_before.map(|date| date.instant),
            issuer,
            audience,
            token_id,
            extra: read.extra,
        })
    }
}

impl fmt::Debug for TokenVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let config = &*self.config;
        f.debug_struct("TokenVerifier")
            .field("keys", &config.keys.keys())
            .field("issuers", &config.issuers)
            .field("audiences", &config.audiences)
            .field("refresh_audience", &config.refresh_audience)
            .field("access_token_types", &config.access_types)
            .field("untyped_access_tokens", &config.untyped_access_tokens)
            .field("optional_iat", &config.optional_iat)
            .field("optional_subject", &config.optional_subject)
            .field("required_claims", &config.required_claims)
            .field("leeway", &config.leeway)
            .field("max_token_bytes", &config.max_token_bytes)
            .field("clock", &config.clock)
            .field("revocation_check", &config.revocation.is_some())
            .finish()
    }
}
