//! Reading the token out of an HTTP `Authorization: Bearer ...` header: the one parser every
//! keyward server and companion crate uses, so that they all answer a header the same way.
//!
//! The grammar is RFC 6750 §2.1:
//!
//! ```text
//! b64token    = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
//! credentials = "Bearer" 1*SP b64token
//! ```
//!
//! The scheme is compared case-insensitively (RFC 9110 §11.1). Spaces and tabs around the
//! whole field value are not part of it (RFC 9110 §5.5), so they are ignored; inside, one or
//! more spaces (never a tab) separate the scheme from the token, as `1*SP` says. Nothing else
//! is repaired.

use thiserror::Error;

use super::TokenError;

/// Why an `Authorization` header that names the `Bearer` scheme is not a bearer credential.
/// In an HTTP service this is `400 Bad Request` with `error="invalid_request"` (RFC 6750
/// §3.1); a request with no bearer credentials at all is not an error (see [`parse_bearer`]).
///
/// No variant carries the header's bytes: they are the sender's, and end up in logs.
///
/// ```
/// use keyward::token::{MalformedBearer, parse_bearer};
///
/// assert_eq!(parse_bearer([&b"Bearer"[..]]), Err(MalformedBearer::MissingToken));
/// assert_eq!(
///     parse_bearer([&b"Bearer a\"b"[..]]),
///     Err(MalformedBearer::InvalidCharacter { offset: 1 })
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum MalformedBearer {
    /// The request has more than one `Authorization` field; RFC 9110 §11.6.2 allows one, and
    /// RFC 6750 §3.1 answers a repeated credential with `invalid_request`.
    #[error("the request has {count} Authorization headers; one is allowed")]
    Repeated {
        /// How many `Authorization` fields the request has.
        count: usize,
    },
    /// `Bearer` with no token after it.
    #[error("the bearer credential has no token after the scheme")]
    MissingToken,
    /// The scheme is followed by something other than spaces (a tab, a comma, a control byte).
    #[error("the Bearer scheme must be followed by spaces and the token")]
    BadSeparator,
    /// The token has a byte that RFC 6750's `b64token` does not allow (a quote, a space, a
    /// non-ASCII byte), or `=` padding followed by more token characters.
    #[error("the bearer token has a byte outside RFC 6750 b64token characters at offset {offset}")]
    InvalidCharacter {
        /// The byte's offset in the token (after the scheme and spaces).
        offset: usize,
    },
}

/// Reads the bearer token from a request's `Authorization` header values (usually none or
/// one), telling a request without bearer credentials from a malformed one, as RFC 6750 §3.1
/// answers them differently.
///
/// Returns:
/// - `Ok(None)` when there are no bearer credentials: no `Authorization` header, or another
///   scheme (`Basic ...`, `Negotiate`): a `401` with a bare `WWW-Authenticate: Bearer`;
/// - `Ok(Some(token))` for `Bearer <b64token>`: the token, to be verified;
/// - `Err(_)` for a malformed bearer credential: a `400` with `error="invalid_request"`.
///
/// Takes bytes, not text: header values may hold any byte, and a value that is not UTF-8 is
/// judged by the same grammar (a non-ASCII byte is never a token character). Never panics.
///
/// # Errors
///
/// [`MalformedBearer`]: several `Authorization` headers, or the `Bearer` scheme (any case)
/// followed by no token, by a tab or other separator, or by bytes outside `b64token`.
///
/// Cases from RFC 6750 §2.1 and RFC 9110 §11.1 and §5.5:
///
/// ```
/// use keyward::token::{MalformedBearer, parse_bearer};
///
/// // RFC 6750 §2.1's own example, and the scheme in any case.
/// assert_eq!(parse_bearer([&b"Bearer mF_9.B5f-4.1JqM"[..]]), Ok(Some("mF_9.B5f-4.1JqM")));
/// assert_eq!(parse_bearer([&b"bEARER abc=="[..]]), Ok(Some("abc==")));
/// // `1*SP`: two spaces are a separator too.
/// assert_eq!(parse_bearer([&b"Bearer  abc"[..]]), Ok(Some("abc")));
/// // No credentials, or another scheme: not an error.
/// assert_eq!(parse_bearer(std::iter::empty()), Ok(None));
/// assert_eq!(parse_bearer([&b"Basic YWxpY2U6aHVudGVyMg=="[..]]), Ok(None));
/// // Malformed bearer credentials.
/// assert_eq!(parse_bearer([&b"Bearer "[..]]), Err(MalformedBearer::MissingToken));
/// assert_eq!(parse_bearer([&b"Bearer\tabc"[..]]), Err(MalformedBearer::BadSeparator));
/// assert_eq!(
///     parse_bearer([&b"Bearer a b"[..]]),
///     Err(MalformedBearer::InvalidCharacter { offset: 1 })
/// );
/// ```
pub fn parse_bearer<'a>(
    values: impl IntoIterator<Item = &'a [u8]>,
) -> Result<Option<&'a str>, MalformedBearer> {
    let mut values = values.into_iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    let extra = values.count();
    if extra > 0 {
        return Err(MalformedBearer::Repeated { count: extra + 1 });
    }
    parse_value(value)
}

