//! Reading a proof: the JWS, its header's `jwk`, the signature, then the claims, in that
//! order, so that nothing unsigned reaches the claim checks.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use super::DpopError;
use crate::token::claims::media_types_match;
use crate::token::key::{JwkDocument, PRIVATE_MEMBERS, Purpose};
use crate::token::strict_json::StrictValue;
use crate::token::{Algorithm, VerifyingKey};

/// The longest `jti` accepted; RFC 9449 §4.2 asks for 96 random bits, 16 base64url characters.
const MAX_JTI_BYTES: usize = 256;

/// A proof whose signature verified with its own `jwk`.
pub(crate) struct SignedProof {
    pub(crate) key: VerifyingKey,
    pub(crate) jkt: String,
    pub(crate) jti: String,
    pub(crate) htm: String,
    pub(crate) htu: String,
    pub(crate) iat: i64,
    pub(crate) ath: Option<String>,
    pub(crate) nonce: Option<String>,
}

pub(crate) fn read(proof: &str, accepted: &[Algorithm]) -> Result<SignedProof, DpopError> {
    let structure = || DpopError::Malformed { part: "structure" };
    let (signing_input, signature) = proof.rsplit_once('.').ok_or_else(structure)?;
    let (header, payload) = signing_input.split_once('.').ok_or_else(structure)?;
    if payload.contains('.') {
        return Err(structure());
    }
    let header = object(header, "header")?;
    let typ = header.get("typ").map(|typ| typ.as_str().ok_or(()));
    match typ {
        Some(Ok(typ)) if media_types_match(typ, "dpop+jwt") => {}
        Some(Ok(typ)) => {
            return Err(DpopError::WrongType {
                found: Some(typ.to_owned()),
            });
        }
        Some(Err(())) => return Err(DpopError::Malformed { part: "header" }),
        None => return Err(DpopError::WrongType { found: None }),
    }
    let alg = header
        .get("alg")
        .and_then(Value::as_str)
        .ok_or(DpopError::Malformed { part: "header" })?;
    let algorithm = Algorithm::from_name(alg)
        .filter(|algorithm| !algorithm.is_symmetric() && accepted.contains(algorithm))
        .ok_or_else(|| DpopError::UnsupportedAlgorithm {
            found: alg.to_owned(),
            accepted: super::algorithm_names(accepted),
        })?;
    // RFC 7515 §4.1.11: keyward understands no extension, so a proof that needs one is refused.
    if header.contains_key("crit") {
        return Err(DpopError::Malformed { part: "header" });
    }
    let key = public_key(header.get("jwk"), algorithm)?;
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| DpopError::Malformed { part: "signature" })?;
    key.verify_signature(signing_input.as_bytes(), &signature)
        .map_err(|_| DpopError::InvalidSignature)?;
    let jkt = key.thumbprint().ok_or(DpopError::MissingKey)?;

    let claims = object(payload, "payload")?;
    let jti = string(&claims, "jti")?;
    if jti.is_empty() || jti.len() > MAX_JTI_BYTES {
        return Err(DpopError::InvalidClaim { claim: "jti" });
    }
    Ok(SignedProof {
        key,
        jkt,
        jti,
        htm: string(&claims, "htm")?,
        htu: string(&claims, "htu")?,
        iat: numeric_date(&claims, "iat")?,
        ath: optional_string(&claims, "ath")?,
        nonce: optional_string(&claims, "nonce")?,
    })
}

/// The header's `jwk` as a verifying key for `algorithm`, after refusing private members and
/// running keyward's key checks.
fn public_key(jwk: Option<&Value>, algorithm: Algorithm) -> Result<VerifyingKey, DpopError> {
    let jwk = match jwk {
        None => return Err(DpopError::MissingKey),
        Some(Value::Object(jwk)) => jwk,
        Some(_) => return Err(DpopError::Malformed { part: "header" }),
    };
    if let Some(member) = PRIVATE_MEMBERS.iter().find(|m| jwk.contains_key(**m)) {
        return Err(DpopError::PrivateKey { member });
    }
    let document =
        JwkDocument::from_value(Value::Object(jwk.clone())).map_err(DpopError::InvalidKey)?;
    let rsa_default = matches!(algorithm, Algorithm::RS256 | Algorithm::PS256).then_some(algorithm);
    let purpose = Purpose {
        allow_secret: false,
        rsa_default,
    };
    let key = VerifyingKey::from_document(document, purpose).map_err(DpopError::InvalidKey)?;
    if key.algorithm() != algorithm {
        return Err(DpopError::KeyAlgorithmMismatch {
            alg: algorithm,
            key: key.algorithm(),
        });
    }
    Ok(key)
}

/// A part decoded as canonical base64url of a JSON object without duplicate members.
fn object(encoded: &str, part: &'static str) -> Result<Map<String, Value>, DpopError> {
    let malformed = || DpopError::Malformed { part };
    let bytes = URL_SAFE_NO_PAD.decode(encoded).map_err(|_| malformed())?;
    match serde_json::from_slice::<StrictValue>(&bytes) {
        Ok(StrictValue(Value::Object(map))) => Ok(map),
        _ => Err(malformed()),
    }
}

fn string(claims: &Map<String, Value>, claim: &'static str) -> Result<String, DpopError> {
    optional_string(claims, claim)?.ok_or(DpopError::MissingClaim { claim })
}

fn optional_string(
    claims: &Map<String, Value>,
    claim: &'static str,
) -> Result<Option<String>, DpopError> {
    match claims.get(claim) {
        None => Ok(None),
        Some(Value::String(value)) => Ok(Some(value.clone())),
        Some(_) => Err(DpopError::InvalidClaim { claim }),
    }
}

/// A NumericDate (RFC 7519 §2) in whole seconds; a fraction is dropped.
fn numeric_date(claims: &Map<String, Value>, claim: &'static str) -> Result<i64, DpopError> {
    let value = claims.get(claim).ok_or(DpopError::MissingClaim { claim })?;
    if let Some(seconds) = value.as_i64() {
        return Ok(seconds);
    }
    match value.as_f64() {
        // Within ±2^53, where an f64 holds whole seconds exactly; far beyond any real instant.
        #[allow(clippy::cast_possible_truncation)]
        Some(seconds) if seconds.is_finite() && seconds.abs() < 9_007_199_254_740_992.0 => {
            Ok(seconds.floor() as i64)
        }
        _ => Err(DpopError::InvalidClaim { claim }),
    }
}
