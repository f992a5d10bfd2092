//! The signing-key ring, kept in the store so every replica signs with, and publishes, the
//! same keys.
//!
//! A key goes through three states:
//!
//! 1. **next**: published in the JWKS, signing nothing yet. Resource servers that cache the
//!    JWKS fetch it before it signs anything.
//! 2. **current**: the one key that signs.
//! 3. **retired**: published until the last token it signed has expired, then pruned.
//!
//! [`Sessions::rotate_keys`](crate::Sessions::rotate_keys) promotes next to current and
//! current to retired in one transaction, and refuses while the next key has been published
//! for less than the publication lead (by default the JWKS cache lifetime), so no resource
//! server meets an unknown `kid`. Private keys are stored as PKCS#8 PEM: the database then
//! holds secrets, and must be protected (access, backups, encryption at rest) like a key file.

mod ring;
mod stored;

pub use ring::KeyRing;
pub use stored::{KeyRotation, KeyState, RotationOutcome, StoredKey};
