//! `TokenIssuer`: signs access and refresh tokens with one key.

use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::DateTime;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::jws;
use super::payload::{self, OutgoingAudience, RegisteredClaims};
use super::revocation::RevocationCheck;
use super::{
    Algorithm, Claim, Claims, Clock, Leeway, Lifetime, SigningKey, SystemClock, TokenError,
    TokenKind, TokenResponse, TokenVerifier, VerifyingKey,
};

/// Issues and verifies tokens with one signing key: the half of keyward an auth service uses.
///
/// The key decides the algorithm. Tokens carry `sub`, `exp`, `iat`, a random `jti`, and `iss`
/// when configured, beside the caller's own claims. Access tokens have `typ: at+jwt` (RFC 9068)
/// and the configured `aud`; refresh tokens have `typ: refresh+jwt` and an `aud` of their own
/// (the [refresh audience](Self::with_refresh_audience)), so neither is accepted as the other,
/// not even by a verifier elsewhere that ignores `typ` but checks `aud`. [`verify`](Self::verify) applies the same policy as [`verifier`](Self::verifier).
///
/// | setting | default | change with |
/// |---|---|---|
/// | access token lifetime | 15 minutes | [`with_ttl`](Self::with_ttl), or per token with [`issue_with_ttl`](Self::issue_with_ttl) |
/// | refresh token lifetime | 7 days | [`with_refresh_ttl`](Self::with_refresh_ttl) |
/// | `iss`, access `aud` | not set | [`with_issuer`](Self::with_issuer), [`with_audience`](Self::with_audience) |
/// | refresh `aud` | [`TokenVerifier::DEFAULT_REFRESH_AUDIENCE`] | [`with_refresh_audience`](Self::with_refresh_audience) |
/// | `kid` | the key's | [`SigningKey::with_key_id`] before [`new`](Self::new) |
/// | leeway | 0 | [`with_leeway`](Self::with_leeway) (at most 5 minutes) |
/// | clock | system | [`with_clock`](Self::with_clock) |
///
/// # Builder methods
///
/// The same rules hold for [`TokenIssuer`], [`TokenVerifier`], [`KeySet`](super::KeySet) and
/// [`PasswordHasher`](crate::password::PasswordHasher):
/// - `with_*` replaces one setting and never fails; a value that can be wrong is checked when
///   its type is made ([`Lifetime::from_mins`], [`Leeway::from_secs`],
///   [`Cost::new`](crate::password::Cost::new)), so a chain of `with_*` has no `?` in it;
/// - constructors are `new`, `from_*` or named for the algorithm (`hs256`), and return
///   `Result` when their input can be wrong;
/// - there is one way to do each thing: keys are read only by [`SigningKey`],
///   [`VerifyingKey`](super::VerifyingKey) and [`KeySet`](super::KeySet), and the issuer and
///   verifier take them in `new` (`TokenIssuer::new(SigningKey::hs256(secret)?)`);
/// - adding to a collection is `insert` on it ([`KeySet::insert`](super::KeySet::insert)); `with_key_set` replaces
///   the whole set;
/// - clocks and revocation checks are taken as any `impl Clock` (an `Arc<dyn Clock>`
///   included) and any `impl RevocationCheck` (a closure `|t: &TokenInfo<'_>| ...` included).
///
/// Cloning is cheap (shared, immutable key and settings); `TokenIssuer` is `Send + Sync`.
///
/// ```
/// use keyward::SecretKey;
/// use keyward::token::{Claims, Lifetime, SigningKey, TokenIssuer};
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Serialize, Deserialize)]
/// struct Role {
///     role: String,
/// }
///
/// let issuer = TokenIssuer::new(SigningKey::hs256(SecretKey::generate()?)?)
///     .with_issuer("https://auth.example.com")
///     .with_audience("api")
///     .with_ttl(Lifetime::from_mins(15)?);
/// let token: String = issuer.issue("alice", &Role { role: "admin".into() })?;
/// let claims: Claims<Role> = issuer.verify(&token)?;
/// assert_eq!((claims.subject.as_str(), claims.extra.role.as_str()), ("alice", "admin"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct TokenIssuer {
    key: SigningKey,
    /// What the issuer writes into its tokens, held here rather than read back out of the
    /// verifier: the two are set together by the `with_*` methods.
    issuing: Issuing,
    verifier: TokenVerifier,
    ttl: Lifetime,
    refresh_ttl: Lifetime,
}

