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

#[cfg(feature = "aws-lc-rs")]
mod aws_lc;
#[cfg(all(feature = "rust-crypto", not(feature = "aws-lc-rs")))]
mod rust_crypto;

#[cfg(feature = "aws-lc-rs")]
pub(crate) use aws_lc::{Signer, Verifier};
#[cfg(all(feature = "rust-crypto", not(feature = "aws-lc-rs")))]
pub(crate) use rust_crypto::{Signer, Verifier};

#[cfg(not(any(feature = "aws-lc-rs", feature = "rust-crypto")))]
compile_error!(
    "keyward needs a crypto backend: enable the `aws-lc-rs` (default) or `rust-crypto` feature"
);

/// Keys are shared by every clone of a key, issuer and verifier, across threads.
const _: fn() = || {
    fn shared<T: Send + Sync>() {}
    shared::<Signer>();
    shared::<Verifier>();
};
