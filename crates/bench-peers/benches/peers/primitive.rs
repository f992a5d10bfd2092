//! The bare signature primitives of the enabled backend, on keys parsed once: the floor that
//! the libraries' issue (claims, JSON, base64, signature) and verify (split, header,
//! signature, claims) are measured against. The primitive signs and verifies the same signing
//! input (`header.payload`) that keyward's token carries. (Moved here from the core crate's
//! `benches/tokens.rs`, whose `against_primitive` group this benchmark replaces.)

use std::hint::black_box;

#[cfg(feature = "aws-lc-rs")]
mod aws_lc;
#[cfg(not(feature = "aws-lc-rs"))]
mod rust_crypto;

#[cfg(feature = "aws-lc-rs")]
pub use aws_lc::for_algorithm;
#[cfg(not(feature = "aws-lc-rs"))]
pub use rust_crypto::for_algorithm;

fn der(name: &str) -> Vec<u8> {
    pem::parse(crate::fixture::key(name))
        .expect("a PEM test key")
        .into_contents()
}

/// Signs and verifies `message` with a key of one algorithm, parsed before the clock starts.
pub trait Primitive {
    /// Signs; returns the signature's length so the work cannot be optimised away.
    fn sign(&self, message: &[u8]) -> usize;
    /// Verifies, panicking on a bad signature.
    fn verify(&self, message: &[u8], signature: &[u8]);
}
