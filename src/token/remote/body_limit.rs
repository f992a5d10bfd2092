//! Reading a fetched JWK set document with a size cap that holds while the body streams in.

use thiserror::Error;

use super::{FetchError, JwksResponse};

/// A JWK set response body read chunk by chunk, refused as soon as it grows past a cap:
/// whether or not the server sent a `Content-Length`, and whatever it said, no more than the
/// cap is ever held. keyward has no HTTP client; the caller's fetch feeds this the chunks its
/// client reads (`reqwest::Response::chunk`, `http_body_util::BodyExt::frame`...).
///
/// ```
/// use keyward::token::{CappedBody, RemoteKeySet};
///
/// let mut body = CappedBody::new(RemoteKeySet::DEFAULT_MAX_DOCUMENT_BYTES);
/// body.check_declared_length(Some(11))?;
/// for chunk in [&b"{\"keys\":"[..], b"[]}"] {
///     body.push(chunk)?;
/// }
/// let response = body.into_response(Some("max-age=300".into()))?;
/// assert_eq!(response.body(), r#"{"keys":[]}"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct CappedBody {
    max: usize,
    bytes: Vec<u8>,
}

/// A response body longer than its cap; nothing past the cap was kept.
///
/// ```
/// use keyward::token::CappedBody;
///
/// let mut body = CappedBody::new(4);
/// let error = body.push(b"12345").unwrap_err();
/// assert_eq!(error.to_string(), "the response body is longer than the 4-byte cap");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("the response body is longer than the {max}-byte cap")]
pub struct BodyTooLarge {
    max: usize,
}

impl BodyTooLarge {
    /// The cap, in bytes.
    ///
    /// ```
    /// # use keyward::token::CappedBody;
    /// assert_eq!(CappedBody::new(1).push(b"ab").unwrap_err().max(), 1);
    /// ```
    pub fn max(self) -> usize {
        self.max
    }
}

impl From<BodyTooLarge> for FetchError {
    fn from(error: BodyTooLarge) -> Self {
        FetchError::new(error)
    }
}

impl CappedBody {
    /// An empty body that refuses to grow past `max` bytes (for a JWK set, the
    /// [`RemoteKeySet`](super::RemoteKeySet)'s document cap).
    ///
    /// ```
    /// # use keyward::token::CappedBody;
    /// assert!(CappedBody::new(0).push(b"").is_ok());
    /// ```
    pub fn new(max: usize) -> Self {
        CappedBody {
            max,
            bytes: Vec::new(),
        }
    }

    /// Refuses at once a body whose declared `Content-Length` is over the cap, before any of
    /// it is read. (A body without one, chunked or not, is still capped by
    /// [`push`](Self::push).)
    ///
    /// # Errors
    ///
    /// [`BodyTooLarge`] when `length` is over the cap.
    ///
    /// ```
    /// # use keyward::token::CappedBody;
    /// let body = CappedBody::new(10);
    /// assert!(body.check_declared_length(Some(11)).is_err());
    /// assert!(body.check_declared_length(None).is_ok());
    /// ```
    pub fn check_declared_length(&self, length: Option<u64>) -> Result<(), BodyTooLarge> {
        match length {
            Some(length) if u64::try_from(self.max).is_ok_and(|max| length > max) => {
                Err(BodyTooLarge { max: self.max })
            }
            _ => Ok(()),
        }
    }

    /// Appends a chunk.
    ///
    /// # Errors
    ///
    /// [`BodyTooLarge`] when the body would pass the cap; the chunk is not kept. Stop reading
    /// then: the fetch has failed.
    ///
    /// ```
    /// # use keyward::token::CappedBody;
    /// let mut body = CappedBody::new(3);
    /// body.push(b"ab")?;
    /// assert!(body.push(b"cd").is_err());
    /// # Ok::<(), keyward::token::BodyTooLarge>(())
    /// ```
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), BodyTooLarge> {
        if chunk.len() > self.max - self.bytes.len() {
            return Err(BodyTooLarge { max: self.max });
        }
        self.bytes.extend_from_slice(chunk);
        Ok(())
    }

    /// The body read so far as a [`JwksResponse`], with the response's `Cache-Control` value.
    ///
    /// # Errors
    ///
    /// [`FetchError`] when the body is not UTF-8.
    ///
    /// ```
    /// # use keyward::token::CappedBody;
    /// let mut body = CappedBody::new(8);
    /// body.push(b"\xff")?;
    /// assert!(body.into_response(None).is_err());
    /// # Ok::<(), keyward::token::BodyTooLarge>(())
    /// ```
    pub fn into_response(self, cache_control: Option<String>) -> Result<JwksResponse, FetchError> {
        let body =
            String::from_utf8(self.bytes).map_err(|error| FetchError::new(error.utf8_error()))?;
        let response = JwksResponse::new(body);
        Ok(match cache_control {
            Some(value) => response.with_cache_control(value),
            None => response,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::CappedBody;

    #[test]
    fn a_body_exactly_at_the_cap_is_kept_and_one_byte_more_is_not() {
        let mut body = CappedBody::new(4);
        body.push(b"ab").unwrap();
        body.push(b"cd").unwrap();
        assert_eq!(body.push(b"e").unwrap_err().max(), 4);
        assert_eq!(body.into_response(None).unwrap().body(), "abcd");
    }

    #[test]
    fn an_endless_stream_is_cut_at_the_cap() {
        let mut body = CappedBody::new(1024);
        let chunk = [b'x'; 100];
        let accepted = (0..1_000_000)
            .take_while(|_| body.push(&chunk).is_ok())
            .count();
        assert_eq!(accepted, 10);
    }

    #[test]
    fn a_declared_length_over_the_cap_is_refused_before_reading() {
        let body = CappedBody::new(256);
        assert!(body.check_declared_length(Some(256)).is_ok());
        assert!(body.check_declared_length(Some(257)).is_err());
        assert!(body.check_declared_length(Some(u64::MAX)).is_err());
    }
}
