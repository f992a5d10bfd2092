//! `TokenVerifier`: checks tokens against one or more keys and the configured policy.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::jws::{self, Compact, Header};
use super::key::JwkDocument;
use super::revocation::{RevocationCheck, TokenInfo};
use super::wire::WirePayload;
use super::{Claim, Claims, Clock, SystemClock, TokenError, TokenKind, TokenPart, VerifyingKey};

/// Verifies tokens: the verify-only half of a [`TokenIssuer`](crate::token::TokenIssuer), or a
/// standalone verifier for a service that only checks tokens.
///
/// It holds one or more [`VerifyingKey`]s (only public keys for asymmetric algorithms), chosen
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
/// use keyward::token::{TokenIssuer, TokenVerifier, VerifyingKey};
///
/// // The auth service signs with a private key...
/// let pem = std::fs::read("tests/keys/p256-1-private.pem")?;
/// let issuer = TokenIssuer::es256_pem(&pem)?.with_key_id("2026-11").with_audience("orders");
/// let token = issuer.issue("alice", &())?;
///
/// // ...and publishes its public keys; an API service builds its verifier from them.
/// let jwks = issuer.verifier().to_jwks();
/// let verifier = TokenVerifier::from_jwks(&jwks)?.with_audience("orders");
/// assert_eq!(verifier.verify::<()>(&token)?.subject, "alice");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct TokenVerifier {
    config: Arc<Config>,
}

#[derive(Clone)]
struct Config {
    keys: Vec<VerifyingKey>,
    issuer: Option<String>,
    audiences: Vec<String>,
    leeway: Duration,
    max_token_bytes: usize,
    clock: Arc<dyn Clock>,
    revocation: Option<Arc<dyn RevocationCheck>>,
}

impl TokenVerifier {
    /// The default size cap: 8 KiB, far above any sensible token and far below what would make
    /// decoding costly.
    pub const DEFAULT_MAX_TOKEN_BYTES: usize = 8 * 1024;
    /// The largest leeway [`with_leeway`](Self::with_leeway) accepts: five minutes.
    pub const MAX_LEEWAY: Duration = Duration::from_secs(5 * 60);

    /// A verifier with one key and the default policy: no issuer or audience expected (a token
    /// that carries `aud` is then refused), no leeway, an 8 KiB size cap, the system clock.
    ///
    /// ```
    /// use keyward::token::{TokenVerifier, VerifyingKey};
    /// let verifier = TokenVerifier::new(VerifyingKey::hs256([1u8; 32])?);
    /// assert_eq!(verifier.keys().len(), 1);
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn new(key: VerifyingKey) -> Self {
        TokenVerifier {
            config: Arc::new(Config {
                keys: vec![key],
                issuer: None,
                audiences: Vec::new(),
                leeway: Duration::ZERO,
                max_token_bytes: Self::DEFAULT_MAX_TOKEN_BYTES,
                clock: Arc::new(SystemClock),
                revocation: None,
            }),
        }
    }

    /// A verifier with several keys, told apart by key id: the usual shape during key
    /// rotation, with the new key and the old one side by side.
    ///
    /// # Errors
    ///
    /// [`TokenError::InvalidKey`] when `keys` is empty, [`TokenError::DuplicateKeyId`] when
    /// two keys share a key id (or several keys have none).
    ///
    /// ```
    /// use keyward::token::{SigningKey, TokenIssuer, TokenVerifier};
    ///
    /// let old = SigningKey::hs256([1u8; 32])?.with_key_id("old");
    /// let new = SigningKey::hs256([2u8; 32])?.with_key_id("new");
    /// let old_token = TokenIssuer::new(old.clone()).issue("alice", &())?;
    ///
    /// let verifier = TokenVerifier::from_keys([new.verifying_key(), old.verifying_key()])?;
    /// assert_eq!(verifier.verify::<()>(&old_token)?.subject, "alice");
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn from_keys(keys: impl IntoIterator<Item = VerifyingKey>) -> Result<Self, TokenError> {
        let keys = key_set(keys)?;
        let mut verifier = Self::new(keys[0].clone());
        verifier.config_mut().keys = keys;
        Ok(verifier)
    }

