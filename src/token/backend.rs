//! The crypto backend, chosen by keyward's features: keys parsed once, when a [`SigningKey`] or
//! [`VerifyingKey`] is built, into the backend's own key types, and used as they are for every
//! token.
//!
//! keyward calls the backend crates directly rather than through `jsonwebtoken`'s provider
//! factories: those re-parse the key on every call (an RSA private key per signature, the
//! public half of an Ed25519 or P-256 key per signature), recompute the HMAC key schedule per
//! token, and return signer objects that are not `Send + Sync`, so they cannot be kept. With both
//! backends compiled in (as under `--all-features`), aws-lc-rs is used.
//!
//! Both backends implement the same JWS algorithms the same way: HMAC-SHA2 (RFC 7518 §3.2),
//! RSASSA-PKCS1-v1_5 with SHA-256 (§3.3), RSASSA-PSS with SHA-256, MGF1 and a salt as long as the
//! hash (§3.5), ECDSA P-256 with SHA-256 and its signature as the fixed-size `r || s` (§3.4), and
//! Ed25519 (RFC 8037 §3.1).
//!
//! [`SigningKey`]: super::SigningKey
//! [`VerifyingKey`]: super::VerifyingKey

// Both backends are compiled whenever their feature is on, so that `--all-features` (as CI's
// clippy and doc runs use) checks each against the traits below; the one not selected is then
// unused.
#[cfg(feature = "aws-lc-rs")]
mod aws_lc;
#[cfg(feature = "rust-crypto")]
#[cfg_attr(feature = "aws-lc-rs", allow(dead_code))]
mod rust_crypto;

#[cfg(feature = "aws-lc-rs")]
pub(crate) use aws_lc::{Signer, Verifier};
#[cfg(all(feature = "rust-crypto", not(feature = "aws-lc-rs")))]
pub(crate) use rust_crypto::{Signer, Verifier};

#[cfg(not(any(feature = "aws-lc-rs", feature = "rust-crypto")))]
compile_error!(
    "keyward needs a crypto backend: enable the `aws-lc-rs` (default) or `rust-crypto` feature"
);

use super::{Algorithm, KeyError, TokenError};

/// The hash of an HMAC algorithm: what a backend needs to know of HS256, HS384 and HS512.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HmacHash {
    Sha256,
    Sha384,
    Sha512,
}

/// The padding of an RSA algorithm: RS256 (PKCS#1 v1.5) or PS256 (PSS, MGF1 with SHA-256, a
/// salt as long as the hash: RFC 7518 §3.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RsaPadding {
    Pkcs1,
    Pss,
}

impl HmacHash {
    /// The hash of an HMAC algorithm; `None` for the others.
    pub(crate) fn of(algorithm: Algorithm) -> Option<Self> {
        match algorithm {
            Algorithm::HS256 => Some(HmacHash::Sha256),
            Algorithm::HS384 => Some(HmacHash::Sha384),
            Algorithm::HS512 => Some(HmacHash::Sha512),
            Algorithm::RS256 | Algorithm::PS256 | Algorithm::ES256 | Algorithm::EdDSA => None,
        }
    }
}

impl HmacHash {
    /// The JWS algorithm of this hash.
    pub(crate) fn algorithm(self) -> Algorithm {
        match self {
            HmacHash::Sha256 => Algorithm::HS256,
            HmacHash::Sha384 => Algorithm::HS384,
            HmacHash::Sha512 => Algorithm::HS512,
        }
    }

    /// The shortest secret RFC 7518 §3.2 allows, in bits: the hash's output size.
    pub(crate) fn min_bits(self) -> usize {
        match self {
            HmacHash::Sha256 => 256,
            HmacHash::Sha384 => 384,
            HmacHash::Sha512 => 512,
        }
    }
}

impl RsaPadding {
    /// The JWS algorithm of this padding.
    pub(crate) fn algorithm(self) -> Algorithm {
        match self {
            RsaPadding::Pkcs1 => Algorithm::RS256,
            RsaPadding::Pss => Algorithm::PS256,
        }
    }

