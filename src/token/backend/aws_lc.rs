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

use super::{HmacHash, RsaPadding, SignerApi, VerifierApi, refused};
use crate::token::{KeyError, TokenError};

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

fn hmac_algorithm(hash: HmacHash) -> hmac::Algorithm {
    match hash {
        HmacHash::Sha256 => hmac::HMAC_SHA256,
        HmacHash::Sha384 => hmac::HMAC_SHA384,
        HmacHash::Sha512 => hmac::HMAC_SHA512,
    }
}

impl SignerApi for Signer {
    fn hmac(hash: HmacHash, secret: &[u8]) -> Self {
        Signer::Hmac(hmac::Key::new(hmac_algorithm(hash), secret))
    }

    fn rsa(padding: RsaPadding, pkcs1: &[u8]) -> Result<Self, KeyError> {
        let padding: &'static dyn signature::RsaEncoding = match padding {
            // RFC 7518 §3.5: MGF1 with SHA-256 and a salt as long as the hash.
            RsaPadding::Pss => &signature::RSA_PSS_SHA256,
            RsaPadding::Pkcs1 => &signature::RSA_PKCS1_SHA256,
        };
        // The DER and the public half were read and checked already (size, exponent); what
        // AWS-LC's `RSA_check_key` finds beyond that is parts that do not agree.
        let key = RsaKeyPair::from_der(pkcs1).map_err(|_| KeyError::InconsistentPrivateKey)?;
        Ok(Signer::Rsa { key, padding })
    }

    fn p256(pkcs8: &[u8]) -> Result<(Self, [u8; 65]), KeyError> {
        let key = EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8)
            .map_err(|_| {
                KeyError::MalformedPem("P-256 private key (or its public key does not match it)")
            })?;
        let point = key
            .public_key()
            .as_ref()
            .try_into()
            .map_err(|_| KeyError::MalformedPem("P-256 private key"))?;
        Ok((Signer::P256(key), point))
    }

    fn ed25519(pkcs8: &[u8]) -> Result<(Self, [u8; 32]), KeyError> {
        let key = Ed25519KeyPair::from_pkcs8(pkcs8).map_err(|_| {
            KeyError::MalformedPem("Ed25519 private key (or its public key does not match it)")
        })?;
        let x = key
            .public_key()
            .as_ref()
            .try_into()
            .map_err(|_| KeyError::MalformedPem("Ed25519 private key"))?;
        Ok((Signer::Ed25519(key), x))
    }

    /// Signs `message` and hands the raw signature to `f`, so that it is encoded straight from
    /// where the backend put it.
    fn sign<R>(&self, message: &[u8], f: impl FnOnce(&[u8]) -> R) -> Result<R, TokenError> {
        let rejected =
            |error: aws_lc_rs::error::Unspecified| TokenError::InvalidKey(refused(error));
        Ok(match self {
            Signer::Hmac(key) => f(hmac::sign(key, message).as_ref()),
            Signer::Rsa { key, padding } => {
                // The signature is as long as the modulus: at most 1024 bytes, since keyward
                // loads no modulus over `MAX_RSA_BITS` (8192).
                let mut signature = [0u8; 1024];
                let signature = signature
                    .get_mut(..key.public_modulus_len())
                    .ok_or_else(|| TokenError::InvalidKey(refused(())))?;
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

impl VerifierApi for Verifier {
    fn hmac(hash: HmacHash, secret: &[u8]) -> Self {
        Verifier::Hmac(hmac::Key::new(hmac_algorithm(hash), secret))
    }

    fn rsa(padding: RsaPadding, n: &[u8], e: &[u8]) -> Result<Self, KeyError> {
        let parameters = match padding {
            RsaPadding::Pss => &signature::RSA_PSS_2048_8192_SHA256,
            RsaPadding::Pkcs1 => &signature::RSA_PKCS1_2048_8192_SHA256,
        };
        let der = rsa_public_der(n, e)?;
        ParsedPublicKey::new(parameters, der)
            .map(Verifier::Public)
            .map_err(refused)
    }

    fn p256(point: &[u8; 65]) -> Result<Self, KeyError> {
        ParsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point)
            .map(Verifier::Public)
            .map_err(refused)
    }

    fn ed25519(x: &[u8; 32]) -> Result<Self, KeyError> {
        ParsedPublicKey::new(&signature::ED25519, x)
            .map(Verifier::Public)
            .map_err(refused)
    }

    fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), TokenError> {
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

    pkcs1::RsaPublicKey {
        modulus: UintRef::new(n).map_err(refused)?,
        public_exponent: UintRef::new(e).map_err(refused)?,
    }
    .to_der()
    .map_err(refused)
}
