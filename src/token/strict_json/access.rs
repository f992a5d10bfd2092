//! The access types [`StrictVisitor`](super::visitor::StrictVisitor) hands on: an object's
//! members checked for repeats, and the values of arrays, objects and enum variants read
//! through [`Strict`].

use serde::de::{DeserializeSeed, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor};

use super::name::{NameDeserializer, Names};
use super::visitor::StrictVisitor;
use super::{StrictSeed, duplicate};
use crate::token::jws::BorrowedStr;

/// An object whose member names are checked as they are read.
pub(crate) struct StrictMap<'de, A> {
    map: A,
    names: Names<'de>,
}

impl<A> StrictMap<'_, A> {
    pub(crate) fn new(map: A) -> Self {
        StrictMap {
            map,
            names: Names::default(),
        }
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for StrictMap<'de, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        // The name is read as the JSON text spells it (unescaped), compared, and only then
        // handed to the target, which may read it as a string, a field or a number.
        let Some(BorrowedStr(name)) = self.map.next_key()? else {
            return Ok(None);
        };
        if self.names.contains(&name) {
            return Err(duplicate(&name));
        }
        let key = seed.deserialize(NameDeserializer::new(&name))?;
        self.names.insert(name);
        Ok(Some(key))
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, A::Error> {
        self.map.next_value_seed(StrictSeed(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

/// An array whose elements are read strictly.
pub(crate) struct StrictSeq<A>(pub(crate) A);

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for StrictSeq<A> {
    type Error = A::Error;

    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, A::Error> {
        self.0.next_element_seed(StrictSeed(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

/// An enum (in JSON, a string or an object of one member) whose variant's content is read
/// strictly.
pub(crate) struct StrictEnum<A>(pub(crate) A);

impl<'de, A: EnumAccess<'de>> EnumAccess<'de> for StrictEnum<A> {
    type Error = A::Error;
    type Variant = StrictVariant<A::Variant>;

    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, Self::Variant), A::Error> {
        self.0
            .variant_seed(seed)
            .map(|(value, variant)| (value, StrictVariant(variant)))
    }
}

/// The content of one enum variant, read strictly.
pub(crate) struct StrictVariant<A>(A);

impl<'de, A: VariantAccess<'de>> VariantAccess<'de> for StrictVariant<A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), A::Error> {
        self.0.unit_variant()
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<S::Value, A::Error> {
        self.0.newtype_variant_seed(StrictSeed(seed))
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, A::Error> {
        self.0.tuple_variant(len, StrictVisitor(visitor))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        self.0.struct_variant(fields, StrictVisitor(visitor))
    }
}
