//! [`VerifyingKey`]: a public key or shared secret, checked and parsed once, that verifies
//! tokens.

use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::jwk::{self, JwkDocument, Purpose};
use super::pem::{self, KeyKind};
use super::{checks, invalid, kind_for, wanting};
use crate::SecretKey;
use crate::token::backend::{self, HmacHash, RsaPadding, VerifierApi as _};
use crate::token::{Algorithm, KeyError, TokenError, TokenKind, jws};

/// A key that verifies tokens, with its algorithm and optional key id (`kid`).
///
/// For HMAC it holds the shared secret; for RSA, ECDSA and Ed25519 only the public key. Get one
/// from a [`SigningKey`](super::SigningKey) with
/// [`SigningKey::verifying_key`](super::SigningKey::verifying_key), from a public key in PEM, or from a
/// JWK. Public keys are checked when they are built: an RSA modulus that is even, under 2048
/// bits or over [`MAX_RSA_BITS`](Self::MAX_RSA_BITS), an RSA exponent that is even, below 3 or
/// above 2³³ − 1, an EC point off the curve, and an Ed25519 point of small order, outside the
/// prime-order subgroup or not canonically encoded are all refused with their own [`KeyError`].
///
/// ```
/// use keyward::token::{Algorithm, VerifyingKey};
///
/// // RFC 7515 Appendix A.3's P-256 public key.
/// let jwk = r#"{"kty":"EC","crv":"P-256",
///     "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
///     "y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}"#;
/// let key = VerifyingKey::from_jwk(jwk)?;
/// assert_eq!(key.algorithm(), Algorithm::ES256);
/// # Ok::<(), keyward::token::TokenError>(())
/// ```
#[derive(Clone)]
pub struct VerifyingKey {
    algorithm: Algorithm,
    key_id: Option<Arc<str>>,
    /// The public key (or secret) as the backend's own key type, parsed once.
    verifier: Arc<backend::Verifier>,
    /// The public key as a JWK, for export; `None` for shared secrets, which are never exported.
    public: Option<Arc<PublicJwk>>,
    /// The encoded headers of keyward's own tokens under this key (access, refresh): written
    /// once here, so issuing does not serialize a header per token and verifying can recognise
    /// one without decoding it.
    headers: Arc<[String; 2]>,
}

impl VerifyingKey {
    /// The smallest RSA modulus accepted, in bits (NIST SP 800-57 Part 1 §5.6.1, RFC 7518 §3.3).
    pub const MIN_RSA_BITS: usize = checks::MIN_RSA_BITS;
    /// The largest RSA modulus accepted, in bits: 4096, with either backend (both backends
    /// would take 8192, but larger moduli cost time per token, no provider publishes them, and
    /// a key must not be accepted under one feature set and refused under another).
    pub const MAX_RSA_BITS: usize = checks::MAX_RSA_BITS;

    /// An HS256 verifying key: the shared secret, at least 32 bytes.
    ///
    /// # Errors
    ///
    /// [`KeyError::Weak`] when the secret is shorter.
    ///
    /// ```
    /// # use keyward::token::VerifyingKey;
    /// assert!(VerifyingKey::hs256([3u8; 32]).is_ok());
    /// ```
    pub fn hs256(secret: impl Into<SecretKey>) -> Result<Self, TokenError> {
        Self::hmac(HmacHash::Sha256, &secret.into()).map_err(invalid)
    }

    /// An HS384 verifying key: the shared secret, at least 48 bytes.
    ///
    /// # Errors
    ///
    /// [`KeyError::Weak`] when the secret is shorter.
    ///
    /// ```
    /// # use keyward::token::VerifyingKey;
    /// assert!(VerifyingKey::hs384([3u8; 32]).is_err());
    /// ```
    pub fn hs384(secret: impl Into<SecretKey>) -> Result<Self, TokenError> {
        Self::hmac(HmacHash::Sha384, &secret.into()).map_err(invalid)
    }

    /// An HS512 verifying key: the shared secret, at least 64 bytes.
    ///
    /// # Errors
    ///
    /// [`KeyError::Weak`] when the secret is shorter.
    ///
    /// ```
    /// # use keyward::token::VerifyingKey;
    /// assert!(VerifyingKey::hs512([3u8; 64]).is_ok());
    /// ```
    pub fn hs512(secret: impl Into<SecretKey>) -> Result<Self, TokenError> {
        Self::hmac(HmacHash::Sha512, &secret.into()).map_err(invalid)
    }

