//! The aws-lc-rs backend: `hmac::Key`, `RsaKeyPair`, `EcdsaKeyPair` and `Ed25519KeyPair` to
//! sign, `hmac::Key` and `ParsedPublicKey` to verify.
//!
//! None of these types can carry `ZeroizeOnDrop`: their key material lives in AWS-LC's own
//! memory, not in Rust's. What wipes it is AWS-LC itself:
//!
//! - `hmac::Key` holds an `HMAC_CTX` (the hash states after the padded key blocks, from which
//!   MACs can be forged); its `Drop` calls `HMAC_CTX_cleanup`, which is
//!   `OPENSSL_cleanse(ctx, sizeof(HMAC_CTX))` (`crypto/fipsmodule/hmac/hmac.c`).
//! - `RsaKeyPair`, `EcdsaKeyPair` and `Ed25519KeyPair` hold an `EVP_PKEY`; their `Drop` calls
//!   `EVP_PKEY_free`, which frees the `RSA` / `EC_KEY` / Ed25519 key and its big numbers with
//!   `OPENSSL_free`, and `OPENSSL_free` runs `OPENSSL_cleanse` over every allocation before
//!   releasing it (`crypto/mem.c`). The private exponent and CRT values, the EC scalar and the
//!   Ed25519 seed are all such allocations.
//! - `ParsedPublicKey` holds only public material.
//!
//! The PKCS#8 the keys are parsed from stays in a `Zeroizing` buffer on the key side.

use aws_lc_rs::hmac;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    self, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _, ParsedPublicKey, RsaKeyPair,
};

use crate::token::{Algorithm, KeyError, TokenError};

/// A private key (or HMAC secret) parsed once, ready to sign.
// The HMAC context is held inline (1.2 KB) rather than boxed: the key already sits behind the
// `Arc` of its `SigningKey`, and a second box would be one more pointer to chase per token.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Signer {
    Hmac(hmac::Key),
    Rsa {
        key: RsaKeyPair,
        padding: &'static dyn signature::RsaEncoding,
    },
    P256(EcdsaKeyPair),
    Ed25519(Ed25519KeyPair),
}

/// A public key (or HMAC secret) parsed once, ready to verify.
// Inline for the same reason as `Signer`, behind the `Arc` of its `VerifyingKey`.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Verifier {
    Hmac(hmac::Key),
    Public(ParsedPublicKey),
}

fn hmac_algorithm(algorithm: Algorithm) -> hmac::Algorithm {
    match algorithm {
        Algorithm::HS384 => hmac::HMAC_SHA384,
        Algorithm::HS512 => hmac::HMAC_SHA512,
        _ => hmac::HMAC_SHA256,
    }
}

impl Signer {
    /// An HMAC key of `algorithm` (HS256, HS384 or HS512): the key schedule is computed here,
    /// once.
    pub(crate) fn hmac(algorithm: Algorithm, secret: &[u8]) -> Self {
        Signer::Hmac(hmac::Key::new(hmac_algorithm(algorithm), secret))
    }

