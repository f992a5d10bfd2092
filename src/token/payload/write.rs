//! Writing a payload in one pass: the registered claims, then the caller's, serialized
//! straight into the JSON text.
//!
//! The caller's value is serialized through [`Members`], which writes each of its members into
//! the payload object and notes where each name landed. The rules are then checked on the
//! written names: `serde_json` spells equal strings with equal bytes, so comparing the text
//! compares the names, whatever type the caller's keys had.

use std::cell::Cell;
use std::io;
use std::ops::Range;

use serde::ser::{Error as _, Impossible, Serialize, SerializeMap, SerializeStruct, Serializer};

use crate::token::{Claim, JsonError, TokenError};

/// The registered claims of a token, as the issuer writes them.
pub(crate) struct RegisteredClaims<'a> {
    pub(crate) sub: &'a str,
    pub(crate) iat: i64,
    pub(crate) exp: i64,
    pub(crate) jti: &'a str,
    pub(crate) iss: Option<&'a str>,
    pub(crate) aud: Option<OutgoingAudience<'a>>,
}

/// `aud` as a string for one audience, an array for several (RFC 7519 §4.1.3).
#[derive(serde::Serialize)]
#[serde(untagged)]
pub(crate) enum OutgoingAudience<'a> {
    One(&'a str),
    Many(&'a [String]),
}

/// The payload: `registered`, then the members of `extra`.
///
/// # Errors
///
/// - [`TokenError::ReservedClaim`] when `extra` names a registered claim (the first in
///   [`Claim::ALL`] order when it names several).
/// - [`TokenError::InvalidExtraClaims`] when `extra` is not an object (or `()`, `None`), its
///   `Serialize` fails, a key is not a string, or it names a member twice.
pub(crate) fn write<T: Serialize + ?Sized>(
    registered: &RegisteredClaims<'_>,
    extra: &T,
) -> Result<Vec<u8>, TokenError> {
    let invalid = |error| TokenError::InvalidExtraClaims(JsonError::new(error));
    let written = Cell::new(0);
    let mut names = Vec::new();
    let mut json = serde_json::Serializer::new(Tracked {
        bytes: Vec::with_capacity(256),
        written: &written,
    });
    let mut object = json.serialize_map(None).map_err(invalid)?;
    write_registered(&mut object, registered).map_err(invalid)?;
    extra
        .serialize(Members {
            object: &mut object,
            written: &written,
            names: &mut names,
        })
        .map_err(invalid)?;
    SerializeMap::end(object).map_err(invalid)?;
    let bytes = json.into_inner().bytes;
    check_names(&bytes, &names)?;
    Ok(bytes)
}

fn write_registered<M: SerializeMap>(
    object: &mut M,
    claims: &RegisteredClaims<'_>,
) -> Result<(), M::Error> {
    object.serialize_entry("sub", claims.sub)?;
    object.serialize_entry("iat", &claims.iat)?;
    object.serialize_entry("exp", &claims.exp)?;
    object.serialize_entry("jti", claims.jti)?;
    if let Some(iss) = claims.iss {
        object.serialize_entry("iss", iss)?;
    }
    if let Some(aud) = &claims.aud {
        object.serialize_entry("aud", aud)?;
    }
    Ok(())
}

/// The caller's names, each a range of the written text holding `"name"` (after the comma
/// that separates it from the member before).
fn check_names(bytes: &[u8], names: &[Range<usize>]) -> Result<(), TokenError> {
    let text = |range: &Range<usize>| {
        let text = &bytes[range.clone()];
        text.strip_prefix(b",").unwrap_or(text)
    };
    let is_named = |text: &[u8], name: &str| {
        text.strip_prefix(b"\"")
            .and_then(|text| text.strip_suffix(b"\""))
            == Some(name.as_bytes())
    };
    if let Some(&claim) = Claim::ALL.iter().find(|claim| {
        names
            .iter()
            .any(|range| is_named(text(range), claim.wire_name()))
    }) {
        return Err(TokenError::ReservedClaim(claim));
    }
    // A handful of names is compared pairwise; more are sorted first.
    let repeated = if names.len() <= 8 {
        names.iter().enumerate().find_map(|(i, name)| {
            names[..i]
                .iter()
                .any(|earlier| text(earlier) == text(name))
                .then(|| text(name))
        })
    } else {
        let mut sorted: Vec<&[u8]> = names.iter().map(text).collect();
        sorted.sort_unstable();
        sorted
            .windows(2)
            .find(|pair| pair[0] == pair[1])
            .map(|pair| pair[0])
    };
    match repeated {
        None => Ok(()),
        Some(name) => {
            let name = serde_json::from_slice::<String>(name)
                .unwrap_or_else(|_| String::from_utf8_lossy(name).into_owned());
            Err(TokenError::InvalidExtraClaims(JsonError::new(
                serde_json::Error::custom(format_args!("duplicate member `{name}`")),
            )))
        }
    }
}

/// The output, counting what has been written where the caller's serializer cannot see it.
struct Tracked<'c> {
    bytes: Vec<u8>,
    written: &'c Cell<usize>,
}

