//! The signature algorithms keyward accepts. `none` is not one of them and cannot be named.

use std::fmt;

/// A JWS signature algorithm (RFC 7518 §3.1, RFC 8037 §3.1). Every key has exactly one.
///
/// There is deliberately no `none`: an unsigned token cannot be issued or accepted.
///
/// ```
/// use keyward::token::{Algorithm, SigningKey, TokenIssuer};
///
/// let issuer = TokenIssuer::new(SigningKey::hs256([0x42; 32])?);
/// assert_eq!(issuer.algorithm(), Algorithm::HS256);
/// assert_eq!(Algorithm::EdDSA.to_string(), "EdDSA");
/// # Ok::<(), keyward::token::TokenError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[allow(clippy::upper_case_acronyms)]
pub enum Algorithm {
    /// HMAC with SHA-256; a shared secret of at least 32 bytes.
    HS256,
    /// HMAC with SHA-384; a shared secret of at least 48 bytes.
    HS384,
    /// HMAC with SHA-512; a shared secret of at least 64 bytes.
    HS512,
    /// RSASSA-PKCS1-v1_5 with SHA-256; RSA keys of at least 2048 bits.
    RS256,
    /// RSASSA-PSS with SHA-256; RSA keys of at least 2048 bits.
    PS256,
    /// ECDSA on P-256 with SHA-256.
    ES256,
    /// `EdDSA` with Ed25519.
    EdDSA,
}

impl Algorithm {
    /// The name used in the JWS `alg` header.
    ///
    /// ```
    /// # use keyward::token::Algorithm;
    /// assert_eq!(Algorithm::PS256.name(), "PS256");
    /// ```
    pub const fn name(self) -> &'static str {
        match self {
            Algorithm::HS256 => "HS256",
            Algorithm::HS384 => "HS384",
            Algorithm::HS512 => "HS512",
            Algorithm::RS256 => "RS256",
            Algorithm::PS256 => "PS256",
            Algorithm::ES256 => "ES256",
            Algorithm::EdDSA => "EdDSA",
        }
    }

    /// Whether the key is a shared secret (HMAC) rather than a key pair.
    ///
    /// ```
    /// # use keyward::token::Algorithm;
    /// assert!(Algorithm::HS512.is_symmetric());
    /// assert!(!Algorithm::ES256.is_symmetric());
    /// ```
    pub const fn is_symmetric(self) -> bool {
        matches!(self, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512)
    }

    /// The algorithm a header's exact, case-sensitive `alg` names (RFC 7515 §4.1.1), if keyward
    /// supports it.
    pub(crate) fn from_name(name: &str) -> Option<Self> {
        [
            Algorithm::HS256,
            Algorithm::HS384,
            Algorithm::HS512,
            Algorithm::RS256,
            Algorithm::PS256,
            Algorithm::ES256,
            Algorithm::EdDSA,
        ]
        .into_iter()
        .find(|algorithm| algorithm.name() == name)
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
