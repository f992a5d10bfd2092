//! The successor of a used refresh token, kept sealed so that only its predecessor's holder
//! can open it: what lets a replay within the grace interval get the same successor back.

use sha2::{Digest as _, Sha256};
use zeroize::Zeroizing;

use super::RefreshToken;
use crate::SessionError;

/// A refresh token's successor, sealed under the token it replaced.
///
/// The store keeps only digests of tokens, so it cannot hand a successor out again by
/// itself. When a grace interval is set, each exchange also stores the successor's 32 random
/// bytes, each combined by exclusive or with a pad, `SHA-256("keyward-session successor v1\0" ‖ presented token)`. A
/// replay within the interval presents the same token, which recomputes the pad and opens
/// the same successor; the database alone (which holds `SHA-256(token)`, not the token)
/// cannot. With no grace interval (the default), nothing is sealed.
///
/// ```
/// use keyward_session::SealedSuccessor;
///
/// let sealed = SealedSuccessor::from_stored(&[7u8; 32]).unwrap();
/// assert_eq!(sealed.as_bytes(), &[7u8; 32]);
/// assert!(SealedSuccessor::from_stored(&[7u8; 31]).is_none());
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SealedSuccessor([u8; 32]);

impl SealedSuccessor {
    /// Seals `successor` under `presented`.
    pub(crate) fn seal(presented: &str, successor: &RefreshToken) -> Self {
        let pad = pad(presented);
        let bytes = successor.bytes();
        let mut sealed = [0u8; 32];
        for (out, (a, b)) in sealed.iter_mut().zip(bytes.iter().zip(pad.iter())) {
            *out = a ^ b;
        }
        SealedSuccessor(sealed)
    }

    /// Opens the successor with the token presented again.
    pub(crate) fn open(self, presented: &str) -> Result<RefreshToken, SessionError> {
        let pad = pad(presented);
        let mut bytes = Zeroizing::new([0u8; 32]);
        for (out, (a, b)) in bytes.iter_mut().zip(self.0.iter().zip(pad.iter())) {
            *out = a ^ b;
        }
        RefreshToken::from_bytes(&bytes)
    }

    /// The sealed bytes (for store implementations).
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Sealed bytes as stored; `None` unless exactly 32 bytes (for store implementations).
    pub fn from_stored(bytes: &[u8]) -> Option<Self> {
        bytes.try_into().ok().map(SealedSuccessor)
    }
}

impl std::fmt::Debug for SealedSuccessor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealedSuccessor([REDACTED])")
    }
}

/// A pad only the token's holder can compute: the store holds `SHA-256(token)`, and this
/// domain-separated hash of the same 256 random bits is not derivable from it.
fn pad(presented: &str) -> Zeroizing<[u8; 32]> {
    let mut hash = Sha256::new();
    hash.update(b"keyward-session successor v1\0");
    hash.update(presented.as_bytes());
    Zeroizing::new(hash.finalize().into())
}
