//! Why key material was refused: the detail behind [`TokenError::InvalidKey`].
//!
//! [`TokenError::InvalidKey`]: crate::token::TokenError::InvalidKey

use std::fmt;
use std::sync::Arc;

use thiserror::Error;

use crate::token::Algorithm;
use crate::token::error::Shown;

/// Why a key, a PEM document, a JWK or a JWK set was refused, for
/// [`TokenError::InvalidKey`](crate::token::TokenError::InvalidKey).
///
/// Each variant names what was found and, where it helps, what was wanted. Messages never
/// contain key material.
///
/// ```
/// use keyward::token::{KeyError, TokenError, VerifyingKey};
///
/// // RFC 8032 §5.1.5 leaves no room for this "public key": it is the identity point, with
/// // which one constant signature verifies every message.
/// let identity = r#"{"kty":"OKP","crv":"Ed25519","x":"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}"#;
/// assert_eq!(
///     VerifyingKey::from_jwk(identity).unwrap_err(),
///     TokenError::InvalidKey(KeyError::SmallOrderPoint)
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The text is not JSON, or not a JSON object of the expected shape (a JWK, or a JWK set
    /// `{"keys": [...]}`); `source()` is the parser's error.
    #[error("key is not a JSON object of the expected shape")]
    NotJson(#[source] JsonError),

    /// The text is not a PEM document.
    #[error("key is not PEM text")]
    NotPem,

    /// The PEM document is of another kind than the call needs: a public key given where a
    /// private key is expected, a certificate, an encrypted private key.
    #[error("PEM holds {}, but `{expected}` is needed", Shown(.found))]
    WrongPemType {
        /// The PEM label found (`PUBLIC KEY`, `CERTIFICATE`, ...).
        found: String,
        /// What the call accepts.
        expected: &'static str,
    },

    /// The PEM body is not the DER structure its label announces.
    #[error("PEM body is not a well-formed {0}")]
    MalformedPem(&'static str),

    /// The key is of another type or curve than the call or algorithm needs: an RSA key given
    /// to `es256_pem`, a P-384 key where P-256 is needed.
    #[error("key is {found}, but {expected} is needed")]
    WrongKeyType {
        /// The key type found (`RSA`, `EC P-384`, `Ed448`, ...).
        found: String,
        /// The key type needed.
        expected: &'static str,
    },

    /// The JWK's `kty` is not one keyward supports (`RSA`, `EC`, `OKP`, `oct`).
    #[error("key type (kty) {} is not supported", Shown(.0))]
    UnsupportedKeyType(String),

    /// The JWK's curve (`crv`) is not one keyward supports (`P-256`, `Ed25519`).
    #[error("curve {} is not supported", Shown(.0))]
    UnsupportedCurve(String),

    /// The JWK's `alg` names an algorithm keyward does not support.
    #[error("algorithm {} is not supported", Shown(.0))]
    UnsupportedAlgorithm(String),

    /// The JWK's `alg` does not fit its key type (`ES256` on an RSA key).
    #[error("algorithm {algorithm} does not fit a {} key", Shown(.key_type))]
    AlgorithmMismatch {
        /// The algorithm the JWK names.
        algorithm: Algorithm,
        /// The JWK's `kty`.
        key_type: String,
    },

    /// An RSA or `oct` JWK without `alg`: the key could serve several algorithms, and keyward
    /// pins exactly one per key. Name it, or let a JWK set import assume one for RSA keys.
    #[error("key has no `alg`, and its type allows more than one algorithm")]
    MissingAlgorithm,

    /// The JWK is not for signatures: `use` is not `sig`.
    #[error("key is for {}, not for signatures", Shown(.0))]
    NotForSigning(String),

    /// The JWK's `key_ops` does not include `verify`.
    #[error("key's key_ops does not permit `verify`")]
    VerifyNotPermitted,

    /// A JWK member keyward reads has the wrong JSON type (a number `kid`, a string
    /// `key_ops`).
    #[error("key parameter `{name}` is not {expected}")]
    InvalidMember {
        /// The member's name.
        name: &'static str,
        /// The JSON type it must have.
        expected: &'static str,
    },

    /// A required JWK parameter is absent.
    #[error("key parameter `{0}` is missing")]
    MissingParameter(&'static str),

    /// A JWK parameter is not unpadded, canonical base64url (RFC 7515 §2).
    #[error("key parameter `{0}` is not unpadded base64url")]
    InvalidEncoding(&'static str),

    /// A JWK integer has a leading zero octet; RFC 7518 §2 requires the minimum number of
    /// octets.
    #[error("key parameter `{0}` is not minimally encoded (leading zero octet)")]
    NotMinimal(&'static str),

    /// A key parameter has the wrong length for its curve.
    #[error("key parameter `{name}` is {len} bytes; {expected} are needed")]
    WrongLength {
        /// The parameter (`x`, `y`, ...).
        name: &'static str,
        /// Its decoded length.
        len: usize,
        /// The length the curve needs.
        expected: usize,
    },

    /// The key is too weak for its algorithm: an HMAC secret shorter than the hash output
    /// (RFC 7518 §3.2: 32, 48 or 64 bytes for HS256, HS384, HS512), or an RSA modulus under
    /// 2048 bits (RFC 7518 §3.3).
    #[error("key has {bits} bits; {algorithm} needs at least {min_bits}")]
    Weak {
        /// The algorithm the key was meant for.
        algorithm: Algorithm,
        /// The strength of the key that was given, in bits.
        bits: usize,
        /// The least strength the algorithm accepts, in bits.
        min_bits: usize,
    },

    /// The RSA modulus is larger than keyward verifies; see
    /// [`VerifyingKey::MAX_RSA_BITS`](crate::token::VerifyingKey::MAX_RSA_BITS).
    #[error("RSA modulus has {bits} bits; at most {max_bits} are accepted")]
    RsaModulusTooLarge {
        /// The modulus length in bits.
        bits: usize,
        /// The cap in bits.
        max_bits: usize,
    },

    /// The RSA modulus is even, so it is not a product of two odd primes.
    #[error("RSA modulus is even")]
    RsaModulusEven,

    /// The RSA public exponent is even; RSA needs it coprime to φ(n), which is even.
    #[error("RSA public exponent is even")]
    RsaExponentEven,

    /// The RSA public exponent is below 3.
    #[error("RSA public exponent is below 3")]
    RsaExponentTooSmall,

    /// The RSA public exponent is above 2³³ − 1, the largest both backends verify with (and so
    /// at or above any modulus it would have to stay below).
    #[error("RSA public exponent is above 2^33 - 1")]
    RsaExponentTooLarge,

    /// The EC point is not on the curve.
    #[error("point is not on the curve")]
    NotOnCurve,

    /// The point is the identity (the point at infinity) or another point of small order.
    /// With such an Ed25519 public key, signatures that verify can be made without any
    /// private key.
    #[error("point has small order (identity or torsion point)")]
    SmallOrderPoint,

    /// The Ed25519 point lies outside the prime-order subgroup that every real public key is
    /// in.
    #[error("point is not in the prime-order subgroup")]
    NotInPrimeOrderSubgroup,

    /// The point's encoding is not canonical (RFC 8032 §5.1.3: a `y` coordinate at or above
    /// the field prime, or a sign bit set for `x = 0`).
    #[error("point is not canonically encoded")]
    NonCanonicalPoint,

    /// Secret material where only public keys belong: a private member (`d`; for RSA also
    /// `p`, `q`, `dp`, `dq`, `qi` or `oth`, any one of which factors the modulus) or a shared
    /// secret (`k`) in a JWK set or public JWK (RFC 7518 §6.2.2, §6.3.2). Whoever can read
    /// the document can forge tokens.
    #[error("private key member `{member}` where only public keys belong")]
    SecretNotAllowed {
        /// The private member found, as RFC 7518 names it.
        member: &'static str,
    },

    /// An RSA private key whose parts do not agree (its primes do not multiply to its modulus,
    /// its exponents do not match), refused by the crypto backend's consistency check.
    #[error("RSA private key's parts do not agree")]
    InconsistentPrivateKey,

    /// A key keyward made or read could not be written as PKCS#8 DER.
    #[error("key could not be encoded as PKCS#8")]
    NotEncodable,

    /// The crypto backend refused key material that passed keyward's own checks, or failed
    /// to sign with it, without saying why (aws-lc-rs reports only "unspecified").
    #[error("the crypto backend refused the key")]
    Rejected,

    /// A key set with no key at all.
    #[error("the key set is empty")]
    EmptyKeySet,

    /// A JWK set with more keys than keyward reads from one document; see
    /// [`KeySet::MAX_JWKS_KEYS`](crate::token::KeySet::MAX_JWKS_KEYS). The document is
    /// refused at the first key past the cap; the keys after it are not read.
    #[error("key set has more than {max} keys")]
    TooManyKeys {
        /// The cap.
        max: usize,
    },

    /// A JWK set document longer than keyward reads; see
    /// [`KeySet::MAX_JWKS_BYTES`](crate::token::KeySet::MAX_JWKS_BYTES). Nothing was parsed.
    #[error("key set document is {len} bytes; at most {max} are read")]
    DocumentTooLarge {
        /// The document's length in bytes.
        len: usize,
        /// The cap in bytes.
        max: usize,
    },

    /// A JWK set none of whose keys keyward can use; the list says why each was skipped.
    #[error("no usable signing key in the key set: {}", SkippedList(.0))]
    NoUsableKey(Vec<SkippedKey>),

    /// One key of a JWK set was refused, and that refuses the whole set (secret material is
    /// never skipped quietly). `source()` is the reason, which the message does not repeat.
    #[error("key {index}{} refuses the whole key set", KidSuffix(.key_id.as_deref()))]
    InKeySet {
        /// The key's position in `keys`, from 0.
        index: usize,
        /// The key's `kid`, if it has one.
        key_id: Option<String>,
        /// Why it was refused.
        #[source]
        error: Box<KeyError>,
    },

    /// The system's random number generator failed while making a key.
    #[error("the system random number generator is unavailable")]
    RandomnessUnavailable,
}

/// A key of a JWK set that was skipped because keyward cannot use it for verification (RFC
/// 7517 §5: such keys are ignored), with the reason.
///
/// ```
/// use keyward::token::{KeyError, KeySet};
///
/// let jwks = r#"{"keys":[
///     {"kty":"OKP","crv":"Ed25519","kid":"sig","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
///     {"kty":"OKP","crv":"X25519","kid":"enc","use":"enc","x":"hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo"}
/// ]}"#;
/// let set = KeySet::from_jwks(jwks)?;
/// let skipped = &set.skipped()[0];
/// assert_eq!((skipped.index(), skipped.key_id()), (1, Some("enc")));
/// assert_eq!(skipped.reason(), &KeyError::NotForSigning("enc".into()));
/// # Ok::<(), keyward::token::TokenError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedKey {
    pub(crate) index: usize,
    pub(crate) key_id: Option<String>,
    pub(crate) reason: KeyError,
}

impl SkippedKey {
    /// The key's position in the document's `keys` array, from 0.
    ///
    /// ```
    /// # use keyward::token::KeySet;
    /// let jwks = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},{"kty":"EC","crv":"P-521"}]}"#;
    /// assert_eq!(KeySet::from_jwks(jwks)?.skipped()[0].index(), 1);
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn index(&self) -> usize {
        self.index
    }

    /// The key's `kid`, if it has one.
    ///
    /// ```
    /// # use keyward::token::KeySet;
    /// let jwks = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},{"kty":"EC","crv":"P-521","kid":"big"}]}"#;
    /// assert_eq!(KeySet::from_jwks(jwks)?.skipped()[0].key_id(), Some("big"));
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn key_id(&self) -> Option<&str> {
        self.key_id.as_deref()
    }

    /// Why keyward cannot use the key.
    ///
    /// ```
    /// # use keyward::token::{KeyError, KeySet};
    /// let jwks = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},{"kty":"EC","crv":"P-521"}]}"#;
    /// assert_eq!(KeySet::from_jwks(jwks)?.skipped()[0].reason(), &KeyError::UnsupportedCurve("P-521".into()));
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn reason(&self) -> &KeyError {
        &self.reason
    }
}

impl fmt::Display for SkippedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "key {}{}: {}",
            self.index,
            KidSuffix(self.key_id.as_deref()),
            self.reason
        )
    }
}

/// Why the first few keys of a set were skipped, for [`KeyError::NoUsableKey`].
struct SkippedList<'a>(&'a [SkippedKey]);

