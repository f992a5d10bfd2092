//! The JWS compact serialization (RFC 7515 §7.1): three base64url parts joined by dots.
//!
//! Only the header fields keyward acts on are decoded; anything else in the header (`jwk`,
//! `jku`, `x5u`, `x5c`, ...) is ignored and never trusted.

use std::borrow::Cow;
use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::strict_json::{StrictValue, duplicate};
use super::{Algorithm, KeyError, SigningKey, TokenError, TokenKind, TokenPart};

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

/// The protected header fields keyward reads, borrowed from the decoded header where the JSON
/// spells them without escapes.
pub(crate) struct Header<'a> {
    pub(crate) algorithm: Algorithm,
    pub(crate) typ: Option<Cow<'a, str>>,
    pub(crate) kid: Option<Cow<'a, str>>,
}

/// The header as sent: `alg` still a name, `crit` still unjudged.
pub(crate) struct WireHeader {
    pub(crate) alg: String,
    pub(crate) typ: Option<String>,
    pub(crate) kid: Option<String>,
}

impl WireHeader {
    /// Decodes a header part: canonical base64url of a JSON object with a string `alg`, no
    /// member name twice at any depth, `typ` and `kid` strings when present.
    pub(crate) fn decode(encoded: &str) -> Result<Self, TokenError> {
        let bytes = decode_part(encoded, TokenPart::Header)?;
        let header = BorrowedHeader::parse(&bytes)?;
        Ok(WireHeader {
            alg: header.alg.into_owned(),
            typ: header.typ.map(Cow::into_owned),
            kid: header.kid.map(Cow::into_owned),
        })
    }
}

/// The longest header decoded on the stack; keyward's own headers are well under 100 bytes.
pub(crate) const HEADER_ON_STACK: usize = 192;

/// Room for the longest signature decoded on the stack: 64 bytes, HMAC-SHA-512's, ES256's and
/// Ed25519's, with the 3 base64 keeps spare. RSA signatures (256 to 512 bytes, verified in
/// tens of microseconds) go to the heap.
pub(crate) const SIGNATURE_ON_STACK: usize = 64 + 3;

/// The longest payload decoded on the stack: keyward's own claims with a few of the caller's
/// are 150 to 300 bytes.
pub(crate) const PAYLOAD_ON_STACK: usize = 512;

/// Room for a decoded part: on the stack when it fits in `N` bytes (less the 3 that base64,
/// decoding whole 3-byte groups, keeps spare), else on the heap.
pub(crate) struct PartBuf<const N: usize> {
    stack: [u8; N],
    heap: Vec<u8>,
}

impl<const N: usize> PartBuf<N> {
    pub(crate) fn new() -> Self {
        PartBuf {
            stack: [0; N],
            heap: Vec::new(),
        }
    }

    /// Decodes `encoded` as [`decode_part`] does, with the same errors, into this buffer.
    pub(crate) fn decode(&mut self, encoded: &str, part: TokenPart) -> Result<&[u8], TokenError> {
        match decode_small(encoded, &mut self.stack) {
            Some(Ok(len)) => Ok(&self.stack[..len]),
            Some(Err(())) => Err(TokenError::Malformed(part)),
            None => {
                self.heap = decode_part(encoded, part)?;
                Ok(&self.heap)
            }
        }
    }
}

/// The header members [`Header`] and [`WireHeader`] are made from.
struct BorrowedHeader<'a> {
    alg: Cow<'a, str>,
    typ: Option<Cow<'a, str>>,
    kid: Option<Cow<'a, str>>,
    crit: Option<Value>,
    /// Whether the header has a `b64` member (RFC 7797), whatever its value or `crit`.
    b64: bool,
}

impl<'a> BorrowedHeader<'a> {
    fn parse(json: &'a [u8]) -> Result<Self, TokenError> {
        serde_json::from_slice(json).map_err(|_| TokenError::Malformed(TokenPart::Header))
    }
}

impl<'a> Header<'a> {
    /// Decodes and judges a header part, into `buf`: the header's strings borrow from it.
    pub(crate) fn decode(
        encoded: &str,
        buf: &'a mut PartBuf<HEADER_ON_STACK>,
    ) -> Result<Self, TokenError> {
        let bytes: &'a [u8] = buf.decode(encoded, TokenPart::Header)?;
        let wire = BorrowedHeader::parse(bytes)?;
        // RFC 7797's `b64: false` says the payload is not base64url: a signer meaning that
        // signed other bytes than keyward would read. Its §6 wants `b64` listed in `crit`, but
        // an implementation that ignores an unlisted `b64` would read the payload differently
        // from one that honours it, so keyward, which implements neither, refuses any `b64`.
        // (Found by the jws_header fuzz target: `{"b64":false,"!crit":["b64"]}` was accepted.)
        if wire.b64 {
            return Err(TokenError::UnsupportedCriticalHeader);
        }
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
        let algorithm =
            Algorithm::from_name(&wire.alg).ok_or_else(|| TokenError::UnsupportedAlgorithm {
                found: wire.alg.clone().into_owned(),
            })?;
        Ok(Header {
            algorithm,
            typ: wire.typ,
            kid: wire.kid,
        })
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for BorrowedHeader<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(HeaderVisitor)
    }
}

