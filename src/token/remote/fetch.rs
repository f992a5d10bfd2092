//! What the caller's fetch hands back, and why a refresh can fail.

use std::error::Error;
use std::fmt;
use std::sync::Arc;

use thiserror::Error;

use crate::token::TokenError;

/// A fetched JWK set document: the response body and its `Cache-Control` header, which is all
/// a [`RemoteKeySet`](super::RemoteKeySet) needs from the HTTP exchange. No HTTP client's types
/// are involved, so any client (or a file, or a test) can supply one.
///
/// ```
/// use keyward::token::JwksResponse;
///
/// let response = JwksResponse::new(r#"{"keys":[]}"#).with_cache_control("public, max-age=300");
/// assert_eq!(response.cache_control(), Some("public, max-age=300"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JwksResponse {
    body: String,
    cache_control: Option<String>,
}

impl JwksResponse {
    /// A response with `body`, the JWK set document, and no `Cache-Control` header (the set
    /// is then kept for [`RemoteKeySet::DEFAULT_CACHE_AGE`](super::RemoteKeySet::DEFAULT_CACHE_AGE)).
    ///
    /// ```
    /// # use keyward::token::JwksResponse;
    /// assert_eq!(JwksResponse::new("{}").body(), "{}");
    /// ```
    pub fn new(body: impl Into<String>) -> Self {
        JwksResponse {
            body: body.into(),
            cache_control: None,
        }
    }

    /// Returns this response with the value of its `Cache-Control` header. With several
    /// header lines, join them with `", "` (RFC 9110 §5.3).
    ///
    /// ```
    /// # use keyward::token::JwksResponse;
    /// let response = JwksResponse::new("{}").with_cache_control("max-age=60");
    /// # assert_eq!(response.cache_control(), Some("max-age=60"));
    /// ```
    #[must_use]
    pub fn with_cache_control(mut self, value: impl Into<String>) -> Self {
        self.cache_control = Some(value.into());
        self
    }

    /// The body.
    ///
    /// ```
    /// # use keyward::token::JwksResponse;
    /// assert!(JwksResponse::new(r#"{"keys":[]}"#).body().starts_with('{'));
    /// ```
    pub fn body(&self) -> &str {
        &self.body
    }

    /// The `Cache-Control` value, if one was given.
    ///
    /// ```
    /// # use keyward::token::JwksResponse;
    /// assert_eq!(JwksResponse::new("{}").cache_control(), None);
    /// ```
    pub fn cache_control(&self) -> Option<&str> {
        self.cache_control.as_deref()
    }
}

/// The caller's fetch failed: a connection error, a timeout, a non-success status. It carries
/// the caller's own error as its [`source`](Error::source), so logs can show the whole chain;
/// its own message says only that the fetch failed.
///
/// ```
/// use keyward::token::FetchError;
/// use std::error::Error;
///
/// let error = FetchError::new("status 503");
/// assert_eq!(error.to_string(), "fetching the key set failed");
/// assert_eq!(error.source().unwrap().to_string(), "status 503");
/// ```
#[derive(Clone)]
pub struct FetchError(Arc<dyn Error + Send + Sync>);

impl FetchError {
    /// A fetch error caused by `error`: any error type, or a message (`&str`, `String`).
    ///
    /// ```
    /// # use keyward::token::FetchError;
    /// let io = std::io::Error::new(std::io::ErrorKind::TimedOut, "timed out");
    /// let error = FetchError::new(io);
    /// ```
    pub fn new(error: impl Into<Box<dyn Error + Send + Sync>>) -> Self {
        FetchError(Arc::from(error.into()))
    }
}

impl fmt::Debug for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("FetchError").field(&self.0).finish()
    }
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("fetching the key set failed")
    }
}

impl Error for FetchError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&*self.0)
    }
}

/// Why a [`RemoteKeySet`](super::RemoteKeySet) could not replace its key set. The set it held
/// before, if any, is kept.
///
/// ```
/// use keyward::token::{JwksResponse, RefreshError, RemoteKeySet, TokenVerifier};
///
/// let remote = RemoteKeySet::new(TokenVerifier::new);
/// let error = remote.refresh_blocking(|| Ok(JwksResponse::new("not json"))).unwrap_err();
/// assert!(matches!(error, RefreshError::Keys(_)));
/// ```
#[derive(Clone, Debug, Error)]
#[non_exhaustive]
pub enum RefreshError {
    /// The caller's fetch failed.
    #[error(transparent)]
    Fetch(FetchError),

    /// The document is longer than
    /// [`try_with_max_document_bytes`](super::RemoteKeySet::try_with_max_document_bytes) allows; it
    /// was not parsed.
    #[error("key set document is {len} bytes long; at most {max} bytes are accepted")]
    TooLarge {
        /// The document's length in bytes.
        len: usize,
        /// The cap in bytes.
        max: usize,
    },

    /// The document is not a usable JWK set: not JSON, more than
    /// [`KeySet::MAX_JWKS_KEYS`](crate::token::KeySet::MAX_JWKS_KEYS) keys, secret key
    /// material, no usable key; see [`KeySet::from_jwks`](crate::token::KeySet::from_jwks).
    /// Transparent: the message is the [`TokenError`]'s, which says why.
    #[error(transparent)]
    Keys(TokenError),

    /// A caller waited [`with_max_fetch_wait`](super::RemoteKeySet::with_max_fetch_wait)
    /// for another caller's fetch, which had not finished.
    #[error("another caller's key set fetch did not finish in time")]
    WaitTimedOut,
}