    /// An RS256 or PS256 key from a PKCS#1 `RSAPrivateKey`, whose public half has passed the
    /// checks already.
    pub(crate) fn rsa(algorithm: Algorithm, pkcs1: &[u8]) -> Result<Self, KeyError> {
        let padding: &'static dyn signature::RsaEncoding = match algorithm {
            // RFC 7518 §3.5: MGF1 with SHA-256 and a salt as long as the hash.
            Algorithm::PS256 => &signature::RSA_PSS_SHA256,
            _ => &signature::RSA_PKCS1_SHA256,
        };
        let key = RsaKeyPair::from_der(pkcs1).map_err(|_| KeyError::Rejected)?;
        Ok(Signer::Rsa { key, padding })
    }

    /// An ES256 key from PKCS#8.
    pub(crate) fn p256(pkcs8: &[u8]) -> Result<Self, KeyError> {
        EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8)
            .map(Signer::P256)
            .map_err(|_| KeyError::Rejected)
    }

    /// An `EdDSA` key from PKCS#8 (v1 or v2).
    pub(crate) fn ed25519(pkcs8: &[u8]) -> Result<Self, KeyError> {
        Ed25519KeyPair::from_pkcs8(pkcs8)
            .map(Signer::Ed25519)
            .map_err(|_| KeyError::Rejected)
    }

    /// The public key of an ES256 key (SEC1 uncompressed, 65 bytes) or `EdDSA` key (32 bytes),
    /// for the public-key checks and the verifying key; `None` for RSA and HMAC.
    pub(crate) fn public_key(&self) -> Option<Vec<u8>> {
        match self {
            Signer::P256(key) => Some(key.public_key().as_ref().to_vec()),
            Signer::Ed25519(key) => Some(key.public_key().as_ref().to_vec()),
            Signer::Hmac(_) | Signer::Rsa { .. } => None,
        }
    }

    /// Signs `message` and hands the raw signature to `f`, so that it is encoded straight from
    /// where the backend put it.
    pub(crate) fn sign<R>(
        &self,
        message: &[u8],
        f: impl FnOnce(&[u8]) -> R,
    ) -> Result<R, TokenError> {
        let rejected = |_| TokenError::InvalidKey(KeyError::Rejected);
        Ok(match self {
            Signer::Hmac(key) => f(hmac::sign(key, message).as_ref()),
            Signer::Rsa { key, padding } => {
                // The signature is as long as the modulus: up to 512 bytes for the 4096-bit keys
                // keyward makes, 1024 for the largest it loads.
                let mut signature = [0u8; 1024];
                let signature = signature
                    .get_mut(..key.public_modulus_len())
                    .ok_or(TokenError::InvalidKey(KeyError::Rejected))?;
                key.sign(*padding, &SystemRandom::new(), message, signature)
                    .map_err(rejected)?;
                f(signature)
            }
            Signer::P256(key) => {
                // `ECDSA_P256_SHA256_FIXED_SIGNING`: the JWS form, `r || s` of 32 bytes each.
                let signature = key.sign(&SystemRandom::new(), message).map_err(rejected)?;
                f(signature.as_ref())
            }
            Signer::Ed25519(key) => f(key.sign(message).as_ref()),
        })
    }
}

impl Verifier {
    /// An HMAC key of `algorithm`, its key schedule computed once.
    pub(crate) fn hmac(algorithm: Algorithm, secret: &[u8]) -> Self {
        Verifier::Hmac(hmac::Key::new(hmac_algorithm(algorithm), secret))
    }

    /// An RS256 or PS256 public key from its checked modulus and exponent (big-endian, no
    /// leading zeros).
    pub(crate) fn rsa(algorithm: Algorithm, n: &[u8], e: &[u8]) -> Result<Self, KeyError> {
        let parameters = match algorithm {
            Algorithm::PS256 => &signature::RSA_PSS_2048_8192_SHA256,
            _ => &signature::RSA_PKCS1_2048_8192_SHA256,
        };
        let der = rsa_public_der(n, e)?;
        ParsedPublicKey::new(parameters, der)
            .map(Verifier::Public)
            .map_err(|_| KeyError::Rejected)
    }

    /// An ES256 public key from its checked SEC1 uncompressed point.
    pub(crate) fn p256(point: &[u8]) -> Result<Self, KeyError> {
        ParsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point)
            .map(Verifier::Public)
            .map_err(|_| KeyError::Rejected)
    }

    /// An `EdDSA` public key from its checked 32 bytes.
    pub(crate) fn ed25519(x: &[u8]) -> Result<Self, KeyError> {
        ParsedPublicKey::new(&signature::ED25519, x)
            .map(Verifier::Public)
            .map_err(|_| KeyError::Rejected)
    }

    /// Checks a raw signature over `message`; the HMAC tag is compared in constant time.
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), TokenError> {
        match self {
            Verifier::Hmac(key) => hmac::verify(key, message, signature),
            Verifier::Public(key) => key.verify_sig(message, signature),
        }
        .map_err(|_| TokenError::InvalidSignature)
    }
}

/// An RSA public key as PKCS#1 `RSAPublicKey` DER, the form `ParsedPublicKey` reads.
fn rsa_public_der(n: &[u8], e: &[u8]) -> Result<Vec<u8>, KeyError> {
    use pkcs1::der::Encode as _;
    use pkcs1::der::asn1::UintRef;

    let uint = |bytes| UintRef::new(bytes).map_err(|_| KeyError::Rejected);
    pkcs1::RsaPublicKey {
        modulus: uint(n)?,
        public_exponent: uint(e)?,
    }
    .to_der()
    .map_err(|_| KeyError::Rejected)
}
