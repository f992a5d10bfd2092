//! DPoP (RFC 9449 §7) at the resource server: `Authorization: DPoP <token>` with a proof of
//! the bound key, and bound tokens refused as bearer tokens.

use std::fmt;

use http::{HeaderMap, HeaderValue, Method, Uri, header};
use keyward::token::dpop::{DpopError, DpopRequest, DpopVerifier, dpop_token, single_proof};
use keyward::token::{Claims, MalformedBearer, parse_bearer};
use serde::Deserialize;

use crate::Refusal;

/// The DPoP side of a [`BearerAuth`](crate::BearerAuth): the proof verifier, and the public
/// URL that proofs' `htu` is compared with.
#[derive(Clone)]
pub(crate) struct Dpop {
    pub(crate) verifier: DpopVerifier,
    /// Scheme and authority, without a trailing slash: `https://api.example.com`.
    public_url: String,
}

impl Dpop {
    pub(crate) fn new(verifier: DpopVerifier, public_url: &str) -> Result<Self, InvalidPublicUrl> {
        let public_url = check_public_url(public_url)?;
        Ok(Dpop {
            verifier,
            public_url,
        })
    }

    /// The URL the client used: the configured public URL and the request's path (never the
    /// `Host` header the client chose). The query is no part of `htu` (RFC 9449 §4.3).
    fn request_url(&self, uri: &Uri) -> String {
        let mut url = String::with_capacity(self.public_url.len() + uri.path().len());
        url.push_str(&self.public_url);
        url.push_str(uri.path());
        url
    }

    /// Checks the request's proof for the verified `token`, bound to `jkt`.
    pub(crate) fn check_proof(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
        token: &str,
        jkt: &str,
    ) -> Result<(), Refusal> {
        let values = headers.get_all("dpop").iter().map(|value| {
            // A proof is a JWS compact serialization: ASCII. Anything else is refused below.
            value.to_str().unwrap_or("\u{fffd}")
        });
        let proof = single_proof(values).map_err(Refusal::InvalidDpopProof)?;
        if proof.contains('\u{fffd}') {
            return Err(Refusal::InvalidDpopProof(DpopError::Malformed {
                part: "structure",
            }));
        }
        let url = self.request_url(uri);
        let request = DpopRequest::new(method.as_str(), &url).with_access_token(token, jkt);
        self.verifier
            .verify(proof, &request)
            .map(drop)
            .map_err(Refusal::InvalidDpopProof)
    }
}

impl fmt::Debug for Dpop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dpop")
            .field("verifier", &self.verifier)
            .field("public_url", &self.public_url)
            .finish()
    }
}

/// The caller's claims, with the token's `cnf` (RFC 7800) beside them when it has one.
#[derive(Deserialize)]
pub(crate) struct Bound<T> {
    cnf: Option<serde_json::Value>,
    #[serde(flatten)]
    extra: T,
}

/// What a verified token says of the key it is bound to.
pub(crate) enum Binding {
    /// No `cnf`: a bearer token.
    Unbound,
    /// `cnf.jkt`: a DPoP-bound token.
    Dpop(String),
    /// A `cnf` without a `jkt` string (another confirmation method, e.g. mTLS `x5t#S256`):
    /// bound to something this server cannot check.
    Other,
}

impl<T> Bound<T> {
    pub(crate) fn split(claims: Claims<Bound<T>>) -> (Binding, Claims<T>) {
        let mut binding = Binding::Unbound;
        let claims = claims.map_extra(|bound| {
            if let Some(cnf) = bound.cnf {
                binding = match cnf.get("jkt").and_then(serde_json::Value::as_str) {
                    Some(jkt) => Binding::Dpop(jkt.to_owned()),
                    None => Binding::Other,
                };
            }
            bound.extra
        });
        (binding, claims)
    }
}

/// The credentials of a request, by scheme.
pub(crate) enum Credentials<'a> {
    Bearer(&'a str),
    Dpop(String),
}

