//! The RustCrypto backend: `hmac` keyed once, `rsa`'s PKCS#1 v1.5 and PSS signing keys,
//! `p256::ecdsa` and `ed25519-dalek` keys to sign; the same crates' public keys to verify.
//!
//! Every private key type here is `ZeroizeOnDrop` (asserted below). The one that cannot be by
//! itself, a keyed HMAC state, is wrapped in [`KeyedHmac`], whose `Drop` overwrites it.

use ed25519_dalek::pkcs8::DecodePrivateKey as _;
use hmac::{Hmac, KeyInit as _, Mac as _};
use p256::ecdsa::signature::Verifier as _;
use p256::ecdsa::signature::{SignatureEncoding as _, Signer as _};
use rsa::pkcs1::DecodeRsaPrivateKey as _;
use rsa::{BoxedUint, Pkcs1v15Sign, Pss};
use sha2::{Digest as _, Sha256, Sha384, Sha512};
use zeroize::ZeroizeOnDrop;

use super::{HmacHash, RsaPadding, SignerApi, VerifierApi, refused};
use crate::token::{KeyError, TokenError};

/// A private key (or HMAC secret) parsed once, ready to sign.
pub(crate) enum Signer {
    Hmac(KeyedHmac),
    // Both blinded, as `jsonwebtoken` signs: with its `getrandom` feature, `rsa` 0.10 randomizes
    // the private-key operation of every signature (`Signer::try_sign` draws from the OS RNG).
    Rs256(rsa::pkcs1v15::SigningKey<Sha256>),
    Ps256(rsa::pss::SigningKey<Sha256>),
    Es256(p256::ecdsa::SigningKey),
    EdDsa(ed25519_dalek::SigningKey),
}

/// A public key (or HMAC secret) parsed once, ready to verify.
// Held inline rather than boxed: the key already sits behind the `Arc` of its `VerifyingKey`.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Verifier {
    Hmac(KeyedHmac),
    Rsa { key: rsa::PublicKey, pss: bool },
    Es256(p256::ecdsa::VerifyingKey),
    EdDsa(ed25519_dalek::VerifyingKey),
}

/// Checked at compile time: the private key types wipe themselves when dropped.
const _: fn() = || {
    fn wiped_on_drop<T: ZeroizeOnDrop>() {}
    wiped_on_drop::<KeyedHmac>();
    wiped_on_drop::<rsa::pkcs1v15::SigningKey<Sha256>>();
    wiped_on_drop::<rsa::pss::SigningKey<Sha256>>();
    wiped_on_drop::<p256::ecdsa::SigningKey>();
    wiped_on_drop::<ed25519_dalek::SigningKey>();
};

/// An HMAC whose key schedule (the hash states after the inner and outer padded key blocks) is
/// computed once; each MAC starts from a copy of it.
///
/// Those states are as good as the key for forging MACs, and `hmac` does not wipe them, so
/// `Drop` overwrites them with the states of the empty key, which are public, and passes the
/// result through `black_box` so that the store is not dropped as dead. The per-token copies
/// live on the stack, as they do when the key is set up per token.
pub(crate) enum KeyedHmac {
    Sha256(Hmac<Sha256>),
    Sha384(Hmac<Sha384>),
    Sha512(Hmac<Sha512>),
}

impl KeyedHmac {
    fn new(hash: HmacHash, secret: &[u8]) -> Self {
        // HMAC takes a key of any length; keyward has checked the minimum already.
        let keyed = "HMAC accepts keys of any length";
        match hash {
            HmacHash::Sha256 => KeyedHmac::Sha256(Hmac::new_from_slice(secret).expect(keyed)),
            HmacHash::Sha384 => KeyedHmac::Sha384(Hmac::new_from_slice(secret).expect(keyed)),
            HmacHash::Sha512 => KeyedHmac::Sha512(Hmac::new_from_slice(secret).expect(keyed)),
        }
    }

    fn sign<R>(&self, message: &[u8], f: impl FnOnce(&[u8]) -> R) -> R {
        match self {
            KeyedHmac::Sha256(mac) => f(&mac.clone().chain_update(message).finalize().into_bytes()),
            KeyedHmac::Sha384(mac) => f(&mac.clone().chain_update(message).finalize().into_bytes()),
            KeyedHmac::Sha512(mac) => f(&mac.clone().chain_update(message).finalize().into_bytes()),
        }
    }

    /// Compares the tag in constant time (`Mac::verify_slice`).
    fn verify(&self, message: &[u8], tag: &[u8]) -> Result<(), hmac::digest::MacError> {
        match self {
            KeyedHmac::Sha256(mac) => mac.clone().chain_update(message).verify_slice(tag),
            KeyedHmac::Sha384(mac) => mac.clone().chain_update(message).verify_slice(tag),
            KeyedHmac::Sha512(mac) => mac.clone().chain_update(message).verify_slice(tag),
        }
    }
}

impl Drop for KeyedHmac {
    fn drop(&mut self) {
        let keyed = "HMAC accepts keys of any length";
        match self {
            KeyedHmac::Sha256(mac) => *mac = Hmac::new_from_slice(&[]).expect(keyed),
            KeyedHmac::Sha384(mac) => *mac = Hmac::new_from_slice(&[]).expect(keyed),
            KeyedHmac::Sha512(mac) => *mac = Hmac::new_from_slice(&[]).expect(keyed),
        }
        std::hint::black_box(self);
    }
}

