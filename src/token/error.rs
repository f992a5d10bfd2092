//! The one error type of the token domain, and the small enums that give its variants detail.

use std::fmt;

use chrono::{DateTime, Utc};
use thiserror::Error;

use super::{Algorithm, TokenKind};

/// Everything that can go wrong when building keys, issuing or verifying tokens.
///
/// Every variant is a distinct reason a caller can match on; none carries a dependency's error
/// type, and no message contains key material or a token. In an HTTP service, every variant
/// returned by `verify` means "401 Unauthorized"; the variants exist for logs and metrics.
///
/// ```
/// use keyward::token::{FixedClock, TokenError, TokenIssuer};
/// use std::time::Duration;
///
/// let clock = FixedClock::at_unix_seconds(1_700_000_000);
/// let issuer = TokenIssuer::hs256([7u8; 32])?
///     .with_ttl(Duration::from_secs(60))
///     .with_clock(clock.clone());
/// let token = issuer.issue("alice", &())?;
/// clock.advance(Duration::from_secs(60));
/// assert!(matches!(issuer.verify::<()>(&token), Err(TokenError::Expired { .. })));
/// # Ok::<(), TokenError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum TokenError {
    /// A key is too weak for its algorithm: an HMAC secret shorter than the hash output
    /// (RFC 7518 §3.2: 32, 48 or 64 bytes for HS256, HS384, HS512) or an RSA modulus under
    /// 2048 bits.
    #[error("key has {bits} bits; {algorithm} needs at least {min_bits}")]
    WeakKey {
        /// The algorithm the key was meant for.
        algorithm: Algorithm,
        /// The strength of the key that was given, in bits.
        bits: usize,
        /// The least strength the algorithm accepts, in bits.
        min_bits: usize,
    },

    /// Key material could not be used: unparseable PEM or JWK, a key of another type than the
    /// constructor expects (an RSA key given to `es256_pem`), a curve other than the
    /// algorithm's, or a JWK whose `alg` or `use` does not fit.
    #[error("key material is invalid or does not fit the algorithm")]
    InvalidKey,

    /// Two keys of one verifier share a key id.
    #[error("two keys have the same key id")]
    DuplicateKeyId,

    /// The token is longer than the verifier's size cap; nothing was decoded.
    #[error("token is {len} bytes long; at most {max} bytes are accepted")]
    TooLarge {
        /// The token's length in bytes.
        len: usize,
        /// The cap in bytes.
        max: usize,
    },

    /// The token is not a well-formed compact JWS, or one of its parts does not decode.
    #[error("token is malformed: bad {0}")]
    Malformed(TokenPart),

    /// The header names an algorithm keyward does not accept, `none` in any spelling included.
    #[error("token algorithm is not supported")]
    UnsupportedAlgorithm,

    /// The header names a different algorithm than the verifying key's.
    #[error("token is signed with {found}, but the key is for {expected}")]
    WrongAlgorithm {
        /// The key's algorithm.
        expected: Algorithm,
        /// The header's algorithm.
        found: Algorithm,
    },

    /// The header lists critical extensions (`crit`); keyward understands none, so RFC 7515
    /// §4.1.11 requires the token to be rejected.
    #[error("token requires a critical header extension that is not supported")]
    UnsupportedCriticalHeader,

    /// No verification key matches the token's key id (`kid`): the token names an id the
    /// verifier does not hold, or names none while the verifier's keys have ids. (A verifier
    /// holding a single key without an id uses it for every token.)
    #[error("no verification key matches the token's key id")]
    UnknownKeyId,

    /// The signature does not verify with the selected key.
    #[error("token signature is invalid")]
    InvalidSignature,

    /// The header's `typ` is not the expected token type: a refresh token presented as an
    /// access token, or the other way round, or a token without an explicit type.
    #[error("wrong token type: expected {expected} token")]
    WrongTokenType {
        /// The kind of token the call expects.
        expected: TokenKind,
    },

    /// The token expired at `expired_at` (leeway included in the comparison).
    #[error("token expired at {expired_at}")]
    Expired {
        /// The token's `exp`.
        expired_at: DateTime<Utc>,
    },

    /// The token is not valid before `valid_from` (its `nbf`, or an `iat` in the future).
    #[error("token is not valid before {valid_from}")]
    NotYetValid {
        /// The token's `nbf` or `iat`.
        valid_from: DateTime<Utc>,
    },

    /// A required registered claim is absent.
    #[error("token has no `{0}` claim")]
    MissingClaim(Claim),

    /// A registered claim has the wrong JSON type or an impossible value (a string `exp`, a
    /// fractional or out-of-range date, an empty subject).
    #[error("token claim `{0}` is invalid")]
    InvalidClaim(Claim),

    /// The `iss` claim is not the configured issuer.
    #[error("token issuer is not the expected one")]
    InvalidIssuer,

    /// The `aud` claim does not name the configured audience, or names one while the verifier
    /// expects none (RFC 7519 §4.1.3).
    #[error("token audience is not the expected one")]
    InvalidAudience,

    /// The caller's revocation check refused the token.
    #[error("token has been revoked")]
    Revoked,

    /// The caller's extra claims use a registered claim name; keyward sets those itself.
    #[error("extra claims may not set the registered claim `{0}`")]
    ReservedClaim(Claim),

    /// The caller's extra claims do not serialize to a JSON object, or do not deserialize
    /// from the token's claims.
    #[error("extra claims are not a JSON object of the expected shape")]
    InvalidExtraClaims,

    /// A configured duration cannot be used: a zero or unrepresentable time-to-live, or a
    /// leeway above [`TokenVerifier::MAX_LEEWAY`](crate::token::TokenVerifier::MAX_LEEWAY).
    #[error("configured duration is out of range")]
    InvalidDuration,

    /// The operating system's random number generator failed (token id or secret generation).
    #[error("the system random number generator is unavailable")]
    RandomnessUnavailable,
}

