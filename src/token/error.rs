//! The one error type of the token domain, and the small enums that give its variants detail.

use std::fmt;

use chrono::{DateTime, Utc};
use thiserror::Error;

use super::{Algorithm, JsonError, KeyError, TokenKind};

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
///     .with_ttl(keyward::token::Lifetime::from_secs(60)?)
///     .with_clock(clock.clone());
/// let token = issuer.issue("alice", &())?;
/// clock.advance(Duration::from_secs(60));
/// assert!(matches!(issuer.verify::<()>(&token), Err(TokenError::Expired { .. })));
/// # Ok::<(), TokenError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum TokenError {
    /// Key material could not be used; the [`KeyError`] says why and, for a key of a JWK
    /// set, which key. Transparent: its message is the `KeyError`'s, and `source()` is the
    /// `KeyError`'s source, so an error chain prints each cause once.
    #[error(transparent)]
    InvalidKey(KeyError),

    /// Two keys of one key set share a key id (or several have none), so a token's `kid`
    /// could not pick one.
    #[error("two keys have the same key id{}", match .key_id { Some(kid) => format!(" {}", Shown(kid)), None => " (none)".to_owned() })]
    DuplicateKeyId {
        /// The shared key id; `None` when several keys have none.
        key_id: Option<String>,
    },

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
    #[error("token algorithm {} is not supported", Shown(.found))]
    UnsupportedAlgorithm {
        /// The header's `alg`, as the token spells it. Displayed escaped and cut to
        /// [`TokenError::SHOWN_CHARS`] characters: it comes from whoever sent the token.
        found: String,
    },

    /// The header names a different algorithm than the verifying key's.
    #[error("token is signed with {found}, but the key is for {expected}")]
    WrongAlgorithm {
        /// The key's algorithm.
        expected: Algorithm,
        /// The header's algorithm.
        found: Algorithm,
    },

    /// The header lists critical extensions (`crit`); keyward understands none, so RFC 7515
    /// §4.1.11 requires the token to be rejected. (A `crit` that is not a non-empty array of
    /// names is [`Malformed`](Self::Malformed).)
    #[error("token requires a critical header extension that is not supported")]
    UnsupportedCriticalHeader,

    /// The token names a key id (`kid`) the verifier holds no key for.
    #[error("no verification key has the token's key id {}", Shown(.key_id))]
    UnknownKeyId {
        /// The token's `kid`.
        key_id: String,
    },

    /// The token names no key id (`kid`), and the verifier holds several keys, so none can be
    /// chosen. (A verifier holding a single key uses it for a token without `kid`.)
    #[error("token has no key id (kid), and the verifier holds several keys")]
    MissingKeyId,

    /// The signature does not verify with the selected key.
    #[error("token signature is invalid")]
    InvalidSignature,

    /// The header's `typ` is not the expected token type: a refresh token presented as an
    /// access token, or the other way round, or a token without an explicit type.
    #[error("wrong token type: expected {expected} token (typ {:?}), found {}", .expected.media_type(), match .found { Some(typ) => format!("typ {}", Shown(typ)), None => "no typ".to_owned() })]
    WrongTokenType {
        /// The kind of token the call expects.
        expected: TokenKind,
        /// The header's `typ`, if it has one.
        found: Option<String>,
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

    /// The `iss` claim is not one of the configured issuers.
    #[error("token issuer {} is not an expected one", Shown(.found))]
    InvalidIssuer {
        /// The token's `iss` (displayed escaped and cut short).
        found: String,
    },

    /// The `aud` claim names none of the configured audiences.
    #[error("token audience {} names no expected audience", ShownList(.found))]
    InvalidAudience {
        /// The token's `aud` values (displayed escaped and cut short, the first few only).
        found: Vec<String>,
    },

    /// The token has an `aud` claim, but the verifier is configured with no audience: RFC 7519
    /// §4.1.3 requires a recipient that does not identify itself with a value in `aud` to
    /// reject the token. Configure the audience with `with_audience`.
    #[error("token has an audience, but the verifier expects none")]
    UnexpectedAudience,

    /// A claim the verifier requires (`with_required_claims`) is absent, not a string, or has
    /// another value.
    #[error("token claim {} is {}", Shown(.name), match .found { Some(found) => format!("{}, not the required value", Shown(found)), None => "missing or not a string".to_owned() })]
    ClaimMismatch {
        /// The claim's name.
        name: String,
        /// The claim's value when it is a string; `None` when it is absent or not a string.
        found: Option<String>,
    },

    /// The caller's revocation check refused the token.
    #[error("token has been revoked")]
    Revoked,

    /// The caller's extra claims use a registered claim name; keyward sets those itself.
    #[error("extra claims may not set the registered claim `{0}`")]
    ReservedClaim(Claim),

    /// The caller's extra claims do not serialize to a JSON object, or do not deserialize
    /// from the token's claims as the caller's type; `source()` says where and why.
    #[error("extra claims are not a JSON object of the expected shape")]
    InvalidExtraClaims(#[source] JsonError),

    /// A duration is out of the range its setting allows: a [`Lifetime`] or [`Leeway`] made
    /// from too small, too large or fractional seconds.
    ///
    /// [`Lifetime`]: crate::token::Lifetime
    /// [`Leeway`]: crate::token::Leeway
    #[error("{setting} must be whole seconds from {min_secs} to {max_secs}")]
    InvalidDuration {
        /// The setting (`lifetime`, `leeway`).
        setting: &'static str,
        /// The least number of seconds allowed.
        min_secs: u64,
        /// The most seconds allowed.
        max_secs: u64,
    },

    /// An HTTP `Authorization` value is not `Bearer <token>` as RFC 6750 §2.1 spells it: the
    /// scheme (any case), exactly one space, and a non-empty token of base64url-like
    /// characters.
    #[error("authorization value is not a bearer credential")]
    MalformedAuthorization,

    /// A [`RemoteKeySet`](crate::token::RemoteKeySet) holds no key set it may use: no fetch
    /// has succeeded yet, or the last good set has been expired for longer than the staleness
    /// limit and fetching a new one failed (or was held back by the cooldown). The token was
    /// not checked; in an HTTP service this is "503 Service Unavailable", not a bad token.
    /// [`RemoteKeySet::last_refresh_error`](crate::token::RemoteKeySet::last_refresh_error)
    /// says why the last fetch failed.
    ///
    /// The message ends with why the last fetch failed, when one did (the text of
    /// [`RefreshError`](crate::token::RefreshError)): an Entra-shaped set without `alg`, for
    /// one, says so here.
    #[error("the issuer's key set is unavailable{}", match .last_error { Some(reason) => format!(": {reason}"), None => String::new() })]
    KeySetUnavailable {
        /// Why the last fetch failed, if one did: the messages of its chain of causes, joined
        /// by `: `.
        last_error: Option<String>,
    },

    /// A setting that needs at least one value was given none: `try_with_issuers([])` would
    /// otherwise turn the issuer check off without a word.
    #[error("{setting} needs at least one value")]
    EmptySetting {
        /// The setting (`issuers`).
        setting: &'static str,
    },

    /// A size limit of zero bytes, which would refuse every token or document: almost always
    /// a mistake (an unset variable read as 0), so it is refused rather than applied.
    #[error("{setting} must be at least 1 byte")]
    ZeroLimit {
        /// The setting (`max_token_bytes`, `max_document_bytes`).
        setting: &'static str,
    },

    /// The operating system's random number generator failed (token id or secret generation).
    #[error("the system random number generator is unavailable")]
    RandomnessUnavailable,
}

impl TokenError {
    /// The most characters of an attacker-chosen string (a header's `alg`, a claim) an error
    /// message shows; the rest is cut and marked with `…`. Control characters and quotes are
    /// escaped, so no such string reaches a terminal or log line raw.
    pub const SHOWN_CHARS: usize = 64;
}

/// A string from outside (a token, a key document) as an error message shows it: quoted, with
/// control characters escaped (`\u{1b}`, `\n`), and cut after [`TokenError::SHOWN_CHARS`]
/// characters.
pub(crate) struct Shown<'a>(pub(crate) &'a str);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use fmt::Write as _;
        f.write_char('"')?;
        let mut chars = self.0.chars();
        for c in chars.by_ref().take(TokenError::SHOWN_CHARS) {
            for escaped in c.escape_debug() {
                f.write_char(escaped)?;
            }
        }
        if chars.next().is_some() {
            f.write_char('…')?;
        }
        f.write_char('"')
    }
}

/// The first few strings of a list, each [`Shown`].
pub(crate) struct ShownList<'a>(pub(crate) &'a [String]);

impl fmt::Display for ShownList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const FIRST: usize = 4;
        f.write_str("[")?;
        for (i, item) in self.0.iter().take(FIRST).enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{}", Shown(item))?;
        }
        if self.0.len() > FIRST {
            write!(f, ", … {} more", self.0.len() - FIRST)?;
        }
        f.write_str("]")
    }
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