/// The request's credentials, `Bearer` by keyward's one parser and, with `dpop`, `DPoP` by
/// the same rules (RFC 9449 §7.1).
pub(crate) fn credentials(headers: &HeaderMap, dpop: bool) -> Result<Credentials<'_>, Refusal> {
    let values = headers.get_all(header::AUTHORIZATION);
    match parse_bearer(values.iter().map(HeaderValue::as_bytes)) {
        Ok(Some(token)) => return Ok(Credentials::Bearer(token)),
        Ok(None) => {}
        Err(error) => return Err(Refusal::MalformedRequest(error)),
    }
    let Some(value) = values.iter().next().filter(|_| dpop) else {
        return Err(Refusal::MissingCredentials);
    };
    let value = value.as_bytes();
    let trimmed = value.trim_ascii_start();
    let scheme_len = trimmed
        .iter()
        .position(|&byte| byte == b' ' || byte == b'\t')
        .unwrap_or(trimmed.len());
    if !trimmed[..scheme_len].eq_ignore_ascii_case(b"dpop") {
        return Err(Refusal::MissingCredentials);
    }
    if let Ok(text) = std::str::from_utf8(value)
        && let Ok(token) = dpop_token(text)
    {
        return Ok(Credentials::Dpop(token.to_owned()));
    }
    // Malformed: the one parser says how, read as a `Bearer` value with the same rest.
    let mut as_bearer = b"Bearer".to_vec();
    as_bearer.extend_from_slice(&trimmed[scheme_len..]);
    let error = match parse_bearer([as_bearer.as_slice()]) {
        Err(error) => error,
        Ok(_) => MalformedBearer::MissingToken,
    };
    Err(Refusal::MalformedRequest(error))
}

/// A public URL that proofs' `htu` cannot be compared with: not an absolute `http(s)` URL
/// of scheme and authority only.
///
/// ```
/// use keyward::token::{TokenVerifier, VerifyingKey};
/// use keyward::token::dpop::DpopVerifier;
/// use keyward_tower::BearerAuth;
///
/// let auth: BearerAuth = BearerAuth::new(TokenVerifier::new(VerifyingKey::hs256([1u8; 32])?));
/// let error = auth.try_with_dpop(DpopVerifier::new(), "api.example.com").unwrap_err();
/// assert_eq!(
///     error.to_string(),
///     "public URL \"api.example.com\" is not an absolute http(s) URL of scheme and host (and port, and path prefix)"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidPublicUrl {
    url: String,
}

impl InvalidPublicUrl {
    /// The URL given.
    ///
    /// ```
    /// # use keyward::token::{TokenVerifier, VerifyingKey, dpop::DpopVerifier};
    /// # use keyward_tower::BearerAuth;
    /// # let auth: BearerAuth = BearerAuth::new(TokenVerifier::new(VerifyingKey::hs256([1u8; 32])?));
    /// let error = auth.try_with_dpop(DpopVerifier::new(), "https://api.example.com/?x").unwrap_err();
    /// assert_eq!(error.url(), "https://api.example.com/?x");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl fmt::Display for InvalidPublicUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "public URL {:?} is not an absolute http(s) URL of scheme and host (and port, and path prefix)",
            self.url
        )
    }
}

impl std::error::Error for InvalidPublicUrl {}

/// `https://host[:port][/prefix]`, without query, fragment or userinfo; returned without a
/// trailing slash.
fn check_public_url(url: &str) -> Result<String, InvalidPublicUrl> {
    let invalid = || InvalidPublicUrl {
        url: url.to_owned(),
    };
    let parsed: Uri = url.parse().map_err(|_| invalid())?;
    let scheme_ok = matches!(parsed.scheme_str(), Some("http" | "https"));
    let authority = parsed.authority().ok_or_else(invalid)?;
    if !scheme_ok
        || authority.host().is_empty()
        || authority.as_str().contains('@')
        || parsed.query().is_some()
        || url.contains('#')
    {
        return Err(invalid());
    }
    Ok(url.trim_end_matches('/').to_owned())
}
