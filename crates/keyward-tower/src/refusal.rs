//! Why a request was refused, and how RFC 6750 §3 says to answer it.

use std::fmt;

use http::StatusCode;
use keyward::token::dpop::DpopError;
use keyward::token::{Claim, MalformedBearer, TokenError};

/// Why a request's bearer credentials were refused: what the layer or extractor answers, and
/// what a refusal hook sees (with the real reason, for the server's log).
///
/// | variant | status | `WWW-Authenticate` |
/// |---|---|---|
/// | [`MissingCredentials`](Self::MissingCredentials) | 401 | `Bearer` (and `realm`) |
/// | [`MalformedRequest`](Self::MalformedRequest) | 400 | `error="invalid_request"` |
/// | [`InvalidToken`](Self::InvalidToken) | 401 | `error="invalid_token"` |
/// | [`InsufficientScope`](Self::InsufficientScope) | 403 | `error="insufficient_scope"` |
/// | [`KeysUnavailable`](Self::KeysUnavailable) | 503 | none (`Retry-After: 30`) |
/// | [`InvalidDpopProof`](Self::InvalidDpopProof) | 401 (503 when the replay store failed) | `DPoP error="invalid_dpop_proof"` or `"use_dpop_nonce"` |
/// | [`InvalidDpopToken`](Self::InvalidDpopToken) | 401 | `DPoP error="invalid_token"` |
/// | [`BoundTokenAsBearer`](Self::BoundTokenAsBearer) | 401 | `DPoP error="invalid_token"` |
/// | [`UnboundDpopToken`](Self::UnboundDpopToken) | 401 | `DPoP error="invalid_token"` |
///
/// With DPoP on ([`BearerAuth::try_with_dpop`](crate::BearerAuth::try_with_dpop)) every
/// challenge is sent for both schemes (RFC 9449 §7.1), the error on the scheme it concerns.
///
/// ```
/// use http::StatusCode;
/// use keyward::token::TokenError;
/// use keyward_tower::Refusal;
///
/// let refusal = Refusal::from(TokenError::Revoked);
/// assert_eq!(refusal.status(), StatusCode::UNAUTHORIZED);
/// assert_eq!(refusal.error_code(), Some("invalid_token"));
/// assert_eq!(refusal.to_string(), "invalid token: token has been revoked");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    /// No bearer credentials: no `Authorization` header, or another scheme. RFC 6750 §3.1:
    /// the challenge carries no error code.
    MissingCredentials,
    /// An `Authorization` header that names `Bearer` but is not a bearer credential.
    MalformedRequest(MalformedBearer),
    /// The token did not verify: expired, revoked, signed by an unknown key, for another
    /// audience or issuer... The [`TokenError`] is the real reason, for logs; the client
    /// gets a short description of its kind.
    InvalidToken(TokenError),
    /// The token verified, but the service's claims check refused it.
    InsufficientScope(InsufficientScope),
    /// The issuer's key set could not be fetched, so the token was not checked: the token may
    /// be fine. Not a challenge: `503 Service Unavailable`.
    KeysUnavailable,
    /// `Authorization: DPoP` with a token bound to a key, and no valid proof of that key: no
    /// `DPoP` header, several, a malformed or replayed one, another key, method, URL or
    /// token, a stale `iat`, a missing or stale nonce (RFC 9449 §4.3, §7.1). A replay store
    /// that failed ([`DpopError::ReplayStore`]) is answered `503`: the proof was not checked.
    InvalidDpopProof(DpopError),
    /// `Authorization: DPoP` with a token that did not verify (the [`TokenError`], as
    /// [`InvalidToken`](Self::InvalidToken)).
    InvalidDpopToken(TokenError),
    /// A token bound to a key (it has `cnf`) sent as a bearer token: without a proof, whoever
    /// holds it could use it (RFC 9449 §7.2).
    BoundTokenAsBearer,
    /// `Authorization: DPoP` with a token bound to no DPoP key (no `cnf.jkt`).
    UnboundDpopToken,
}