    /// A verifier holding the keys of a JWKS document (RFC 7517 §5): `{"keys": [...]}`.
    ///
    /// Keys whose `use` is not `sig` (encryption keys published beside signing keys) are
    /// skipped. Every other key must be a public key keyward supports.
    ///
    /// # Errors
    ///
    /// [`TokenError::InvalidKey`] when the document is not a JWKS, holds a key keyward cannot
    /// use or a secret or private key (secrets have no place in a published document), or
    /// holds no signing key; [`TokenError::DuplicateKeyId`] as in [`from_keys`](Self::from_keys).
    ///
    /// ```
    /// use keyward::token::TokenVerifier;
    ///
    /// // RFC 7515 Appendix A.3's public key, as an identity provider would publish it.
    /// let jwks = r#"{"keys":[{"kty":"EC","crv":"P-256","kid":"a3","use":"sig",
    ///     "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
    ///     "y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}"#;
    /// let verifier = TokenVerifier::from_jwks(jwks)?;
    /// assert_eq!(verifier.keys()[0].key_id(), Some("a3"));
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn from_jwks(json: &str) -> Result<Self, TokenError> {
        Self::from_keys(jwks_keys(json)?)
    }

    /// The public keys as a JWKS document, for serving at `/.well-known/jwks.json`. HMAC
    /// secrets are never included, so a verifier of shared secrets exports `{"keys":[]}`.
    ///
    /// ```
    /// use keyward::token::TokenIssuer;
    ///
    /// let pem = std::fs::read("tests/keys/ed25519-private.pem")?;
    /// let jwks = TokenIssuer::ed25519_pem(&pem)?.with_key_id("k1").verifier().to_jwks();
    /// assert!(jwks.starts_with(r#"{"keys":[{"kty":"OKP","use":"sig","alg":"EdDSA","kid":"k1""#));
    /// assert_eq!(TokenIssuer::hs256([1u8; 32])?.verifier().to_jwks(), r#"{"keys":[]}"#);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[allow(clippy::missing_panics_doc)] // serializing a struct of strings cannot fail
    pub fn to_jwks(&self) -> String {
        let keys = self
            .config
            .keys
            .iter()
            .filter_map(VerifyingKey::jwk_document)
            .collect();
        serde_json::to_string(&JwkSet { keys }).expect("a JWKS serializes")
    }

    /// Returns this verifier with one more key.
    ///
    /// # Errors
    ///
    /// [`TokenError::DuplicateKeyId`] when the key's id (or its lack of one) is already taken.
    ///
    /// ```
    /// use keyward::token::{TokenVerifier, VerifyingKey};
    ///
    /// let verifier = TokenVerifier::new(VerifyingKey::hs256([1u8; 32])?.with_key_id("a"))
    ///     .with_key(VerifyingKey::hs256([2u8; 32])?.with_key_id("b"))?;
    /// assert_eq!(verifier.keys().len(), 2);
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn with_key(self, key: VerifyingKey) -> Result<Self, TokenError> {
        let keys: Vec<VerifyingKey> = self
            .config
            .keys
            .iter()
            .cloned()
            .chain(std::iter::once(key))
            .collect();
        self.with_keys(keys)
    }

    pub(crate) fn with_keys_replaced(mut self, key: VerifyingKey) -> Self {
        self.config_mut().keys = vec![key];
        self
    }

    /// Returns this verifier with its whole key set replaced by `keys`, keeping every other
    /// setting: for a resource server that refetches its issuer's JWKS after a rotation.
    ///
    /// The verifier itself is immutable; to switch the keys under running threads, keep it in
    /// an `Arc` behind your swap of choice (an `RwLock<Arc<TokenVerifier>>` held only to clone
    /// the `Arc`, or `arc-swap`) and store the new one.
    ///
    /// # Errors
    ///
    /// As [`from_keys`](Self::from_keys).
    ///
    /// ```
    /// use keyward::token::{SigningKey, TokenIssuer, TokenVerifier, VerifyingKey};
    ///
    /// let old = SigningKey::hs256([1u8; 32])?.with_key_id("old");
    /// let new = SigningKey::hs256([2u8; 32])?.with_key_id("new");
    /// let verifier = TokenVerifier::new(old.verifying_key()).with_audience("api");
    /// let rotated = verifier.with_keys([new.verifying_key()])?;
    /// let token = TokenIssuer::new(new).with_audience("api").issue("alice", &())?;
    /// assert_eq!(rotated.verify::<()>(&token)?.subject, "alice"); // audience kept
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn with_keys(
        mut self,
        keys: impl IntoIterator<Item = VerifyingKey>,
    ) -> Result<Self, TokenError> {
        self.config_mut().keys = key_set(keys)?;
        Ok(self)
    }