impl fmt::Display for SkippedList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const FIRST: usize = 3;
        for (i, skipped) in self.0.iter().take(FIRST).enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{skipped}")?;
        }
        if self.0.len() > FIRST {
            write!(f, "; and {} more", self.0.len() - FIRST)?;
        }
        Ok(())
    }
}

/// ` (kid "x")` after a key's index, or nothing.
struct KidSuffix<'a>(Option<&'a str>);

impl fmt::Display for KidSuffix<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(kid) => write!(f, " (kid {})", Shown(kid)),
            None => Ok(()),
        }
    }
}

/// A JSON parsing error, kept as the [`source`](std::error::Error::source) of the error it
/// caused without putting the parser's type in keyward's API.
///
/// Two `JsonError`s are equal when they say the same thing at the same place.
///
/// ```
/// use keyward::token::{KeyError, TokenError, VerifyingKey};
///
/// let TokenError::InvalidKey(KeyError::NotJson(error)) = VerifyingKey::from_jwk("{oops").unwrap_err() else {
///     panic!("expected a JSON error");
/// };
/// assert_eq!((error.line(), error.column()), (1, 2));
/// ```
#[derive(Clone)]
pub struct JsonError(Arc<serde_json::Error>);

impl JsonError {
    /// The line (from 1) where the problem was found; 0 when it is not about a position (a
    /// value of the wrong shape).
    ///
    /// ```
    /// # use keyward::token::{KeyError, TokenError, VerifyingKey};
    /// # let TokenError::InvalidKey(KeyError::NotJson(error)) = VerifyingKey::from_jwk("\n[").unwrap_err() else { panic!() };
    /// assert_eq!(error.line(), 2);
    /// ```
    pub fn line(&self) -> usize {
        self.0.line()
    }

    /// The column (from 1) where the problem was found; 0 when it is not about a position.
    ///
    /// ```
    /// # use keyward::token::{KeyError, TokenError, VerifyingKey};
    /// # let TokenError::InvalidKey(KeyError::NotJson(error)) = VerifyingKey::from_jwk("[").unwrap_err() else { panic!() };
    /// assert_eq!(error.column(), 1);
    /// ```
    pub fn column(&self) -> usize {
        self.0.column()
    }
}

// Crate-private rather than `From`, so that the parser's type stays out of keyward's API.
impl JsonError {
    pub(crate) fn new(error: serde_json::Error) -> Self {
        JsonError(Arc::new(error))
    }
}

impl fmt::Debug for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for JsonError {}

impl PartialEq for JsonError {
    fn eq(&self, other: &Self) -> bool {
        self.0.classify() == other.0.classify()
            && self.0.line() == other.0.line()
            && self.0.column() == other.0.column()
            && self.0.to_string() == other.0.to_string()
    }
}

impl Eq for JsonError {}
