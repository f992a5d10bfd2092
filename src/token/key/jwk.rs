//! JSON Web Keys (RFC 7517) as keyward reads and writes them.

use std::cell::Cell;
use std::collections::HashSet;
use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use zeroize::{Zeroize as _, Zeroizing};

use super::super::backend::{HmacHash, RsaPadding};
use super::super::strict_json::{StrictValue, duplicate};
use super::super::{Algorithm, JsonError, KeyError};

/// The private members of a JWK (RFC 7518 §6.2.2 for EC, §6.3.2 for RSA, §6.4.1 for `oct`;
/// RFC 8037 §2 for OKP). Any one of them is enough to forge: `p` or `q` factors `n`, `dp` with
/// `e` and `n` gives a factor too, and `oth` holds further primes and their exponents.
pub(crate) const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// The JWK members keyward reads and writes (RFC 7517 §4, RFC 7518 §6, RFC 8037 §2). Others
/// (`x5c`, `x5t`, `issuer`, ...) are read only to check the JSON and then dropped: keyward
/// trusts the key set it was given, not certificates inside it.
///
/// Read member by member rather than through a `serde_json::Value`: the shared secret `k` goes
/// straight into a buffer wiped on drop, the values of the private members are wiped as soon as
/// their presence is noted, and a member of the wrong JSON type is noted as the key's
/// [`problem`](Self::problem) so that a key set can skip that one key.
#[derive(Default, Serialize)]
pub(crate) struct JwkDocument {
    pub(crate) kty: String,
    #[serde(rename = "use", skip_serializing_if = "Option::is_none")]
    pub(crate) key_use: Option<String>,
    #[serde(skip_serializing)]
    pub(crate) key_ops: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) alg: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) kid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) crv: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) x: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) y: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) n: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) e: Option<String>,
    /// The shared secret, only read (symmetric keys are never written), wiped on drop.
    #[serde(skip)]
    pub(crate) k: Option<Zeroizing<String>>,
    /// The first private member other than `k` the JWK holds; only its name is kept.
    #[serde(skip)]
    pub(crate) private: Option<&'static str>,
    /// The first member of the wrong JSON type, or a missing `kty`: why the key cannot be read.
    #[serde(skip)]
    pub(crate) problem: Option<KeyError>,
}

impl JwkDocument {
    /// The private member this JWK holds, `k` included, named as RFC 7518 spells it.
    pub(crate) fn private_member(&self) -> Option<&'static str> {
        self.private.or(self.k.as_ref().map(|_| "k"))
    }

    /// A JWK that is not a JSON object at all.
    fn not_an_object() -> Self {
        JwkDocument {
            problem: Some(KeyError::NotJson(JsonError::new(
                <serde_json::Error as de::Error>::custom("a JWK must be a JSON object"),
            ))),
            ..JwkDocument::default()
        }
    }
}

impl<'de> Deserialize<'de> for JwkDocument {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JwkVisitor)
    }
}

struct JwkVisitor;

