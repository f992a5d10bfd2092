//! Reading the token out of an HTTP `Authorization: Bearer ...` value.

use super::TokenError;

/// The token of an HTTP `Authorization` header value in the bearer scheme (RFC 6750 §2.1):
/// `Bearer`, in any case (RFC 9110 §11.1), exactly one space, then a non-empty token of
/// base64url-like characters (`b64token`: letters, digits, `-._~+/`, then any `=` padding).
///
/// Anything else is refused rather than repaired: a second space, a tab, a trailing space, an
/// empty token, or another scheme. Whoever sent it is not a client that follows RFC 6750, and
/// a server that trims or guesses answers requests its neighbours would refuse.
///
/// # Errors
///
/// [`TokenError::MalformedAuthorization`]. (A request with no `Authorization` header at all
/// never reaches this function: RFC 6750 §3.1 answers it with a bare `WWW-Authenticate:
/// Bearer` and no error code, while this error is `invalid_request`.)
///
/// ```
/// use keyward::token::{bearer_token, TokenError};
///
/// assert_eq!(bearer_token("Bearer eyJhbGciOi.eyJzdWIi.c2ln")?, "eyJhbGciOi.eyJzdWIi.c2ln");
/// assert_eq!(bearer_token("bearer abc")?, "abc");
/// assert_eq!(bearer_token("Bearer "), Err(TokenError::MalformedAuthorization));
/// assert_eq!(bearer_token("Bearer  abc"), Err(TokenError::MalformedAuthorization));
/// assert_eq!(bearer_token("Basic YWxpY2U6aHVudGVyMg=="), Err(TokenError::MalformedAuthorization));
/// # Ok::<(), TokenError>(())
/// ```
pub fn bearer_token(authorization: &str) -> Result<&str, TokenError> {
    scheme_token(authorization, "bearer")
}

/// The token of an `Authorization` value in `scheme` (lower case), under the rules above.
pub(crate) fn scheme_token<'a>(
    authorization: &'a str,
    scheme: &str,
) -> Result<&'a str, TokenError> {
    let malformed = TokenError::MalformedAuthorization;
    let (found, token) = authorization.split_once(' ').ok_or(malformed.clone())?;
    if !found.eq_ignore_ascii_case(scheme) {
        return Err(malformed);
    }
    let body = token.trim_end_matches('=');
    let is_token_char =
        |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~' | '+' | '/');
    if body.is_empty() || !body.chars().all(is_token_char) {
        return Err(malformed);
    }
    Ok(token)
}