// `Drop` above replaces every key-dependent byte.
impl ZeroizeOnDrop for KeyedHmac {}

impl SignerApi for Signer {
    fn hmac(hash: HmacHash, secret: &[u8]) -> Self {
        Signer::Hmac(KeyedHmac::new(hash, secret))
    }

    fn rsa(padding: RsaPadding, pkcs1: &[u8]) -> Result<Self, KeyError> {
        // The DER and the public half were read and checked already; `from_pkcs1_der` then
        // validates that the primes and exponents agree with the modulus.
        let key =
            rsa::PrivateKey::from_pkcs1_der(pkcs1).map_err(|_| KeyError::InconsistentPrivateKey)?;
        Ok(match padding {
            // RFC 7518 §3.5: MGF1 with SHA-256 and a salt as long as the hash, which is what
            // `pss::SigningKey::new` sets.
            RsaPadding::Pss => Signer::Ps256(rsa::pss::SigningKey::new(key)),
            RsaPadding::Pkcs1 => Signer::Rs256(rsa::pkcs1v15::SigningKey::new(key)),
        })
    }

    fn p256(pkcs8: &[u8]) -> Result<(Self, [u8; 65]), KeyError> {
        use p256::pkcs8::DecodePrivateKey as _;

        let key = p256::ecdsa::SigningKey::from_pkcs8_der(pkcs8).map_err(|_| {
            KeyError::MalformedPem("P-256 private key (or its public key does not match it)")
        })?;
        let point = key
            .verifying_key()
            .to_sec1_point(false)
            .as_bytes()
            .try_into()
            .map_err(|_| KeyError::MalformedPem("P-256 private key"))?;
        Ok((Signer::Es256(key), point))
    }

    fn ed25519(pkcs8: &[u8]) -> Result<(Self, [u8; 32]), KeyError> {
        let key = ed25519_dalek::SigningKey::from_pkcs8_der(pkcs8).map_err(|_| {
            KeyError::MalformedPem("Ed25519 private key (or its public key does not match it)")
        })?;
        let x = key.verifying_key().to_bytes();
        Ok((Signer::EdDsa(key), x))
    }

    fn sign<R>(&self, message: &[u8], f: impl FnOnce(&[u8]) -> R) -> Result<R, TokenError> {
        let rejected = |error| TokenError::InvalidKey(refused(error));
        Ok(match self {
            Signer::Hmac(key) => key.sign(message, f),
            Signer::Rs256(key) => f(&key.try_sign(message).map_err(rejected)?.to_bytes()),
            Signer::Ps256(key) => f(&key.try_sign(message).map_err(rejected)?.to_bytes()),
            Signer::Es256(key) => {
                // The JWS form: `r || s`, 32 bytes each.
                let signature: p256::ecdsa::Signature = key.try_sign(message).map_err(rejected)?;
                f(&signature.to_bytes())
            }
            Signer::EdDsa(key) => f(&key.try_sign(message).map_err(rejected)?.to_bytes()),
        })
    }
}

impl VerifierApi for Verifier {
    fn hmac(hash: HmacHash, secret: &[u8]) -> Self {
        Verifier::Hmac(KeyedHmac::new(hash, secret))
    }

    fn rsa(padding: RsaPadding, n: &[u8], e: &[u8]) -> Result<Self, KeyError> {
        // Public values: reading them in variable time leaks nothing.
        let key = rsa::PublicKey::new(
            BoxedUint::from_be_slice_vartime(n),
            BoxedUint::from_be_slice_vartime(e),
        )
        .map_err(refused)?;
        Ok(Verifier::Rsa {
            key,
            pss: padding == RsaPadding::Pss,
        })
    }

    fn p256(point: &[u8; 65]) -> Result<Self, KeyError> {
        p256::ecdsa::VerifyingKey::from_sec1_bytes(point)
            .map(Verifier::Es256)
            .map_err(refused)
    }

    fn ed25519(x: &[u8; 32]) -> Result<Self, KeyError> {
        ed25519_dalek::VerifyingKey::from_bytes(x)
            .map(Verifier::EdDsa)
            .map_err(refused)
    }

    /// Checks a raw signature over `message`; the HMAC tag is compared in constant time.
    fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), TokenError> {
        let valid = match self {
            Verifier::Hmac(key) => key.verify(message, signature).is_ok(),
            Verifier::Rsa { key, pss } => {
                let digest = Sha256::digest(message);
                if *pss {
                    // Salt as long as the hash (RFC 7518 §3.5), which `Pss::new` expects.
                    key.verify(Pss::<Sha256>::new(), &digest, signature).is_ok()
                } else {
                    key.verify(Pkcs1v15Sign::new::<Sha256>(), &digest, signature)
                        .is_ok()
                }
            }
            Verifier::Es256(key) => p256::ecdsa::Signature::from_slice(signature)
                .is_ok_and(|signature| key.verify(message, &signature).is_ok()),
            Verifier::EdDsa(key) => ed25519_dalek::Signature::from_slice(signature)
                .is_ok_and(|signature| key.verify(message, &signature).is_ok()),
        };
        if valid {
            Ok(())
        } else {
            Err(TokenError::InvalidSignature)
        }
    }
}