impl io::Write for Tracked<'_> {
    #[inline]
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_all(buf)?;
        Ok(buf.len())
    }

    // `serde_json` writes through `write_all`, a few bytes at a time: the default would loop
    // over `write`. Inlined, so that a constant piece of punctuation is one store, as it is
    // for a `Vec`.
    #[inline]
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.bytes.extend_from_slice(buf);
        self.written.set(self.bytes.len());
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Serializes the caller's value as members of the payload object (as `#[serde(flatten)]`
/// would), noting where each name is written.
struct Members<'o, 'c, M> {
    object: &'o mut M,
    written: &'c Cell<usize>,
    names: &'o mut Vec<Range<usize>>,
}

impl<M: SerializeMap<Error = serde_json::Error>> Members<'_, '_, M> {
    fn key<K: Serialize + ?Sized>(&mut self, key: &K) -> Result<(), serde_json::Error> {
        let start = self.written.get();
        self.object.serialize_key(key)?;
        self.names.push(start..self.written.get());
        Ok(())
    }
}

/// The error for extra claims that are not a JSON object.
fn not_an_object(found: &str) -> serde_json::Error {
    serde_json::Error::custom(format_args!(
        "extra claims must serialize to a JSON object, found {found}"
    ))
}

macro_rules! refuse {
    ($($method:ident($($ty:ty),*) => $found:literal)*) => {$(
        fn $method(self, $(_: $ty),*) -> Result<(), serde_json::Error> {
            Err(not_an_object($found))
        }
    )*};
}

impl<M: SerializeMap<Error = serde_json::Error>> Serializer for Members<'_, '_, M> {
    type Ok = ();
    type Error = serde_json::Error;
    type SerializeSeq = Impossible<(), serde_json::Error>;
    type SerializeTuple = Impossible<(), serde_json::Error>;
    type SerializeTupleStruct = Impossible<(), serde_json::Error>;
    type SerializeTupleVariant = Impossible<(), serde_json::Error>;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Impossible<(), serde_json::Error>;

    refuse! {
        serialize_bool(bool) => "a boolean"
        serialize_i8(i8) => "a number" serialize_i16(i16) => "a number"
        serialize_i32(i32) => "a number" serialize_i64(i64) => "a number"
        serialize_i128(i128) => "a number" serialize_u8(u8) => "a number"
        serialize_u16(u16) => "a number" serialize_u32(u32) => "a number"
        serialize_u64(u64) => "a number" serialize_u128(u128) => "a number"
        serialize_f32(f32) => "a number" serialize_f64(f64) => "a number"
        serialize_char(char) => "a string" serialize_str(&str) => "a string"
        serialize_bytes(&[u8]) => "an array"
        serialize_unit_variant(&'static str, u32, &'static str) => "a string"
    }

    /// `()` and `None` stand for no claims of the caller's own.
    fn serialize_unit(self) -> Result<(), serde_json::Error> {
        Ok(())
    }

    fn serialize_none(self) -> Result<(), serde_json::Error> {
        Ok(())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), serde_json::Error> {
        Ok(())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), serde_json::Error> {
        value.serialize(self)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), serde_json::Error> {
        value.serialize(self)
    }

    /// An enum's newtype variant is, in JSON, an object of one member: the variant's name.
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        mut self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), serde_json::Error> {
        self.key(variant)?;
        self.object.serialize_value(value)
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, serde_json::Error> {
        Err(not_an_object("an array"))
    }

    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, serde_json::Error> {
        Err(not_an_object("an array"))
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, serde_json::Error> {
        Err(not_an_object("an array"))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, serde_json::Error> {
        Err(not_an_object(
            "an enum variant with fields; wrap it in a struct",
        ))
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Self, serde_json::Error> {
        Ok(self)
    }

    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Self, serde_json::Error> {
        Ok(self)
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, serde_json::Error> {
        Err(not_an_object(
            "an enum variant with fields; wrap it in a struct",
        ))
    }
}

impl<M: SerializeMap<Error = serde_json::Error>> SerializeMap for Members<'_, '_, M> {
    type Ok = ();
    type Error = serde_json::Error;

    fn serialize_key<K: Serialize + ?Sized>(&mut self, key: &K) -> Result<(), serde_json::Error> {
        self.key(key)
    }

    fn serialize_value<V: Serialize + ?Sized>(
        &mut self,
        value: &V,
    ) -> Result<(), serde_json::Error> {
        self.object.serialize_value(value)
    }

    fn end(self) -> Result<(), serde_json::Error> {
        Ok(())
    }
}

impl<M: SerializeMap<Error = serde_json::Error>> SerializeStruct for Members<'_, '_, M> {
    type Ok = ();
    type Error = serde_json::Error;

    fn serialize_field<V: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &V,
    ) -> Result<(), serde_json::Error> {
        self.key(name)?;
        self.object.serialize_value(value)
    }

    fn end(self) -> Result<(), serde_json::Error> {
        Ok(())
    }
}
