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
/// source (as `SECRET_KEY = "..."` is in the FastAPI tutorial's OAuth2 with JWT example,
/// fastapi.tiangolo.com/tutorial/security/oauth2-jwt/, and the blog posts that copy it with a
/// `# TODO: Move to .env`), and make one for a `.env` file with
/// [`generate`](SecretKey::generate).
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

    // Wraps secret bytes; the public way is `From<Vec<u8>>` (and the slice and array
    // conversions), which moves the vector in, so no unwiped copy is left behind.
    pub(crate) fn from_bytes(bytes: Vec<u8>) -> Self {
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

    /// The text's own UTF-8 bytes, exactly as given: what python-jose, PyJWT and most JWT
    /// libraries use when handed a `str` key, so a secret shared with such a service (the
    /// `SECRET_KEY = "09d25e09..."` of the FastAPI tutorial's OAuth2 with JWT example,
    /// fastapi.tiangolo.com/tutorial/security/oauth2-jwt/) verifies the same tokens.
    ///
    /// Nothing is decoded, trimmed or guessed. If the text is an encoding of random bytes, say
    /// which with [`from_hex`](Self::from_hex) or [`from_base64`](Self::from_base64) instead.
    ///
    /// ```
    /// # use keyward::SecretKey;
    /// let key = SecretKey::from_text("09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7");
    /// assert_eq!(key.len(), 64); // 64 characters, 64 bytes: the hex is not decoded
    /// ```
    pub fn from_text(text: &str) -> Self {
        Self::from_bytes(text.as_bytes().to_vec())
    }

    /// Decodes a hex secret (either case), as `openssl rand -hex 32` prints one, into the bytes
    /// the digits spell; surrounding whitespace is ignored.
    ///
    /// Only for a secret that every service sharing it decodes as hex. A hex string that
    /// python-jose or PyJWT services also use (the FastAPI tutorial's `SECRET_KEY`, made with
    /// `openssl rand -hex 32`) is a [`from_text`](Self::from_text) secret: they sign with the
    /// string's 64 UTF-8 bytes, and the 32 decoded bytes are another key, under which all their
    /// tokens fail with "signature is invalid".
    ///
    /// # Errors
    ///
    /// [`SecretError::InvalidEncoding`] when the text is not an even number of hex digits.
    ///
    /// ```
    /// # use keyward::SecretKey;
    /// assert_eq!(SecretKey::from_hex("00ff10")?.expose_secret(), &[0x00, 0xff, 0x10]);
    /// assert!(SecretKey::from_hex("0g").is_err());
    /// # Ok::<(), keyward::SecretError>(())
    /// ```
    pub fn from_hex(text: &str) -> Result<Self, SecretError> {
        base16ct::mixed::decode_vec(text.trim())
            .map(Self::from_bytes)
            .map_err(|_| SecretError::InvalidEncoding {
                expected: SecretEncoding::Hex,
            })
    }

    /// Decodes a base64 secret: standard or URL-safe alphabet, with or without padding,
    /// surrounding whitespace ignored.
    ///
    /// Text made only of hex digits is refused as ambiguous: it is valid base64 too, but it
    /// decodes to other bytes than the hex it almost certainly is (random base64 of a useful
    /// length is all hex digits with a probability under 2⁻⁸⁰). Choose
    /// [`from_hex`](Self::from_hex) or [`from_text`](Self::from_text) for it.
    ///
    /// # Errors
    ///
    /// [`SecretError::InvalidEncoding`] when the text is not base64,
    /// [`SecretError::AmbiguousEncoding`] when it is all hex digits.
    ///
    /// ```
    /// use keyward::{SecretError, SecretKey};
    ///
    /// assert_eq!(SecretKey::from_base64("AAEC_w")?.expose_secret(), &[0, 1, 2, 255]);
    /// assert!(SecretKey::from_base64("not base64!").is_err());
    /// assert_eq!(SecretKey::from_base64("09d25e094faa6ca2"), Err(SecretError::AmbiguousEncoding));
    /// # Ok::<(), SecretError>(())
    /// ```
    pub fn from_base64(text: &str) -> Result<Self, SecretError> {
        let text = text.trim();
        if !text.is_empty() && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(SecretError::AmbiguousEncoding);
        }
        URL_SAFE_PAD_INDIFFERENT
            .decode(text)
            .or_else(|_| STANDARD_PAD_INDIFFERENT.decode(text))
            .map(Self::from_bytes)
            .map_err(|_| SecretError::InvalidEncoding {
                expected: SecretEncoding::Base64,
            })
    }

    /// Reads a secret from the environment variable `name`, decoded as `encoding` says,
    /// requiring at least [`MIN_ENV_BYTES`](Self::MIN_ENV_BYTES) bytes. The encoding is never
    /// guessed: the same text means different bytes as hex, base64 or text.
    ///
    /// # Errors
    ///
    /// [`SecretError::NotSet`], [`SecretError::NotUnicode`], the decoder's errors, or
    /// [`SecretError::TooShort`].
    ///
    /// ```no_run
    /// use keyward::{SecretEncoding, SecretKey};
    /// use keyward::token::{SigningKey, TokenIssuer};
    ///
    /// // KEYWARD_SECRET=<output of `cargo run -p keyward-demo --bin keyward -- gen-secret`>
    /// let issuer = TokenIssuer::new(SigningKey::hs256(SecretKey::from_env("KEYWARD_SECRET", SecretEncoding::Base64)?)?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_env(name: &str, encoding: SecretEncoding) -> Result<Self, SecretError> {
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
        let key = match encoding {
            SecretEncoding::Base64 => Self::from_base64(&value),
            SecretEncoding::Hex => Self::from_hex(&value),
            SecretEncoding::Text => Ok(Self::from_text(&value)),
        }?;
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
    /// assert_eq!(SecretKey::from(vec![0; 32]).len(), 32);
    /// ```
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether the secret is empty.
    ///
    /// ```
    /// # use keyward::SecretKey;
    /// assert!(SecretKey::from(Vec::new()).is_empty());
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

