//! Member names: the set of one object's names so far, and a name handed to the target.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::marker::PhantomData;

use serde::de::value::StrDeserializer;
use serde::de::{self, Deserializer, IntoDeserializer as _, Visitor};
use serde::forward_to_deserialize_any;

/// The member names of one object so far, borrowed from the input where they need no
/// unescaping.
///
/// Objects in tokens have a handful of members: the first few are held inline, with no
/// allocation, and compared one by one; past that (a document with thousands of names) a tree
/// keeps the checks at `O(n log n)`.
#[derive(Default)]
pub(crate) struct Names<'de> {
    few: [Cow<'de, str>; FEW],
    len: usize,
    many: BTreeSet<Cow<'de, str>>,
}

const FEW: usize = 8;

impl<'de> Names<'de> {
    pub(crate) fn contains(&self, name: &str) -> bool {
        self.few[..self.len].iter().any(|seen| seen == name) || self.many.contains(name)
    }

    /// Adds a name not [contained](Self::contains) yet.
    pub(crate) fn insert(&mut self, name: Cow<'de, str>) {
        if let Some(slot) = self.few.get_mut(self.len) {
            *slot = name;
            self.len += 1;
        } else {
            self.many.insert(name);
        }
    }
}

/// A member name as the target reads it: a string, a field identifier, or (as `serde_json`
/// reads map keys) a number or boolean spelled as a string.
pub(crate) struct NameDeserializer<'a, 'de, E> {
    name: &'a Cow<'de, str>,
    error: PhantomData<E>,
}

impl<'a, 'de, E> NameDeserializer<'a, 'de, E> {
    pub(crate) fn new(name: &'a Cow<'de, str>) -> Self {
        NameDeserializer {
            name,
            error: PhantomData,
        }
    }
}

/// A name read as a number or boolean: parsed, or else offered as the string it is, which the
/// visitor refuses with an error that shows it.
macro_rules! parsed {
    ($($method:ident => $visit:ident($ty:ty))*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
            match self.name.parse::<$ty>() {
                Ok(value) => visitor.$visit(value),
                Err(_) => self.deserialize_any(visitor),
            }
        }
    )*};
}

impl<'de, E: de::Error> Deserializer<'de> for NameDeserializer<'_, 'de, E> {
    type Error = E;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        match self.name {
            Cow::Borrowed(name) => visitor.visit_borrowed_str(name),
            Cow::Owned(name) => visitor.visit_str(name),
        }
    }

    parsed! {
        deserialize_bool => visit_bool(bool)
        deserialize_i8 => visit_i8(i8) deserialize_i16 => visit_i16(i16)
        deserialize_i32 => visit_i32(i32) deserialize_i64 => visit_i64(i64)
        deserialize_i128 => visit_i128(i128) deserialize_u8 => visit_u8(u8)
        deserialize_u16 => visit_u16(u16) deserialize_u32 => visit_u32(u32)
        deserialize_u64 => visit_u64(u64) deserialize_u128 => visit_u128(u128)
        deserialize_f32 => visit_f32(f32) deserialize_f64 => visit_f64(f64)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, E> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, E> {
        let text: StrDeserializer<'_, E> = self.name.as_ref().into_deserializer();
        text.deserialize_enum(name, variants, visitor)
    }

    forward_to_deserialize_any! {
        char str string bytes byte_buf unit unit_struct seq tuple tuple_struct map struct
        identifier ignored_any
    }
}
