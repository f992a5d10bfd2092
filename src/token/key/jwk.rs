//! JSON Web Keys (RFC 7517) as keyward reads and writes them.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use super::super::strict_json::StrictValue;
use super::super::{Algorithm, KeyError};

/// The JWK members keyward reads and writes (RFC 7517 §4, RFC 7518 §6, RFC 8037 §2). Others
/// (`x5c`, `x5t`, `issuer`, ...) are ignored: keyward trusts the key set it was given, not
/// certificates inside it.
#[derive(Debug, Default, Serialize, Deserialize)]
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
    /// Only read: symmetric keys are never written.
    #[serde(skip_serializing)]
    pub(crate) k: Option<String>,
    /// Only read, to refuse private keys where a public one is expected.
    #[serde(skip_serializing)]
    pub(crate) d: Option<String>,
}

/// A key set document, `{"keys": [...]}` (RFC 7517 §5), each key still unjudged.
#[derive(Deserialize)]
pub(crate) struct JwkSetDocument {
    pub(crate) keys: Vec<serde_json::Value>,
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
        algorithm: Algorithm,
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
        algorithm: Algorithm,
        k: zeroize::Zeroizing<Vec<u8>>,
    },
}

impl JwkDocument {
    /// Parses one JWK, refusing duplicate member names at any depth.
    pub(crate) fn parse(json: &str) -> Result<Self, KeyError> {
        let StrictValue(value) =
            serde_json::from_str(json).map_err(|error| KeyError::NotJson(error.into()))?;
        Self::from_value(value)
    }

    pub(crate) fn from_value(value: serde_json::Value) -> Result<Self, KeyError> {
        serde_json::from_value(value).map_err(|error| KeyError::NotJson(error.into()))
    }

    /// Judges the JWK for `purpose`. The checks run from the most general to the most
    /// specific, so the reason given is the first thing wrong: secret material, then `use` and
    /// `key_ops`, then the key type, algorithm and curve, then the parameters.
    pub(crate) fn material(&self, purpose: Purpose) -> Result<JwkMaterial, KeyError> {
        let Purpose {
            allow_secret,
            rsa_default,
        } = purpose;
        if self.d.is_some() || (self.k.is_some() && !allow_secret) {
            return Err(KeyError::SecretNotAllowed);
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
                let algorithm = match algorithm.or(rsa_default) {
                    Some(algorithm @ (Algorithm::RS256 | Algorithm::PS256)) => algorithm,
                    Some(other) => return Err(mismatch(other)),
                    None => return Err(KeyError::MissingAlgorithm),
                };
                Ok(JwkMaterial::Rsa {
                    algorithm,
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
                Some(algorithm) if algorithm.is_symmetric() => Ok(JwkMaterial::Hmac {
                    algorithm,
                    k: zeroize::Zeroizing::new(param(self.k.as_deref(), "k")?),
                }),
                Some(other) => Err(mismatch(other)),
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

/// A `Base64urlUInt` (RFC 7518 §2): at least one octet, and no leading zero octet.
fn minimal_integer(value: Option<&str>, name: &'static str) -> Result<Vec<u8>, KeyError> {
    let bytes = param(value, name)?;
    match bytes.as_slice() {
        [] => Err(KeyError::InvalidEncoding(name)),
        [0, _, ..] => Err(KeyError::NotMinimal(name)),
        _ => Ok(bytes),
    }
}