fn parse_value(value: &[u8]) -> Result<Option<&str>, MalformedBearer> {
    parse_credentials(value, b"bearer")
}

/// The token of one `Authorization` value in `scheme` (lower case): RFC 6750 §2.1's grammar,
/// which RFC 9449 §7.1 gives the `DPoP` scheme too. `Ok(None)` for another scheme.
pub(crate) fn parse_credentials<'a>(
    value: &'a [u8],
    scheme: &[u8],
) -> Result<Option<&'a str>, MalformedBearer> {
    let value = trim_ows(value);
    // The scheme is a `token` (RFC 9110 §5.6.2); it ends at the first byte that is not one.
    let scheme_len = value
        .iter()
        .position(|&byte| !is_tchar(byte))
        .unwrap_or(value.len());
    let (found, rest) = value.split_at(scheme_len);
    if !found.eq_ignore_ascii_case(scheme) {
        return Ok(None);
    }
    if rest.is_empty() {
        return Err(MalformedBearer::MissingToken);
    }
    let token = &rest[rest.iter().take_while(|&&byte| is_ows(byte)).count()..];
    if token.len() == rest.len() || rest[..rest.len() - token.len()].contains(&b'\t') {
        return Err(MalformedBearer::BadSeparator);
    }
    if token.is_empty() {
        return Err(MalformedBearer::MissingToken);
    }
    let body_len = token
        .iter()
        .position(|&byte| !is_b64token_char(byte))
        .unwrap_or(token.len());
    if body_len == 0 {
        return Err(MalformedBearer::InvalidCharacter { offset: 0 });
    }
    let padding = token[body_len..]
        .iter()
        .take_while(|&&byte| byte == b'=')
        .count();
    if body_len + padding < token.len() {
        return Err(MalformedBearer::InvalidCharacter {
            offset: body_len + padding,
        });
    }
    // Every byte is ASCII by now.
    std::str::from_utf8(token)
        .map(Some)
        .map_err(|error| MalformedBearer::InvalidCharacter {
            offset: error.valid_up_to(),
        })
}

/// Optional whitespace (RFC 9110 §5.6.3): spaces and tabs, nothing else.
fn is_ows(byte: u8) -> bool {
    byte == b' ' || byte == b'\t'
}

fn trim_ows(value: &[u8]) -> &[u8] {
    let start = value.iter().take_while(|&&byte| is_ows(byte)).count();
    let end = value.len() - value.iter().rev().take_while(|&&byte| is_ows(byte)).count();
    value.get(start..end).unwrap_or_default()
}

/// `b64token` characters before the padding (RFC 6750 §2.1).
fn is_b64token_char(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
}

/// `tchar` (RFC 9110 §5.6.2).
fn is_tchar(byte: u8) -> bool {
    byte.is_ascii_alphanumeric()
        || matches!(
            byte,
            b'!' | b'#'
                | b'$'
                | b'%'
                | b'&'
                | b'\''
                | b'*'
                | b'+'
                | b'-'
                | b'.'
                | b'^'
                | b'_'
                | b'`'
                | b'|'
                | b'~'
        )
}

/// The token of one HTTP `Authorization` header value in the bearer scheme, by the grammar of
/// [`parse_bearer`] (which servers should call instead: it tells a request without bearer
/// credentials from a malformed one).
///
/// # Errors
///
/// [`TokenError::MalformedAuthorization`] for anything but a bearer credential, another scheme
/// included.
///
/// ```
/// use keyward::token::{bearer_token, TokenError};
///
/// assert_eq!(bearer_token("Bearer eyJhbGciOi.eyJzdWIi.c2ln")?, "eyJhbGciOi.eyJzdWIi.c2ln");
/// assert_eq!(bearer_token("bearer abc")?, "abc");
/// assert_eq!(bearer_token("Bearer "), Err(TokenError::MalformedAuthorization));
/// assert_eq!(bearer_token("Basic YWxpY2U6aHVudGVyMg=="), Err(TokenError::MalformedAuthorization));
/// # Ok::<(), TokenError>(())
/// ```
pub fn bearer_token(authorization: &str) -> Result<&str, TokenError> {
    match parse_bearer([authorization.as_bytes()]) {
        Ok(Some(token)) => Ok(token),
        Ok(None) | Err(_) => Err(TokenError::MalformedAuthorization),
    }
}

