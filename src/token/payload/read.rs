//! Reading a verified payload in one pass: the registered claims into slots the verifier
//! judges, the caller's claims straight into `T`.
//!
//! The JSON is walked once. A registered claim is read into its [`Slot`] and never reaches
//! `T`; every other member is handed to `T` as it is read. Every object, at every depth, is
//! read through `strict_json::Strict` and refused when it repeats a name, including the parts `T`
//! ignores and those it never asked for (what `T` leaves unread is read after it).

use std::fmt;
use std::marker::PhantomData;

use chrono::{DateTime, Utc};
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess,
    Visitor,
};
use serde::forward_to_deserialize_any;
use serde_json::Value;

use crate::token::claims::Audience;
use crate::token::jws::BorrowedStr;
use crate::token::strict_json::{NameDeserializer, Names, StrictSeed, StrictValue, duplicate};
use crate::token::{Claim, TokenError};

/// The registered claims a payload carries, each as found, for the verifier to judge.
#[derive(Default)]
pub(crate) struct Registered([Option<Slot>; 7]);

/// What one pass over a payload found besides the registered claims.
pub(crate) struct ReadClaims<T> {
    /// The value of each claim the verifier requires, in the order it lists them, where it is
    /// a string.
    pub(crate) required: Vec<Option<String>>,
    /// The caller's claims.
    pub(crate) extra: T,
}

/// Reads `payload` as a JSON object of claims: the registered ones into `registered` (which
/// the caller owns, so that they are not moved on the way out), the string values of the
/// `required` claim names, and the rest into `T`.
///
/// # Errors
///
/// The JSON error when the payload is not one JSON object, repeats a member name at any depth,
/// or does not read as `T`. The caller tells them apart by reading again as `()`, which fails
/// only on the first two.
pub(crate) fn read<T: DeserializeOwned>(
    payload: &[u8],
    required: &[(String, String)],
    registered: &mut Registered,
) -> Result<ReadClaims<T>, serde_json::Error> {
    // Checked as UTF-8 once, here, rather than string by string as it is parsed.
    let payload = std::str::from_utf8(payload).map_err(de::Error::custom)?;
    let mut json = serde_json::Deserializer::from_str(payload);
    let claims = json.deserialize_map(PayloadVisitor {
        required,
        registered,
        extra: PhantomData,
    })?;
    json.end()?;
    Ok(claims)
}

/// A NumericDate: whole seconds since the epoch, and the instant they name.
#[derive(Clone, Copy)]
pub(crate) struct Date {
    pub(crate) seconds: i64,
    pub(crate) instant: DateTime<Utc>,
}

impl Registered {
    fn take(&mut self, claim: Claim) -> Option<Slot> {
        let index = match claim {
            Claim::Issuer => 0,
            Claim::Subject => 1,
            Claim::Audience => 2,
            Claim::ExpiresAt => 3,
            Claim::NotBefore => 4,
            Claim::IssuedAt => 5,
            Claim::TokenId => 6,
        };
        // JSON null means "absent" here, as in most JWT libraries.
        self.0[index]
            .take()
            .filter(|slot| !matches!(slot, Slot::Null))
    }

    pub(crate) fn string(&mut self, claim: Claim) -> Result<Option<String>, TokenError> {
        match self.take(claim) {
            None => Ok(None),
            Some(Slot::Text(text)) => Ok(Some(text)),
            Some(_) => Err(TokenError::InvalidClaim(claim)),
        }
    }

    /// A NumericDate in whole seconds. Fractions, strings and dates outside chrono's range are
    /// invalid: keyward writes integers, and a strict reader cannot be confused by rounding.
    pub(crate) fn date(&mut self, claim: Claim) -> Result<Option<Date>, TokenError> {
        match self.take(claim) {
            None => Ok(None),
            Some(Slot::Integer(seconds)) => DateTime::from_timestamp(seconds, 0)
                .map(|instant| Some(Date { seconds, instant }))
                .ok_or(TokenError::InvalidClaim(claim)),
            Some(_) => Err(TokenError::InvalidClaim(claim)),
        }
    }

    /// `aud` as a string or a non-empty array of strings.
    pub(crate) fn audience(&mut self) -> Result<Option<Audience>, TokenError> {
        match self.take(Claim::Audience) {
            None => Ok(None),
            Some(Slot::Text(single)) => Ok(Some(Audience::from(single))),
            Some(Slot::Texts(values)) => Ok(Some(Audience::from_values(values))),
            Some(_) => Err(TokenError::InvalidClaim(Claim::Audience)),
        }
    }
}

/// The position of a registered claim's name in [`Claim::ALL`] (checked by a unit test).
/// Every registered name has three letters, so one length check skips all others.
fn index_of(name: &str) -> Option<usize> {
    let &[a, b, c] = name.as_bytes() else {
        return None;
    };
    Some(match [a, b, c] {
        [b'i', b's', b's'] => 0,
        [b's', b'u', b'b'] => 1,
        [b'a', b'u', b'd'] => 2,
        [b'e', b'x', b'p'] => 3,
        [b'n', b'b', b'f'] => 4,
        [b'i', b'a', b't'] => 5,
        [b'j', b't', b'i'] => 6,
        _ => return None,
    })
}

/// A registered claim's value, sorted by the shapes the verifier can accept; anything else is
/// [`Slot::Other`], judged invalid for whichever claim it is.
enum Slot {
    Null,
    Text(String),
    Integer(i64),
    /// A non-empty array of strings (an `aud`).
    Texts(Vec<String>),
    Other,
}

