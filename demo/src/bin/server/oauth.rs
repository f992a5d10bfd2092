//! The OAuth 2.0 side of the token endpoints: how a request is read (RFC 6749 §3.2, §2.3.1;
//! RFC 7009 §2.1) and how an error is answered (RFC 6749 §5.2).
//!
//! - **Parameters** come from an `application/x-www-form-urlencoded` body only. A parameter
//!   sent twice is `invalid_request` (§3.1: "MUST NOT be included more than once"); one sent
//!   without a value counts as omitted (§3.1).
//! - **The client** is a public one (RFC 6749 §2.1: the deployment's own front end, with no
//!   secret). It may name itself with `client_id` in the body, as authlib does, or with HTTP
//!   Basic and an empty password, as requests-oauthlib does; it may also say nothing, as the
//!   FastAPI tutorial's clients do. Another `client_id`, or any secret, is `invalid_client`
//!   (401, with a `Basic` challenge when the client used the `Authorization` header, §5.2).
//! - **Errors** are `{"error", "error_description"}` beside the FastAPI tutorial's `detail`
//!   (the same text), so both kinds of client read them. Token responses, errors included,
//!   carry `Cache-Control: no-store` and `Pragma: no-cache` (§5.1).

use std::collections::HashMap;
use std::time::Duration;

use axum::extract::RawForm;
use axum::extract::rejection::RawFormRejection;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;

/// An error of the token or revocation endpoint, in RFC 6749 §5.2's shape.
#[derive(Debug)]
pub struct OAuthError {
    status: StatusCode,
    /// The registered error code.
    error: &'static str,
    description: String,
    /// `WWW-Authenticate` on a 401 for a client that authenticated with a header.
    basic_challenge: bool,
    retry_after: Option<u64>,
}

impl OAuthError {
    fn new(status: StatusCode, error: &'static str, description: impl Into<String>) -> Self {
        OAuthError {
            status,
            error,
            description: description.into(),
            basic_challenge: false,
            retry_after: None,
        }
    }

    /// 400 `invalid_request`: a parameter missing, repeated, or the body not a form.
    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", description)
    }

    /// 400 `invalid_grant`: wrong credentials, or a refresh token that is unknown, used,
    /// expired, revoked or another client's.
    pub fn invalid_grant(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_grant", description)
    }

    /// 400 `unsupported_grant_type`.
    pub fn unsupported_grant_type(found: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            format!("grant_type {found:?} is not supported; use \"password\" or \"refresh_token\""),
        )
    }

    /// 400 `invalid_scope`: this server issues tokens without scopes.
    pub fn invalid_scope(found: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            format!("scope {found:?} is not offered: this server issues tokens without scopes"),
        )
    }

    /// 401 `invalid_client`.
    fn invalid_client(description: impl Into<String>, used_header: bool) -> Self {
        OAuthError {
            basic_challenge: used_header,
            ..Self::new(StatusCode::UNAUTHORIZED, "invalid_client", description)
        }
    }

    /// 429 with `Retry-After`: the failed-login throttle. The code is RFC 6749's
    /// `temporarily_unavailable` (§4.1.2.1), the nearest registered one; the status says why.
    pub fn throttled(wait: Duration) -> Self {
        OAuthError {
            retry_after: Some(wait.as_secs() + u64::from(wait.subsec_nanos() > 0)),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "temporarily_unavailable",
                "too many failed attempts, retry later",
            )
        }
    }

    /// 503 with `Retry-After: 1`: no hashing slot, or a password change a moment ago.
    pub fn busy(description: impl Into<String>) -> Self {
        OAuthError {
            retry_after: Some(1),
            ..Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "temporarily_unavailable",
                description,
            )
        }
    }

    /// 500, the cause logged and not shown.
    pub fn internal(what: &str, error: impl std::fmt::Display) -> Self {
        tracing::error!(%error, "{what}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "internal error",
        )
    }

    /// The registered error code.
    #[cfg(test)]
    pub fn code(&self) -> &'static str {
        self.error
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({
            "error": self.error,
            "error_description": self.description,
            "detail": self.description,
        });
        let mut response = (self.status, axum::Json(body)).into_response();
        let headers = response.headers_mut();
        no_store(headers);
        if self.basic_challenge {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(r#"Basic realm="token""#),
            );
        }
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// RFC 6749 §5.1: responses holding tokens (and their errors) are not to be cached.
pub fn no_store(headers: &mut HeaderMap) {
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
}

/// The parameters of a form-encoded request, each at most once, empty ones left out.
#[derive(Debug)]
pub struct Params(HashMap<String, String>);

