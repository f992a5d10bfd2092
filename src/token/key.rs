//! Signing and verifying keys. Each key has exactly one algorithm, fixed when it is built.

use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{DecodingKey, EncodingKey};
use serde::{Deserialize, Serialize};

use super::{Algorithm, TokenError, backend};
use crate::SecretKey;

/// RSA moduli below this are refused (NIST SP 800-57, RFC 7518 §3.3).
const MIN_RSA_BITS: usize = 2048;

/// A key that signs tokens, with its algorithm and optional key id (`kid`).
///
/// Build one per algorithm: [`hs256`](Self::hs256) and friends from a shared secret, the
/// `*_pem` constructors from a PKCS#8 private key (`-----BEGIN PRIVATE KEY-----`, RSA also as
/// PKCS#1), or [`from_jwk`](Self::from_jwk) for an `oct` JWK. The key decides the algorithm:
/// there is no way to sign with another one, or with none.
///
/// Private key material is wiped from memory when the last clone is dropped, and `Debug` shows
/// only the algorithm and key id.
///
/// ```
/// use keyward::token::{Algorithm, SigningKey};
///
/// let key = SigningKey::hs256([0x5a; 32])?.with_key_id("2026-11");
/// assert_eq!(key.algorithm(), Algorithm::HS256);
/// assert_eq!(key.key_id(), Some("2026-11"));
/// assert_eq!(format!("{key:?}"), r#"SigningKey { algorithm: HS256, key_id: Some("2026-11"), .. }"#);
/// # Ok::<(), keyward::token::TokenError>(())
/// ```
#[derive(Clone)]
pub struct SigningKey {
    encoding: Arc<EncodingKey>,
    verifying: VerifyingKey,
}

/// A key that verifies tokens, with its algorithm and optional key id (`kid`).
///
/// For HMAC it holds the shared secret; for RSA, ECDSA and Ed25519 only the public key. Get one
/// from a [`SigningKey`] with [`SigningKey::verifying_key`], from a public PEM, or from a JWK.
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
    decoding: Arc<DecodingKey>,
    /// The public key as a JWK, for export; `None` for shared secrets, which are never exported.
    public: Option<Arc<PublicJwk>>,
}

impl SigningKey {
    /// An HS256 key. The secret must be at least 32 bytes (RFC 7518 §3.2).
    ///
    /// # Errors
    ///
    /// [`TokenError::WeakKey`] when the secret is shorter.
    ///
    /// ```
    /// use keyward::token::{SigningKey, TokenError};
    ///
    /// assert!(SigningKey::hs256(b"a-secret-of-at-least-32-bytes-ok").is_ok());
    /// assert!(matches!(SigningKey::hs256(b"too short"), Err(TokenError::WeakKey { .. })));
    /// ```
    pub fn hs256(secret: impl Into<SecretKey>) -> Result<Self, TokenError> {
        Self::hmac(Algorithm::HS256, &secret.into())
    }

    /// An HS384 key. The secret must be at least 48 bytes.
    ///
    /// # Errors
    ///
    /// [`TokenError::WeakKey`] when the secret is shorter.
    ///
    /// ```
    /// # use keyward::token::SigningKey;
    /// assert!(SigningKey::hs384([1u8; 48]).is_ok());
    /// assert!(SigningKey::hs384([1u8; 47]).is_err());
    /// ```
    pub fn hs384(secret: impl Into<SecretKey>) -> Result<Self, TokenError> {
        Self::hmac(Algorithm::HS384, &secret.into())
    }