/// Which part of a compact JWS was malformed, for [`TokenError::Malformed`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenPart {
    /// Not exactly three dot-separated parts.
    Structure,
    /// The header is not canonical base64url of a JSON object with a string `alg`.
    Header,
    /// The payload is not canonical base64url of a JSON object.
    Payload,
    /// The signature is not canonical base64url.
    Signature,
}

impl fmt::Display for TokenPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TokenPart::Structure => "structure",
            TokenPart::Header => "header",
            TokenPart::Payload => "payload",
            TokenPart::Signature => "signature",
        })
    }
}

/// A registered JWT claim (RFC 7519 §4.1), for errors that name one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Claim {
    /// `sub`, [`Claims::subject`](crate::token::Claims::subject).
    Subject,
    /// `exp`, [`Claims::expires_at`](crate::token::Claims::expires_at).
    ExpiresAt,
    /// `iat`, [`Claims::issued_at`](crate::token::Claims::issued_at).
    IssuedAt,
    /// `nbf`, [`Claims::not_before`](crate::token::Claims::not_before).
    NotBefore,
    /// `iss`, [`Claims::issuer`](crate::token::Claims::issuer).
    Issuer,
    /// `aud`, [`Claims::audience`](crate::token::Claims::audience).
    Audience,
    /// `jti`, [`Claims::token_id`](crate::token::Claims::token_id).
    TokenId,
}

impl Claim {
    /// Every registered claim, in RFC order.
    pub(crate) const ALL: [Claim; 7] = [
        Claim::Issuer,
        Claim::Subject,
        Claim::Audience,
        Claim::ExpiresAt,
        Claim::NotBefore,
        Claim::IssuedAt,
        Claim::TokenId,
    ];

    /// The claim's name on the wire.
    ///
    /// ```
    /// use keyward::token::Claim;
    /// assert_eq!(Claim::ExpiresAt.wire_name(), "exp");
    /// ```
    pub const fn wire_name(self) -> &'static str {
        match self {
            Claim::Subject => "sub",
            Claim::ExpiresAt => "exp",
            Claim::IssuedAt => "iat",
            Claim::NotBefore => "nbf",
            Claim::Issuer => "iss",
            Claim::Audience => "aud",
            Claim::TokenId => "jti",
        }
    }
}

impl fmt::Display for Claim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.wire_name())
    }
}
