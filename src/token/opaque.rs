//! Opaque tokens: random strings a server stores (as digests) and looks up, for refresh tokens
//! and other credentials that only their issuer ever checks.

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest as _, Sha256};
use zeroize::Zeroizing;

use super::{TokenError, TokenPart};

/// A new opaque token: 256 random bits as 43 characters of base64url.
///
/// Give [`expose_secret`](Self::expose_secret) to the client once and store only
/// [`digest`](Self::digest): a leaked table of digests yields no usable token, and a token is
/// found again by the digest of what the client presents ([`TokenDigest::of_presented`]).
///
/// Unlike a JWT, an opaque token means nothing to anyone but its issuer, so no other service
/// can ever take it for an access token, and it can be revoked by deleting a row. That makes
/// it the safer shape for refresh tokens, which only the issuer's `/token` endpoint reads.
///
/// ```
/// use keyward::token::{OpaqueToken, TokenDigest};
///
/// let token = OpaqueToken::generate()?;
/// let stored = token.digest().to_string(); // 64 hex digits, for the database
/// let presented = token.expose_secret();   // for the client
/// assert_eq!(TokenDigest::of_presented(presented)?.to_string(), stored);
/// assert_eq!(format!("{token:?}"), "OpaqueToken([REDACTED])");
/// # Ok::<(), keyward::token::TokenError>(())
/// ```
#[derive(Clone)]
pub struct OpaqueToken(Zeroizing<String>);

impl OpaqueToken {
    /// The number of characters of every opaque token.
    pub const LEN: usize = 43;

    /// A new token from the operating system's random generator.
    ///
    /// # Errors
    ///
    /// [`TokenError::RandomnessUnavailable`] when the generator fails.
    ///
    /// ```
    /// # use keyward::token::OpaqueToken;
    /// assert_ne!(OpaqueToken::generate()?.digest(), OpaqueToken::generate()?.digest());
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn generate() -> Result<Self, TokenError> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        getrandom::fill(&mut *bytes).map_err(|_| TokenError::RandomnessUnavailable)?;
        Ok(OpaqueToken(Zeroizing::new(URL_SAFE_NO_PAD.encode(*bytes))))
    }

    /// The token text, to send to the client. Named to stand out in review.
    ///
    /// ```
    /// # use keyward::token::OpaqueToken;
    /// assert_eq!(OpaqueToken::generate()?.expose_secret().len(), OpaqueToken::LEN);
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn expose_secret(&self) -> &str {
        &self.0
    }

    /// The digest to store.
    ///
    /// ```
    /// # use keyward::token::OpaqueToken;
    /// let token = OpaqueToken::generate()?;
    /// assert_eq!(token.digest(), token.digest());
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn digest(&self) -> TokenDigest {
        TokenDigest(Sha256::digest(self.0.as_bytes()).into())
    }
}

impl fmt::Debug for OpaqueToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OpaqueToken([REDACTED])")
    }
}

/// The SHA-256 digest of an [`OpaqueToken`], the form in which a server stores it. It prints,
/// and parses, as 64 lowercase hex digits. SHA-256 without a key or salt is enough: the token
/// is 256 random bits, so there is nothing to guess.
///
/// ```
/// use keyward::token::TokenDigest;
///
/// let digest: TokenDigest = "00".repeat(32).parse()?;
/// assert_eq!(digest.to_string(), "00".repeat(32));
/// # Ok::<(), keyward::token::TokenError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TokenDigest([u8; 32]);

impl TokenDigest {
    /// The digest of a token a client presented, to look it up.
    ///
    /// # Errors
    ///
    /// [`TokenError::Malformed`] when `presented` is not 43 characters of base64url: no lookup
    /// is needed to refuse it.
    ///
    /// ```
    /// use keyward::token::{TokenDigest, TokenError, TokenPart};
    /// assert_eq!(TokenDigest::of_presented("eyJhbGciOi.x.y"), Err(TokenError::Malformed(TokenPart::Structure)));
    /// ```
    pub fn of_presented(presented: &str) -> Result<Self, TokenError> {
        let well_formed = presented.len() == OpaqueToken::LEN
            && URL_SAFE_NO_PAD
                .decode(presented)
                .is_ok_and(|bytes| bytes.len() == 32);
        if !well_formed {
            return Err(TokenError::Malformed(TokenPart::Structure));
        }
        Ok(TokenDigest(Sha256::digest(presented.as_bytes()).into()))
    }
}

impl fmt::Display for TokenDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&base16ct::lower::encode_string(&self.0))
    }
}

impl fmt::Debug for TokenDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TokenDigest({self})")
    }
}

impl FromStr for TokenDigest {
    type Err = TokenError;

    /// Reads 64 hex digits, as [`Display`](fmt::Display) writes them.
    fn from_str(hex: &str) -> Result<Self, TokenError> {
        let mut bytes = [0u8; 32];
        match base16ct::mixed::decode(hex, &mut bytes) {
            Ok(decoded) if decoded.len() == 32 => Ok(TokenDigest(bytes)),
            _ => Err(TokenError::Malformed(TokenPart::Structure)),
        }
    }
}