    /// The padding of an RSA algorithm; `None` for the others.
    pub(crate) fn of(algorithm: Algorithm) -> Option<Self> {
        match algorithm {
            Algorithm::RS256 => Some(RsaPadding::Pkcs1),
            Algorithm::PS256 => Some(RsaPadding::Pss),
            Algorithm::HS256
            | Algorithm::HS384
            | Algorithm::HS512
            | Algorithm::ES256
            | Algorithm::EdDSA => None,
        }
    }
}

/// What every backend's private key type does. Crate-private, so sealed: only the two backends
/// implement it, and with `--all-features` both are compiled against it.
pub(crate) trait SignerApi: Sized + Send + Sync {
    /// An HMAC key: the key schedule is computed here, once.
    fn hmac(hash: HmacHash, secret: &[u8]) -> Self;

    /// An RSA key from a PKCS#1 `RSAPrivateKey` whose public half has passed the checks.
    ///
    /// # Errors
    ///
    /// [`KeyError::InconsistentPrivateKey`] when the backend's consistency check fails.
    fn rsa(padding: RsaPadding, pkcs1: &[u8]) -> Result<Self, KeyError>;

    /// A P-256 key from PKCS#8, with its public key as the SEC1 uncompressed point.
    ///
    /// # Errors
    ///
    /// [`KeyError::MalformedPem`] when the backend cannot read the key.
    fn p256(pkcs8: &[u8]) -> Result<(Self, [u8; 65]), KeyError>;

    /// An Ed25519 key from PKCS#8 (v1 or v2), with its public key.
    ///
    /// # Errors
    ///
    /// [`KeyError::MalformedPem`] when the backend cannot read the key.
    fn ed25519(pkcs8: &[u8]) -> Result<(Self, [u8; 32]), KeyError>;

    /// Signs `message` and hands the raw signature to `f`.
    ///
    /// # Errors
    ///
    /// [`KeyError::Rejected`] (as [`TokenError::InvalidKey`]) when the backend fails to sign.
    fn sign<R>(&self, message: &[u8], f: impl FnOnce(&[u8]) -> R) -> Result<R, TokenError>;
}

/// What every backend's public key type does; sealed as [`SignerApi`] is.
pub(crate) trait VerifierApi: Sized + Send + Sync {
    /// An HMAC key, its key schedule computed once.
    fn hmac(hash: HmacHash, secret: &[u8]) -> Self;

    /// An RSA public key from its checked modulus and exponent (big-endian, no leading zeros).
    ///
    /// # Errors
    ///
    /// [`KeyError::Rejected`] when the backend refuses a key keyward's checks accepted.
    fn rsa(padding: RsaPadding, n: &[u8], e: &[u8]) -> Result<Self, KeyError>;

    /// A P-256 public key from its checked SEC1 uncompressed point.
    ///
    /// # Errors
    ///
    /// [`KeyError::Rejected`] when the backend refuses a key keyward's checks accepted.
    fn p256(point: &[u8; 65]) -> Result<Self, KeyError>;

    /// An Ed25519 public key from its checked 32 bytes.
    ///
    /// # Errors
    ///
    /// [`KeyError::Rejected`] when the backend refuses a key keyward's checks accepted.
    fn ed25519(x: &[u8; 32]) -> Result<Self, KeyError>;

    /// Checks a raw signature over `message`; an HMAC tag is compared in constant time.
    ///
    /// # Errors
    ///
    /// [`TokenError::InvalidSignature`].
    fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), TokenError>;
}

/// The error of a backend that refused to sign or to load a key keyward's checks accepted,
/// without a reason to give: one of the few places [`KeyError::Rejected`] is kept, because
/// neither backend says more (aws-lc-rs reports `Unspecified`, and `KeyRejected` only after
/// keyward's own checks have ruled out every reason it names).
pub(crate) fn refused<E>(_: E) -> KeyError {
    KeyError::Rejected
}

/// Keys are shared by every clone of a key, issuer and verifier, across threads.
const _: fn() = || {
    fn shared<T: SignerApi + Send + Sync>() {}
    fn shared_verifier<T: VerifierApi + Send + Sync>() {}
    shared::<Signer>();
    shared_verifier::<Verifier>();
};
