//! Reading a token **without verifying it**. Nothing here checks a signature, an expiry, an
//! issuer or anything else: what it returns is whatever the sender chose to write.
//!
//! It exists for the few jobs that need a token's contents before, or instead of,
//! verification: printing a token while debugging, picking which issuer's verifier to use
//! from `iss` in a multi-tenant service (and then verifying with it), or logging the `kid` of a
//! token that failed. Never authorize anything from it. The module name is meant to stand out
//! in review, like `jsonwebtoken::dangerous` and jwt-simple's `decode_metadata`.

use serde::de::DeserializeOwned;

use super::jws::{self, Compact, WireHeader};
use super::strict_json::StrictValue;
use super::{JsonError, TokenError, TokenPart, TokenVerifier};

/// A token's header and claims as sent, **not verified**.
///
/// ```
/// use keyward::token::{TokenIssuer, dangerous};
///
/// let token = TokenIssuer::hs256([1u8; 32])?.with_key_id("k1").issue("alice", &())?;
/// let seen = dangerous::decode_unverified::<serde_json::Value>(&token)?;
/// assert_eq!(seen.header.kid.as_deref(), Some("k1"));
/// assert_eq!(seen.claims["sub"], "alice");
/// # Ok::<(), keyward::token::TokenError>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Unverified<T> {
    /// The protected header's fields that keyward reads.
    pub header: UnverifiedHeader,
    /// The payload, decoded as the caller's `T` (`serde_json::Value` to see everything).
    pub claims: T,
}

/// The header fields of an unverified token.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UnverifiedHeader {
    /// `alg` as written, even one keyward does not support (`none`, `HS1`...).
    pub algorithm: String,
    /// `typ`, if any.
    pub typ: Option<String>,
    /// `kid`, if any.
    pub kid: Option<String>,
}

/// Decodes a token's header and payload **without verifying anything**.
///
/// The same shape rules as verification apply, so that what this shows is what a verifier
/// would read: the size cap of [`TokenVerifier::DEFAULT_MAX_TOKEN_BYTES`], three parts,
/// canonical base64url, JSON objects with no member name twice at any depth. The signature is
/// decoded as base64url but not checked.
///
/// # Errors
///
/// [`TokenError::TooLarge`], [`TokenError::Malformed`], and
/// [`TokenError::InvalidExtraClaims`] when the payload is not a `T`.
///
/// ```
/// use keyward::token::{TokenError, TokenPart, dangerous};
///
/// // A token with alg "none" decodes here, which shows why nothing here may be trusted.
/// let forged = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.";
/// let seen = dangerous::decode_unverified::<serde_json::Value>(forged)?;
/// assert_eq!(seen.header.algorithm, "none");
/// assert_eq!(dangerous::decode_unverified::<()>("a.b").unwrap_err(), TokenError::Malformed(TokenPart::Structure));
/// # Ok::<(), TokenError>(())
/// ```
pub fn decode_unverified<T: DeserializeOwned>(token: &str) -> Result<Unverified<T>, TokenError> {
    let max = TokenVerifier::DEFAULT_MAX_TOKEN_BYTES;
    if token.len() > max {
        return Err(TokenError::TooLarge {
            len: token.len(),
            max,
        });
    }
    let compact = Compact::split(token)?;
    let header = WireHeader::decode(compact.header)?;
    jws::decode_part(compact.signature, TokenPart::Signature)?;
    let payload = jws::decode_part(compact.payload, TokenPart::Payload)?;
    let StrictValue(payload) =
        serde_json::from_slice(&payload).map_err(|_| TokenError::Malformed(TokenPart::Payload))?;
    if !payload.is_object() {
        return Err(TokenError::Malformed(TokenPart::Payload));
    }
    let claims = T::deserialize(payload)
        .map_err(|error| TokenError::InvalidExtraClaims(JsonError::new(error)))?;
    Ok(Unverified {
        header: UnverifiedHeader {
            algorithm: header.alg,
            typ: header.typ,
            kid: header.kid,
        },
        claims,
    })
}