/// The issuing side of a [`TokenIssuer`]'s settings.
#[derive(Clone)]
struct Issuing {
    clock: Arc<dyn Clock>,
    issuer: Option<String>,
    audiences: Vec<String>,
    refresh_audience: String,
}

// The verifier beside it shows the same settings; the clock has no `Debug`.
impl fmt::Debug for Issuing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Issuing")
            .field("issuer", &self.issuer)
            .field("audiences", &self.audiences)
            .field("refresh_audience", &self.refresh_audience)
            .finish_non_exhaustive()
    }
}

impl TokenIssuer {
    /// The default access token lifetime: 15 minutes, as in the FastAPI tutorial keyward's
    /// users start from.
    pub const DEFAULT_TTL: Lifetime = Lifetime::const_secs(15 * 60);
    /// The default refresh token lifetime: 7 days.
    pub const DEFAULT_REFRESH_TTL: Lifetime = Lifetime::const_secs(7 * 24 * 60 * 60);

    /// An issuer signing with `key`, with the default settings.
    ///
    /// ```
    /// use keyward::token::{SigningKey, TokenIssuer};
    /// let issuer = TokenIssuer::new(SigningKey::hs256([1u8; 32])?);
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn new(key: SigningKey) -> Self {
        let verifier = TokenVerifier::new(key.verifying_key());
        TokenIssuer {
            key,
            issuing: Issuing {
                clock: Arc::new(SystemClock),
                issuer: None,
                audiences: Vec::new(),
                refresh_audience: TokenVerifier::DEFAULT_REFRESH_AUDIENCE.to_owned(),
            },
            verifier,
            ttl: Self::DEFAULT_TTL,
            refresh_ttl: Self::DEFAULT_REFRESH_TTL,
        }
    }

    /// Returns this issuer setting `iss` on its tokens and requiring it when verifying.
    ///
    /// ```
    /// # use keyward::token::{SigningKey, TokenIssuer};
    /// let issuer = TokenIssuer::new(SigningKey::hs256([1u8; 32])?).with_issuer("https://auth.example.com");
    /// let claims = issuer.verify::<()>(&issuer.issue("alice", &())?)?;
    /// assert_eq!(claims.issuer.as_deref(), Some("https://auth.example.com"));
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    #[must_use]
    pub fn with_issuer(mut self, issuer: impl Into<String>) -> Self {
        let issuer = issuer.into();
        self.verifier = self.verifier.with_issuer(issuer.clone());
        self.issuing.issuer = Some(issuer);
        self
    }

    /// Returns this issuer setting `aud` to `audience` on its access tokens (replacing any set
    /// before) and requiring it when verifying. Refresh tokens carry the refresh audience
    /// instead; see [`with_refresh_audience`](Self::with_refresh_audience).
    ///
    /// ```
    /// # use keyward::token::{SigningKey, TokenIssuer};
    /// let issuer = TokenIssuer::new(SigningKey::hs256([1u8; 32])?).with_audience("api");
    /// let claims = issuer.verify::<()>(&issuer.issue("alice", &())?)?;
    /// assert!(claims.audience.unwrap().contains("api"));
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    #[must_use]
    pub fn with_audience(self, audience: impl Into<String>) -> Self {
        self.with_audiences([audience])
    }

    /// Returns this issuer naming all of `audiences` in the `aud` of its access tokens
    /// (replacing any set before), and accepting any of them when verifying.
    ///
    /// ```
    /// # use keyward::token::{SigningKey, TokenIssuer};
    /// let issuer = TokenIssuer::new(SigningKey::hs256([1u8; 32])?).with_audiences(["orders", "billing"]);
    /// let claims = issuer.verify::<()>(&issuer.issue("alice", &())?)?;
    /// assert_eq!(claims.audience.unwrap().iter().collect::<Vec<_>>(), ["orders", "billing"]);
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    #[must_use]
    pub fn with_audiences(
        mut self,
        audiences: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        let audiences: Vec<String> = audiences.into_iter().map(Into::into).collect();
        self.verifier = self.verifier.with_audiences(audiences.iter().cloned());
        self.issuing.audiences = audiences;
        self
    }

