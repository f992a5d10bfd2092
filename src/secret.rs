//! Secret key bytes: wiped on drop, never printed, loaded from the environment or generated.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::{
    STANDARD_PAD_INDIFFERENT, URL_SAFE_NO_PAD, URL_SAFE_PAD_INDIFFERENT,
};
use thiserror::Error;
use zeroize::{Zeroize as _, Zeroizing};

/// Secret key bytes, such as an HMAC signing secret.
///
/// The bytes are wiped from memory when the value is dropped, `Debug` prints `[REDACTED]`, and
/// the only way to read them is [`expose_secret`](SecretKey::expose_secret), which is easy to
/// find in a review. Load one with [`from_env`](SecretKey::from_env) instead of writing it in the
/// source (the seed tutorial's `SECRET_KEY = "..."  # TODO: Move to .env`), and make one for a
/// `.env` file with [`generate`](SecretKey::generate).
///
/// ```
/// use keyward::SecretKey;
///
/// let key = SecretKey::generate()?;
/// assert_eq!(key.len(), 64);
/// assert_eq!(format!("{key:?}"), "SecretKey([REDACTED])");
/// # Ok::<(), keyward::SecretError>(())
/// ```
#[derive(Clone)]
pub struct SecretKey {
    bytes: Zeroizing<Vec<u8>>,
}

impl SecretKey {
    /// Environment-loaded secrets shorter than this are refused: HS256's minimum (RFC 7518
    /// §3.2). Longer algorithms check their own minimum when the key is used.
    pub const MIN_ENV_BYTES: usize = 32;
    /// The length of [`generate`](SecretKey::generate)'s secrets: enough for HS512.
    pub const GENERATED_BYTES: usize = 64;

    /// Wraps secret bytes. The vector is moved in, so no unwiped copy is left behind.
    ///
    /// ```
    /// # use keyward::SecretKey;
    /// let key = SecretKey::from_bytes(vec![1, 2, 3]);
    /// assert_eq!(key.expose_secret(), &[1, 2, 3]);
    /// ```
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        SecretKey {
            bytes: Zeroizing::new(bytes),
        }
    }

    /// A fresh secret of [`GENERATED_BYTES`](Self::GENERATED_BYTES) random bytes from the
    /// operating system.
    ///
    /// # Errors
    ///
    /// [`SecretError::RandomnessUnavailable`] when the system generator fails.
    ///
    /// ```
    /// # use keyward::SecretKey;
    /// assert_ne!(SecretKey::generate()?, SecretKey::generate()?);
    /// # Ok::<(), keyward::SecretError>(())
    /// ```
    pub fn generate() -> Result<Self, SecretError> {
        let mut bytes = Zeroizing::new(vec![0u8; Self::GENERATED_BYTES]);
        getrandom::fill(&mut bytes).map_err(|_| SecretError::RandomnessUnavailable)?;
        Ok(SecretKey { bytes })
    }

    /// Decodes a base64 secret: standard or URL-safe alphabet, with or without padding,
    /// surrounding whitespace ignored.
    ///
    /// # Errors
    ///
    /// [`SecretError::InvalidEncoding`] when the text is not base64.
    ///
    /// ```
    /// # use keyward::SecretKey;
    /// assert_eq!(SecretKey::from_base64("AAEC")?.expose_secret(), &[0, 1, 2]);
    /// assert!(SecretKey::from_base64("not base64!").is_err());
    /// # Ok::<(), keyward::SecretError>(())
    /// ```
    pub fn from_base64(text: &str) -> Result<Self, SecretError> {
        let text = text.trim();
        URL_SAFE_PAD_INDIFFERENT
            .decode(text)
            .or_else(|_| STANDARD_PAD_INDIFFERENT.decode(text))
            .map(Self::from_bytes)
            .map_err(|_| SecretError::InvalidEncoding)
    }

    /// Reads a base64 secret (see [`from_base64`](Self::from_base64)) from the environment
    /// variable `name`, requiring at least [`MIN_ENV_BYTES`](Self::MIN_ENV_BYTES) bytes.
    ///
    /// # Errors
    ///
    /// [`SecretError::NotSet`], [`SecretError::NotUnicode`], [`SecretError::InvalidEncoding`]
    /// or [`SecretError::TooShort`].
    ///
    /// ```no_run
    /// use keyward::SecretKey;
    /// use keyward::token::TokenIssuer;
    ///
    /// // KEYWARD_SECRET=<output of `cargo run --example keyward -- gen-secret`>
    /// let issuer = TokenIssuer::hs256(SecretKey::from_env("KEYWARD_SECRET")?)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_env(name: &str) -> Result<Self, SecretError> {
        let value = std::env::var(name).map_err(|error| match error {
            std::env::VarError::NotPresent => SecretError::NotSet {
                name: name.to_owned(),
            },
            std::env::VarError::NotUnicode(raw) => {
                raw.into_encoded_bytes().zeroize();
                SecretError::NotUnicode {
                    name: name.to_owned(),
                }
            }
        })?;
        let value = Zeroizing::new(value);
        let key = Self::from_base64(&value)?;
        if key.len() < Self::MIN_ENV_BYTES {
            return Err(SecretError::TooShort {
                len: key.len(),
                min: Self::MIN_ENV_BYTES,
            });
        }
        Ok(key)
    }

    /// The secret as URL-safe base64 without padding, for writing into a `.env` file. The
    /// returned string is wiped when dropped.
    ///
    /// ```
    /// # use keyward::SecretKey;
    /// let key = SecretKey::generate()?;
    /// let text = key.expose_base64();
    /// assert_eq!(SecretKey::from_base64(&text)?, key);
    /// # Ok::<(), keyward::SecretError>(())
    /// ```
    pub fn expose_base64(&self) -> Zeroizing<String> {
        Zeroizing::new(URL_SAFE_NO_PAD.encode(&*self.bytes))
    }

    /// The secret bytes. Named to stand out in review: every call is a place a secret leaves
    /// its wrapper.
    ///
    /// ```
    /// # use keyward::SecretKey;
    /// assert_eq!(SecretKey::from(b"abc".as_slice()).expose_secret(), b"abc");
    /// ```
    pub fn expose_secret(&self) -> &[u8] {
        &self.bytes
    }

    /// The number of secret bytes.
    ///
    /// ```
    /// # use keyward::SecretKey;
    /// assert_eq!(SecretKey::from_bytes(vec![0; 32]).len(), 32);
    /// ```
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether the secret is empty.
    ///
    /// ```
    /// # use keyward::SecretKey;
    /// assert!(SecretKey::from_bytes(Vec::new()).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey([REDACTED])")
    }
}

