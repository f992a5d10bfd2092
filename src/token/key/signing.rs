//! [`SigningKey`]: a private key or shared secret, parsed once, that signs tokens.

use std::fmt;
use std::sync::Arc;

use zeroize::Zeroizing;

use super::jwk::{self, JwkDocument, Purpose};
use super::pem::{self, KeyKind};
use super::{VerifyingKey, generate, invalid, kind_for, wanting};
use crate::SecretKey;
use crate::token::backend::{self, HmacHash, RsaPadding, SignerApi as _};
use crate::token::{Algorithm, KeyError, TokenError};

/// A key that signs tokens, with its algorithm and optional key id (`kid`).
///
/// Build one from a shared secret ([`hs256`](Self::hs256) and friends), from a private key in
/// PEM ([`from_pem`](Self::from_pem) finds the algorithm, [`from_pem_as`](Self::from_pem_as)
/// insists on one), from an `oct` JWK ([`from_jwk`](Self::from_jwk)), or make a new key pair
/// ([`generate`](Self::generate)). The key decides the algorithm: there is no way to sign with
/// another one, or with none.
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
    /// The private key (or secret) as the backend's own key type, parsed once.
    signer: Arc<backend::Signer>,
    /// The private key as PKCS#8 DER, for export; `None` for shared secrets.
    pkcs8: Option<Arc<Zeroizing<Vec<u8>>>>,
    verifying: VerifyingKey,
}

/// The kind of new key pair [`SigningKey::generate`] makes.
///
/// ```
/// use keyward::token::{Algorithm, KeyPairKind, SigningKey};
///
/// let key = SigningKey::generate(KeyPairKind::Ed25519)?;
/// assert_eq!(key.algorithm(), Algorithm::EdDSA);
/// # Ok::<(), keyward::token::TokenError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyPairKind {
    /// An Ed25519 key pair, for `EdDSA`: small, fast, and the first choice for new systems.
    Ed25519,
    /// A P-256 key pair, for ES256.
    P256,
    /// An RSA key pair of 2048 bits, for RS256.
    Rsa2048,
    /// An RSA key pair of 3072 bits, for RS256.
    Rsa3072,
    /// An RSA key pair of 4096 bits, for RS256.
    Rsa4096,
}

impl SigningKey {
    /// An HS256 key. The secret must be at least 32 bytes (RFC 7518 §3.2).
    ///
    /// # Errors
    ///
    /// [`KeyError::Weak`] when the secret is shorter.
    ///
    /// ```
    /// use keyward::token::{KeyError, SigningKey, TokenError};
    ///
    /// assert!(SigningKey::hs256(*b"a-secret-of-at-least-32-bytes-ok").is_ok());
    /// assert!(matches!(SigningKey::hs256(*b"too short"), Err(TokenError::InvalidKey(KeyError::Weak { .. }))));
    /// ```
    pub fn hs256(secret: impl Into<SecretKey>) -> Result<Self, TokenError> {
        Self::hmac(HmacHash::Sha256, &secret.into())
    }

    /// An HS384 key. The secret must be at least 48 bytes.
    ///
    /// # Errors
    ///
    /// [`KeyError::Weak`] when the secret is shorter.
    ///
    /// ```
    /// # use keyward::token::SigningKey;
    /// assert!(SigningKey::hs384([1u8; 48]).is_ok());
    /// assert!(SigningKey::hs384([1u8; 47]).is_err());
    /// ```
    pub fn hs384(secret: impl Into<SecretKey>) -> Result<Self, TokenError> {
        Self::hmac(HmacHash::Sha384, &secret.into())
    }