impl Refusal {
    /// The HTTP status the refusal is answered with.
    ///
    /// ```
    /// # use keyward_tower::Refusal;
    /// assert_eq!(Refusal::MissingCredentials.status(), http::StatusCode::UNAUTHORIZED);
    /// ```
    pub fn status(&self) -> StatusCode {
        match self {
            Refusal::KeysUnavailable | Refusal::InvalidDpopProof(DpopError::ReplayStore(_)) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Refusal::MissingCredentials
            | Refusal::InvalidToken(_)
            | Refusal::InvalidDpopProof(_)
            | Refusal::InvalidDpopToken(_)
            | Refusal::BoundTokenAsBearer
            | Refusal::UnboundDpopToken => StatusCode::UNAUTHORIZED,
            Refusal::MalformedRequest(_) => StatusCode::BAD_REQUEST,
            Refusal::InsufficientScope(_) => StatusCode::FORBIDDEN,
        }
    }

    /// The RFC 6750 §3.1 error code, if the challenge carries one.
    ///
    /// ```
    /// # use keyward_tower::Refusal;
    /// assert_eq!(Refusal::MissingCredentials.error_code(), None);
    /// ```
    pub fn error_code(&self) -> Option<&'static str> {
        match self {
            Refusal::MissingCredentials
            | Refusal::KeysUnavailable
            | Refusal::InvalidDpopProof(DpopError::ReplayStore(_)) => None,
            Refusal::MalformedRequest(_) => Some("invalid_request"),
            Refusal::InvalidDpopProof(error) => Some(error.error_code()),
            Refusal::InvalidToken(_)
            | Refusal::InvalidDpopToken(_)
            | Refusal::BoundTokenAsBearer
            | Refusal::UnboundDpopToken => Some("invalid_token"),
            Refusal::InsufficientScope(_) => Some("insufficient_scope"),
        }
    }

    /// What the client is told, in the challenge's `error_description` and the default body:
    /// a fixed sentence per kind of refusal, never the sender's bytes.
    ///
    /// ```
    /// # use keyward::token::TokenError;
    /// # use keyward_tower::Refusal;
    /// assert_eq!(Refusal::from(TokenError::InvalidSignature).description(), "The access token's signature does not verify");
    /// ```
    pub fn description(&self) -> &'static str {
        match self {
            Refusal::MissingCredentials => "Not authenticated",
            Refusal::MalformedRequest(_) => "Malformed Authorization header",
            Refusal::InvalidToken(error) | Refusal::InvalidDpopToken(error) => {
                token_description(error)
            }
            Refusal::InvalidDpopProof(error) => proof_description(error),
            Refusal::BoundTokenAsBearer => {
                "The access token is bound to a key: send it with the DPoP scheme and a proof"
            }
            Refusal::UnboundDpopToken => "The access token is not bound to a DPoP key",
            Refusal::InsufficientScope(_) => "The access token does not grant this request",
            Refusal::KeysUnavailable => "Cannot verify tokens right now",
        }
    }
}

fn token_description(error: &TokenError) -> &'static str {
    match error {
        TokenError::Expired { .. } => "The access token expired",
        TokenError::NotYetValid { .. } => "The access token is not valid yet",
        TokenError::Revoked => "The access token was revoked",
        TokenError::InvalidSignature
        | TokenError::UnknownKeyId { .. }
        | TokenError::MissingKeyId
        | TokenError::WrongAlgorithm { .. }
        | TokenError::UnsupportedAlgorithm { .. } => "The access token's signature does not verify",
        TokenError::InvalidIssuer { .. }
        | TokenError::MissingClaim(Claim::Issuer)
        | TokenError::InvalidAudience { .. }
        | TokenError::UnexpectedAudience => "The access token is not for this service",
        TokenError::WrongTokenType { .. } => "Not an access token",
        TokenError::Malformed(_) | TokenError::TooLarge { .. } => "The access token is malformed",
        _ => "Could not validate credentials",
    }
}

fn proof_description(error: &DpopError) -> &'static str {
    match error {
        DpopError::Missing => "The request carries no DPoP proof",
        DpopError::Multiple { .. } => "The request carries more than one DPoP proof",
        DpopError::Replayed => "The DPoP proof was already used",
        DpopError::Stale { .. } | DpopError::IssuedInFuture { .. } => "The DPoP proof is not fresh",
        DpopError::MethodMismatch { .. } | DpopError::UrlMismatch { .. } => {
            "The DPoP proof was made for another request"
        }
        DpopError::AccessTokenHashMismatch => "The DPoP proof was made for another access token",
        DpopError::KeyMismatch { .. } => {
            "The DPoP proof's key is not the one the token is bound to"
        }
        DpopError::NonceRequired { .. } | DpopError::InvalidNonce { .. } => {
            "The DPoP proof must carry the nonce in the DPoP-Nonce header"
        }
        DpopError::ReplayStore(_) => "Cannot verify DPoP proofs right now",
        _ => "The DPoP proof is invalid",
    }
}