    /// An HS512 key. The secret must be at least 64 bytes.
    ///
    /// # Errors
    ///
    /// [`TokenError::WeakKey`] when the secret is shorter.
    ///
    /// ```
    /// # use keyward::token::SigningKey;
    /// assert!(SigningKey::hs512(keyward::SecretKey::generate()?).is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn hs512(secret: impl Into<SecretKey>) -> Result<Self, TokenError> {
        Self::hmac(Algorithm::HS512, &secret.into())
    }

    fn hmac(algorithm: Algorithm, secret: &SecretKey) -> Result<Self, TokenError> {
        let verifying = VerifyingKey::hmac(algorithm, secret)?;
        let encoding = EncodingKey::from_secret(secret.expose_secret());
        Self::checked(encoding, verifying)
    }

    /// An RS256 key from a PEM RSA private key (PKCS#8 or PKCS#1) of at least 2048 bits.
    ///
    /// # Errors
    ///
    /// [`TokenError::InvalidKey`] when the PEM is not an RSA private key,
    /// [`TokenError::WeakKey`] when the modulus is under 2048 bits (the aws-lc-rs backend
    /// refuses to parse such a private key at all, which is reported as `InvalidKey`).
    ///
    /// ```
    /// # use keyward::token::{Algorithm, SigningKey};
    /// let pem = std::fs::read("tests/keys/rsa2048-private.pem")?;
    /// assert_eq!(SigningKey::rs256_pem(&pem)?.algorithm(), Algorithm::RS256);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn rs256_pem(pem: impl AsRef<[u8]>) -> Result<Self, TokenError> {
        Self::rsa(Algorithm::RS256, pem.as_ref())
    }

    /// A PS256 (RSASSA-PSS) key from a PEM RSA private key of at least 2048 bits.
    ///
    /// # Errors
    ///
    /// As [`rs256_pem`](Self::rs256_pem).
    ///
    /// ```
    /// # use keyward::token::{Algorithm, SigningKey};
    /// let pem = std::fs::read("tests/keys/rsa2048-private.pem")?;
    /// assert_eq!(SigningKey::ps256_pem(&pem)?.algorithm(), Algorithm::PS256);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn ps256_pem(pem: impl AsRef<[u8]>) -> Result<Self, TokenError> {
        Self::rsa(Algorithm::PS256, pem.as_ref())
    }

    fn rsa(algorithm: Algorithm, pem: &[u8]) -> Result<Self, TokenError> {
        let encoding = EncodingKey::from_rsa_pem(pem).map_err(|_| TokenError::InvalidKey)?;
        let (n, e) = (backend::provider()
            .key_utils
            .rsa_pub_components_from_private_key)(encoding.as_bytes())
        .map_err(|_| TokenError::InvalidKey)?;
        Self::checked(encoding, VerifyingKey::rsa(algorithm, &n, &e)?)
    }

    /// An ES256 key from a PEM PKCS#8 P-256 private key.
    ///
    /// # Errors
    ///
    /// [`TokenError::InvalidKey`] when the PEM is not a P-256 private key in PKCS#8 form.
    ///
    /// ```
    /// # use keyward::token::{Algorithm, SigningKey};
    /// let pem = std::fs::read("tests/keys/p256-1-private.pem")?;
    /// assert_eq!(SigningKey::es256_pem(&pem)?.algorithm(), Algorithm::ES256);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn es256_pem(pem: impl AsRef<[u8]>) -> Result<Self, TokenError> {
        let encoding =
            EncodingKey::from_ec_pem(pem.as_ref()).map_err(|_| TokenError::InvalidKey)?;
        let (_, x, y) = (backend::provider()
            .key_utils
            .ec_pub_components_from_private_key)(
            encoding.as_bytes(),
            jsonwebtoken::Algorithm::ES256,
        )
        .map_err(|_| TokenError::InvalidKey)?;
        Self::checked(encoding, VerifyingKey::p256(&x, &y)?)
    }

    /// An `EdDSA` (Ed25519) key from a PEM PKCS#8 private key.
    ///
    /// # Errors
    ///
    /// [`TokenError::InvalidKey`] when the PEM is not an Ed25519 private key.
    ///
    /// ```
    /// # use keyward::token::{Algorithm, SigningKey};
    /// let pem = std::fs::read("tests/keys/ed25519-private.pem")?;
    /// assert_eq!(SigningKey::ed25519_pem(&pem)?.algorithm(), Algorithm::EdDSA);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn ed25519_pem(pem: impl AsRef<[u8]>) -> Result<Self, TokenError> {
        let encoding =
            EncodingKey::from_ed_pem(pem.as_ref()).map_err(|_| TokenError::InvalidKey)?;
        let x = (backend::provider()
            .key_utils
            .ed_pub_components_from_private_key)(
            encoding.as_bytes(),
            &jsonwebtoken::jwk::EllipticCurve::Ed25519,
        )
        .map_err(|_| TokenError::InvalidKey)?;
        Self::checked(encoding, VerifyingKey::ed25519(&x)?)
    }

    /// An HMAC key from a JSON Web Key of type `oct` (RFC 7517). The JWK's `alg` must name
    /// HS256, HS384 or HS512; its `kid`, if any, becomes the key id.
    ///
    /// Private RSA, EC and OKP JWKs are not supported: load those keys from PEM.
    ///
    /// # Errors
    ///
    /// [`TokenError::InvalidKey`] for anything but a well-formed `oct` JWK with an HMAC `alg`;
    /// [`TokenError::WeakKey`] when the secret is too short for that `alg`.
    ///
    /// ```
    /// use keyward::token::{Algorithm, SigningKey};
    ///
    /// let jwk = r#"{"kty":"oct","alg":"HS256","kid":"k1","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"}"#;
    /// let key = SigningKey::from_jwk(jwk)?;
    /// assert_eq!((key.algorithm(), key.key_id()), (Algorithm::HS256, Some("k1")));
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn from_jwk(json: &str) -> Result<Self, TokenError> {
        let jwk: JwkDocument = serde_json::from_str(json).map_err(|_| TokenError::InvalidKey)?;
        let (algorithm, secret) = jwk.symmetric()?;
        let key = Self::hmac(algorithm, &secret)?;
        Ok(match jwk.kid {
            Some(kid) => key.with_key_id(kid),
            None => key,
        })
    }

    /// Builds a signer once so that a key the backend cannot use fails here, not at first use.
    fn checked(encoding: EncodingKey, verifying: VerifyingKey) -> Result<Self, TokenError> {
        backend::sign(verifying.algorithm, &encoding, b"keyward key check")?;
        Ok(SigningKey {
            encoding: Arc::new(encoding),
            verifying,
        })
    }

    /// Returns this key with a key id, stamped as `kid` on every token it signs.
    ///
    /// ```
    /// # use keyward::token::SigningKey;
    /// let key = SigningKey::hs256([1u8; 32])?.with_key_id("primary");
    /// assert_eq!(key.verifying_key().key_id(), Some("primary"));
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    #[must_use]
    pub fn with_key_id(mut self, key_id: impl Into<String>) -> Self {
        self.verifying = self.verifying.with_key_id(key_id);
        self
    }

    /// The key's algorithm.
    ///
    /// ```
    /// # use keyward::token::{Algorithm, SigningKey};
    /// assert_eq!(SigningKey::hs384([1u8; 48])?.algorithm(), Algorithm::HS384);
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn algorithm(&self) -> Algorithm {
        self.verifying.algorithm
    }

    /// The key id, if one was set.
    ///
    /// ```
    /// # use keyward::token::SigningKey;
    /// assert_eq!(SigningKey::hs256([1u8; 32])?.key_id(), None);
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn key_id(&self) -> Option<&str> {
        self.verifying.key_id()
    }

    /// The matching verifying key: the public key for RSA, ECDSA and Ed25519, the same secret
    /// for HMAC.
    ///
    /// ```
    /// # use keyward::token::SigningKey;
    /// let pem = std::fs::read("tests/keys/ed25519-private.pem")?;
    /// let public = SigningKey::ed25519_pem(&pem)?.verifying_key();
    /// assert!(public.to_jwk().unwrap().contains(r#""crv":"Ed25519""#));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn verifying_key(&self) -> VerifyingKey {
        self.verifying.clone()
    }

    pub(crate) fn sign(&self, message: &[u8]) -> Result<Vec<u8>, TokenError> {
        backend::sign(self.verifying.algorithm, &self.encoding, message)
    }
}

