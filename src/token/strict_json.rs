//! JSON read with no duplicated member name at any depth.
//!
//! JSON parsers disagree on which of two same-named members wins (RFC 8259 §4 leaves it open),
//! so a token whose header or claims repeat a name can mean one thing to keyward and another to
//! the next service. RFC 7515 §5.2 and RFC 7519 §4 require such a JWS or JWT to be refused, or
//! the last member used consistently; keyward refuses, at every depth, not just at the top.
//!
//! The rule is a deserializer adapter, [`Strict`], so that it holds whatever the JSON is read
//! into: a `serde_json::Value` ([`StrictValue`]), the caller's own claims type, or nothing at
//! all (a value the target ignores is still walked, and its objects checked). It tracks the
//! member names of each object as it goes, borrowed from the input where they need no
//! unescaping, so no intermediate value is built.

mod access;
mod deserializer;
mod name;
mod visitor;

use serde::de::{self, Deserialize, Deserializer};
use serde_json::Value;

pub(crate) use deserializer::{Strict, StrictSeed};
pub(crate) use name::{NameDeserializer, Names};

/// A JSON value parsed with every object checked for duplicate member names.
pub(crate) struct StrictValue(pub(crate) Value);

impl<'de> Deserialize<'de> for StrictValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Value::deserialize(Strict(deserializer)).map(StrictValue)
    }
}

/// The error for a member name seen twice in one object.
pub(crate) fn duplicate<E: de::Error>(name: &str) -> E {
    E::custom(format_args!("duplicate member `{name}`"))
}