impl<'de> Visitor<'de> for JwkVisitor {
    type Value = JwkDocument;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JWK object")
    }

    fn visit_bool<E>(self, _: bool) -> Result<JwkDocument, E> {
        Ok(JwkDocument::not_an_object())
    }

    fn visit_i64<E>(self, _: i64) -> Result<JwkDocument, E> {
        Ok(JwkDocument::not_an_object())
    }

    fn visit_u64<E>(self, _: u64) -> Result<JwkDocument, E> {
        Ok(JwkDocument::not_an_object())
    }

    fn visit_f64<E>(self, _: f64) -> Result<JwkDocument, E> {
        Ok(JwkDocument::not_an_object())
    }

    fn visit_str<E>(self, _: &str) -> Result<JwkDocument, E> {
        Ok(JwkDocument::not_an_object())
    }

    fn visit_unit<E>(self) -> Result<JwkDocument, E> {
        Ok(JwkDocument::not_an_object())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<JwkDocument, A::Error> {
        // Read to the end, still refusing repeated member names inside.
        while let Some(StrictValue(_)) = seq.next_element()? {}
        Ok(JwkDocument::not_an_object())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<JwkDocument, A::Error> {
        let mut jwk = JwkDocument::default();
        let mut kty = None;
        let mut seen = HashSet::new();
        while let Some(name) = map.next_key::<String>()? {
            if !seen.insert(name.clone()) {
                return Err(duplicate(&name));
            }
            if let Some(&private) = PRIVATE_MEMBERS.iter().find(|&&member| member == name) {
                let StrictValue(value) = map.next_value()?;
                if private == "k" {
                    jwk.k = Some(secret_text(value, &mut jwk.problem));
                } else {
                    wipe(value);
                    jwk.private.get_or_insert(private);
                }
                continue;
            }
            let StrictValue(value) = map.next_value()?;
            let problem = &mut jwk.problem;
            match name.as_str() {
                "kty" => kty = text(value, "kty", problem),
                "use" => jwk.key_use = text(value, "use", problem),
                "alg" => jwk.alg = text(value, "alg", problem),
                "kid" => jwk.kid = text(value, "kid", problem),
                "crv" => jwk.crv = text(value, "crv", problem),
                "x" => jwk.x = text(value, "x", problem),
                "y" => jwk.y = text(value, "y", problem),
                "n" => jwk.n = text(value, "n", problem),
                "e" => jwk.e = text(value, "e", problem),
                "key_ops" => jwk.key_ops = texts(value, problem),
                // Members keyward does not use; checked for repeated names, then dropped.
                _ => {}
            }
        }
        match kty {
            Some(kty) => jwk.kty = kty,
            None => {
                jwk.problem.get_or_insert(KeyError::MissingParameter("kty"));
            }
        }
        Ok(jwk)
    }
}

/// A string member's value; any other JSON type is noted as the key's problem.
fn text(value: Value, name: &'static str, problem: &mut Option<KeyError>) -> Option<String> {
    match value {
        Value::String(text) => Some(text),
        Value::Null => None,
        _ => {
            problem.get_or_insert(KeyError::InvalidMember {
                name,
                expected: "a string",
            });
            None
        }
    }
}

/// `key_ops`: an array of strings.
fn texts(value: Value, problem: &mut Option<KeyError>) -> Option<Vec<String>> {
    let Value::Array(items) = value else {
        problem.get_or_insert(KeyError::InvalidMember {
            name: "key_ops",
            expected: "an array of strings",
        });
        return None;
    };
    let mut texts = Vec::with_capacity(items.len());
    for item in items {
        texts.push(text(item, "key_ops", problem)?);
    }
    Some(texts)
}

/// `k`, moved into a buffer wiped on drop; anything but a string is wiped and noted.
fn secret_text(value: Value, problem: &mut Option<KeyError>) -> Zeroizing<String> {
    match value {
        Value::String(text) => Zeroizing::new(text),
        other => {
            wipe(other);
            problem.get_or_insert(KeyError::InvalidMember {
                name: "k",
                expected: "a string",
            });
            Zeroizing::new(String::new())
        }
    }
}

/// Overwrites every string in a value (a private member's) before it is freed.
fn wipe(value: Value) {
    match value {
        Value::String(mut text) => text.zeroize(),
        Value::Array(items) => items.into_iter().for_each(wipe),
        Value::Object(members) => members.into_iter().for_each(|(_, value)| wipe(value)),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// Reads a JWK set document, `{"keys": [...]}` (RFC 7517 §5), refusing it as soon as its
/// `keys` array holds more than `max_keys` entries: the keys after that are never read, so a
/// document of a million keys costs no more than one of `max_keys + 1`.
///
/// Each key is read as a [`JwkDocument`], still unjudged.
pub(crate) fn read_set(json: &str, max_keys: usize) -> Result<Vec<JwkDocument>, KeyError> {
    let mut deserializer = serde_json::Deserializer::from_str(json);
    read_set_from(&mut deserializer, max_keys)
}

/// [`read_set`] from any `serde_json` input, so that a test can count the bytes it reads.
pub(crate) fn read_set_from<'de, R: serde_json::de::Read<'de>>(
    deserializer: &mut serde_json::Deserializer<R>,
    max_keys: usize,
) -> Result<Vec<JwkDocument>, KeyError> {
    let too_many = Cell::new(false);
    let seed = SetSeed {
        max_keys,
        too_many: &too_many,
    };
    let keys = seed
        .deserialize(&mut *deserializer)
        .and_then(|keys| deserializer.end().map(|()| keys));
    match keys {
        Ok(keys) => Ok(keys),
        Err(_) if too_many.get() => Err(KeyError::TooManyKeys { max: max_keys }),
        Err(error) => Err(KeyError::NotJson(JsonError::new(error))),
    }
}

/// The set document: its `keys`, every other member checked and dropped.
struct SetSeed<'a> {
    max_keys: usize,
    too_many: &'a Cell<bool>,
}

impl<'de> DeserializeSeed<'de> for SetSeed<'_> {
    type Value = Vec<JwkDocument>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for SetSeed<'_> {
    type Value = Vec<JwkDocument>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JWK set object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut keys = None;
        let mut seen = HashSet::new();
        while let Some(name) = map.next_key::<String>()? {
            if !seen.insert(name.clone()) {
                return Err(duplicate(&name));
            }
            if name == "keys" {
                keys = Some(map.next_value_seed(KeysSeed {
                    max_keys: self.max_keys,
                    too_many: self.too_many,
                })?);
            } else {
                let StrictValue(_) = map.next_value()?;
            }
        }
        keys.ok_or_else(|| de::Error::missing_field("keys"))
    }
}

