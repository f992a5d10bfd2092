//! A JSON object read from text under the rule keyward holds tokens to: no member name twice,
//! at any depth (RFC 7515 §5.2, RFC 7519 §4; see `strict_json.rs`).
//!
//! It is for claims that arrive as text (a command-line argument, a config file) before they
//! are issued: `serde_json::Value` keeps the last of two same-named members, so `{"a":1,"a":2}`
//! would be signed as `a=2`, a token keyward itself refuses to verify.

use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use super::strict_json::StrictValue;
use super::{JsonError, TokenError};

/// A JSON object parsed with no member name twice at any depth: extra claims, ready to pass to
/// [`TokenIssuer::issue`](crate::token::TokenIssuer::issue).
///
/// ```
/// use keyward::token::{JsonObject, SigningKey, TokenError, TokenIssuer};
///
/// let extra: JsonObject = r#"{"role":"admin","scopes":["read"]}"#.parse()?;
/// let issuer = TokenIssuer::new(SigningKey::hs256([7u8; 32])?);
/// let claims = issuer.verify::<serde_json::Value>(&issuer.issue("alice", &extra)?)?;
/// assert_eq!(claims.extra["role"], "admin");
///
/// // The same name twice is refused, however deep.
/// assert!(matches!(
///     JsonObject::parse(r#"{"a":{"b":1,"b":2}}"#),
///     Err(TokenError::InvalidExtraClaims(_))
/// ));
/// # Ok::<(), TokenError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct JsonObject(Map<String, Value>);

impl JsonObject {
    /// Parses `text` as a JSON object whose objects, at every depth, name each member once.
    ///
    /// # Errors
    ///
    /// [`TokenError::InvalidExtraClaims`] when `text` is not JSON, is JSON but not an object,
    /// or repeats a member name; its [`JsonError`] names the member and the place.
    ///
    /// ```
    /// use keyward::token::{JsonObject, TokenError};
    ///
    /// let TokenError::InvalidExtraClaims(error) = JsonObject::parse(r#"{"a":1,"a":2}"#).unwrap_err() else {
    ///     panic!("expected InvalidExtraClaims");
    /// };
    /// assert!(error.to_string().contains("duplicate member `a`"));
    /// assert!(JsonObject::parse("[1]").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Self, TokenError> {
        let invalid =
            |error: serde_json::Error| TokenError::InvalidExtraClaims(JsonError::new(error));
        match serde_json::from_str::<StrictValue>(text)
            .map_err(invalid)?
            .0
        {
            Value::Object(object) => Ok(JsonObject(object)),
            other => Err(invalid(<serde_json::Error as serde::de::Error>::custom(
                format_args!("expected a JSON object, found {}", kind(&other)),
            ))),
        }
    }

    /// The members, for reading.
    ///
    /// ```
    /// let object = keyward::token::JsonObject::parse(r#"{"n":1}"#)?;
    /// assert_eq!(object.as_map()["n"], 1);
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.0
    }

    /// The members, owned.
    ///
    /// ```
    /// let map = keyward::token::JsonObject::parse(r#"{"n":1}"#)?.into_map();
    /// assert_eq!(map.len(), 1);
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn into_map(self) -> Map<String, Value> {
        self.0
    }
}

/// The JSON type of a value, for the "found" part of an error.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl FromStr for JsonObject {
    type Err = TokenError;

    fn from_str(text: &str) -> Result<Self, TokenError> {
        Self::parse(text)
    }
}

impl Serialize for JsonObject {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl fmt::Display for JsonObject {
    /// The object as compact JSON text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = serde_json::to_string(&self.0).map_err(|_| fmt::Error)?;
        f.write_str(&text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_twice_is_refused_at_every_depth() {
        for text in [
            r#"{"a":1,"a":2}"#,
            r#"{"a":{"b":1,"b":2}}"#,
            r#"{"a":[{"b":1,"b":2}]}"#,
            r#"{"a":1,"\u0061":2}"#,
        ] {
            let error = JsonObject::parse(text).unwrap_err();
            assert!(
                matches!(&error, TokenError::InvalidExtraClaims(e) if e.to_string().contains("duplicate member")),
                "{text}: {error:?}"
            );
        }
    }

    #[test]
    fn only_an_object_is_accepted_and_the_error_says_what_was_found() {
        for (text, found) in [
            ("[]", "an array"),
            ("1", "a number"),
            ("null", "null"),
            (r#""x""#, "a string"),
        ] {
            let TokenError::InvalidExtraClaims(error) = JsonObject::parse(text).unwrap_err() else {
                panic!("{text}: expected InvalidExtraClaims");
            };
            assert!(error.to_string().contains(found), "{text}: {error}");
        }
        assert!(JsonObject::parse("{oops").is_err());
    }

    #[test]
    fn the_same_names_in_different_objects_are_fine_and_kept() {
        let object =
            JsonObject::parse(r#"{"a":{"n":1},"b":{"n":2},"c":[{"n":3},{"n":4}]}"#).unwrap();
        assert_eq!(object.as_map()["b"]["n"], 2);
        assert_eq!(object.as_map()["c"][1]["n"], 4);
        assert_eq!(
            object.to_string(),
            r#"{"a":{"n":1},"b":{"n":2},"c":[{"n":3},{"n":4}]}"#
        );
    }
}
