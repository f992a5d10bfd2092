//! Signing and verifying keys. Each key has exactly one algorithm, fixed when it is built, and
//! every key is checked when it is built (see [`KeyError`] for what is refused and why).

mod checks;
mod generate;
mod jwk;
mod pem;

use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use zeroize::Zeroizing;

use self::pem::KeyKind;
use super::{Algorithm, KeyError, TokenError, TokenKind, backend, jws};
use crate::SecretKey;

pub(crate) use self::jwk::{JwkDocument, JwkSetDocument, Purpose};

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

/// A key that verifies tokens, with its algorithm and optional key id (`kid`).
///
/// For HMAC it holds the shared secret; for RSA, ECDSA and Ed25519 only the public key. Get one
/// from a [`SigningKey`] with [`SigningKey::verifying_key`], from a public key in PEM, or from a
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

fn invalid(error: KeyError) -> TokenError {
    TokenError::InvalidKey(error)
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
        Self::hmac(Algorithm::HS256, &secret.into())
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
        Self::hmac(Algorithm::HS384, &secret.into())
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
        Self::hmac(Algorithm::HS512, &secret.into())
    }

    fn hmac(algorithm: Algorithm, secret: &SecretKey) -> Result<Self, TokenError> {
        let verifying = VerifyingKey::hmac(algorithm, secret)?;
        let signer = backend::Signer::hmac(algorithm, secret.expose_secret());
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

    /// An RS256 key from a PEM RSA private key; `from_pem_as(pem, Algorithm::RS256)`.
    ///
    /// # Errors
    ///
    /// As [`from_pem_as`](Self::from_pem_as).
    ///
    /// ```
    /// # use keyward::token::{Algorithm, SigningKey};
    /// let pem = std::fs::read("tests/keys/rsa2048-private.pem")?;
    /// assert_eq!(SigningKey::rs256_pem(&pem)?.algorithm(), Algorithm::RS256);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn rs256_pem(pem: impl AsRef<[u8]>) -> Result<Self, TokenError> {
        Self::from_pem_as(pem, Algorithm::RS256)
    }

    /// A PS256 (RSASSA-PSS) key from a PEM RSA private key; `from_pem_as(pem, Algorithm::PS256)`.
    ///
    /// # Errors
    ///
    /// As [`from_pem_as`](Self::from_pem_as).
    ///
    /// ```
    /// # use keyward::token::{Algorithm, SigningKey};
    /// let pem = std::fs::read("tests/keys/rsa2048-private.pem")?;
    /// assert_eq!(SigningKey::ps256_pem(&pem)?.algorithm(), Algorithm::PS256);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn ps256_pem(pem: impl AsRef<[u8]>) -> Result<Self, TokenError> {
        Self::from_pem_as(pem, Algorithm::PS256)
    }

    /// An ES256 key from a PEM P-256 private key; `from_pem_as(pem, Algorithm::ES256)`.
    ///
    /// # Errors
    ///
    /// As [`from_pem_as`](Self::from_pem_as).
    ///
    /// ```
    /// # use keyward::token::{Algorithm, SigningKey};
    /// let pem = std::fs::read("tests/keys/p256-1-private.pem")?;
    /// assert_eq!(SigningKey::es256_pem(&pem)?.algorithm(), Algorithm::ES256);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn es256_pem(pem: impl AsRef<[u8]>) -> Result<Self, TokenError> {
        Self::from_pem_as(pem, Algorithm::ES256)
    }

    /// An `EdDSA` (Ed25519) key from a PEM private key; `from_pem_as(pem, Algorithm::EdDSA)`.
    ///
    /// # Errors
    ///
    /// As [`from_pem_as`](Self::from_pem_as).
    ///
    /// ```
    /// # use keyward::token::{Algorithm, SigningKey};
    /// let pem = std::fs::read("tests/keys/ed25519-private.pem")?;
    /// assert_eq!(SigningKey::ed25519_pem(&pem)?.algorithm(), Algorithm::EdDSA);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn ed25519_pem(pem: impl AsRef<[u8]>) -> Result<Self, TokenError> {
        Self::from_pem_as(pem, Algorithm::EdDSA)
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
        let (signer, verifying) = match algorithm {
            Algorithm::RS256 | Algorithm::PS256 => {
                use pkcs1::der::Decode as _;
                let pkcs1 = pem::pkcs8_inner(&pkcs8).map_err(invalid)?;
                // Read the public half first, so a weak key is refused as weak on both backends
                // (aws-lc-rs would not even parse a private key under 2048 bits).
                let private = pkcs1::RsaPrivateKey::from_der(pkcs1)
                    .map_err(|_| invalid(KeyError::MalformedPem("PKCS#1 RSA private key")))?;
                let verifying = VerifyingKey::rsa(
                    algorithm,
                    private.modulus.as_bytes(),
                    private.public_exponent.as_bytes(),
                )?;
                (
                    backend::Signer::rsa(algorithm, pkcs1).map_err(invalid)?,
                    verifying,
                )
            }
            // The public half comes from the parsed private key, and is checked as any public
            // key is before the verifying key is built.
            Algorithm::ES256 => {
                let signer = backend::Signer::p256(&pkcs8).map_err(invalid)?;
                let point = signer.public_key().ok_or(invalid(KeyError::Rejected))?;
                let verifying = VerifyingKey::p256(&point)?;
                (signer, verifying)
            }
            Algorithm::EdDSA => {
                let signer = backend::Signer::ed25519(&pkcs8).map_err(invalid)?;
                let x = signer.public_key().ok_or(invalid(KeyError::Rejected))?;
                let verifying = VerifyingKey::ed25519(&x)?;
                (signer, verifying)
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
        let jwk::JwkMaterial::Hmac { algorithm, k } = jwk.material(purpose).map_err(invalid)?
        else {
            unreachable!("an `oct` JWK is HMAC material or an error");
        };
        let key = Self::hmac(algorithm, &SecretKey::from_bytes(k.to_vec()))?;
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
        signer
            .sign(b"keyward key check", |_| ())
            .map_err(|_| invalid(KeyError::Rejected))?;
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

/// `error` as the refusal of a call that wanted a key of kind `expected`: an unsupported key
/// type names that kind rather than every kind keyward reads.
fn wanting(error: KeyError, expected: KeyKind) -> TokenError {
    invalid(match error {
        KeyError::WrongKeyType { found, .. } => KeyError::WrongKeyType {
            found,
            expected: expected.name(),
        },
        other => other,
    })
}

/// The key kind an asymmetric algorithm needs.
fn kind_for(algorithm: Algorithm) -> Result<KeyKind, TokenError> {
    match algorithm {
        Algorithm::RS256 | Algorithm::PS256 => Ok(KeyKind::Rsa),
        Algorithm::ES256 => Ok(KeyKind::P256),
        Algorithm::EdDSA => Ok(KeyKind::Ed25519),
        Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => {
            Err(invalid(KeyError::WrongKeyType {
                found: "a PEM key".to_owned(),
                expected: "an HMAC secret",
            }))
        }
    }
}

impl VerifyingKey {
    /// The smallest RSA modulus accepted, in bits (NIST SP 800-57 Part 1 §5.6.1, RFC 7518 §3.3).
    pub const MIN_RSA_BITS: usize = checks::MIN_RSA_BITS;
    /// The largest RSA modulus accepted, in bits: the enabled backend's limit, 8192 with
    /// aws-lc-rs and 4096 with the RustCrypto `rsa` crate. Larger moduli would only fail at
    /// verification, and cost time per token.
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
        Self::hmac(Algorithm::HS256, &secret.into())
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
        Self::hmac(Algorithm::HS384, &secret.into())
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
            return Err(invalid(KeyError::Weak {
                algorithm,
                bits,
                min_bits,
            }));
        }
        Ok(Self::new(
            algorithm,
            backend::Verifier::hmac(algorithm, secret.expose_secret()),
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
                let rsa = pkcs1::RsaPublicKey::from_der(&key.key)
                    .map_err(|_| invalid(KeyError::MalformedPem("PKCS#1 RSA public key")))?;
                Self::rsa(
                    algorithm,
                    rsa.modulus.as_bytes(),
                    rsa.public_exponent.as_bytes(),
                )
            }
            KeyKind::P256 => Self::p256(&key.key),
            KeyKind::Ed25519 => Self::ed25519(&key.key),
        }
    }

    /// An RS256 verifying key from a PEM RSA public key; `from_pem_as(pem, Algorithm::RS256)`.
    ///
    /// # Errors
    ///
    /// As [`from_pem_as`](Self::from_pem_as).
    ///
    /// ```
    /// # use keyward::token::VerifyingKey;
    /// let pem = std::fs::read("tests/keys/rsa2048-public.pem")?;
    /// assert!(VerifyingKey::rs256_pem(&pem).is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn rs256_pem(pem: impl AsRef<[u8]>) -> Result<Self, TokenError> {
        Self::from_pem_as(pem, Algorithm::RS256)
    }

    /// A PS256 verifying key from a PEM RSA public key; `from_pem_as(pem, Algorithm::PS256)`.
    ///
    /// # Errors
    ///
    /// As [`from_pem_as`](Self::from_pem_as).
    ///
    /// ```
    /// # use keyward::token::VerifyingKey;
    /// let pem = std::fs::read("tests/keys/rsa1024-public.pem")?;
    /// assert!(VerifyingKey::ps256_pem(&pem).is_err()); // 1024 bits: too weak
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn ps256_pem(pem: impl AsRef<[u8]>) -> Result<Self, TokenError> {
        Self::from_pem_as(pem, Algorithm::PS256)
    }

    /// An ES256 verifying key from a PEM P-256 public key; `from_pem_as(pem, Algorithm::ES256)`.
    ///
    /// # Errors
    ///
    /// As [`from_pem_as`](Self::from_pem_as).
    ///
    /// ```
    /// # use keyward::token::VerifyingKey;
    /// let pem = std::fs::read("tests/keys/p256-1-public.pem")?;
    /// assert!(VerifyingKey::es256_pem(&pem).is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn es256_pem(pem: impl AsRef<[u8]>) -> Result<Self, TokenError> {
        Self::from_pem_as(pem, Algorithm::ES256)
    }

    /// An `EdDSA` verifying key from a PEM Ed25519 public key;
    /// `from_pem_as(pem, Algorithm::EdDSA)`.
    ///
    /// # Errors
    ///
    /// As [`from_pem_as`](Self::from_pem_as).
    ///
    /// ```
    /// # use keyward::token::VerifyingKey;
    /// let pem = std::fs::read("tests/keys/ed25519-public.pem")?;
    /// assert!(VerifyingKey::ed25519_pem(&pem).is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn ed25519_pem(pem: impl AsRef<[u8]>) -> Result<Self, TokenError> {
        Self::from_pem_as(pem, Algorithm::EdDSA)
    }

    fn rsa(algorithm: Algorithm, n: &[u8], e: &[u8]) -> Result<Self, TokenError> {
        let (n, e) = (checks::trim(n), checks::trim(e));
        checks::rsa_public_key(algorithm, n, e).map_err(invalid)?;
        let jwk = PublicJwk::Rsa {
            n: URL_SAFE_NO_PAD.encode(n),
            e: URL_SAFE_NO_PAD.encode(e),
        };
        let verifier = backend::Verifier::rsa(algorithm, n, e).map_err(invalid)?;
        Ok(Self::new(algorithm, verifier, Some(jwk)))
    }

    fn p256(sec1: &[u8]) -> Result<Self, TokenError> {
        let point = checks::p256_public_key(sec1).map_err(invalid)?;
        let jwk = PublicJwk::P256 {
            x: URL_SAFE_NO_PAD.encode(&point[1..33]),
            y: URL_SAFE_NO_PAD.encode(&point[33..]),
        };
        let verifier = backend::Verifier::p256(&point).map_err(invalid)?;
        Ok(Self::new(Algorithm::ES256, verifier, Some(jwk)))
    }

    fn ed25519(x: &[u8]) -> Result<Self, TokenError> {
        checks::ed25519_public_key(x).map_err(invalid)?;
        let jwk = PublicJwk::Ed25519 {
            x: URL_SAFE_NO_PAD.encode(x),
        };
        let verifier = backend::Verifier::ed25519(x).map_err(invalid)?;
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
        let bare = |error: TokenError| match error {
            TokenError::InvalidKey(error) => error,
            _ => KeyError::Rejected,
        };
        let key = match jwk.material(purpose)? {
            jwk::JwkMaterial::Rsa { algorithm, n, e } => Self::rsa(algorithm, &n, &e),
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
            jwk::JwkMaterial::Hmac { algorithm, k } => {
                Self::hmac(algorithm, &SecretKey::from_bytes(k.to_vec()))
            }
        }
        .map_err(bare)?;
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
