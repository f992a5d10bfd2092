//! The JWS compact serialization (RFC 7515 §7.1): three base64url parts joined by dots.
//!
//! Only the header fields keyward acts on are decoded; anything else in the header (`jwk`,
//! `jku`, `x5u`, `x5c`, ...) is ignored and never trusted.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::strict_json::{StrictValue, duplicate};
use super::{Algorithm, SigningKey, TokenError, TokenKind, TokenPart};

/// A token split into its parts, borrowed from the caller's string.
pub(crate) struct Compact<'a> {
    /// `header.payload`, the bytes the signature covers.
    pub(crate) signing_input: &'a str,
    pub(crate) header: &'a str,
    pub(crate) payload: &'a str,
    pub(crate) signature: &'a str,
}

impl<'a> Compact<'a> {
    pub(crate) fn split(token: &'a str) -> Result<Self, TokenError> {
        let malformed = || TokenError::Malformed(TokenPart::Structure);
        let (signing_input, signature) = token.rsplit_once('.').ok_or_else(malformed)?;
        let (header, payload) = signing_input.split_once('.').ok_or_else(malformed)?;
        if payload.contains('.') {
            return Err(malformed());
        }
        Ok(Compact {
            signing_input,
            header,
            payload,
            signature,
        })
    }
}

/// The protected header fields keyward reads.
pub(crate) struct Header {
    pub(crate) algorithm: Algorithm,
    pub(crate) typ: Option<String>,
    pub(crate) kid: Option<String>,
}

/// The header as sent: `alg` still a name, `crit` still unjudged.
pub(crate) struct WireHeader {
    pub(crate) alg: String,
    pub(crate) typ: Option<String>,
    pub(crate) kid: Option<String>,
    crit: Option<Value>,
}

impl WireHeader {
    /// Decodes a header part: canonical base64url of a JSON object with a string `alg`, no
    /// member name twice at any depth, `typ` and `kid` strings when present.
    pub(crate) fn decode(encoded: &str) -> Result<Self, TokenError> {
        let bytes = decode_part(encoded, TokenPart::Header)?;
        serde_json::from_slice(&bytes).map_err(|_| TokenError::Malformed(TokenPart::Header))
    }
}

impl Header {
    pub(crate) fn decode(encoded: &str) -> Result<Self, TokenError> {
        let wire = WireHeader::decode(encoded)?;
        match wire.crit {
            None => {}
            // RFC 7515 §4.1.11: when present, `crit` is a non-empty array of names. keyward
            // implements no extension, so a well-formed one is refused as unsupported.
            Some(Value::Array(names))
                if !names.is_empty() && names.iter().all(Value::is_string) =>
            {
                return Err(TokenError::UnsupportedCriticalHeader);
            }
            Some(_) => return Err(TokenError::Malformed(TokenPart::Header)),
        }
        let algorithm = Algorithm::from_name(&wire.alg).ok_or(TokenError::UnsupportedAlgorithm)?;
        Ok(Header {
            algorithm,
            typ: wire.typ,
            kid: wire.kid,
        })
    }
}

impl<'de> Deserialize<'de> for WireHeader {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(HeaderVisitor)
    }
}

struct HeaderVisitor;

impl<'de> Visitor<'de> for HeaderVisitor {
    type Value = WireHeader;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JOSE header object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<WireHeader, A::Error> {
        let (mut alg, mut typ, mut kid, mut crit) = (None, None, None, None);
        // Names of members keyward does not read, kept only to refuse a second one.
        let mut others: Vec<String> = Vec::new();
        while let Some(name) = map.next_key::<String>()? {
            let StrictValue(value) = map.next_value()?;
            let slot = match name.as_str() {
                "alg" => &mut alg,
                "typ" => &mut typ,
                "kid" => &mut kid,
                "crit" => &mut crit,
                _ if others.contains(&name) => return Err(duplicate(&name)),
                _ => {
                    others.push(name);
                    continue;
                }
            };
            if slot.replace(value).is_some() {
                return Err(duplicate(&name));
            }
        }
        let string = |value: Option<Value>, name: &str| match value {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text)),
            Some(_) => Err(de::Error::custom(format_args!("`{name}` is not a string"))),
        };
        Ok(WireHeader {
            alg: string(alg, "alg")?.ok_or_else(|| de::Error::missing_field("alg"))?,
            typ: string(typ, "typ")?,
            kid: string(kid, "kid")?,
            crit,
        })
    }
}

/// base64url without padding, canonical: padding, whitespace and stray trailing bits are errors.
///
/// This makes each *part* have one spelling, but not each token: ECDSA signatures are malleable
/// (from a valid `(r, s)` anyone can make the equally valid `(r, n − s)`), so a token's text is
/// never an identifier. Replay and revocation checks key on `jti`, never on the token string.
pub(crate) fn decode_part(encoded: &str, part: TokenPart) -> Result<Vec<u8>, TokenError> {
    URL_SAFE_NO_PAD
        .decode(encoded)
        .map_err(|_| TokenError::Malformed(part))
}

#[derive(Serialize)]
struct OutgoingHeader<'a> {
    alg: &'static str,
    typ: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    kid: Option<&'a str>,
}

/// Signs `claims` (a serialized JSON object) into a compact token of the given kind.
pub(crate) fn encode(
    key: &SigningKey,
    kind: TokenKind,
    claims: &[u8],
) -> Result<String, TokenError> {
    let header = OutgoingHeader {
        alg: key.algorithm().name(),
        typ: kind.media_type(),
        kid: key.key_id(),
    };
    let header = serde_json::to_vec(&header).expect("a header of strings serializes");
    let mut token = String::with_capacity((header.len() + claims.len()) * 4 / 3 + 100);
    URL_SAFE_NO_PAD.encode_string(&header, &mut token);
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(claims, &mut token);
    let signature = key.sign(token.as_bytes())?;
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(signature, &mut token);
    Ok(token)
}