impl From<TokenError> for Refusal {
    /// [`TokenError::KeySetUnavailable`] is [`KeysUnavailable`](Refusal::KeysUnavailable);
    /// every other error is [`InvalidToken`](Refusal::InvalidToken).
    fn from(error: TokenError) -> Self {
        match error {
            TokenError::KeySetUnavailable { .. } => Refusal::KeysUnavailable,
            error => Refusal::InvalidToken(error),
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::MissingCredentials => f.write_str("no bearer credentials"),
            Refusal::MalformedRequest(error) => write!(f, "malformed request: {error}"),
            Refusal::InvalidToken(error) => write!(f, "invalid token: {error}"),
            Refusal::InsufficientScope(scope) => write!(f, "insufficient scope: {scope}"),
            Refusal::KeysUnavailable => f.write_str("the issuer's key set is unavailable"),
            Refusal::InvalidDpopProof(error) => write!(f, "invalid DPoP proof: {error}"),
            Refusal::InvalidDpopToken(error) => write!(f, "invalid DPoP token: {error}"),
            Refusal::BoundTokenAsBearer => f.write_str("a DPoP-bound token sent as a bearer token"),
            Refusal::UnboundDpopToken => {
                f.write_str("a token without cnf.jkt sent with the DPoP scheme")
            }
        }
    }
}

/// The reason is in the message (for one-line logs), so `source()` is `None`.
impl std::error::Error for Refusal {}

/// A claims check's refusal: the token is valid, but does not grant the request (RFC 6750
/// §3.1, `403` with `error="insufficient_scope"`).
///
/// ```
/// use keyward_tower::InsufficientScope;
///
/// let refusal = InsufficientScope::new().with_scope("orders:read");
/// assert_eq!(refusal.scope(), Some("orders:read"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InsufficientScope {
    scope: Option<String>,
}

impl InsufficientScope {
    /// A refusal that names no scope.
    ///
    /// ```
    /// # use keyward_tower::InsufficientScope;
    /// assert_eq!(InsufficientScope::new().scope(), None);
    /// ```
    pub fn new() -> Self {
        InsufficientScope::default()
    }

    /// Returns this refusal naming the scope the request needs, sent as the challenge's
    /// `scope` attribute (space-separated scope tokens, RFC 6749 §3.3). Characters RFC 6750
    /// §3 does not allow there (quotes, backslashes, controls, non-ASCII) are left out of the
    /// header.
    ///
    /// ```
    /// # use keyward_tower::InsufficientScope;
    /// let refusal = InsufficientScope::new().with_scope("orders:read orders:write");
    /// # assert!(refusal.scope().is_some());
    /// ```
    #[must_use]
    pub fn with_scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }

    /// The scope the request needs, if named.
    ///
    /// ```
    /// # use keyward_tower::InsufficientScope;
    /// assert_eq!(InsufficientScope::new().with_scope("a").scope(), Some("a"));
    /// ```
    pub fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }
}

impl fmt::Display for InsufficientScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.scope {
            Some(scope) => write!(f, "the request needs scope {scope:?}"),
            None => f.write_str("the claims check refused the token"),
        }
    }
}

/// A realm that cannot be sent in a challenge: RFC 6750 §3 allows only printable ASCII
/// other than `"` and `\` in its attribute values.
///
/// ```
/// use keyward_tower::BearerAuth;
/// use keyward::token::{SigningKey, TokenIssuer};
///
/// let auth: BearerAuth = BearerAuth::new(TokenIssuer::new(SigningKey::hs256([1u8; 32])?).verifier());
/// let error = auth.try_with_realm("my \"api\"").unwrap_err();
/// assert_eq!(error.to_string(), "realm has a character RFC 6750 does not allow at offset 3");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidRealm {
    offset: usize,
}