/// The `keys` array, counted as it is read.
struct KeysSeed<'a> {
    max_keys: usize,
    too_many: &'a Cell<bool>,
}

impl<'de> DeserializeSeed<'de> for KeysSeed<'_> {
    type Value = Vec<JwkDocument>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for KeysSeed<'_> {
    type Value = Vec<JwkDocument>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of JWKs")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut keys = Vec::new();
        while let Some(key) = seq.next_element::<JwkDocument>()? {
            if keys.len() == self.max_keys {
                self.too_many.set(true);
                return Err(de::Error::custom("too many keys"));
            }
            keys.push(key);
        }
        Ok(keys)
    }
}

/// What a JWK to verify with may be, and what may be assumed about it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Purpose {
    /// Whether a shared secret (`k`) is acceptable: for one key given on purpose, never in a
    /// published key set. A private key (`d`) never is.
    pub(crate) allow_secret: bool,
    /// The algorithm for RSA keys that name none.
    pub(crate) rsa_default: Option<Algorithm>,
}

/// The material of a usable JWK, checked for form (not yet for strength).
pub(crate) enum JwkMaterial {
    Rsa {
        padding: RsaPadding,
        n: Vec<u8>,
        e: Vec<u8>,
    },
    P256 {
        x: Vec<u8>,
        y: Vec<u8>,
    },
    Ed25519 {
        x: Vec<u8>,
    },
    Hmac {
        hash: HmacHash,
        k: Zeroizing<Vec<u8>>,
    },
}

impl JwkDocument {
    /// Parses one JWK, refusing duplicate member names at any depth.
    pub(crate) fn parse(json: &str) -> Result<Self, KeyError> {
        serde_json::from_str(json).map_err(|error| KeyError::NotJson(JsonError::new(error)))
    }

    /// Reads one JWK already parsed as JSON (a DPoP proof's `jwk` header member).
    pub(crate) fn from_value(value: serde_json::Value) -> Result<Self, KeyError> {
        serde_json::from_value(value).map_err(|error| KeyError::NotJson(JsonError::new(error)))
    }

    /// Judges the JWK for `purpose`. The checks run from the most general to the most
    /// specific, so the reason given is the first thing wrong: secret material, then `use` and
    /// `key_ops`, then the key type, algorithm and curve, then the parameters.
    pub(crate) fn material(&self, purpose: Purpose) -> Result<JwkMaterial, KeyError> {
        let Purpose {
            allow_secret,
            rsa_default,
        } = purpose;
        if let Some(member) = self.private {
            return Err(KeyError::SecretNotAllowed { member });
        }
        if self.k.is_some() && !allow_secret {
            return Err(KeyError::SecretNotAllowed { member: "k" });
        }
        if let Some(problem) = &self.problem {
            return Err(problem.clone());
        }
        if let Some(key_use) = self.key_use.as_deref().filter(|&u| u != "sig") {
            return Err(KeyError::NotForSigning(key_use.to_owned()));
        }
        if self
            .key_ops
            .as_ref()
            .is_some_and(|ops| !ops.iter().any(|op| op == "verify"))
        {
            return Err(KeyError::VerifyNotPermitted);
        }
        let algorithm = match self.alg.as_deref() {
            None => None,
            Some(name) => Some(
                Algorithm::from_name(name)
                    .ok_or_else(|| KeyError::UnsupportedAlgorithm(name.to_owned()))?,
            ),
        };
        let mismatch = |algorithm: Algorithm| KeyError::AlgorithmMismatch {
            algorithm,
            key_type: self.kty.clone(),
        };
        match self.kty.as_str() {
            "RSA" => {
                let padding = match algorithm.or(rsa_default) {
                    Some(algorithm) => RsaPadding::of(algorithm).ok_or(mismatch(algorithm))?,
                    None => return Err(KeyError::MissingAlgorithm),
                };
                Ok(JwkMaterial::Rsa {
                    padding,
                    n: minimal_integer(self.n.as_deref(), "n")?,
                    e: minimal_integer(self.e.as_deref(), "e")?,
                })
            }
            "EC" => {
                self.curve("P-256")?;
                match algorithm {
                    None | Some(Algorithm::ES256) => Ok(JwkMaterial::P256 {
                        x: param(self.x.as_deref(), "x")?,
                        y: param(self.y.as_deref(), "y")?,
                    }),
                    Some(other) => Err(mismatch(other)),
                }
            }
            "OKP" => {
                self.curve("Ed25519")?;
                match algorithm {
                    None | Some(Algorithm::EdDSA) => Ok(JwkMaterial::Ed25519 {
                        x: param(self.x.as_deref(), "x")?,
                    }),
                    Some(other) => Err(mismatch(other)),
                }
            }
            "oct" => match algorithm {
                Some(algorithm) => Ok(JwkMaterial::Hmac {
                    hash: HmacHash::of(algorithm).ok_or(mismatch(algorithm))?,
                    k: secret_param(self.k.as_deref().map(String::as_str))?,
                }),
                None => Err(KeyError::MissingAlgorithm),
            },
            other => Err(KeyError::UnsupportedKeyType(other.to_owned())),
        }
    }