struct HeaderVisitor;

impl<'de> Visitor<'de> for HeaderVisitor {
    type Value = BorrowedHeader<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JOSE header object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<BorrowedHeader<'de>, A::Error> {
        let (mut alg, mut typ, mut kid, mut crit) = (None, None, None, None);
        let mut b64 = false;
        // Names of members keyward does not read, kept only to refuse a second one. A set, not
        // a list: the header is decoded before the signature is checked, so a forged header of
        // a thousand short names must not cost a million comparisons.
        let mut others: std::collections::BTreeSet<Cow<'de, str>> =
            std::collections::BTreeSet::new();
        while let Some(BorrowedStr(name)) = map.next_key()? {
            // `alg`, `typ` and `kid` must be strings: anything else fails here, as malformed,
            // just as a duplicate does at any depth of any other member.
            let slot = match &*name {
                "alg" => &mut alg,
                "typ" => &mut typ,
                "kid" => &mut kid,
                "crit" => {
                    let StrictValue(value) = map.next_value()?;
                    if crit.replace(value).is_some() {
                        return Err(duplicate(&name));
                    }
                    continue;
                }
                _ => {
                    let StrictValue(_) = map.next_value()?;
                    b64 |= name == "b64";
                    if others.contains(&name) {
                        return Err(duplicate(&name));
                    }
                    others.insert(name);
                    continue;
                }
            };
            let BorrowedStr(value) = map.next_value()?;
            if slot.replace(value).is_some() {
                return Err(duplicate(&name));
            }
        }
        Ok(BorrowedHeader {
            alg: alg.ok_or_else(|| de::Error::missing_field("alg"))?,
            typ,
            kid,
            crit,
            b64,
        })
    }
}

/// A JSON string, borrowed from the input when it has no escapes.
pub(crate) struct BorrowedStr<'de>(pub(crate) Cow<'de, str>);

impl<'de> Deserialize<'de> for BorrowedStr<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StrVisitor;

        impl<'de> Visitor<'de> for StrVisitor {
            type Value = BorrowedStr<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }

            fn visit_borrowed_str<E>(self, value: &'de str) -> Result<Self::Value, E> {
                Ok(BorrowedStr(Cow::Borrowed(value)))
            }

            fn visit_str<E>(self, value: &str) -> Result<Self::Value, E> {
                Ok(BorrowedStr(Cow::Owned(value.to_owned())))
            }

            fn visit_string<E>(self, value: String) -> Result<Self::Value, E> {
                Ok(BorrowedStr(Cow::Owned(value)))
            }
        }

        deserializer.deserialize_str(StrVisitor)
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

/// [`decode_part`] into `out` without allocating: `None` when `encoded` may not fit (the caller
/// then uses [`decode_part`], so that errors are the same either way), else the decoded length
/// or the part's malformation.
fn decode_small(encoded: &str, out: &mut [u8]) -> Option<Result<usize, ()>> {
    // base64 asks for room for whole 3-byte groups: `out` has 3 bytes to spare.
    if encoded.len() / 4 * 3 + 3 > out.len() {
        return None;
    }
    Some(URL_SAFE_NO_PAD.decode_slice(encoded, out).map_err(|_| ()))
}

#[derive(Serialize)]
struct OutgoingHeader<'a> {
    alg: &'static str,
    typ: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    kid: Option<&'a str>,
}

/// The base64url headers keyward writes for `algorithm` and `kid`: access, then refresh.
pub(crate) fn encoded_headers(algorithm: Algorithm, kid: Option<&str>) -> [String; 2] {
    [TokenKind::Access, TokenKind::Refresh].map(|kind| {
        let header = OutgoingHeader {
            alg: algorithm.name(),
            typ: kind.media_type(),
            kid,
        };
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header).expect("a header of strings serializes"))
    })
}

/// The longest raw signature keyward makes: RSA with the largest modulus a backend accepts;
/// every other algorithm's is shorter.
const MAX_SIGNATURE_LEN: usize = 8192 / 8;

/// Signs `claims` (a serialized JSON object) into a compact token of the given kind.
pub(crate) fn encode(
    key: &SigningKey,
    kind: TokenKind,
    claims: &[u8],
) -> Result<String, TokenError> {
    let header = key.verifying_key_ref().encoded_header(kind);
    let mut token = String::with_capacity(header.len() + claims.len() * 4 / 3 + 100);
    token.push_str(header);
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(claims, &mut token);
    // The signature is copied out of the backend's buffer onto the stack, since the token it
    // is appended to is borrowed while signing.
    let mut copy = [0u8; MAX_SIGNATURE_LEN];
    let len = key
        .sign_with(token.as_bytes(), |signature| {
            let out = copy.get_mut(..signature.len())?;
            out.copy_from_slice(signature);
            Some(signature.len())
        })?
        // A signature longer than any keyward's keys make (the checks cap RSA moduli): kept
        // as the backend's unexplained refusal, since no key keyward loads can reach it.
        .ok_or(TokenError::InvalidKey(KeyError::Rejected))?;
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(&copy[..len], &mut token);
    Ok(token)
}
