//! What to do with passwords longer than bcrypt's 72 bytes.

use super::hash::HashFormat;

/// What to do with passwords longer than bcrypt's 72 bytes.
///
/// ```
/// use keyward::password::{Cost, LongPasswords, PasswordHasher};
///
/// let hasher = PasswordHasher::new()
///     .with_cost(Cost::new(4)?)
///     .with_long_passwords(LongPasswords::PreHash);
/// let long = "correct horse battery staple ".repeat(5); // 145 bytes
/// let hash = hasher.hash(&long)?;
/// assert!(hash.as_str().starts_with("$bcrypt-sha256$v=2,t=2b,r=4$"));
/// hasher.verify(&long, &hash)?;
/// # Ok::<(), keyward::password::PasswordError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum LongPasswords {
    /// Plain bcrypt (`$2b$`); a password over 72 bytes is [`PasswordError::TooLong`](crate::password::PasswordError::TooLong) and one
    /// with a NUL byte is [`PasswordError::ContainsNul`](crate::password::PasswordError::ContainsNul). The default: every bcrypt
    /// implementation can verify these hashes.
    #[default]
    Reject,
    /// passlib's `bcrypt_sha256` version 2 format: the password is pre-hashed with HMAC-SHA256
    /// (keyed by the salt) before bcrypt, so passwords up to
    /// [`PasswordHasher::MAX_PRE_HASHED_PASSWORD_BYTES`](crate::password::PasswordHasher::MAX_PRE_HASHED_PASSWORD_BYTES) bytes, NUL bytes included, are hashed
    /// whole. The hashes verify in passlib and move between Python and Rust unchanged.
    PreHash,
}

impl LongPasswords {
    pub(crate) fn format(self) -> HashFormat {
        match self {
            LongPasswords::Reject => HashFormat::Bcrypt,
            LongPasswords::PreHash => HashFormat::BcryptSha256,
        }
    }
}