/// Constant-time, so comparing secrets in tests or key rotation never leaks a prefix.
impl PartialEq for SecretKey {
    fn eq(&self, other: &Self) -> bool {
        use subtle::ConstantTimeEq as _;
        self.bytes.ct_eq(&other.bytes).into()
    }
}

impl Eq for SecretKey {}

impl From<Vec<u8>> for SecretKey {
    fn from(bytes: Vec<u8>) -> Self {
        Self::from_bytes(bytes)
    }
}

impl From<&[u8]> for SecretKey {
    fn from(bytes: &[u8]) -> Self {
        Self::from_bytes(bytes.to_vec())
    }
}

impl<const N: usize> From<[u8; N]> for SecretKey {
    fn from(bytes: [u8; N]) -> Self {
        let mut bytes = bytes;
        let key = Self::from_bytes(bytes.to_vec());
        bytes.zeroize();
        key
    }
}

impl<const N: usize> From<&[u8; N]> for SecretKey {
    fn from(bytes: &[u8; N]) -> Self {
        Self::from_bytes(bytes.to_vec())
    }
}

impl From<&str> for SecretKey {
    /// The UTF-8 bytes of `text`, as they are (not base64-decoded).
    fn from(text: &str) -> Self {
        Self::from_bytes(text.as_bytes().to_vec())
    }
}

impl From<String> for SecretKey {
    /// The UTF-8 bytes of `text`, as they are (not base64-decoded).
    fn from(text: String) -> Self {
        Self::from_bytes(text.into_bytes())
    }
}

/// Why a secret could not be loaded or made.
///
/// Messages name the environment variable, never its value.
///
/// ```
/// use keyward::{SecretError, SecretKey};
///
/// let error = SecretKey::from_env("KEYWARD_DOC_EXAMPLE_UNSET").unwrap_err();
/// assert_eq!(error, SecretError::NotSet { name: "KEYWARD_DOC_EXAMPLE_UNSET".into() });
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum SecretError {
    /// The environment variable is not set.
    #[error("environment variable {name} is not set")]
    NotSet {
        /// The variable's name.
        name: String,
    },
    /// The environment variable is not valid Unicode.
    #[error("environment variable {name} is not valid unicode")]
    NotUnicode {
        /// The variable's name.
        name: String,
    },
    /// The text is not base64 (standard or URL-safe, padded or not).
    #[error("secret is not valid base64")]
    InvalidEncoding,
    /// The decoded secret is shorter than the minimum.
    #[error("secret is {len} bytes long; at least {min} bytes are required")]
    TooShort {
        /// The decoded length in bytes.
        len: usize,
        /// The minimum length in bytes.
        min: usize,
    },
    /// The operating system's random number generator failed.
    #[error("the system random number generator is unavailable")]
    RandomnessUnavailable,
}

/// `SecretKey`'s only field is a `Zeroizing` buffer, so its bytes are wiped when it is dropped.
impl zeroize::ZeroizeOnDrop for SecretKey {}

#[cfg(test)]
mod tests {
    use super::SecretKey;
    use zeroize::ZeroizeOnDrop;

    fn wiped_on_drop<T: ZeroizeOnDrop>() {}

    /// The wiping is guaranteed by types, not by a `Drop` impl someone could forget: every place
    /// that holds secret bytes is one of these.
    #[test]
    fn secret_holders_zeroize_on_drop() {
        wiped_on_drop::<SecretKey>();
        wiped_on_drop::<zeroize::Zeroizing<Vec<u8>>>();
        wiped_on_drop::<zeroize::Zeroizing<String>>();
        // What signing and verifying keys hold behind their `Arc`s.
        wiped_on_drop::<jsonwebtoken::EncodingKey>();
        wiped_on_drop::<jsonwebtoken::DecodingKey>();
    }
}
