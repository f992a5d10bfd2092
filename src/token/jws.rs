//! The JWS compact serialization (RFC 7515 §7.1): three base64url parts joined by dots.
//!
//! Only the header fields keyward acts on are decoded; anything else in the header (`jwk`,
//! `jku`, `x5u`, `x5c`, ...) is ignored and never trusted.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

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

#[derive(Deserialize)]
struct WireHeader {
    alg: String,
    #[serde(default)]
    typ: Option<String>,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    crit: Option<serde::de::IgnoredAny>,
}

impl Header {
    pub(crate) fn decode(encoded: &str) -> Result<Self, TokenError> {
        let bytes = decode_part(encoded, TokenPart::Header)?;
        let wire: WireHeader =
            serde_json::from_slice(&bytes).map_err(|_| TokenError::Malformed(TokenPart::Header))?;
        // keyward implements no extension, so any critical one must be refused (RFC 7515 §4.1.11).
        if wire.crit.is_some() {
            return Err(TokenError::UnsupportedCriticalHeader);
        }
        let algorithm = Algorithm::from_name(&wire.alg).ok_or(TokenError::UnsupportedAlgorithm)?;
        Ok(Header {
            algorithm,
            typ: wire.typ,
            kid: wire.kid,
        })
    }
}

/// base64url without padding, canonical: padding, whitespace and stray trailing bits are errors,
/// so one token has exactly one spelling.
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