impl<'de> de::Deserialize<'de> for Slot {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(SlotVisitor)
    }
}

struct SlotVisitor;

impl<'de> Visitor<'de> for SlotVisitor {
    type Value = Slot;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E>(self) -> Result<Slot, E> {
        Ok(Slot::Null)
    }

    fn visit_none<E>(self) -> Result<Slot, E> {
        Ok(Slot::Null)
    }

    fn visit_str<E>(self, value: &str) -> Result<Slot, E> {
        Ok(Slot::Text(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Slot, E> {
        Ok(Slot::Text(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Slot, E> {
        Ok(Slot::Integer(value))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Slot, E> {
        Ok(i64::try_from(value).map_or(Slot::Other, Slot::Integer))
    }

    fn visit_f64<E>(self, _: f64) -> Result<Slot, E> {
        Ok(Slot::Other)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Slot, E> {
        Ok(Slot::Other)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Slot, A::Error> {
        // Every element is read to the end, so that one after a non-string is checked too.
        let mut texts = Some(Vec::new());
        while let Some(item) = seq.next_element::<Slot>()? {
            match (item, &mut texts) {
                (Slot::Text(text), Some(texts)) => texts.push(text),
                _ => texts = None,
            }
        }
        Ok(texts
            .filter(|texts| !texts.is_empty())
            .map_or(Slot::Other, Slot::Texts))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Slot, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Slot::Other)
    }
}

/// Reads the payload object: [`Members`] for `T`, then whatever `T` left.
struct PayloadVisitor<'r, T> {
    required: &'r [(String, String)],
    registered: &'r mut Registered,
    extra: PhantomData<T>,
}

impl<'de, T: DeserializeOwned> Visitor<'de> for PayloadVisitor<'_, T> {
    type Value = ReadClaims<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object of claims")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ReadClaims<T>, A::Error> {
        let mut members = Members {
            map,
            done: false,
            registered: self.registered,
            required: self.required,
            found: vec![None; self.required.len()],
            names: Names::default(),
            held: None,
        };
        let extra = T::deserialize(Extra(&mut members))?;
        // `T` may stop before the end (or not read at all, as `()`): the rest is read the same
        // way, so that every registered claim is found and every name checked.
        while members.next_key::<IgnoredAny>()?.is_some() {
            members.next_value::<IgnoredAny>()?;
        }
        Ok(ReadClaims {
            required: members.found,
            extra,
        })
    }
}

/// The payload's members as `T` sees them: every one but the registered claims, which are
/// taken into their slots on the way past.
struct Members<'de, 'r, A> {
    map: A,
    /// The object has ended: asked again, it stays ended.
    done: bool,
    registered: &'r mut Registered,
    required: &'r [(String, String)],
    found: Vec<Option<String>>,
    names: Names<'de>,
    /// The value of a required claim, read once to capture it and held for `T`.
    held: Option<Value>,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Members<'de, '_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        // A required claim's value held for a key whose value was never asked for is stale
        // now (it was read from the JSON already): it must not stand for the next one's.
        self.held = None;
        loop {
            if self.done {
                return Ok(None);
            }
            let Some(BorrowedStr(name)) = self.map.next_key()? else {
                self.done = true;
                return Ok(None);
            };
            if let Some(index) = index_of(&name) {
                let slot = &mut self.registered.0[index];
                if slot.is_some() {
                    return Err(duplicate(&name));
                }
                *slot = Some(self.map.next_value_seed(StrictSeed(PhantomData))?);
                continue;
            }
            if self.names.contains(&name) {
                return Err(duplicate(&name));
            }
            for (index, (required, _)) in self.required.iter().enumerate() {
                if *required == name {
                    // Read once, however often the name is required.
                    if self.held.is_none() {
                        let StrictValue(value) = self.map.next_value()?;
                        self.held = Some(value);
                    }
                    self.found[index] = self
                        .held
                        .as_ref()
                        .and_then(Value::as_str)
                        .map(str::to_owned);
                }
            }
            let key = seed.deserialize(NameDeserializer::new(&name))?;
            self.names.insert(name);
            return Ok(Some(key));
        }
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, A::Error> {
        match self.held.take() {
            Some(value) => seed.deserialize(value).map_err(de::Error::custom),
            None => self.map.next_value_seed(StrictSeed(seed)),
        }
    }
}

/// The caller's claims as a deserializer: an object of the members `T` may see, which also
/// reads as `()` (ignoring every claim), so `verify::<()>` works on any token.
struct Extra<'m, M>(&'m mut M);

impl<'de, M: MapAccess<'de>> Deserializer<'de> for Extra<'_, M> {
    type Error = M::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, M::Error> {
        visitor.visit_map(self.0)
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, M::Error> {
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, M::Error> {
        visitor.visit_unit()
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, M::Error> {
        visitor.visit_unit()
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, M::Error> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, M::Error> {
        visitor.visit_newtype_struct(self)
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        seq tuple tuple_struct map struct enum identifier
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_registered_claim_has_its_own_slot() {
        for (index, claim) in Claim::ALL.iter().enumerate() {
            assert_eq!(index_of(claim.wire_name()), Some(index), "{claim}");
            let mut registered = Registered::default();
            registered.0[index] = Some(Slot::Integer(7));
            assert!(
                matches!(registered.take(*claim), Some(Slot::Integer(7))),
                "{claim}"
            );
        }
        for name in ["", "Sub", "sub ", "subject", "role"] {
            assert_eq!(index_of(name), None, "{name}");
        }
    }
}