impl VerifyingKey {
    /// An HS256 verifying key: the shared secret, at least 32 bytes.
    ///
    /// # Errors
    ///
    /// [`TokenError::WeakKey`] when the secret is shorter.
    ///
    /// ```
    /// # use keyward::token::VerifyingKey;
    /// assert!(VerifyingKey::hs256([3u8; 32]).is_ok());
    /// ```
    pub fn hs256(secret: impl Into<SecretKey>) -> Result<Self, TokenError> {
        Self::hmac(Algorithm::HS256, &secret.into())
    }

    /// An HS384 verifying key: the shared secret, at least 48 bytes.
    ///
    /// # Errors
    ///
    /// [`TokenError::WeakKey`] when the secret is shorter.
    ///
    /// ```
    /// # use keyward::token::VerifyingKey;
    /// assert!(VerifyingKey::hs384([3u8; 32]).is_err());
    /// ```
    pub fn hs384(secret: impl Into<SecretKey>) -> Result<Self, TokenError> {
        Self::hmac(Algorithm::HS384, &secret.into())
    }

    /// An HS512 verifying key: the shared secret, at least 64 bytes.
    ///
    /// # Errors
    ///
    /// [`TokenError::WeakKey`] when the secret is shorter.
    ///
    /// ```
    /// # use keyward::token::VerifyingKey;
    /// assert!(VerifyingKey::hs512([3u8; 64]).is_ok());
    /// ```
    pub fn hs512(secret: impl Into<SecretKey>) -> Result<Self, TokenError> {
        Self::hmac(Algorithm::HS512, &secret.into())
    }