    fn curve(&self, supported: &str) -> Result<(), KeyError> {
        match self.crv.as_deref() {
            Some(crv) if crv == supported => Ok(()),
            Some(crv) => Err(KeyError::UnsupportedCurve(crv.to_owned())),
            None => Err(KeyError::MissingParameter("crv")),
        }
    }
}

/// A base64url JWK parameter, canonical and unpadded as RFC 7515 §2 requires.
fn param(value: Option<&str>, name: &'static str) -> Result<Vec<u8>, KeyError> {
    let value = value.ok_or(KeyError::MissingParameter(name))?;
    URL_SAFE_NO_PAD
        .decode(value)
        .map_err(|_| KeyError::InvalidEncoding(name))
}

/// The base64url shared secret `k`, decoded into a buffer wiped on drop.
fn secret_param(value: Option<&str>) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let value = value.ok_or(KeyError::MissingParameter("k"))?;
    let mut bytes = Zeroizing::new(Vec::new());
    URL_SAFE_NO_PAD
        .decode_vec(value, &mut bytes)
        .map_err(|_| KeyError::InvalidEncoding("k"))?;
    Ok(bytes)
}

/// A `Base64urlUInt` (RFC 7518 §2): at least one octet, and no leading zero octet.
fn minimal_integer(value: Option<&str>, name: &'static str) -> Result<Vec<u8>, KeyError> {
    let bytes = param(value, name)?;
    match bytes.as_slice() {
        [] => Err(KeyError::InvalidEncoding(name)),
        [0, _, ..] => Err(KeyError::NotMinimal(name)),
        _ => Ok(bytes),
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::io::Read;
    use std::rc::Rc;

    use super::*;

    /// A reader that counts the bytes taken from it.
    struct Counting<'a> {
        data: &'a [u8],
        read: Rc<Cell<usize>>,
    }

    impl Read for Counting<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.data.read(buf)?;
            self.read.set(self.read.get() + n);
            Ok(n)
        }
    }

    /// The key count is enforced while the document is read: of 200,000 keys, only the first
    /// `max + 1` are read, and the bytes taken stop right after them (counted, not timed).
    #[test]
    fn the_key_count_stops_the_reading() {
        let max = 100;
        let document = format!(r#"{{"keys":[{}]}}"#, vec!["{}"; 200_000].join(","));
        let read = Rc::new(Cell::new(0));
        let reader = Counting {
            data: document.as_bytes(),
            read: Rc::clone(&read),
        };
        let mut deserializer = serde_json::Deserializer::from_reader(reader);
        let error = read_set_from(&mut deserializer, max).err();
        assert_eq!(error, Some(KeyError::TooManyKeys { max }));
        // `{"keys":[` and 101 keys of `{},`: 9 + 3 × 101 bytes, give or take the reader's
        // look-ahead; the whole document is 600,010 bytes.
        assert!(
            read.get() <= 9 + 3 * (max + 1) + 8,
            "read {} bytes",
            read.get()
        );
        assert_eq!(document.len(), 600_010);
    }

    /// A set of exactly `max` keys is read whole.
    #[test]
    fn a_set_at_the_cap_is_read() {
        let document = format!(r#"{{"keys":[{}]}}"#, vec!["{}"; 100].join(","));
        assert_eq!(
            read_set(&document, 100).map(|keys| keys.len()).ok(),
            Some(100)
        );
    }

    /// The values of private members are not kept, and `k` only in a wiped buffer.
    #[test]
    fn private_values_are_dropped_and_noted() {
        let jwk =
            JwkDocument::parse(r#"{"kty":"RSA","n":"AQAB","e":"AQAB","qi":"c2VjcmV0"}"#).unwrap();
        assert_eq!(jwk.private_member(), Some("qi"));
        let oct = JwkDocument::parse(r#"{"kty":"oct","k":"c2VjcmV0"}"#).unwrap();
        assert_eq!(oct.private_member(), Some("k"));
        assert_eq!(oct.k.as_deref().map(String::as_str), Some("c2VjcmV0"));
    }
}
