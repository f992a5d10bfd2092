//! The refresh token handed to the client.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use keyward::token::{OpaqueToken, TokenDigest};
use zeroize::Zeroizing;

use crate::SessionError;

/// An opaque refresh token, to send to the client; the store keeps only its
/// [`TokenDigest`]. Generated as a [`keyward::token::OpaqueToken`] (256 random bits, 43
/// characters of base64url). Wiped on drop, redacted in `Debug`.
///
/// ```
/// use keyward_session::RefreshToken;
///
/// let token = RefreshToken::generate()?;
/// assert_eq!(token.expose_secret().len(), 43);
/// assert_eq!(format!("{token:?}"), "RefreshToken([REDACTED])");
/// # Ok::<(), keyward_session::SessionError>(())
/// ```
#[derive(Clone)]
pub struct RefreshToken {
    text: Zeroizing<String>,
    digest: TokenDigest,
}

impl RefreshToken {
    /// A new random token.
    ///
    /// # Errors
    ///
    /// [`SessionError::RandomnessUnavailable`] when the operating system's generator fails.
    pub fn generate() -> Result<Self, SessionError> {
        let token = OpaqueToken::generate().map_err(|_| SessionError::RandomnessUnavailable)?;
        Ok(RefreshToken {
            text: Zeroizing::new(token.expose_secret().to_owned()),
            digest: token.digest(),
        })
    }

    /// The token text for the client. Named to stand out in review.
    pub fn expose_secret(&self) -> &str {
        &self.text
    }

    /// The digest the store keeps.
    ///
    /// ```
    /// # use keyward_session::RefreshToken;
    /// use keyward::token::TokenDigest;
    /// let token = RefreshToken::generate()?;
    /// assert_eq!(TokenDigest::of_presented(token.expose_secret()).unwrap(), token.digest());
    /// # Ok::<(), keyward_session::SessionError>(())
    /// ```
    pub fn digest(&self) -> TokenDigest {
        self.digest
    }

    /// The 32 random bytes behind the text.
    pub(crate) fn bytes(&self) -> Zeroizing<[u8; 32]> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        let decoded = Zeroizing::new(
            URL_SAFE_NO_PAD
                .decode(self.text.as_bytes())
                .unwrap_or_default(),
        );
        if decoded.len() == 32 {
            bytes.copy_from_slice(&decoded);
        }
        bytes
    }

    /// The token whose random bytes are `bytes`.
    pub(crate) fn from_bytes(bytes: &[u8; 32]) -> Result<Self, SessionError> {
        let text = Zeroizing::new(URL_SAFE_NO_PAD.encode(bytes));
        let digest = TokenDigest::of_presented(&text).map_err(|_| SessionError::RefreshRefused)?;
        Ok(RefreshToken { text, digest })
    }
}

impl fmt::Debug for RefreshToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RefreshToken([REDACTED])")
    }
}