#[cfg(test)]
mod tests {
    use super::{MalformedBearer, parse_bearer};

    fn parse(value: &[u8]) -> Result<Option<&str>, MalformedBearer> {
        parse_bearer([value])
    }

    // RFC 6750 §2.1: `"Bearer" 1*SP b64token`, b64token with trailing `=` padding only.
    #[test]
    fn reads_every_b64token_character_and_padding() {
        let token = "AZaz09-._~+/==";
        assert_eq!(parse(format!("Bearer {token}").as_bytes()), Ok(Some(token)));
        assert_eq!(
            parse(b"Bearer ="),
            Err(MalformedBearer::InvalidCharacter { offset: 0 })
        );
        assert_eq!(
            parse(b"Bearer a=b"),
            Err(MalformedBearer::InvalidCharacter { offset: 2 })
        );
    }

    // RFC 9110 §11.1: the scheme is case-insensitive; §5.5: OWS around the value is not part
    // of it.
    #[test]
    fn scheme_case_and_surrounding_whitespace_do_not_matter() {
        assert_eq!(parse(b"BEARER abc"), Ok(Some("abc")));
        assert_eq!(parse(b" \tBearer abc \t"), Ok(Some("abc")));
        assert_eq!(parse(b"Bearer   abc"), Ok(Some("abc")));
    }

    // The login and resource servers used to disagree on `Bearer  x` (issue 20).
    #[test]
    fn two_spaces_are_one_separator() {
        assert_eq!(parse(b"Bearer  x"), Ok(Some("x")));
    }

    #[test]
    fn other_schemes_are_no_credentials() {
        for value in [
            &b"Basic YWxpY2U6aHVudGVyMg=="[..],
            b"Negotiate",
            b"Bearerabc",
            b"Bearer-x abc",
            b"",
            b"   ",
            b"\xff\xfe",
            b"Token Bearer abc",
        ] {
            assert_eq!(parse(value), Ok(None), "{value:?}");
        }
    }

    #[test]
    fn malformed_bearer_credentials_say_why() {
        assert_eq!(parse(b"Bearer"), Err(MalformedBearer::MissingToken));
        assert_eq!(parse(b"bearer   "), Err(MalformedBearer::MissingToken));
        assert_eq!(parse(b"Bearer\tabc"), Err(MalformedBearer::BadSeparator));
        assert_eq!(parse(b"Bearer \tabc"), Err(MalformedBearer::BadSeparator));
        assert_eq!(parse(b"Bearer,abc"), Err(MalformedBearer::BadSeparator));
        assert_eq!(parse(b"Bearer\nabc"), Err(MalformedBearer::BadSeparator));
        assert_eq!(
            parse(b"Bearer abc\r"),
            Err(MalformedBearer::InvalidCharacter { offset: 3 })
        );
        assert_eq!(
            parse(b"Bearer a,b"),
            Err(MalformedBearer::InvalidCharacter { offset: 1 })
        );
        assert_eq!(
            parse(b"Bearer abc\xc3\xa9"),
            Err(MalformedBearer::InvalidCharacter { offset: 3 })
        );
        assert_eq!(
            parse(b"Bearer \"abc\""),
            Err(MalformedBearer::InvalidCharacter { offset: 0 })
        );
        // RFC 6750 §2.1 has no auth-params form: `token68` only.
        assert_eq!(
            parse(b"Bearer realm=\"x\""),
            Err(MalformedBearer::InvalidCharacter { offset: 6 })
        );
    }

    #[test]
    fn a_repeated_header_is_malformed_whatever_it_holds() {
        assert_eq!(
            parse_bearer([&b"Bearer a"[..], b"Bearer a"]),
            Err(MalformedBearer::Repeated { count: 2 })
        );
        assert_eq!(
            parse_bearer([&b"Basic x"[..], b"Bearer a", b""]),
            Err(MalformedBearer::Repeated { count: 3 })
        );
    }

    #[test]
    fn never_panics_on_any_short_input() {
        let alphabet = [b'B', b'e', b'a', b'r', b' ', b'\t', b'=', b'x', 0xff, b'"'];
        for len in 0..=5u32 {
            for index in 0..alphabet.len().pow(len) {
                let mut rest = index;
                let value: Vec<u8> = (0..len)
                    .map(|_| {
                        let byte = alphabet[rest % alphabet.len()];
                        rest /= alphabet.len();
                        byte
                    })
                    .collect();
                if let Ok(Some(token)) = parse(&value) {
                    assert!(!token.is_empty());
                }
            }
        }
    }
}