    /// Returns this issuer setting `aud` to `audience` on its refresh tokens, instead of
    /// [`TokenVerifier::DEFAULT_REFRESH_AUDIENCE`]. Name the endpoint that takes refresh
    /// tokens, never an API: a resource server that checks `aud` but not `typ` (PyJWT, `jose`)
    /// must refuse a refresh token presented as an access token.
    ///
    /// ```
    /// # use keyward::token::{SigningKey, TokenIssuer};
    /// let issuer = TokenIssuer::new(SigningKey::hs256([1u8; 32])?).with_audience("api").with_refresh_audience("https://auth.example.com/token");
    /// let refresh = issuer.issue_refresh("alice", &())?;
    /// assert!(issuer.verify::<()>(&refresh).is_err());
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    #[must_use]
    pub fn with_refresh_audience(mut self, audience: impl Into<String>) -> Self {
        let audience = audience.into();
        self.verifier = self.verifier.with_refresh_audience(audience.clone());
        self.issuing.refresh_audience = audience;
        self
    }

    /// Returns this issuer with another access token lifetime.
    ///
    /// ```
    /// # use keyward::token::{Lifetime, SigningKey, TokenIssuer};
    /// let issuer = TokenIssuer::new(SigningKey::hs256([1u8; 32])?).with_ttl(Lifetime::from_mins(5)?);
    /// assert_eq!(issuer.ttl().as_secs(), 300);
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    #[must_use]
    pub fn with_ttl(mut self, ttl: Lifetime) -> Self {
        self.ttl = ttl;
        self
    }

    /// Returns this issuer with another refresh token lifetime.
    ///
    /// ```
    /// # use keyward::token::{Lifetime, SigningKey, TokenIssuer};
    /// let issuer = TokenIssuer::new(SigningKey::hs256([1u8; 32])?).with_refresh_ttl(Lifetime::from_days(1)?);
    /// assert_eq!(issuer.refresh_ttl().as_secs(), 86_400);
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    #[must_use]
    pub fn with_refresh_ttl(mut self, ttl: Lifetime) -> Self {
        self.refresh_ttl = ttl;
        self
    }

    /// Returns this issuer verifying with a leeway; see [`TokenVerifier::with_leeway`].
    ///
    /// ```
    /// # use keyward::token::{Leeway, SigningKey, TokenIssuer};
    /// let issuer = TokenIssuer::new(SigningKey::hs256([1u8; 32])?).with_leeway(Leeway::from_secs(10)?);
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    #[must_use]
    pub fn with_leeway(mut self, leeway: Leeway) -> Self {
        self.verifier = self.verifier.with_leeway(leeway);
        self
    }

    /// Returns this issuer reading the time from `clock`, for issuing and verifying.
    ///
    /// ```
    /// use keyward::token::{FixedClock, SigningKey, TokenIssuer};
    ///
    /// let issuer = TokenIssuer::new(SigningKey::hs256([1u8; 32])?).with_clock(FixedClock::at_unix_seconds(1_700_000_000));
    /// let claims = issuer.verify::<()>(&issuer.issue("alice", &())?)?;
    /// assert_eq!(claims.issued_at.unwrap().timestamp(), 1_700_000_000);
    /// assert_eq!(claims.expires_at.timestamp(), 1_700_000_900);
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    #[must_use]
    pub fn with_clock(mut self, clock: impl Clock + 'static) -> Self {
        let clock: Arc<dyn Clock> = Arc::new(clock);
        self.verifier = self.verifier.with_clock(Arc::clone(&clock));
        self.issuing.clock = clock;
        self
    }

