//! What every contestant shares: the algorithms, the keys (read from the repository's
//! `tests/keys`, parsed once by each library), and the claims of every token.

use serde::{Deserialize, Serialize};

/// The HS256 secret; HS384 and HS512 use `[7; 48]` and `[7; 64]`, as `benches/tokens.rs`.
pub const SECRET: [u8; 32] = *b"bench-secret-bench-secret-bench!";
pub const SUBJECT: &str = "alice";
pub const ISSUER: &str = "https://auth.example.com";
pub const AUDIENCE: &str = "api";
/// keyward's access token lifetime, given to the peers too.
pub const LIFETIME_SECS: u64 = 15 * 60;
/// The peers' `jti`: made once, 22 characters like keyward's 16 random bytes in base64url.
/// keyward draws a fresh one per token, so this leans the comparison toward the peers.
pub const TOKEN_ID: &str = "bench-token-id-0123456";

/// The custom claim as issued: borrowed, so no contestant allocates it per token.
#[derive(Serialize)]
pub struct RoleOut {
    pub role: &'static str,
}

pub const ROLE: RoleOut = RoleOut { role: "admin" };

/// The custom claim as verified.
#[derive(Deserialize)]
pub struct Role {
    pub role: String,
}

/// The token algorithms, each a row of issue and verify.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Alg {
    Hs256,
    Hs384,
    Hs512,
    Rs256,
    Ps256,
    Es256,
    EdDsa,
}

impl Alg {
    pub const ALL: [Self; 7] = [
        Self::Hs256,
        Self::Hs384,
        Self::Hs512,
        Self::Rs256,
        Self::Ps256,
        Self::Es256,
        Self::EdDsa,
    ];

    /// The JOSE name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Hs256 => "HS256",
            Self::Hs384 => "HS384",
            Self::Hs512 => "HS512",
            Self::Rs256 => "RS256",
            Self::Ps256 => "PS256",
            Self::Es256 => "ES256",
            Self::EdDsa => "EdDSA",
        }
    }

    /// The HMAC secret of an HS algorithm.
    pub fn secret(self) -> Option<&'static [u8]> {
        match self {
            Self::Hs256 => Some(&SECRET),
            Self::Hs384 => Some(&[7; 48]),
            Self::Hs512 => Some(&[7; 64]),
            _ => None,
        }
    }

    /// The PEM file of the private key of an asymmetric algorithm (`tests/keys`).
    pub fn private_pem(self) -> &'static str {
        match self {
            Self::Rs256 | Self::Ps256 => "rsa2048-private.pem",
            Self::Es256 => "p256-1-private.pem",
            _ => "ed25519-private.pem",
        }
    }

    /// The PEM file of the public key of an asymmetric algorithm.
    pub fn public_pem(self) -> &'static str {
        match self {
            Self::Rs256 | Self::Ps256 => "rsa2048-public.pem",
            Self::Es256 => "p256-1-public.pem",
            _ => "ed25519-public.pem",
        }
    }
}

/// A test key's file, as bytes.
pub fn key(name: &str) -> Vec<u8> {
    let path = format!("{}/../../tests/keys/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|error| panic!("{path}: {error}"))
}

/// A test key's file, as text.
pub fn key_text(name: &str) -> String {
    String::from_utf8(key(name)).expect("PEM is ASCII")
}

/// Seconds since the Unix epoch, read per token as keyward's system clock is.
pub fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs()
}
