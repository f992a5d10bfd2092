//! The crypto provider behind `jsonwebtoken`, chosen by keyward's features.
//!
//! keyward calls the provider's signer and verifier factories directly instead of relying on
//! `jsonwebtoken`'s process-wide default, which panics at first use when both backends are
//! compiled in (as under `--all-features`). With both enabled, aws-lc-rs is used.

use jsonwebtoken::crypto::CryptoProvider;
use jsonwebtoken::{DecodingKey, EncodingKey};

use super::{Algorithm, KeyError, TokenError};

#[cfg(not(any(feature = "aws-lc-rs", feature = "rust-crypto")))]
compile_error!(
    "keyward needs a crypto backend: enable the `aws-lc-rs` (default) or `rust-crypto` feature"
);

/// The provider of the enabled backend.
pub(crate) fn provider() -> &'static CryptoProvider {
    #[cfg(feature = "aws-lc-rs")]
    {
        &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER
    }
    #[cfg(all(feature = "rust-crypto", not(feature = "aws-lc-rs")))]
    {
        &jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER
    }
}

/// The raw signature of `message`.
pub(crate) fn sign(
    algorithm: Algorithm,
    key: &EncodingKey,
    message: &[u8],
) -> Result<Vec<u8>, TokenError> {
    let signer = (provider().signer_factory)(&algorithm.to_jsonwebtoken(), key)
        .map_err(|_| TokenError::InvalidKey(KeyError::Rejected))?;
    signer
        .try_sign(message)
        .map_err(|_| TokenError::InvalidKey(KeyError::Rejected))
}

/// Checks a raw signature over `message`.
#[allow(clippy::ptr_arg)] // the `signature` crate's Verifier<Vec<u8>> takes &Vec.
pub(crate) fn verify(
    algorithm: Algorithm,
    key: &DecodingKey,
    message: &[u8],
    signature: &Vec<u8>,
) -> Result<(), TokenError> {
    let verifier = (provider().verifier_factory)(&algorithm.to_jsonwebtoken(), key)
        .map_err(|_| TokenError::InvalidKey(KeyError::Rejected))?;
    verifier
        .verify(message, signature)
        .map_err(|_| TokenError::InvalidSignature)
}
