//! The password-to-bcrypt-key step of each format.
//!
//! Plain bcrypt feeds the password itself; the pre-hashed formats feed a fixed-length ASCII
//! digest of it, which is why they accept any length and NUL bytes. Every derived key lives in a
//! [`Zeroizing`] buffer so it is wiped when dropped.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit as _, Mac as _};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::PasswordError;
use super::hash::HashFormat;

/// Plain bcrypt reads at most this many bytes of the password.
pub(crate) const BCRYPT_MAX_BYTES: usize = 72;
/// passlib's `MAX_PASSWORD_SIZE`: pre-hashed formats refuse longer passwords, so a client cannot
/// make the server HMAC megabytes per attempt.
pub(crate) const PRE_HASHED_MAX_BYTES: usize = 4096;

/// The bytes handed to bcrypt for `password` under `format`.
pub(crate) enum BcryptKey<'a> {
    /// Plain bcrypt: the caller's bytes, not copied.
    Password(&'a [u8]),
    /// A pre-hashed format: an ASCII digest of the password.
    Derived(Zeroizing<String>),
}

impl BcryptKey<'_> {
    pub(crate) fn as_bytes(&self) -> &[u8] {
        match self {
            BcryptKey::Password(bytes) => bytes,
            BcryptKey::Derived(text) => text.as_bytes(),
        }
    }
}

/// Checks that `password` fits `format` and derives its bcrypt key.
///
/// `salt_text` is the 22-character salt as stored; passlib's version 2 keys its HMAC with it.
pub(crate) fn bcrypt_key<'a>(
    format: HashFormat,
    password: &'a [u8],
    salt_text: &str,
) -> Result<BcryptKey<'a>, PasswordError> {
    check_fits(format, password)?;
    Ok(match format {
        HashFormat::BcryptSha256 => {
            // passlib/handlers/bcrypt.py (bcrypt_sha256._calc_checksum, version 2):
            // HMAC-SHA256 keyed with the salt string, then standard base64 with padding.
            let mut mac = Hmac::<Sha256>::new_from_slice(salt_text.as_bytes())
                .expect("HMAC accepts keys of any length");
            mac.update(password);
            let digest = Zeroizing::new(<[u8; 32]>::from(mac.finalize().into_bytes()));
            BcryptKey::Derived(Zeroizing::new(STANDARD.encode(*digest)))
        }
        HashFormat::PasslibBcryptSha256V1 => {
            // The same file, version 1: plain SHA-256, then standard base64 with padding.
            let digest = Zeroizing::new(<[u8; 32]>::from(Sha256::digest(password)));
            BcryptKey::Derived(Zeroizing::new(STANDARD.encode(*digest)))
        }
        HashFormat::DjangoBcryptSha256 => {
            // django/contrib/auth/hashers.py (BCryptSHA256PasswordHasher): the lowercase hex
            // SHA-256 digest, 64 ASCII bytes.
            let digest = Zeroizing::new(<[u8; 32]>::from(Sha256::digest(password)));
            BcryptKey::Derived(Zeroizing::new(base16ct::lower::encode_string(&*digest)))
        }
        // The Argon2 formats never reach bcrypt; listed so the match stays exhaustive.
        HashFormat::Bcrypt
        | HashFormat::SpringBcrypt
        | HashFormat::Argon2id
        | HashFormat::Argon2i
        | HashFormat::DjangoArgon2 => BcryptKey::Password(password),
    })
}

/// The length and NUL rules of `format`, checked before any work.
pub(crate) fn check_fits(format: HashFormat, password: &[u8]) -> Result<(), PasswordError> {
    let max = max_bytes(format);
    if password.len() > max {
        return Err(PasswordError::TooLong {
            len: password.len(),
            max,
        });
    }
    if !format.is_pre_hashed() && !format.is_argon2() && password.contains(&0) {
        return Err(PasswordError::ContainsNul);
    }
    Ok(())
}

pub(crate) fn max_bytes(format: HashFormat) -> usize {
    // Argon2 shares the pre-hashed formats' cap; see `argon2::ARGON2_MAX_PASSWORD_BYTES`.
    if format.is_pre_hashed() || format.is_argon2() {
        PRE_HASHED_MAX_BYTES
    } else {
        BCRYPT_MAX_BYTES
    }
}