    /// Returns this issuer whose own [`verify`](Self::verify) consults `check`; see
    /// [`TokenVerifier::with_revocation_check`].
    ///
    /// ```
    /// use keyward::token::{SigningKey, TokenInfo, TokenIssuer};
    /// let issuer = TokenIssuer::new(SigningKey::hs256([1u8; 32])?)
    ///     .with_revocation_check(|t: &TokenInfo<'_>| t.subject == "mallory");
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    #[must_use]
    pub fn with_revocation_check(mut self, check: impl RevocationCheck + 'static) -> Self {
        self.verifier = self.verifier.with_revocation_check(check);
        self
    }

    /// The signing key's algorithm.
    ///
    /// ```
    /// # use keyward::token::{Algorithm, SigningKey, TokenIssuer};
    /// assert_eq!(TokenIssuer::new(SigningKey::hs512([1u8; 64])?).algorithm(), Algorithm::HS512);
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn algorithm(&self) -> Algorithm {
        self.key.algorithm()
    }

    /// The key id stamped on tokens, if any.
    ///
    /// ```
    /// # use keyward::token::{SigningKey, TokenIssuer};
    /// assert_eq!(TokenIssuer::new(SigningKey::hs256([1u8; 32])?).key_id(), None);
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn key_id(&self) -> Option<&str> {
        self.key.key_id()
    }

    /// The access token lifetime.
    ///
    /// ```
    /// # use keyward::token::{SigningKey, TokenIssuer};
    /// assert_eq!(TokenIssuer::new(SigningKey::hs256([1u8; 32])?).ttl().as_secs(), 900);
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn ttl(&self) -> Lifetime {
        self.ttl
    }

    /// The refresh token lifetime.
    ///
    /// ```
    /// # use keyward::token::{SigningKey, TokenIssuer};
    /// assert_eq!(TokenIssuer::new(SigningKey::hs256([1u8; 32])?).refresh_ttl().as_secs(), 604_800);
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn refresh_ttl(&self) -> Lifetime {
        self.refresh_ttl
    }

