//! Decoding a verified payload into typed claims, with an error for each way a claim can be
//! wrong.
//!
//! The payload is parsed once into the registered claims (kept as JSON values so their type
//! can be judged here, with typed errors) and the rest; the caller's `T` is then read from the
//! rest. Any duplicated member name, at any depth, makes the payload malformed: JSON parsers
//! disagree on which duplicate wins, so an ambiguous token is refused (RFC 7515 §5.2, RFC 8725
//! §3.12); see [`super::strict_json`].

use std::fmt;

use chrono::{DateTime, Utc};
use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, Visitor};
use serde::forward_to_deserialize_any;
use serde_json::{Map, Value};

use super::claims::Audience;
use super::jws::BorrowedStr;
use super::strict_json::{StrictValue, duplicate};
use super::{Claim, JsonError, TokenError, TokenPart};

/// A payload split into registered claims and the rest.
pub(crate) struct WirePayload {
    registered: [Option<Value>; 7],
    rest: Map<String, Value>,
}

impl WirePayload {
    pub(crate) fn parse(payload: &[u8]) -> Result<Self, TokenError> {
        serde_json::from_slice(payload).map_err(|_| TokenError::Malformed(TokenPart::Payload))
    }

    fn take(&mut self, claim: Claim) -> Option<Value> {
        let index = Claim::ALL
            .iter()
            .position(|&c| c == claim)
            .expect("every claim is listed");
        // JSON null means "absent" here, as in most JWT libraries.
        self.registered[index]
            .take()
            .filter(|value| !value.is_null())
    }

    pub(crate) fn string(&mut self, claim: Claim) -> Result<Option<String>, TokenError> {
        match self.take(claim) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text)),
            Some(_) => Err(TokenError::InvalidClaim(claim)),
        }
    }

    /// A NumericDate in whole seconds. Fractions, strings and dates outside chrono's range are
    /// invalid: keyward writes integers, and a strict reader cannot be confused by rounding.
    pub(crate) fn date(&mut self, claim: Claim) -> Result<Option<DateTime<Utc>>, TokenError> {
        match self.take(claim) {
            None => Ok(None),
            Some(Value::Number(number)) => number
                .as_i64()
                .and_then(|seconds| DateTime::from_timestamp(seconds, 0))
                .map(Some)
                .ok_or(TokenError::InvalidClaim(claim)),
            Some(_) => Err(TokenError::InvalidClaim(claim)),
        }
    }

    /// `aud` as a string or a non-empty array of strings.
    pub(crate) fn audience(&mut self) -> Result<Option<Audience>, TokenError> {
        let invalid = TokenError::InvalidClaim(Claim::Audience);
        match self.take(Claim::Audience) {
            None => Ok(None),
            Some(Value::String(single)) => Ok(Some(Audience::from(single))),
            Some(Value::Array(values)) if !values.is_empty() => values
                .into_iter()
                .map(|value| match value {
                    Value::String(text) => Ok(text),
                    _ => Err(invalid.clone()),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(|values| Some(Audience::from_values(values))),
            Some(_) => Err(invalid),
        }
    }

    /// The unregistered claim `name`, if it is a string.
    pub(crate) fn extra_string(&self, name: &str) -> Option<&str> {
        self.rest.get(name).and_then(Value::as_str)
    }

    /// The caller's claims, from everything that is not a registered claim.
    pub(crate) fn extra<T: DeserializeOwned>(self) -> Result<T, TokenError> {
        T::deserialize(ExtraClaims(self.rest))
            .map_err(|error| TokenError::InvalidExtraClaims(JsonError::new(error)))
    }
}

impl<'de> de::Deserialize<'de> for WirePayload {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(PayloadVisitor)
    }
}

struct PayloadVisitor;

impl<'de> Visitor<'de> for PayloadVisitor {
    type Value = WirePayload;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object of claims")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<WirePayload, A::Error> {
        let mut payload = WirePayload {
            registered: Default::default(),
            rest: Map::new(),
        };
        // Names are borrowed from the payload: only those of the caller's own claims are copied,
        // into the map `T` is read from.
        while let Some(BorrowedStr(name)) = map.next_key()? {
            let StrictValue(value) = map.next_value()?;
            if let Some(index) = Claim::ALL
                .iter()
                .position(|claim| claim.wire_name() == name)
            {
                if payload.registered[index].is_some() {
                    return Err(duplicate(&name));
                }
                payload.registered[index] = Some(value);
            } else {
                if payload.rest.contains_key(&*name) {
                    return Err(duplicate(&name));
                }
                payload.rest.insert(name.into_owned(), value);
            }
        }
        Ok(payload)
    }
}

/// The caller's claims as a deserializer. Like a JSON object, except that it also reads as
/// `()` (ignoring every claim), so `verify::<()>` works on any token.
struct ExtraClaims(Map<String, Value>);

impl<'de> Deserializer<'de> for ExtraClaims {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        Value::Object(self.0).deserialize_any(visitor)
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_unit()
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        Value::Object(self.0).deserialize_struct(name, fields, visitor)
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        seq tuple tuple_struct map enum identifier ignored_any
    }
}
