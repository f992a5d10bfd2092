//! `DpopRequest`: what the server saw of the request a proof came with.

/// The request a proof came with, as the server saw it.
///
/// ```
/// use keyward::token::dpop::DpopRequest;
/// let request = DpopRequest::new("GET", "https://api.example.com/orders?page=2")
///     .with_access_token("eyJ...", "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I");
/// ```
#[derive(Clone, Copy, Debug)]
pub struct DpopRequest<'a> {
    pub(super) method: &'a str,
    pub(super) url: &'a str,
    pub(super) access_token: Option<&'a str>,
    pub(super) bound_key: Option<&'a str>,
}

impl<'a> DpopRequest<'a> {
    /// A request with `method` (as sent: `GET`, `POST`, ...) to `url`, the absolute URL the
    /// client used: behind a proxy, the public one (see the resource server's `--public-url`),
    /// never one rebuilt from a `Host` header the client chose.
    ///
    /// ```
    /// # use keyward::token::dpop::DpopRequest;
    /// let request = DpopRequest::new("POST", "https://auth.example.com/token");
    /// ```
    pub fn new(method: &'a str, url: &'a str) -> Self {
        DpopRequest {
            method,
            url,
            access_token: None,
            bound_key: None,
        }
    }

    /// Returns this request presenting `access_token`, bound to the key whose thumbprint is
    /// `jkt` (the verified token's `cnf.jkt`, [`KeyConfirmation::jkt`](super::KeyConfirmation::jkt)):
    /// the proof must then carry its `ath` and be made with that key.
    ///
    /// ```
    /// # use keyward::token::dpop::DpopRequest;
    /// let request = DpopRequest::new("GET", "https://api.example.com/").with_access_token("a.b.c", "jkt");
    /// ```
    #[must_use]
    pub fn with_access_token(mut self, access_token: &'a str, jkt: &'a str) -> Self {
        self.access_token = Some(access_token);
        self.bound_key = Some(jkt);
        self
    }

    /// Returns this request requiring the proof's key to be the one whose thumbprint is `jkt`,
    /// without an access token: a refresh token bound to a key (RFC 9449 §5).
    ///
    /// ```
    /// # use keyward::token::dpop::DpopRequest;
    /// let refresh = DpopRequest::new("POST", "https://auth.example.com/token").with_bound_key("jkt");
    /// ```
    #[must_use]
    pub fn with_bound_key(mut self, jkt: &'a str) -> Self {
        self.bound_key = Some(jkt);
        self
    }
}