    /// The public half of the signing key (the secret itself for HMAC), to publish or to hand
    /// to a [`TokenVerifier`] elsewhere.
    ///
    /// ```
    /// use keyward::token::{SigningKey, TokenIssuer, TokenVerifier};
    ///
    /// let issuer = TokenIssuer::new(SigningKey::from_pem(std::fs::read("tests/keys/p256-1-private.pem")?)?);
    /// let verifier = TokenVerifier::new(issuer.verifying_key());
    /// verifier.verify::<()>(&issuer.issue("alice", &())?)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn verifying_key(&self) -> VerifyingKey {
        self.key.verifying_key()
    }

    /// The verify-only half: the same policy, holding only the public key for asymmetric
    /// algorithms. Hand it to services that check tokens but must not issue them.
    ///
    /// ```
    /// # use keyward::token::{Algorithm, SigningKey, TokenIssuer};
    /// let issuer = TokenIssuer::new(SigningKey::from_pem(std::fs::read("tests/keys/p256-1-private.pem")?)?);
    /// let verifier = issuer.verifier();
    /// verifier.verify::<()>(&issuer.issue("alice", &())?)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn verifier(&self) -> TokenVerifier {
        self.verifier.clone()
    }

    /// Issues an access token for `subject` with the configured lifetime. `extra` holds the
    /// caller's own claims: any value that serializes to a JSON object, or `()` for none.
    ///
    /// # Errors
    ///
    /// - [`TokenError::InvalidClaim`] for an empty subject.
    /// - [`TokenError::ReservedClaim`] when `extra` sets a registered claim (`sub`, `exp`,
    ///   `iat`, `nbf`, `iss`, `aud`, `jti`): keyward sets those, and silently letting one win
    ///   would issue a token that says something else than the caller meant.
    /// - [`TokenError::InvalidExtraClaims`] when `extra` does not serialize to a JSON object.
    /// - [`TokenError::InvalidClaim`] for `exp` when the clock is so far in the future that
    ///   the expiry cannot be represented.
    ///
    /// ```
    /// use keyward::token::{Claim, SigningKey, TokenError, TokenIssuer};
    /// use std::collections::HashMap;
    ///
    /// let issuer = TokenIssuer::new(SigningKey::hs256([1u8; 32])?);
    /// let sneaky = HashMap::from([("exp", u64::MAX)]);
    /// assert_eq!(issuer.issue("alice", &sneaky), Err(TokenError::ReservedClaim(Claim::ExpiresAt)));
    /// # Ok::<(), TokenError>(())
    /// ```
    pub fn issue<T: Serialize + ?Sized>(
        &self,
        subject: &str,
        extra: &T,
    ) -> Result<String, TokenError> {
        self.issue_kind(subject, extra, self.ttl, TokenKind::Access)
    }

    /// Issues an access token with its own lifetime, like the `expires_delta` of the FastAPI
    /// tutorial keyward grew from ("30 Days of FastAPI", day 17: JWTs and password hashing with
    /// passlib and python-jose, after FastAPI's own "OAuth2 with Password (and hashing), Bearer
    /// with JWT tokens", <https://fastapi.tiangolo.com/tutorial/security/oauth2-jwt/>).
    ///
    /// # Errors
    ///
    /// As [`issue`](Self::issue).
    ///
    /// ```
    /// use keyward::token::{Lifetime, SigningKey, TokenIssuer};
    ///
    /// let issuer = TokenIssuer::new(SigningKey::hs256([1u8; 32])?);
    /// let token = issuer.issue_with_ttl("alice", &(), Lifetime::from_mins(5)?)?;
    /// let claims = issuer.verify::<()>(&token)?;
    /// assert_eq!((claims.expires_at - claims.issued_at.unwrap()).num_seconds(), 300);
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn issue_with_ttl<T: Serialize + ?Sized>(
        &self,
        subject: &str,
        extra: &T,
        ttl: Lifetime,
    ) -> Result<String, TokenError> {
        self.issue_kind(subject, extra, ttl, TokenKind::Access)
    }

    /// Issues a refresh token (`typ: refresh+jwt`) with the refresh lifetime. It is accepted
    /// only by [`verify_refresh`](Self::verify_refresh).
    ///
    /// # Errors
    ///
    /// As [`issue`](Self::issue).
    ///
    /// ```
    /// # use keyward::token::{SigningKey, TokenIssuer};
    /// let issuer = TokenIssuer::new(SigningKey::hs256([1u8; 32])?);
    /// let refresh = issuer.issue_refresh("alice", &())?;
    /// assert!(issuer.verify::<()>(&refresh).is_err());
    /// assert!(issuer.verify_refresh::<()>(&refresh).is_ok());
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn issue_refresh<T: Serialize + ?Sized>(
        &self,
        subject: &str,
        extra: &T,
    ) -> Result<String, TokenError> {
        self.issue_kind(subject, extra, self.refresh_ttl, TokenKind::Refresh)
    }

    /// Issues an access token and a refresh token as an OAuth2 [`TokenResponse`], ready to
    /// return from a `/token` endpoint.
    ///
    /// # Errors
    ///
    /// As [`issue`](Self::issue).
    ///
    /// ```
    /// # use keyward::token::{SigningKey, TokenIssuer};
    /// let issuer = TokenIssuer::new(SigningKey::hs256([1u8; 32])?);
    /// let response = issuer.issue_response("alice", &())?;
    /// assert_eq!(response.token_type, "bearer");
    /// assert_eq!(response.expires_in, 900);
    /// issuer.verify_refresh::<()>(response.refresh_token.as_deref().unwrap())?;
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn issue_response<T: Serialize + ?Sized>(
        &self,
        subject: &str,
        extra: &T,
    ) -> Result<TokenResponse, TokenError> {
        let access = self.issue(subject, extra)?;
        let refresh = self.issue_refresh(subject, extra)?;
        Ok(TokenResponse::new(access, self.ttl).with_refresh_token(refresh))
    }

    fn issue_kind<T: Serialize + ?Sized>(
        &self,
        subject: &str,
        extra: &T,
        ttl: Lifetime,
        kind: TokenKind,
    ) -> Result<String, TokenError> {
        if subject.is_empty() {
            return Err(TokenError::InvalidClaim(Claim::Subject));
        }
        let issuing = &self.issuing;
        let issued_at = issuing.clock.unix_seconds();
        // An expiry past what a date can hold (a clock far in the future) is refused rather
        // than written: no verifier could read it.
        let expires_at = i64::try_from(ttl.as_secs())
            .ok()
            .and_then(|ttl| issued_at.checked_add(ttl))
            .filter(|&seconds| DateTime::from_timestamp(seconds, 0).is_some())
            .ok_or(TokenError::InvalidClaim(Claim::ExpiresAt))?;
        let aud = match (kind, issuing.audiences.as_slice()) {
            (TokenKind::Refresh, _) => Some(OutgoingAudience::One(&issuing.refresh_audience)),
            (TokenKind::Access, []) => None,
            (TokenKind::Access, [single]) => Some(OutgoingAudience::One(single)),
            (TokenKind::Access, audiences) => Some(OutgoingAudience::Many(audiences)),
        };
        let token_id = random_token_id()?;
        let registered = RegisteredClaims {
            sub: subject,
            iat: issued_at,
            exp: expires_at,
            jti: &token_id,
            iss: issuing.issuer.as_deref(),
            aud,
        };
        jws::encode(&self.key, kind, &payload::write(&registered, extra)?)
    }

    /// Verifies an access token with this issuer's policy; see [`TokenVerifier::verify`].
    ///
    /// # Errors
    ///
    /// As [`TokenVerifier::verify`].
    ///
    /// ```
    /// # use keyward::token::{SigningKey, TokenIssuer};
    /// let issuer = TokenIssuer::new(SigningKey::hs256([1u8; 32])?);
    /// assert_eq!(issuer.verify::<()>(&issuer.issue("alice", &())?)?.subject, "alice");
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn verify<T: DeserializeOwned>(&self, token: &str) -> Result<Claims<T>, TokenError> {
        self.verifier.verify(token)
    }

    /// Verifies a refresh token with this issuer's policy; see
    /// [`TokenVerifier::verify_refresh`].
    ///
    /// # Errors
    ///
    /// As [`TokenVerifier::verify_refresh`].
    ///
    /// ```
    /// # use keyward::token::{SigningKey, TokenIssuer};
    /// let issuer = TokenIssuer::new(SigningKey::hs256([1u8; 32])?);
    /// assert!(issuer.verify_refresh::<()>(&issuer.issue("alice", &())?).is_err());
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn verify_refresh<T: DeserializeOwned>(
        &self,
        token: &str,
    ) -> Result<Claims<T>, TokenError> {
        self.verifier.verify_refresh(token)
    }
}