    /// Returns this verifier with its key set replaced by the keys of a JWKS document, keeping
    /// every other setting; see [`with_keys`](Self::with_keys) and [`from_jwks`](Self::from_jwks).
    ///
    /// # Errors
    ///
    /// As [`from_jwks`](Self::from_jwks).
    ///
    /// ```
    /// use keyward::token::TokenIssuer;
    ///
    /// let issuer = TokenIssuer::ed25519_pem(std::fs::read("tests/keys/ed25519-private.pem")?)?.with_key_id("k2");
    /// let refreshed = issuer.verifier().with_jwks(&issuer.verifier().to_jwks())?;
    /// assert_eq!(refreshed.keys()[0].key_id(), Some("k2"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_jwks(self, json: &str) -> Result<Self, TokenError> {
        self.with_keys(jwks_keys(json)?)
    }

    /// The keys, in the order they were added.
    ///
    /// ```
    /// # use keyward::token::{TokenVerifier, VerifyingKey};
    /// let verifier = TokenVerifier::new(VerifyingKey::hs256([1u8; 32])?);
    /// assert_eq!(verifier.keys()[0].key_id(), None);
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn keys(&self) -> &[VerifyingKey] {
        &self.config.keys
    }

    /// Returns this verifier requiring `iss` to equal `issuer`. A token without `iss` is then
    /// refused too.
    ///
    /// ```
    /// use keyward::token::{TokenError, TokenIssuer};
    ///
    /// let issuer = TokenIssuer::hs256([1u8; 32])?;
    /// let token = issuer.issue("alice", &())?; // no iss
    /// let strict = issuer.verifier().with_issuer("https://auth.example.com");
    /// assert_eq!(strict.verify::<()>(&token).unwrap_err(), TokenError::MissingClaim(keyward::token::Claim::Issuer));
    /// # Ok::<(), TokenError>(())
    /// ```
    #[must_use]
    pub fn with_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.config_mut().issuer = Some(issuer.into());
        self
    }

    /// Returns this verifier accepting tokens whose `aud` names `audience`. Call it again to
    /// accept several audiences. Once any is set, a token without `aud` is refused.
    ///
    /// ```
    /// use keyward::token::{TokenError, TokenIssuer};
    ///
    /// let issuer = TokenIssuer::hs256([1u8; 32])?.with_audience("billing");
    /// let token = issuer.issue("alice", &())?;
    /// let orders = issuer.verifier().with_audience("orders");
    /// assert!(orders.verify::<()>(&token).is_ok()); // "billing" is still accepted
    /// let only_orders = TokenIssuer::hs256([1u8; 32])?.with_audience("orders").verifier();
    /// assert_eq!(only_orders.verify::<()>(&token).unwrap_err(), TokenError::InvalidAudience);
    /// # Ok::<(), TokenError>(())
    /// ```
    #[must_use]
    pub fn with_audience(mut self, audience: impl Into<String>) -> Self {
        self.config_mut().audiences.push(audience.into());
        self
    }

    /// Returns this verifier tolerating clock skew of up to `leeway` on `exp`, `nbf` and `iat`.
    ///
    /// # Errors
    ///
    /// [`TokenError::InvalidDuration`] above [`MAX_LEEWAY`](Self::MAX_LEEWAY) (five minutes):
    /// a large leeway silently extends every token's life.
    ///
    /// ```
    /// use keyward::token::{TokenVerifier, VerifyingKey};
    /// use std::time::Duration;
    ///
    /// let verifier = TokenVerifier::new(VerifyingKey::hs256([1u8; 32])?);
    /// assert!(verifier.clone().with_leeway(Duration::from_secs(30)).is_ok());
    /// assert!(verifier.with_leeway(Duration::from_secs(3600)).is_err());
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn with_leeway(mut self, leeway: Duration) -> Result<Self, TokenError> {
        if leeway > Self::MAX_LEEWAY {
            return Err(TokenError::InvalidDuration);
        }
        self.config_mut().leeway = leeway;
        Ok(self)
    }

    /// Returns this verifier refusing tokens longer than `max` bytes before any decoding.
    ///
    /// ```
    /// use keyward::token::{TokenError, TokenIssuer};
    ///
    /// let issuer = TokenIssuer::hs256([1u8; 32])?;
    /// let token = issuer.issue("alice", &())?;
    /// let tiny = issuer.verifier().with_max_token_bytes(16);
    /// assert!(matches!(tiny.verify::<()>(&token), Err(TokenError::TooLarge { max: 16, .. })));
    /// # Ok::<(), TokenError>(())
    /// ```
    #[must_use]
    pub fn with_max_token_bytes(mut self, max: usize) -> Self {
        self.config_mut().max_token_bytes = max;
        self
    }

    /// Returns this verifier reading the time from `clock`.
    ///
    /// ```
    /// use keyward::token::{FixedClock, TokenVerifier, VerifyingKey};
    ///
    /// let verifier = TokenVerifier::new(VerifyingKey::hs256([1u8; 32])?)
    ///     .with_clock(FixedClock::at_unix_seconds(1_700_000_000));
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    #[must_use]
    pub fn with_clock(mut self, clock: impl Clock + 'static) -> Self {
        self.config_mut().clock = Arc::new(clock);
        self
    }

    pub(crate) fn clock(&self) -> &dyn Clock {
        &*self.config.clock
    }

    pub(crate) fn issuer(&self) -> Option<&str> {
        self.config.issuer.as_deref()
    }

    pub(crate) fn audiences(&self) -> &[String] {
        &self.config.audiences
    }

    /// Returns this verifier calling `check` on every token that passes all other checks; see
    /// [`RevocationCheck`].
    ///
    /// ```
    /// use keyward::token::{TokenError, TokenInfo, TokenIssuer};
    ///
    /// let issuer = TokenIssuer::hs256([1u8; 32])?;
    /// let token = issuer.issue("mallory", &())?;
    /// let verifier = issuer.verifier().with_revocation_check(|t: &TokenInfo<'_>| t.subject == "mallory");
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
    /// use keyward::token::{TokenError, TokenIssuer};
    ///
    /// let issuer = TokenIssuer::hs256([1u8; 32])?;
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
    /// use keyward::token::{TokenError, TokenIssuer, TokenKind};
    ///
    /// let issuer = TokenIssuer::hs256([1u8; 32])?;
    /// let refresh = issuer.issue_refresh("alice", &())?;
    /// assert_eq!(issuer.verifier().verify_refresh::<()>(&refresh)?.subject, "alice");
    /// assert_eq!(
    ///     issuer.verifier().verify::<()>(&refresh).unwrap_err(),
    ///     TokenError::WrongTokenType { expected: TokenKind::Access }
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
        let header = Header::decode(compact.header)?;
        let key = self.key_for(header.kid.as_deref())?;
        if key.algorithm() != header.algorithm {
            return Err(TokenError::WrongAlgorithm {
                expected: key.algorithm(),
                found: header.algorithm,
            });
        }
        let signature = jws::decode_part(compact.signature, TokenPart::Signature)?;
        key.verify_signature(compact.signing_input.as_bytes(), &signature)?;
        if !header.typ.as_deref().is_some_and(|typ| kind.matches(typ)) {
            return Err(TokenError::WrongTokenType { expected: kind });
        }
        let payload = WirePayload::parse(&jws::decode_part(compact.payload, TokenPart::Payload)?)?;
        let claims = self.validate(payload)?;
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

    /// The key for a token's `kid`: the key with that id; or, when the verifier holds a single
    /// key without an id, that key whatever the token says (the id is then only a label).
    fn key_for(&self, kid: Option<&str>) -> Result<&VerifyingKey, TokenError> {
        let keys = &self.config.keys;
        if let [only] = keys.as_slice() {
            if only.key_id().is_none() || only.key_id() == kid {
                return Ok(only);
            }
            return Err(TokenError::UnknownKeyId);
        }
        let kid = kid.ok_or(TokenError::UnknownKeyId)?;
        keys.iter()
            .find(|key| key.key_id() == Some(kid))
            .ok_or(TokenError::UnknownKeyId)
    }

    fn validate<T: DeserializeOwned>(
        &self,
        mut payload: WirePayload,
    ) -> Result<Claims<T>, TokenError> {
        let config = &*self.config;
        let now = config.clock.now();
        let leeway = TimeDelta::from_std(config.leeway).expect("leeway is capped at five minutes");

        let expires_at = payload
            .date(Claim::ExpiresAt)?
            .ok_or(TokenError::MissingClaim(Claim::ExpiresAt))?;
        // RFC 7519 §4.1.4: the current time must be before `exp`.
        if now >= add(expires_at, leeway) {
            return Err(TokenError::Expired {
                expired_at: expires_at,
            });
        }
        let not_before = payload.date(Claim::NotBefore)?;
        if let Some(not_before) = not_before {
            // RFC 7519 §4.1.5: the current time must be at or after `nbf`.
            if add(now, leeway) < not_before {
                return Err(TokenError::NotYetValid {
                    valid_from: not_before,
                });
            }
        }
        let issued_at = payload
            .date(Claim::IssuedAt)?
            .ok_or(TokenError::MissingClaim(Claim::IssuedAt))?;
        if add(now, leeway) < issued_at {
            return Err(TokenError::NotYetValid {
                valid_from: issued_at,
            });
        }

        let issuer = payload.string(Claim::Issuer)?;
        if let Some(expected) = &config.issuer {
            match &issuer {
                None => return Err(TokenError::MissingClaim(Claim::Issuer)),
                Some(found) if found != expected => return Err(TokenError::InvalidIssuer),
                Some(_) => {}
            }
        }
        let audience = payload.audience()?;
        match (&audience, config.audiences.is_empty()) {
            (None, false) => return Err(TokenError::MissingClaim(Claim::Audience)),
            // RFC 7519 §4.1.3: a recipient not named in a present `aud` must reject the token.
            (Some(_), true) => return Err(TokenError::InvalidAudience),
            (Some(found), false) if !config.audiences.iter().any(|a| found.contains(a)) => {
                return Err(TokenError::InvalidAudience);
            }
            _ => {}
        }

        let subject = payload
            .string(Claim::Subject)?
            .ok_or(TokenError::MissingClaim(Claim::Subject))?;
        if subject.is_empty() {
            return Err(TokenError::InvalidClaim(Claim::Subject));
        }
        let token_id = payload.string(Claim::TokenId)?;
        let extra = payload.extra()?;
        Ok(Claims {
            subject,
            expires_at,
            issued_at,
            not_before,
            issuer,
            audience,
            token_id,
            extra,
        })
    }
}