impl Params {
    /// Reads the form of a token or revocation request: the body must be
    /// `application/x-www-form-urlencoded` (parameters, such as `charset`, allowed).
    ///
    /// # Errors
    ///
    /// `invalid_request` for another content type, a body that could not be read (too slow,
    /// too large), or a parameter given twice.
    pub fn from_form(form: Result<RawForm, RawFormRejection>) -> Result<Self, OAuthError> {
        let RawForm(bytes) = form.map_err(|rejection| {
            OAuthError::invalid_request(format!(
                "the request must be an application/x-www-form-urlencoded body: {}",
                rejection.body_text()
            ))
        })?;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
            .map_err(|error| OAuthError::invalid_request(format!("unreadable form: {error}")))?;
        let mut params = HashMap::new();
        for (name, value) in pairs {
            if params.contains_key(&name) {
                return Err(OAuthError::invalid_request(format!(
                    "parameter `{name}` is given more than once"
                )));
            }
            params.insert(name, value);
        }
        // RFC 6749 §3.1: "Parameters sent without a value MUST be treated as if they were
        // omitted" (only after the duplicate check, which counts them).
        params.retain(|_, value| !value.is_empty());
        Ok(Params(params))
    }

    /// The parameter's value, if sent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// The parameter's value, taken out, or `invalid_request` naming it.
    pub fn take(&mut self, name: &str) -> Result<String, OAuthError> {
        self.0
            .remove(name)
            .ok_or_else(|| OAuthError::invalid_request(format!("missing parameter `{name}`")))
    }
}

/// Checks who the client says it is (see the module documentation): `Ok(Some(id))` when it
/// named itself, `Ok(None)` when it said nothing.
///
/// # Errors
///
/// `invalid_client` for another client or any secret; `invalid_request` for two different
/// names, or a `Basic` header that does not decode.
pub fn authenticate_client(
    headers: &HeaderMap,
    params: &Params,
    expected: &str,
) -> Result<Option<String>, OAuthError> {
    let basic = basic_credentials(headers)?;
    let used_header = basic.is_some();
    let (id, secret) = match (basic, params.get("client_id")) {
        (Some((id, _)), Some(named)) if id != named => {
            return Err(OAuthError::invalid_request(
                "the Authorization header and the client_id parameter name different clients",
            ));
        }
        (Some((id, secret)), _) => (Some(id), Some(secret)),
        (None, named) => (named.map(str::to_owned), None),
    };
    let secret = secret.or_else(|| params.get("client_secret").map(str::to_owned));
    if secret.is_some_and(|secret| !secret.is_empty()) {
        return Err(OAuthError::invalid_client(
            "this client is public: it has no secret to present",
            used_header,
        ));
    }
    match id {
        Some(id) if id != expected => Err(OAuthError::invalid_client(
            format!("unknown client {id:?}"),
            used_header,
        )),
        id => Ok(id),
    }
}

/// The client id and secret of an `Authorization: Basic` header, each form-url-decoded
/// (RFC 6749 §2.3.1); `None` without a Basic header.
fn basic_credentials(headers: &HeaderMap) -> Result<Option<(String, String)>, OAuthError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let malformed = || OAuthError::invalid_request("malformed Basic credentials");
    let value = value.to_str().map_err(|_| malformed())?;
    let Some((scheme, encoded)) = value.split_once(' ') else {
        return Ok(None);
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        // Another scheme is no client authentication at all (the FastAPI tutorial's clients
        // send none); the token endpoint does not read bearer tokens.
        return Ok(None);
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|_| malformed())?;
    let decoded = String::from_utf8(decoded).map_err(|_| malformed())?;
    let (id, secret) = decoded.split_once(':').ok_or_else(malformed)?;
    let decode = |part: &str| -> Result<String, OAuthError> {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(&format!("v={}", part.replace('&', "%26")))
                .map_err(|_| malformed())?;
        Ok(pairs.into_iter().next().map(|(_, v)| v).unwrap_or_default())
    };
    Ok(Some((decode(id)?, decode(secret)?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(body: &'static str) -> Result<Params, OAuthError> {
        Params::from_form(Ok(RawForm(axum::body::Bytes::from_static(body.as_bytes()))))
    }

    #[test]
    fn a_repeated_parameter_is_invalid_even_when_empty() {
        assert_eq!(
            params("grant_type=password&grant_type=refresh_token")
                .unwrap_err()
                .code(),
            "invalid_request"
        );
        assert_eq!(
            params("scope=&scope=x").unwrap_err().code(),
            "invalid_request"
        );
        assert!(params("scope=&username=a").unwrap().get("scope").is_none());
    }

    #[test]
    fn basic_credentials_are_form_decoded() {
        let mut headers = HeaderMap::new();
        // "my%20client:" (RFC 6749 §2.3.1 form-encodes before base64).
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Basic bXklMjBjbGllbnQ6"),
        );
        let empty = params("").unwrap();
        assert_eq!(
            authenticate_client(&headers, &empty, "my client").unwrap(),
            Some("my client".to_owned())
        );
        assert_eq!(
            authenticate_client(&headers, &empty, "other")
                .unwrap_err()
                .code(),
            "invalid_client"
        );
    }
}
