//! `DpopError`: every way a DPoP proof is refused, with the RFC 9449 error code and challenge.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use thiserror::Error;

use crate::token::{Algorithm, KeyError};

/// Why a DPoP proof (RFC 9449) was refused, or could not be made.
///
/// Each variant maps to the error code a server answers with ([`error_code`](Self::error_code):
/// `invalid_dpop_proof`, or `use_dpop_nonce` for the nonce variants) and to the challenge it
/// sends ([`www_authenticate`](Self::www_authenticate)). Values taken from a proof are shown
/// escaped and cut to [`SHOWN_CHARS`](Self::SHOWN_CHARS) characters.
///
/// ```
/// use keyward::token::dpop::DpopError;
///
/// let error = DpopError::Replayed;
/// assert_eq!(error.error_code(), "invalid_dpop_proof");
/// assert_eq!(
///     error.www_authenticate(),
///     r#"DPoP error="invalid_dpop_proof", algs="ES256 EdDSA PS256 RS256""#
/// );
/// ```
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum DpopError {
    /// The request carries no `DPoP` header (RFC 9449 §4.3, check 1).
    #[error("the request carries no DPoP proof")]
    Missing,

    /// The request carries more than one `DPoP` header (RFC 9449 §4.3, check 1).
    #[error("the request carries {count} DPoP proofs; exactly one is accepted")]
    Multiple {
        /// How many were sent.
        count: usize,
    },

    /// The proof is longer than the verifier's cap; it was not parsed.
    #[error("DPoP proof is {len} bytes long; at most {max} bytes are accepted")]
    TooLarge {
        /// The proof's length in bytes.
        len: usize,
        /// The cap in bytes.
        max: usize,
    },

    /// The proof is not a JWS compact serialization, or one of its parts is not canonical
    /// base64url of a JSON object without duplicate members.
    #[error("DPoP proof's {part} is malformed")]
    Malformed {
        /// `structure`, `header`, `payload` or `signature`.
        part: &'static str,
    },

    /// The header's `typ` is not `dpop+jwt` (RFC 9449 §4.2).
    #[error("DPoP proof's typ is {}, expected \"dpop+jwt\"", shown_opt(.found.as_deref()))]
    WrongType {
        /// The `typ` found, if any.
        found: Option<String>,
    },

    /// The header's `alg` is not one the verifier accepts: never `none` nor an HMAC algorithm
    /// (RFC 9449 §4.2), and only the asymmetric algorithms configured.
    #[error("DPoP proof's alg is {}, expected one of {}", shown(.found), .accepted)]
    UnsupportedAlgorithm {
        /// The `alg` found.
        found: String,
        /// The accepted algorithms, space-separated.
        accepted: String,
    },

    /// The header has no `jwk` object.
    #[error("DPoP proof's header has no jwk")]
    MissingKey,

    /// The header's `jwk` holds private key material (RFC 9449 §4.2: it must not).
    #[error("DPoP proof's jwk holds the private member {member:?}; only a public key is accepted")]
    PrivateKey {
        /// The first private member found (`d`, `p`, `q`, `dp`, `dq`, `qi`, `oth` or `k`).
        member: &'static str,
    },

    /// The header's `jwk` is not a usable public key (keyward's key checks: weak RSA,
    /// small-order Ed25519, a point off the curve, ...).
    #[error("DPoP proof's jwk is not a usable public key")]
    InvalidKey(#[source] KeyError),

    /// The `jwk` is a key for another algorithm than the header's `alg`.
    #[error("DPoP proof's alg is {alg:?} but its jwk is a {key:?} key")]
    KeyAlgorithmMismatch {
        /// The header's algorithm.
        alg: Algorithm,
        /// The algorithm of the key.
        key: Algorithm,
    },

    /// The signature does not verify with the header's `jwk`.
    #[error("DPoP proof's signature does not verify with its jwk")]
    InvalidSignature,

    /// A claim the proof must carry is absent (`jti`, `htm`, `htu`, `iat`; `ath` when an
    /// access token is presented).
    #[error("DPoP proof has no {claim} claim")]
    MissingClaim {
        /// The claim's name.
        claim: &'static str,
    },

    /// A claim has the wrong JSON type or an unusable value (an empty or overlong `jti`, an
    /// `htu` that is not an http(s) URL, ...).
    #[error("DPoP proof's {claim} claim is invalid")]
    InvalidClaim {
        /// The claim's name.
        claim: &'static str,
    },

    /// `htm` is not the request's method.
    #[error("DPoP proof's htm is {}, the request's method is {}", shown(.found), shown(.expected))]
    MethodMismatch {
        /// The proof's `htm`.
        found: String,
        /// The request's method.
        expected: String,
    },

    /// `htu` is not the request's URL (compared after RFC 9449 §4.3 normalisation, without
    /// query and fragment).
    #[error("DPoP proof's htu is {}, the request's URL is {}", shown(.found), shown(.expected))]
    UrlMismatch {
        /// The proof's `htu`, normalised.
        found: String,
        /// The request's URL, normalised.
        expected: String,
    },

    /// The URL given as the request's (by the server, or to a prover) is not an absolute
    /// http(s) URL.
    #[error("{} is not an absolute http(s) URL", shown(.url))]
    InvalidRequestUrl {
        /// The URL given.
        url: String,
    },

    /// `iat` is later than now plus the leeway.
    #[error("DPoP proof was issued at {issued_at}, in the future (now {now})")]
    IssuedInFuture {
        /// The proof's `iat`.
        issued_at: DateTime<Utc>,
        /// The verifier's clock.
        now: DateTime<Utc>,
    },

    /// `iat` is older than the accepted age plus the leeway.
    #[error("DPoP proof was issued at {issued_at}, too long ago (now {now})")]
    Stale {
        /// The proof's `iat`.
        issued_at: DateTime<Utc>,
        /// The verifier's clock.
        now: DateTime<Utc>,
    },

    /// The proof's `jti` was already used with this key within the window (RFC 9449 §11.1).
    #[error("DPoP proof was already used")]
    Replayed,

    /// `ath` is not the base64url SHA-256 of the access token presented.
    #[error("DPoP proof's ath does not match the access token")]
    AccessTokenHashMismatch,

    /// The proof's key is not the one the token is bound to (its `cnf.jkt`, RFC 9449 §6.1).
    #[error("DPoP proof's key has thumbprint {}, the token is bound to {}", shown(.found), shown(.expected))]
    KeyMismatch {
        /// The RFC 7638 thumbprint of the proof's key.
        found: String,
        /// The `jkt` the token is bound to.
        expected: String,
    },

    /// The server requires a nonce and the proof has none (RFC 9449 §8): answer with
    /// `use_dpop_nonce` and this nonce in the `DPoP-Nonce` header.
    #[error("DPoP proof has no nonce; the server requires one")]
    NonceRequired {
        /// The nonce to send in `DPoP-Nonce`.
        nonce: String,
    },

    /// The proof's nonce is not (or no longer) accepted (RFC 9449 §8): answer with
    /// `use_dpop_nonce` and this fresh nonce.
    #[error("DPoP proof's nonce is not accepted")]
    InvalidNonce {
        /// The nonce to send in `DPoP-Nonce`.
        nonce: String,
    },

    /// The replay store failed, so the proof could not be checked for reuse; it is refused.
    /// A server error, not the client's.
    #[error("the DPoP replay store failed")]
    ReplayStore(#[source] ReplayStoreError),

    /// A prover was given a key that cannot make proofs: an HMAC secret.
    #[error("a DPoP proof needs an asymmetric key, got {algorithm:?}")]
    SymmetricKey {
        /// The key's algorithm.
        algorithm: Algorithm,
    },

    /// Signing a proof failed.
    #[error("signing the DPoP proof failed")]
    Signing,
}

impl DpopError {
    /// How many characters of a value taken from a proof an error shows.
    pub const SHOWN_CHARS: usize = 120;

    /// The RFC 9449 error code for the `error` parameter of the challenge: `use_dpop_nonce`
    /// for [`NonceRequired`](Self::NonceRequired) and [`InvalidNonce`](Self::InvalidNonce),
    /// `invalid_dpop_proof` otherwise.
    ///
    /// ```
    /// use keyward::token::dpop::DpopError;
    /// assert_eq!(DpopError::NonceRequired { nonce: "n1".into() }.error_code(), "use_dpop_nonce");
    /// ```
    pub fn error_code(&self) -> &'static str {
        match self {
            DpopError::NonceRequired { .. } | DpopError::InvalidNonce { .. } => "use_dpop_nonce",
            _ => "invalid_dpop_proof",
        }
    }

    /// The nonce to send in the `DPoP-Nonce` response header, for the nonce variants.
    ///
    /// ```
    /// use keyward::token::dpop::DpopError;
    /// assert_eq!(DpopError::InvalidNonce { nonce: "n2".into() }.dpop_nonce(), Some("n2"));
    /// assert_eq!(DpopError::Replayed.dpop_nonce(), None);
    /// ```
    pub fn dpop_nonce(&self) -> Option<&str> {
        match self {
            DpopError::NonceRequired { nonce } | DpopError::InvalidNonce { nonce } => Some(nonce),
            _ => None,
        }
    }

    /// The `WWW-Authenticate` value a resource server answers with (RFC 9449 §7.1): the
    /// `DPoP` scheme, this error's code, and the algorithms keyward accepts by default. A
    /// verifier with its own algorithm list gives its own in
    /// [`DpopVerifier::challenge`](super::DpopVerifier::challenge).
    ///
    /// ```
    /// use keyward::token::dpop::DpopError;
    /// let challenge = DpopError::NonceRequired { nonce: "n1".into() }.www_authenticate();
    /// assert!(challenge.starts_with(r#"DPoP error="use_dpop_nonce""#));
    /// ```
    pub fn www_authenticate(&self) -> String {
        super::challenge(self.error_code(), super::DEFAULT_ALGORITHMS)
    }
}

/// A replay store's own failure (a lost database connection, a full store): it carries the
/// store's error as its [`source`](StdError::source).
///
/// ```
/// use keyward::token::dpop::ReplayStoreError;
/// use std::error::Error;
///
/// let error = ReplayStoreError::new("connection reset");
/// assert_eq!(error.to_string(), "the replay store failed");
/// assert_eq!(error.source().unwrap().to_string(), "connection reset");
/// ```
#[derive(Clone)]
pub struct ReplayStoreError(Arc<dyn StdError + Send + Sync>);

impl ReplayStoreError {
    /// A store error caused by `error`: any error type, or a message.
    ///
    /// ```
    /// # use keyward::token::dpop::ReplayStoreError;
    /// let error = ReplayStoreError::new(std::io::Error::other("disk full"));
    /// ```
    pub fn new(error: impl Into<Box<dyn StdError + Send + Sync>>) -> Self {
        ReplayStoreError(Arc::from(error.into()))
    }
}

impl PartialEq for ReplayStoreError {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for ReplayStoreError {}

impl fmt::Debug for ReplayStoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ReplayStoreError").field(&self.0).finish()
    }
}

impl fmt::Display for ReplayStoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the replay store failed")
    }
}

impl StdError for ReplayStoreError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&*self.0)
    }
}

/// A value from a proof, quoted, escaped and cut to [`DpopError::SHOWN_CHARS`] characters.
pub(crate) fn shown(value: &str) -> String {
    let mut cut: String = value.chars().take(DpopError::SHOWN_CHARS).collect();
    if cut.len() < value.len() {
        cut.push('…');
    }
    format!("\"{}\"", cut.escape_debug())
}

fn shown_opt(value: Option<&str>) -> String {
    value.map_or_else(|| "absent".to_owned(), shown)
}