/// A key set: at least one key, no key id twice (nor two keys without one).
fn key_set(keys: impl IntoIterator<Item = VerifyingKey>) -> Result<Vec<VerifyingKey>, TokenError> {
    let mut set: Vec<VerifyingKey> = Vec::new();
    for key in keys {
        if set.iter().any(|held| held.key_id() == key.key_id()) {
            return Err(TokenError::DuplicateKeyId);
        }
        set.push(key);
    }
    if set.is_empty() {
        return Err(TokenError::InvalidKey);
    }
    Ok(set)
}

/// The signing keys of a JWKS document: encryption keys skipped, secrets refused.
fn jwks_keys(json: &str) -> Result<Vec<VerifyingKey>, TokenError> {
    let set: JwkSet = serde_json::from_str(json).map_err(|_| TokenError::InvalidKey)?;
    set.keys
        .into_iter()
        .filter(|jwk| {
            jwk.key_use
                .as_deref()
                .is_none_or(|key_use| key_use == "sig")
        })
        .map(|jwk| {
            if jwk.is_secret() {
                Err(TokenError::InvalidKey)
            } else {
                VerifyingKey::from_document(jwk)
            }
        })
        .collect()
}

/// `instant + delta`, saturating at chrono's range instead of overflowing.
fn add(instant: DateTime<Utc>, delta: TimeDelta) -> DateTime<Utc> {
    instant
        .checked_add_signed(delta)
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

impl fmt::Debug for TokenVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let config = &*self.config;
        f.debug_struct("TokenVerifier")
            .field("keys", &config.keys)
            .field("issuer", &config.issuer)
            .field("audiences", &config.audiences)
            .field("leeway", &config.leeway)
            .field("max_token_bytes", &config.max_token_bytes)
            .field("clock", &config.clock)
            .field("revocation_check", &config.revocation.is_some())
            .finish()
    }
}

#[derive(Serialize, Deserialize)]
struct JwkSet {
    keys: Vec<JwkDocument>,
}