    fn hmac(algorithm: Algorithm, secret: &SecretKey) -> Result<Self, TokenError> {
        let min_bits = match algorithm {
            Algorithm::HS384 => 384,
            Algorithm::HS512 => 512,
            _ => 256,
        };
        let bits = secret.len() * 8;
        if bits < min_bits {
            return Err(TokenError::WeakKey {
                algorithm,
                bits,
                min_bits,
            });
        }
        Ok(Self::new(
            algorithm,
            DecodingKey::from_secret(secret.expose_secret()),
            None,
        ))
    }

    /// An RS256 verifying key from a PEM RSA public key (`BEGIN PUBLIC KEY` or
    /// `BEGIN RSA PUBLIC KEY`) of at least 2048 bits.
    ///
    /// # Errors
    ///
    /// [`TokenError::InvalidKey`] when the PEM is not an RSA public key,
    /// [`TokenError::WeakKey`] when the modulus is under 2048 bits.
    ///
    /// ```
    /// # use keyward::token::VerifyingKey;
    /// let pem = std::fs::read("tests/keys/rsa2048-public.pem")?;
    /// assert!(VerifyingKey::rs256_pem(&pem).is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn rs256_pem(pem: impl AsRef<[u8]>) -> Result<Self, TokenError> {
        Self::rsa_pem(Algorithm::RS256, pem.as_ref())
    }

    /// A PS256 verifying key from a PEM RSA public key of at least 2048 bits.
    ///
    /// # Errors
    ///
    /// As [`rs256_pem`](Self::rs256_pem).
    ///
    /// ```
    /// # use keyward::token::VerifyingKey;
    /// let pem = std::fs::read("tests/keys/rsa1024-public.pem")?;
    /// assert!(VerifyingKey::ps256_pem(&pem).is_err()); // 1024 bits: too weak
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn ps256_pem(pem: impl AsRef<[u8]>) -> Result<Self, TokenError> {
        Self::rsa_pem(Algorithm::PS256, pem.as_ref())
    }

    fn rsa_pem(algorithm: Algorithm, pem: &[u8]) -> Result<Self, TokenError> {
        let der = DecodingKey::from_rsa_pem(pem).map_err(|_| TokenError::InvalidKey)?;
        let der = der.try_get_as_bytes().map_err(|_| TokenError::InvalidKey)?;
        let (n, e) = (backend::provider()
            .key_utils
            .rsa_pub_components_from_public_key)(der)
        .map_err(|_| TokenError::InvalidKey)?;
        Self::rsa(algorithm, &n, &e)
    }

    fn rsa(algorithm: Algorithm, n: &[u8], e: &[u8]) -> Result<Self, TokenError> {
        let bits = unsigned_bits(n);
        if bits < MIN_RSA_BITS {
            return Err(TokenError::WeakKey {
                algorithm,
                bits,
                min_bits: MIN_RSA_BITS,
            });
        }
        if unsigned_bits(e) < 2 {
            return Err(TokenError::InvalidKey);
        }
        let jwk = PublicJwk::Rsa {
            n: URL_SAFE_NO_PAD.encode(trim(n)),
            e: URL_SAFE_NO_PAD.encode(trim(e)),
        };
        Ok(Self::new(
            algorithm,
            DecodingKey::from_rsa_raw_components(n, e),
            Some(jwk),
        ))
    }

    /// An ES256 verifying key from a PEM P-256 public key (`BEGIN PUBLIC KEY`).
    ///
    /// # Errors
    ///
    /// [`TokenError::InvalidKey`] when the PEM is not a P-256 public key.
    ///
    /// ```
    /// # use keyward::token::VerifyingKey;
    /// let pem = std::fs::read("tests/keys/p256-1-public.pem")?;
    /// assert!(VerifyingKey::es256_pem(&pem).is_ok());
    /// let p384 = std::fs::read("tests/keys/p384-public.pem")?;
    /// assert!(VerifyingKey::es256_pem(&p384).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn es256_pem(pem: impl AsRef<[u8]>) -> Result<Self, TokenError> {
        let key = DecodingKey::from_ec_pem(pem.as_ref()).map_err(|_| TokenError::InvalidKey)?;
        match key.try_get_as_bytes().map_err(|_| TokenError::InvalidKey)? {
            // An uncompressed P-256 point: 0x04, then x and y.
            [0x04, point @ ..] if point.len() == 64 => Self::p256(&point[..32], &point[32..]),
            _ => Err(TokenError::InvalidKey),
        }
    }

    fn p256(x: &[u8], y: &[u8]) -> Result<Self, TokenError> {
        if x.len() != 32 || y.len() != 32 {
            return Err(TokenError::InvalidKey);
        }
        let point = [&[0x04][..], x, y].concat();
        let jwk = PublicJwk::P256 {
            x: URL_SAFE_NO_PAD.encode(x),
            y: URL_SAFE_NO_PAD.encode(y),
        };
        Ok(Self::new(
            Algorithm::ES256,
            DecodingKey::from_ec_der(&point),
            Some(jwk),
        ))
    }

    /// An `EdDSA` verifying key from a PEM Ed25519 public key (`BEGIN PUBLIC KEY`).
    ///
    /// # Errors
    ///
    /// [`TokenError::InvalidKey`] when the PEM is not an Ed25519 public key.
    ///
    /// ```
    /// # use keyward::token::VerifyingKey;
    /// let pem = std::fs::read("tests/keys/ed25519-public.pem")?;
    /// assert!(VerifyingKey::ed25519_pem(&pem).is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn ed25519_pem(pem: impl AsRef<[u8]>) -> Result<Self, TokenError> {
        let key = DecodingKey::from_ed_pem(pem.as_ref()).map_err(|_| TokenError::InvalidKey)?;
        Self::ed25519(key.try_get_as_bytes().map_err(|_| TokenError::InvalidKey)?)
    }

    fn ed25519(x: &[u8]) -> Result<Self, TokenError> {
        if x.len() != 32 {
            return Err(TokenError::InvalidKey);
        }
        let jwk = PublicJwk::Ed25519 {
            x: URL_SAFE_NO_PAD.encode(x),
        };
        Ok(Self::new(
            Algorithm::EdDSA,
            DecodingKey::from_ed_der(x),
            Some(jwk),
        ))
    }

    /// A verifying key from a JSON Web Key (RFC 7517): `RSA` (RS256 or PS256, named by `alg`),
    /// `EC` on P-256 (ES256), `OKP` Ed25519 (`EdDSA`), or `oct` (HS256/384/512, named by `alg`).
    /// The JWK's `kid`, if any, becomes the key id.
    ///
    /// # Errors
    ///
    /// [`TokenError::InvalidKey`] when the JSON is not such a JWK, its `alg` does not fit its
    /// key type, its `use` is not `sig`, it is a private key (has `d`), or a parameter is not canonical base64url of the right
    /// length; [`TokenError::WeakKey`] for a short RSA modulus or HMAC secret.
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
        let jwk: JwkDocument = serde_json::from_str(json).map_err(|_| TokenError::InvalidKey)?;
        Self::from_document(jwk)
    }

    pub(crate) fn from_document(jwk: JwkDocument) -> Result<Self, TokenError> {
        if jwk
            .key_use
            .as_deref()
            .is_some_and(|key_use| key_use != "sig")
            || jwk.d.is_some()
        {
            return Err(TokenError::InvalidKey);
        }
        let alg = jwk
            .alg
            .as_deref()
            .map(|name| Algorithm::from_name(name).ok_or(TokenError::InvalidKey))
            .transpose()?;
        let key = match (jwk.kty.as_str(), jwk.crv.as_deref(), alg) {
            ("RSA", None, Some(algorithm @ (Algorithm::RS256 | Algorithm::PS256))) => Self::rsa(
                algorithm,
                &decode_param(jwk.n.as_deref())?,
                &decode_param(jwk.e.as_deref())?,
            )?,
            ("EC", Some("P-256"), None | Some(Algorithm::ES256)) => Self::p256(
                &decode_param(jwk.x.as_deref())?,
                &decode_param(jwk.y.as_deref())?,
            )?,
            ("OKP", Some("Ed25519"), None | Some(Algorithm::EdDSA)) => {
                Self::ed25519(&decode_param(jwk.x.as_deref())?)?
            }
            ("oct", None, Some(_)) => {
                let (algorithm, secret) = jwk.symmetric()?;
                Self::hmac(algorithm, &secret)?
            }
            _ => return Err(TokenError::InvalidKey),
        };
        Ok(match jwk.kid {
            Some(kid) => key.with_key_id(kid),
            None => key,
        })
    }

    fn new(algorithm: Algorithm, decoding: DecodingKey, public: Option<PublicJwk>) -> Self {
        VerifyingKey {
            algorithm,
            key_id: None,
            decoding: Arc::new(decoding),
            public: public.map(Arc::new),
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
        self.key_id = Some(Arc::from(key_id.into()));
        self
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

    pub(crate) fn verify_signature(
        &self,
        message: &[u8],
        signature: &Vec<u8>,
    ) -> Result<(), TokenError> {
        backend::verify(self.algorithm, &self.decoding, message, signature)
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("algorithm", &self.algorithm())
            .field("key_id", &self.key_id())
            .finish_non_exhaustive()
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

/// The JWK members keyward reads and writes (RFC 7517 §4, RFC 7518 §6, RFC 8037 §2).
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct JwkDocument {
    pub(crate) kty: String,
    #[serde(rename = "use", skip_serializing_if = "Option::is_none")]
    pub(crate) key_use: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) alg: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) kid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    crv: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    x: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    y: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    n: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    e: Option<String>,
    /// Only read: symmetric keys are never written.
    #[serde(skip_serializing)]
    k: Option<String>,
    /// Only read, to refuse private keys where a public one is expected.
    #[serde(skip_serializing)]
    d: Option<String>,
}

impl JwkDocument {
    /// The HMAC algorithm and secret of an `oct` JWK.
    fn symmetric(&self) -> Result<(Algorithm, SecretKey), TokenError> {
        let algorithm = self.alg.as_deref().and_then(Algorithm::from_name);
        match algorithm {
            Some(algorithm) if self.kty == "oct" && algorithm.is_symmetric() => Ok((
                algorithm,
                SecretKey::from_bytes(decode_param(self.k.as_deref())?),
            )),
            _ => Err(TokenError::InvalidKey),
        }
    }

    /// Whether the JWK carries secret material: a private key (`d`) or a shared secret (`k`).
    pub(crate) fn is_secret(&self) -> bool {
        self.d.is_some() || self.k.is_some()
    }
}

/// A base64url JWK parameter, canonical and unpadded as RFC 7518 requires.
fn decode_param(value: Option<&str>) -> Result<Vec<u8>, TokenError> {
    let value = value.ok_or(TokenError::InvalidKey)?;
    URL_SAFE_NO_PAD
        .decode(value)
        .map_err(|_| TokenError::InvalidKey)
}

/// A big-endian unsigned integer without its leading zero bytes.
fn trim(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[first..]
}

/// The bit length of a big-endian unsigned integer.
fn unsigned_bits(bytes: &[u8]) -> usize {
    match trim(bytes) {
        [] => 0,
        [first, rest @ ..] => rest.len() * 8 + (8 - first.leading_zeros() as usize),
    }
}