    /// An HS512 key. The secret must be at least 64 bytes.
    ///
    /// # Errors
    ///
    /// [`KeyError::Weak`] when the secret is shorter.
    ///
    /// ```
    /// # use keyward::token::SigningKey;
    /// assert!(SigningKey::hs512(keyward::SecretKey::generate()?).is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn hs512(secret: impl Into<SecretKey>) -> Result<Self, TokenError> {
        Self::hmac(HmacHash::Sha512, &secret.into())
    }

    fn hmac(hash: HmacHash, secret: &SecretKey) -> Result<Self, TokenError> {
        let verifying = VerifyingKey::hmac(hash, secret).map_err(invalid)?;
        let signer = backend::Signer::hmac(hash, secret.expose_secret());
        Self::checked(signer, None, verifying)
    }

    /// A key from a PEM private key, its algorithm found from the key: RS256 for RSA, ES256 for
    /// P-256, `EdDSA` for Ed25519. Reads PKCS#8 (`BEGIN PRIVATE KEY`), PKCS#1
    /// (`BEGIN RSA PRIVATE KEY`) and SEC1 P-256 (`BEGIN EC PRIVATE KEY`). Use
    /// [`from_pem_as`](Self::from_pem_as) for PS256, or to refuse any other kind of key.
    ///
    /// # Errors
    ///
    /// [`TokenError::InvalidKey`] with [`KeyError::NotPem`], [`KeyError::WrongPemType`] (a
    /// public key or certificate), [`KeyError::WrongKeyType`] (P-384, Ed448, ...),
    /// [`KeyError::Weak`] (RSA under 2048 bits), or the public-key checks of [`VerifyingKey`].
    ///
    /// ```
    /// use keyward::token::{Algorithm, KeyError, SigningKey, TokenError};
    ///
    /// let key = SigningKey::from_pem(std::fs::read("tests/keys/p256-1-private.pem")?)?;
    /// assert_eq!(key.algorithm(), Algorithm::ES256);
    ///
    /// let public = std::fs::read("tests/keys/p256-1-public.pem")?;
    /// assert_eq!(
    ///     SigningKey::from_pem(public).unwrap_err(),
    ///     TokenError::InvalidKey(KeyError::WrongPemType { found: "PUBLIC KEY".into(), expected: "PRIVATE KEY" })
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_pem(pem: impl AsRef<[u8]>) -> Result<Self, TokenError> {
        let key = pem::private_key(pem.as_ref()).map_err(invalid)?;
        let algorithm = match key.kind {
            KeyKind::Rsa => Algorithm::RS256,
            KeyKind::P256 => Algorithm::ES256,
            KeyKind::Ed25519 => Algorithm::EdDSA,
        };
        Self::from_pkcs8(algorithm, key.pkcs8)
    }

    /// A key from a PEM private key for `algorithm`, which must fit the key (RS256 or PS256
    /// for RSA, ES256 for P-256, `EdDSA` for Ed25519).
    ///
    /// # Errors
    ///
    /// As [`from_pem`](Self::from_pem), and [`KeyError::WrongKeyType`] when the key does not
    /// fit `algorithm` (an RSA key for ES256, or any PEM for an HMAC algorithm).
    ///
    /// ```
    /// use keyward::token::{Algorithm, KeyError, SigningKey, TokenError};
    ///
    /// let rsa = std::fs::read("tests/keys/rsa2048-private.pem")?;
    /// assert_eq!(SigningKey::from_pem_as(&rsa, Algorithm::PS256)?.algorithm(), Algorithm::PS256);
    /// assert_eq!(
    ///     SigningKey::from_pem_as(&rsa, Algorithm::ES256).unwrap_err(),
    ///     TokenError::InvalidKey(KeyError::WrongKeyType { found: "RSA".into(), expected: "EC P-256" })
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_pem_as(pem: impl AsRef<[u8]>, algorithm: Algorithm) -> Result<Self, TokenError> {
        let expected = kind_for(algorithm)?;
        let key = pem::private_key(pem.as_ref()).map_err(|error| wanting(error, expected))?;
        if key.kind != expected {
            return Err(invalid(KeyError::WrongKeyType {
                found: key.kind.name().to_owned(),
                expected: expected.name(),
            }));
        }
        Self::from_pkcs8(algorithm, key.pkcs8)
    }

    /// A new random key pair of `kind`, from the operating system's generator. Save it with
    /// [`to_pkcs8_pem`](Self::to_pkcs8_pem); publish its public half with
    /// [`verifying_key`](Self::verifying_key).
    ///
    /// RSA key generation takes a while (tens to hundreds of milliseconds at 2048 bits, seconds
    /// at 4096): do it once, at deployment, not per request.
    ///
    /// # Errors
    ///
    /// [`KeyError::RandomnessUnavailable`] when the system generator fails.
    ///
    /// ```
    /// use keyward::token::{KeyPairKind, SigningKey, TokenIssuer};
    ///
    /// let key = SigningKey::generate(KeyPairKind::P256)?.with_key_id("2026-11");
    /// let pem = key.to_pkcs8_pem().expect("a key pair exports");
    /// assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"));
    /// let reloaded = SigningKey::from_pem(pem.as_bytes())?;
    /// assert_eq!(reloaded.verifying_key().thumbprint(), key.verifying_key().thumbprint());
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn generate(kind: KeyPairKind) -> Result<Self, TokenError> {
        let (algorithm, pkcs8) = match kind {
            KeyPairKind::Ed25519 => (Algorithm::EdDSA, generate::ed25519()),
            KeyPairKind::P256 => (Algorithm::ES256, generate::p256()),
            KeyPairKind::Rsa2048 => (Algorithm::RS256, generate::rsa(2048)),
            KeyPairKind::Rsa3072 => (Algorithm::RS256, generate::rsa(3072)),
            KeyPairKind::Rsa4096 => (Algorithm::RS256, generate::rsa(4096)),
        };
        Self::from_pkcs8(algorithm, pkcs8.map_err(invalid)?)
    }

    /// Builds a key from checked PKCS#8 DER of the kind `algorithm` needs.
    fn from_pkcs8(algorithm: Algorithm, pkcs8: Zeroizing<Vec<u8>>) -> Result<Self, TokenError> {
        let rsa = |padding: RsaPadding| -> Result<_, KeyError> {
            use pkcs1::der::Decode as _;
            let pkcs1 = pem::pkcs8_inner(&pkcs8)?;
            // Read the public half first, so a weak key is refused as weak on both backends
            // (aws-lc-rs would not even parse a private key under 2048 bits).
            let private = pkcs1::RsaPrivateKeyRef::from_der(pkcs1)
                .map_err(|_| KeyError::MalformedPem("PKCS#1 RSA private key"))?;
            let verifying = VerifyingKey::rsa(
                padding,
                private.modulus.as_bytes(),
                private.public_exponent.as_bytes(),
            )?;
            Ok((backend::Signer::rsa(padding, pkcs1)?, verifying))
        };
        let (signer, verifying) = match algorithm {
            Algorithm::RS256 => rsa(RsaPadding::Pkcs1).map_err(invalid)?,
            Algorithm::PS256 => rsa(RsaPadding::Pss).map_err(invalid)?,
            // The public half comes from the parsed private key, and is checked as any public
            // key is before the verifying key is built.
            Algorithm::ES256 => {
                let (signer, point) = backend::Signer::p256(&pkcs8).map_err(invalid)?;
                (signer, VerifyingKey::p256(&point).map_err(invalid)?)
            }
            Algorithm::EdDSA => {
                let (signer, x) = backend::Signer::ed25519(&pkcs8).map_err(invalid)?;
                (signer, VerifyingKey::ed25519(&x).map_err(invalid)?)
            }
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => {
                return Err(invalid(KeyError::WrongKeyType {
                    found: "a private key".to_owned(),
                    expected: "an HMAC secret",
                }));
            }
        };
        Self::checked(signer, Some(pkcs8), verifying)
    }

    /// An HMAC key from a JSON Web Key of type `oct` (RFC 7517). The JWK's `alg` must name
    /// HS256, HS384 or HS512; its `kid`, if any, becomes the key id.
    ///
    /// Private RSA, EC and OKP JWKs are not read: load those keys from PEM.
    ///
    /// # Errors
    ///
    /// [`TokenError::InvalidKey`]: [`KeyError::NotJson`], [`KeyError::WrongKeyType`] for a
    /// non-`oct` JWK, [`KeyError::MissingAlgorithm`], [`KeyError::InvalidEncoding`], or
    /// [`KeyError::Weak`] when the secret is too short for that `alg`.
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
        let jwk = JwkDocument::parse(json).map_err(invalid)?;
        if jwk.kty != "oct" {
            return Err(invalid(KeyError::WrongKeyType {
                found: format!("a `{}` JWK", jwk.kty),
                expected: "an `oct` JWK (load private RSA, EC and OKP keys from PEM)",
            }));
        }
        let purpose = Purpose {
            allow_secret: true,
            rsa_default: None,
        };
        let jwk::JwkMaterial::Hmac { hash, k } = jwk.material(purpose).map_err(invalid)? else {
            unreachable!("an `oct` JWK is HMAC material or an error");
        };
        let key = Self::hmac(hash, &SecretKey::from(k.to_vec()))?;
        Ok(match jwk.kid {
            Some(kid) => key.with_key_id(kid),
            None => key,
        })
    }

    /// Signs once so that a key the backend cannot use fails here, not at first use.
    fn checked(
        signer: backend::Signer,
        pkcs8: Option<Zeroizing<Vec<u8>>>,
        verifying: VerifyingKey,
    ) -> Result<Self, TokenError> {
        signer.sign(b"keyward key check", |_| ())?;
        Ok(SigningKey {
            signer: Arc::new(signer),
            pkcs8: pkcs8.map(Arc::new),
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

    /// Returns this key with its RFC 7638 thumbprint as key id: a `kid` derived from the public
    /// key itself, the same wherever it is computed, so it never needs to be stored or agreed.
    /// The `try_` says what sets it apart from the `with_*` setters: it can fail.
    ///
    /// # Errors
    ///
    /// [`KeyError::WrongKeyType`] for an HMAC key: a shared secret has no public thumbprint
    /// to publish.
    ///
    /// ```
    /// use keyward::token::SigningKey;
    ///
    /// let key = SigningKey::from_pem(std::fs::read("tests/keys/ed25519-private.pem")?)?.try_with_thumbprint_key_id()?;
    /// assert_eq!(key.key_id(), key.verifying_key().thumbprint().as_deref());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn try_with_thumbprint_key_id(self) -> Result<Self, TokenError> {
        let thumbprint = self.verifying.thumbprint().ok_or_else(|| {
            invalid(KeyError::WrongKeyType {
                found: "an HMAC secret".to_owned(),
                expected: "a key pair",
            })
        })?;
        Ok(self.with_key_id(thumbprint))
    }

    /// The key's algorithm.
    ///
    /// ```
    /// # use keyward::token::{Algorithm, SigningKey};
    /// assert_eq!(SigningKey::hs384([1u8; 48])?.algorithm(), Algorithm::HS384);
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn algorithm(&self) -> Algorithm {
        self.verifying.algorithm()
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
    /// # use keyward::token::{Algorithm, SigningKey};
    /// let pem = std::fs::read("tests/keys/ed25519-private.pem")?;
    /// let public = SigningKey::from_pem(&pem)?.verifying_key();
    /// assert!(public.to_jwk().unwrap().contains(r#""crv":"Ed25519""#));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn verifying_key(&self) -> VerifyingKey {
        self.verifying.clone()
    }

    /// The private key as PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), for saving a generated
    /// key; `None` for an HMAC secret. The text is wiped from memory when dropped.
    ///
    /// ```
    /// use keyward::token::SigningKey;
    ///
    /// let key = SigningKey::from_pem(std::fs::read("tests/keys/rsa2048-private.pem")?)?;
    /// let pem = key.to_pkcs8_pem().expect("an RSA key exports");
    /// assert_eq!(SigningKey::from_pem(pem.as_bytes())?.verifying_key().to_jwk(), key.verifying_key().to_jwk());
    /// assert!(SigningKey::hs256([1u8; 32])?.to_pkcs8_pem().is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_pkcs8_pem(&self) -> Option<Zeroizing<String>> {
        self.pkcs8.as_deref().map(|der| pem::pkcs8_pem(der))
    }

    /// Signs `message` and hands the raw signature to `f`, which encodes it where the backend
    /// put it, without a copy.
    /// The verifying half, borrowed (for the encoded headers of tokens this key signs).
    pub(crate) fn verifying_key_ref(&self) -> &VerifyingKey {
        &self.verifying
    }

    pub(crate) fn sign_with<R>(
        &self,
        message: &[u8],
        f: impl FnOnce(&[u8]) -> R,
    ) -> Result<R, TokenError> {
        self.signer.sign(message, f)
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