/// 128 random bits, base64url: unique per token without coordination.
///
/// The bits come from the operating system's generator, drawn a batch at a time per thread:
/// one `getrandom` call (about 0.35 µs here) per 256 tokens instead of one per token. A token
/// id is an identifier, not a secret, so holding the next ids' bits in memory gives nothing
/// away. The batch belongs to the process that drew it: a forked child, which inherits a copy,
/// draws its own before using any, so parent and child never hand out the same id.
fn random_token_id() -> Result<String, TokenError> {
    const BATCH: usize = 16 * 256;
    struct Pool {
        bytes: Box<[u8; BATCH]>,
        used: usize,
        owner: u32,
    }
    thread_local! {
        static POOL: std::cell::RefCell<Pool> = std::cell::RefCell::new(Pool {
            bytes: Box::new([0; BATCH]),
            used: BATCH,
            owner: 0,
        });
    }
    POOL.with_borrow_mut(|Pool { bytes, used, owner }| {
        let process = std::process::id();
        if *used == BATCH || *owner != process {
            getrandom::fill(&mut bytes[..]).map_err(|_| TokenError::RandomnessUnavailable)?;
            *used = 0;
            *owner = process;
        }
        let id = URL_SAFE_NO_PAD.encode(&bytes[*used..*used + 16]);
        // Each batch's bits serve once: the slot is wiped as it is used.
        bytes[*used..*used + 16].fill(0);
        *used += 16;
        Ok(id)
    })
}
