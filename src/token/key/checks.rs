//! The rules public key material must pass before keyward will verify with it.
//!
//! A key that a backend would accept but that is broken, weak or malicious is refused here, once,
//! at load, with the reason: not one token at a time later. The same rules apply whether the key
//! came as PEM or as a JWK.

use curve25519_dalek::edwards::CompressedEdwardsY;

use super::super::{Algorithm, KeyError};

/// RSA moduli below this are refused (NIST SP 800-57 Part 1 §5.6.1, RFC 7518 §3.3).
pub(crate) const MIN_RSA_BITS: usize = 2048;

/// The largest RSA modulus accepted, whichever backend is enabled. Both would take 8192 bits
/// (the RustCrypto `rsa` crate's `PublicKey::MAX_SIZE` since 0.10, and aws-lc-rs); keyward keeps
/// the 4096 of `rsa` 0.9, since larger moduli cost time per token and no provider publishes them.
/// One value for both, so that a key accepted under one feature set is accepted under all.
pub(crate) const MAX_RSA_BITS: usize = 4096;

/// The largest RSA public exponent either backend verifies with: `aws-lc` (like `BoringSSL`) and the
/// `rsa` crate (`PublicKey::MAX_PUB_EXPONENT`) both stop at 33 bits.
const MAX_RSA_EXPONENT: u64 = (1 << 33) - 1;

/// Checks an RSA public key given as big-endian modulus and exponent without leading zeros.
pub(crate) fn rsa_public_key(algorithm: Algorithm, n: &[u8], e: &[u8]) -> Result<(), KeyError> {
    let bits = unsigned_bits(n);
    if bits < MIN_RSA_BITS {
        return Err(KeyError::Weak {
            algorithm,
            bits,
            min_bits: MIN_RSA_BITS,
        });
    }
    if bits > MAX_RSA_BITS {
        return Err(KeyError::RsaModulusTooLarge {
            bits,
            max_bits: MAX_RSA_BITS,
        });
    }
    if n.last().is_some_and(|low| low & 1 == 0) {
        return Err(KeyError::RsaModulusEven);
    }
    let exponent = match trim(e) {
        digits if digits.len() > 8 => return Err(KeyError::RsaExponentTooLarge),
        digits => digits
            .iter()
            .fold(0u64, |value, &byte| (value << 8) | u64::from(byte)),
    };
    if exponent < 3 {
        return Err(KeyError::RsaExponentTooSmall);
    }
    if exponent > MAX_RSA_EXPONENT {
        return Err(KeyError::RsaExponentTooLarge);
    }
    if exponent % 2 == 0 {
        return Err(KeyError::RsaExponentEven);
    }
    Ok(())
}

/// Checks an Ed25519 public key (RFC 8032 §5.1.5): 32 bytes encoding a point on the curve, of
/// large prime order, canonically.
///
/// A small-order key is the forgery this guards against: with the identity as public key, the
/// signature `R = identity, S = 0` verifies every message under a cofactorless verifier, and with
/// other torsion points a fraction of arbitrary messages verify. Every honest key is `[s]B` for
/// the base point `B`, so it lies in the prime-order subgroup, and refusing the rest costs
/// nothing real.
pub(crate) fn ed25519_public_key(x: &[u8]) -> Result<[u8; 32], KeyError> {
    let encoded: [u8; 32] = x.try_into().map_err(|_| KeyError::WrongLength {
        name: "x",
        len: x.len(),
        expected: 32,
    })?;
    let point = CompressedEdwardsY(encoded)
        .decompress()
        .ok_or(KeyError::NotOnCurve)?;
    // Judged on the decoded point, so every encoding of a small-order point, canonical or not,
    // gets the same answer.
    if point.is_small_order() {
        return Err(KeyError::SmallOrderPoint);
    }
    if point.compress().to_bytes() != encoded {
        return Err(KeyError::NonCanonicalPoint);
    }
    if !point.is_torsion_free() {
        return Err(KeyError::NotInPrimeOrderSubgroup);
    }
    Ok(encoded)
}

/// Checks a P-256 public key given as SEC1 bytes (uncompressed `04 || x || y`, or compressed)
/// and returns its uncompressed form: the point must be on the curve, with coordinates below
/// the field prime, and not the identity (SEC 1 v2 §3.2.2.1, NIST SP 800-56A §5.6.2.3.3).
pub(crate) fn p256_public_key(sec1: &[u8]) -> Result<[u8; 65], KeyError> {
    use p256::elliptic_curve::sec1::ToSec1Point as _;

    if sec1 == [0] {
        return Err(KeyError::SmallOrderPoint);
    }
    let key = p256::PublicKey::from_sec1_bytes(sec1).map_err(|_| KeyError::NotOnCurve)?;
    let point = key.to_sec1_point(false);
    point
        .as_bytes()
        .try_into()
        .map_err(|_| KeyError::NotOnCurve)
}

/// A big-endian unsigned integer without its leading zero bytes.
pub(crate) fn trim(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[first..]
}

/// The bit length of a big-endian unsigned integer.
pub(crate) fn unsigned_bits(bytes: &[u8]) -> usize {
    match trim(bytes) {
        [] => 0,
        [first, rest @ ..] => rest.len() * 8 + (8 - first.leading_zeros() as usize),
    }
}