    pub(super) fn hmac(hash: HmacHash, secret: &SecretKey) -> Result<Self, KeyError> {
        let (algorithm, min_bits) = (hash.algorithm(), hash.min_bits());
        let bits = secret.len() * 8;
        if bits < min_bits {
            return Err(KeyError::Weak {
                algorithm,
                bits,
                min_bits,
            });
        }
        Ok(Self::new(
            algorithm,
            backend::Verifier::hmac(hash, secret.expose_secret()),
            None,
        ))
    }

    /// A verifying key from a PEM public key, its algorithm found from the key: RS256 for RSA,
    /// ES256 for P-256, `EdDSA` for Ed25519. Reads `BEGIN PUBLIC KEY` (`SubjectPublicKeyInfo`)
    /// and `BEGIN RSA PUBLIC KEY` (PKCS#1).
    ///
    /// # Errors
    ///
    /// [`TokenError::InvalidKey`] with [`KeyError::NotPem`], [`KeyError::WrongPemType`] (a
    /// private key, a certificate), [`KeyError::WrongKeyType`], or the failed public-key check.
    ///
    /// ```
    /// use keyward::token::{Algorithm, VerifyingKey};
    ///
    /// let key = VerifyingKey::from_pem(std::fs::read("tests/keys/ed25519-public.pem")?)?;
    /// assert_eq!(key.algorithm(), Algorithm::EdDSA);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_pem(pem: impl AsRef<[u8]>) -> Result<Self, TokenError> {
        let key = pem::public_key(pem.as_ref()).map_err(invalid)?;
        let algorithm = match key.kind {
            KeyKind::Rsa => Algorithm::RS256,
            KeyKind::P256 => Algorithm::ES256,
            KeyKind::Ed25519 => Algorithm::EdDSA,
        };
        Self::from_public(algorithm, &key)
    }

    /// A verifying key from a PEM public key for `algorithm`, which must fit the key.
    ///
    /// # Errors
    ///
    /// As [`from_pem`](Self::from_pem), and [`KeyError::WrongKeyType`] when the key does not
    /// fit `algorithm`.
    ///
    /// ```
    /// use keyward::token::{Algorithm, KeyError, TokenError, VerifyingKey};
    ///
    /// let p384 = std::fs::read("tests/keys/p384-public.pem")?;
    /// assert_eq!(
    ///     VerifyingKey::from_pem_as(&p384, Algorithm::ES256).unwrap_err(),
    ///     TokenError::InvalidKey(KeyError::WrongKeyType { found: "EC P-384".into(), expected: "EC P-256" })
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_pem_as(pem: impl AsRef<[u8]>, algorithm: Algorithm) -> Result<Self, TokenError> {
        let expected = kind_for(algorithm)?;
        let key = pem::public_key(pem.as_ref()).map_err(|error| wanting(error, expected))?;
        if key.kind != expected {
            return Err(invalid(KeyError::WrongKeyType {
                found: key.kind.name().to_owned(),
                expected: expected.name(),
            }));
        }
        Self::from_public(algorithm, &key)
    }

    fn from_public(algorithm: Algorithm, key: &pem::PublicKey) -> Result<Self, TokenError> {
        match key.kind {
            KeyKind::Rsa => {
                use pkcs1::der::Decode as _;
                let rsa = pkcs1::RsaPublicKeyRef::from_der(&key.key)
                    .map_err(|_| invalid(KeyError::MalformedPem("PKCS#1 RSA public key")))?;
                // `from_pem_as` has matched the algorithm to the key kind already.
                let padding = RsaPadding::of(algorithm).ok_or(invalid(KeyError::WrongKeyType {
                    found: "RSA".to_owned(),
                    expected: "a key for the algorithm",
                }))?;
                Self::rsa(
                    padding,
                    rsa.modulus.as_bytes(),
                    rsa.public_exponent.as_bytes(),
                )
            }
            KeyKind::P256 => Self::p256(&key.key),
            KeyKind::Ed25519 => Self::ed25519(&key.key),
        }
        .map_err(invalid)
    }

    pub(super) fn rsa(padding: RsaPadding, n: &[u8], e: &[u8]) -> Result<Self, KeyError> {
        let algorithm = padding.algorithm();
        let (n, e) = (checks::trim(n), checks::trim(e));
        checks::rsa_public_key(algorithm, n, e)?;
        let jwk = PublicJwk::Rsa {
            n: URL_SAFE_NO_PAD.encode(n),
            e: URL_SAFE_NO_PAD.encode(e),
        };
        let verifier = backend::Verifier::rsa(padding, n, e)?;
        Ok(Self::new(algorithm, verifier, Some(jwk)))
    }

    pub(super) fn p256(sec1: &[u8]) -> Result<Self, KeyError> {
        let point = checks::p256_public_key(sec1)?;
        let jwk = PublicJwk::P256 {
            x: URL_SAFE_NO_PAD.encode(&point[1..33]),
            y: URL_SAFE_NO_PAD.encode(&point[33..]),
        };
        let verifier = backend::Verifier::p256(&point)?;
        Ok(Self::new(Algorithm::ES256, verifier, Some(jwk)))
    }

    pub(super) fn ed25519(x: &[u8]) -> Result<Self, KeyError> {
        let x = checks::ed25519_public_key(x)?;
        let jwk = PublicJwk::Ed25519 {
            x: URL_SAFE_NO_PAD.encode(x),
        };
        let verifier = backend::Verifier::ed25519(&x)?;
        Ok(Self::new(Algorithm::EdDSA, verifier, Some(jwk)))
    }

    /// A verifying key from a JSON Web Key (RFC 7517): `RSA` (RS256 or PS256, named by `alg`),
    /// `EC` on P-256 (ES256), `OKP` Ed25519 (`EdDSA`), or `oct` (HS256/384/512, named by `alg`).
    /// The JWK's `kid`, if any, becomes the key id. Members keyward does not use (`x5c`,
    /// `x5t`, ...) are ignored; no certificate is trusted or checked.
    ///
    /// # Errors
    ///
    /// [`TokenError::InvalidKey`] with the [`KeyError`] that says why: not JSON, a private key
    /// (`d`), `use` other than `sig`, `key_ops` without `verify`, an unsupported `kty`, curve or
    /// `alg`, an `alg` that does not fit the key, a parameter missing or not canonical
    /// base64url, an integer with a leading zero octet, or a failed public-key check.
    ///
    /// ```
    /// use keyward::token::{Algorithm, VerifyingKey};
    ///
    /// // RFC 8037 Appendix A.2's Ed25519 public key.
    /// let jwk = r#"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#;
    /// assert_eq!(VerifyingKey::from_jwk(jwk)?.algorithm(), Algorithm::EdDSA);
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn from_jwk(json: &str) -> Result<Self, TokenError> {
        let jwk = JwkDocument::parse(json).map_err(invalid)?;
        let purpose = Purpose {
            allow_secret: true,
            rsa_default: None,
        };
        Self::from_document(jwk, purpose).map_err(invalid)
    }

    /// A key from a parsed JWK, its error left bare so that a key set can tell skipped keys
    /// from fatal ones.
    pub(crate) fn from_document(jwk: JwkDocument, purpose: Purpose) -> Result<Self, KeyError> {
        let key = match jwk.material(purpose)? {
            jwk::JwkMaterial::Rsa { padding, n, e } => Self::rsa(padding, &n, &e),
            jwk::JwkMaterial::P256 { x, y } => {
                for (name, coordinate) in [("x", &x), ("y", &y)] {
                    if coordinate.len() != 32 {
                        return Err(KeyError::WrongLength {
                            name,
                            len: coordinate.len(),
                            expected: 32,
                        });
                    }
                }
                Self::p256(&[&[0x04][..], &x, &y].concat())
            }
            jwk::JwkMaterial::Ed25519 { x } => Self::ed25519(&x),
            jwk::JwkMaterial::Hmac { hash, k } => Self::hmac(hash, &SecretKey::from(k.to_vec())),
        }?;
        Ok(match jwk.kid {
            Some(kid) => key.with_key_id(kid),
            None => key,
        })
    }

    fn new(algorithm: Algorithm, verifier: backend::Verifier, public: Option<PublicJwk>) -> Self {
        VerifyingKey {
            algorithm,
            key_id: None,
            verifier: Arc::new(verifier),
            public: public.map(Arc::new),
            headers: Arc::new(jws::encoded_headers(algorithm, None)),
        }
    }

    /// Returns this key with a key id: tokens whose header names this `kid` are checked with it.
    ///
    /// ```
    /// # use keyward::token::VerifyingKey;
    /// let key = VerifyingKey::hs256([1u8; 32])?.with_key_id("old");
    /// assert_eq!(key.key_id(), Some("old"));
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    #[must_use]
    pub fn with_key_id(mut self, key_id: impl Into<String>) -> Self {
        let key_id: Arc<str> = Arc::from(key_id.into());
        self.headers = Arc::new(jws::encoded_headers(self.algorithm, Some(&key_id)));
        self.key_id = Some(key_id);
        self
    }

    /// The base64url header keyward writes on its own tokens of `kind` under this key.
    pub(crate) fn encoded_header(&self, kind: TokenKind) -> &str {
        match kind {
            TokenKind::Access => &self.headers[0],
            TokenKind::Refresh => &self.headers[1],
        }
    }

    /// The key's algorithm.
    ///
    /// ```
    /// # use keyward::token::{Algorithm, VerifyingKey};
    /// assert_eq!(VerifyingKey::hs512([1u8; 64])?.algorithm(), Algorithm::HS512);
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The key id, if one was set.
    ///
    /// ```
    /// # use keyward::token::VerifyingKey;
    /// assert_eq!(VerifyingKey::hs256([1u8; 32])?.key_id(), None);
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn key_id(&self) -> Option<&str> {
        self.key_id.as_deref()
    }

    /// The public key as a JWK (with `kid`, `alg` and `use: "sig"`), or `None` for an HMAC
    /// secret, which is never exported.
    ///
    /// ```
    /// # use keyward::token::VerifyingKey;
    /// assert_eq!(VerifyingKey::hs256([1u8; 32])?.to_jwk(), None);
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    #[allow(clippy::missing_panics_doc)] // serializing a struct of strings cannot fail
    pub fn to_jwk(&self) -> Option<String> {
        self.jwk_document()
            .map(|jwk| serde_json::to_string(&jwk).expect("a JWK serializes"))
    }

    /// The RFC 7638 JWK thumbprint (SHA-256, base64url) of the public key, a stable
    /// identifier derived from the key itself and a good `kid`; `None` for HMAC secrets.
    ///
    /// ```
    /// use keyward::token::VerifyingKey;
    ///
    /// // RFC 7638 §3.1's example key and thumbprint.
    /// let jwk = r#"{"kty":"RSA","alg":"RS256","e":"AQAB","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"}"#;
    /// let key = VerifyingKey::from_jwk(jwk)?;
    /// assert_eq!(key.thumbprint().as_deref(), Some("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"));
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn thumbprint(&self) -> Option<String> {
        use sha2::Digest as _;
        // RFC 7638 §3.2: only the required members, in lexicographic order, without whitespace;
        // a BTreeMap serializes exactly so.
        let members: std::collections::BTreeMap<&str, &str> = match self.public.as_deref()? {
            PublicJwk::Rsa { n, e } => {
                [("e", e.as_str()), ("kty", "RSA"), ("n", n.as_str())].into()
            }
            PublicJwk::P256 { x, y } => [
                ("crv", "P-256"),
                ("kty", "EC"),
                ("x", x.as_str()),
                ("y", y.as_str()),
            ]
            .into(),
            PublicJwk::Ed25519 { x } => {
                [("crv", "Ed25519"), ("kty", "OKP"), ("x", x.as_str())].into()
            }
        };
        let canonical = serde_json::to_vec(&members).ok()?;
        Some(URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(canonical)))
    }

    pub(crate) fn jwk_document(&self) -> Option<JwkDocument> {
        let mut jwk = match self.public.as_deref()? {
            PublicJwk::Rsa { n, e } => JwkDocument {
                kty: "RSA".into(),
                n: Some(n.clone()),
                e: Some(e.clone()),
                ..JwkDocument::default()
            },
            PublicJwk::P256 { x, y } => JwkDocument {
                kty: "EC".into(),
                crv: Some("P-256".into()),
                x: Some(x.clone()),
                y: Some(y.clone()),
                ..JwkDocument::default()
            },
            PublicJwk::Ed25519 { x } => JwkDocument {
                kty: "OKP".into(),
                crv: Some("Ed25519".into()),
                x: Some(x.clone()),
                ..JwkDocument::default()
            },
        };
        jwk.kid = self.key_id.as_deref().map(str::to_owned);
        jwk.alg = Some(self.algorithm.name().to_owned());
        jwk.key_use = Some("sig".to_owned());
        Some(jwk)
    }

    /// Checks a raw signature over `message` with the key parsed when this key was built.
    pub(crate) fn verify_signature(
        &self,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), TokenError> {
        self.verifier.verify(message, signature)
    }
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyingKey")
            .field("algorithm", &self.algorithm)
            .field("key_id", &self.key_id())
            .finish_non_exhaustive()
    }
}

/// Public key parameters, base64url-encoded, for JWK export.
enum PublicJwk {
    Rsa { n: String, e: String },
    P256 { x: String, y: String },
    Ed25519 { x: String },
}