impl InvalidRealm {
    /// The byte offset of the first character not allowed.
    ///
    /// ```
    /// # use keyward_tower::BearerAuth;
    /// # use keyward::token::{SigningKey, TokenIssuer};
    /// # let auth: BearerAuth = BearerAuth::new(TokenIssuer::new(SigningKey::hs256([1u8; 32])?).verifier());
    /// assert_eq!(auth.try_with_realm("a\\b").unwrap_err().offset(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn offset(self) -> usize {
        self.offset
    }
}

impl fmt::Display for InvalidRealm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "realm has a character RFC 6750 does not allow at offset {}",
            self.offset
        )
    }
}

impl std::error::Error for InvalidRealm {}

/// RFC 6750 §3: attribute values are `%x20-21 / %x23-5B / %x5D-7E`, so a quoted value never
/// needs (or may carry) a quoted-pair.
pub(crate) fn is_attribute_char(byte: u8) -> bool {
    matches!(byte, 0x20..=0x21 | 0x23..=0x5B | 0x5D..=0x7E)
}

pub(crate) fn check_realm(realm: &str) -> Result<(), InvalidRealm> {
    match realm.bytes().position(|byte| !is_attribute_char(byte)) {
        Some(offset) => Err(InvalidRealm { offset }),
        None => Ok(()),
    }
}

impl Refusal {
    /// Whether the refusal concerns the `DPoP` scheme (its challenge carries the error).
    pub(crate) fn is_dpop(&self) -> bool {
        matches!(
            self,
            Refusal::InvalidDpopProof(_)
                | Refusal::InvalidDpopToken(_)
                | Refusal::BoundTokenAsBearer
                | Refusal::UnboundDpopToken
        )
    }
}

/// The `WWW-Authenticate` values for a refusal: none for one without a challenge (`503`),
/// the `Bearer` one, and with `dpop_algs` (DPoP on) the `DPoP` one; the error goes on the
/// scheme it concerns.
pub(crate) fn challenges(
    refusal: &Refusal,
    realm: Option<&str>,
    dpop_algs: Option<&str>,
) -> Vec<String> {
    if refusal.status() == StatusCode::SERVICE_UNAVAILABLE {
        return Vec::new();
    }
    let mut values = Vec::with_capacity(2);
    values.push(challenge(
        "Bearer",
        refusal,
        realm,
        !refusal.is_dpop(),
        None,
    ));
    if let Some(algs) = dpop_algs {
        values.push(challenge(
            "DPoP",
            refusal,
            realm,
            refusal.is_dpop(),
            Some(algs),
        ));
    }
    values
}

/// One scheme's challenge: `realm`, and when `with_error` the refusal's error, description
/// and scope; `algs` last for DPoP.
fn challenge(
    scheme: &str,
    refusal: &Refusal,
    realm: Option<&str>,
    with_error: bool,
    algs: Option<&str>,
) -> String {
    let mut attributes = Vec::new();
    if let Some(realm) = realm {
        attributes.push(("realm", realm.to_owned()));
    }
    if with_error && let Some(code) = refusal.error_code() {
        attributes.push(("error", code.to_owned()));
        attributes.push(("error_description", refusal.description().to_owned()));
    }
    if with_error
        && let Refusal::InsufficientScope(InsufficientScope { scope: Some(scope) }) = refusal
    {
        // scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), separated by single spaces.
        let tokens: Vec<String> = scope
            .split(' ')
            .map(|token| {
                token
                    .bytes()
                    .filter(|&b| b != b' ' && is_attribute_char(b))
                    .map(char::from)
                    .collect()
            })
            .filter(|token: &String| !token.is_empty())
            .collect();
        if !tokens.is_empty() {
            attributes.push(("scope", tokens.join(" ")));
        }
    }
    if let Some(algs) = algs {
        attributes.push(("algs", algs.to_owned()));
    }
    let mut value = String::from(scheme);
    for (index, (name, content)) in attributes.iter().enumerate() {
        value.push_str(if index == 0 { " " } else { ", " });
        value.push_str(name);
        value.push_str("=\"");
        value.extend(
            content
                .bytes()
                .filter(|&b| is_attribute_char(b))
                .map(char::from),
        );
        value.push('"');
    }
    value
}
