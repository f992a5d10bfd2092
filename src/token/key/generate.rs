//! New key pairs from the operating system's random generator, as PKCS#8 DER.
//!
//! Ed25519 and P-256 private keys are uniformly random bytes (RFC 8032 §5.1.5, FIPS 186-5
//! A.2.2 by rejection sampling), so they are drawn here and encoded with the RustCrypto crates
//! whatever the backend. RSA needs prime generation, which is the backend's job.

use zeroize::Zeroizing;

use super::super::KeyError;

/// A new Ed25519 private key.
pub(crate) fn ed25519() -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let mut seed = Zeroizing::new([0u8; 32]);
    getrandom::fill(&mut *seed).map_err(|_| KeyError::RandomnessUnavailable)?;
    super::pem::ed25519_pkcs8(&seed)
}

/// A new P-256 private key.
pub(crate) fn p256() -> Result<Zeroizing<Vec<u8>>, KeyError> {
    use p256::pkcs8::EncodePrivateKey as _;

    // A random 256-bit string is a valid scalar unless it is zero or at least the group order,
    // which happens with probability about 2⁻³²; draw again then.
    for _ in 0..16 {
        let mut bytes = Zeroizing::new([0u8; 32]);
        getrandom::fill(&mut *bytes).map_err(|_| KeyError::RandomnessUnavailable)?;
        if let Ok(key) = p256::SecretKey::from_slice(&*bytes) {
            let der = key.to_pkcs8_der().map_err(|_| KeyError::NotEncodable)?;
            return Ok(Zeroizing::new(der.as_bytes().to_vec()));
        }
    }
    Err(KeyError::RandomnessUnavailable)
}

/// A new RSA private key of `bits` (2048, 3072 or 4096), e = 65537.
#[cfg(feature = "aws-lc-rs")]
pub(crate) fn rsa(bits: usize) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    use aws_lc_rs::encoding::AsDer as _;
    use aws_lc_rs::rsa::{KeyPair, KeySize};

    let size = match bits {
        2048 => KeySize::Rsa2048,
        3072 => KeySize::Rsa3072,
        _ => KeySize::Rsa4096,
    };
    let key = KeyPair::generate(size).map_err(|_| KeyError::RandomnessUnavailable)?;
    let der = key.as_der().map_err(|_| KeyError::NotEncodable)?;
    Ok(Zeroizing::new(der.as_ref().to_vec()))
}

/// A new RSA private key of `bits` (2048, 3072 or 4096), e = 65537.
#[cfg(all(feature = "rust-crypto", not(feature = "aws-lc-rs")))]
pub(crate) fn rsa(bits: usize) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    use rsa::pkcs8::EncodePrivateKey as _;

    let key = rsa::PrivateKey::new(&mut getrandom::SysRng, bits)
        .map_err(|_| KeyError::RandomnessUnavailable)?;
    let der = key.to_pkcs8_der().map_err(|_| KeyError::NotEncodable)?;
    Ok(Zeroizing::new(der.as_bytes().to_vec()))
}