// No `From<&str>` or `From<String>`: text could be the secret's bytes, hex or base64, and a
// conversion would have to pick one silently. `from_text`, `from_hex` and `from_base64` say which.

/// How a secret is written as text: which bytes the same characters stand for.
///
/// Choose by who else uses the secret, not by how it looks:
///
/// | the secret | shared with | encoding |
/// |---|---|---|
/// | `keyward gen-secret` output | keyward only | `Base64` |
/// | `openssl rand -hex 32` output (the FastAPI tutorial's `SECRET_KEY`) | python-jose or PyJWT services (`jwt.encode(claims, SECRET_KEY, ...)` with the string) | `Text`: they use the string's UTF-8 bytes |
/// | `openssl rand -hex 32` output | services that hex-decode it (`bytes.fromhex`, Go's `hex.DecodeString`) | `Hex` |
/// | any passphrase | python-jose, PyJWT, Node `jose` with a `TextEncoder` | `Text` |
///
/// A migrating FastAPI service therefore reads its `SECRET_KEY` with `SecretEncoding::Text`;
/// `Hex` gives a 32-byte key that verifies none of the Python service's tokens.
///
/// [`SecretKey::from_env`] takes it; for text in hand, the constructor of the same name says
/// which: [`from_base64`](SecretKey::from_base64), [`from_hex`](SecretKey::from_hex),
/// [`from_text`](SecretKey::from_text).
///
/// ```no_run
/// use keyward::{SecretEncoding, SecretKey};
/// // SECRET_KEY=09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7 (FastAPI)
/// let key = SecretKey::from_env("SECRET_KEY", SecretEncoding::Text)?;
/// assert_eq!(key.len(), 64);
/// # Ok::<(), keyward::SecretError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SecretEncoding {
    /// Base64, standard or URL-safe, padded or not: what keyward's `gen-secret` prints.
    Base64,
    /// Hex digits decoded to the bytes they spell, for secrets every user hex-decodes. Not for
    /// a hex string that python-jose or PyJWT services sign with: they use its text (`Text`).
    Hex,
    /// The text's own UTF-8 bytes, not decoded: what python-jose and PyJWT use for a `str` key,
    /// `openssl rand -hex 32` output included (the FastAPI tutorial's `SECRET_KEY`).
    Text,
}

impl std::str::FromStr for SecretEncoding {
    type Err = SecretError;

    /// `base64`, `hex` or `text`, as [`Display`](std::fmt::Display) writes them, for reading
    /// the encoding from a flag or variable.
    ///
    /// ```
    /// use keyward::SecretEncoding;
    /// assert_eq!("hex".parse(), Ok(SecretEncoding::Hex));
    /// assert!("utf8".parse::<SecretEncoding>().is_err());
    /// ```
    fn from_str(name: &str) -> Result<Self, SecretError> {
        match name {
            "base64" => Ok(SecretEncoding::Base64),
            "hex" => Ok(SecretEncoding::Hex),
            "text" => Ok(SecretEncoding::Text),
            _ => Err(SecretError::UnknownEncoding),
        }
    }
}

impl std::fmt::Display for SecretEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SecretEncoding::Base64 => "base64",
            SecretEncoding::Hex => "hex",
            SecretEncoding::Text => "text",
        })
    }
}

/// Why a secret could not be loaded or made.
///
/// Messages name the environment variable, never its value.
///
/// ```
/// use keyward::{SecretError, SecretKey};
///
/// let error = SecretKey::from_env("KEYWARD_DOC_EXAMPLE_UNSET", keyward::SecretEncoding::Base64).unwrap_err();
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
    /// The text is not in the encoding it was read as.
    #[error("secret is not valid {expected}")]
    InvalidEncoding {
        /// The encoding the text was read as.
        expected: SecretEncoding,
    },
    /// An encoding name that is not `base64`, `hex` or `text`.
    #[error("secret encoding must be base64, hex or text")]
    UnknownEncoding,
    /// The text was read as base64 but is all hex digits, which is valid base64 of other
    /// bytes; read it with `from_hex` or `from_text` instead.
    #[error("secret is all hex digits: read it as hex or as text, not as base64")]
    AmbiguousEncoding,
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
        // What signing and verifying keys hold behind their `Arc`s is asserted where those
        // types are, in `token/backend/`: the RustCrypto key types there, and for aws-lc-rs
        // what wipes its keys instead (AWS-LC's own cleanse when they are freed).
    }
}
