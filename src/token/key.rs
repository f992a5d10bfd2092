//! Signing and verifying keys. Each key has exactly one algorithm, fixed when it is built, and
//! every key is checked when it is built (see [`KeyError`] for what is refused and why).

mod checks;
mod error;
mod generate;
mod jwk;
mod pem;
mod set;
mod signing;
mod verifying;

use self::pem::KeyKind;
use super::{Algorithm, TokenError};

pub use self::error::{JsonError, KeyError, SkippedKey};
pub(crate) use self::jwk::{JwkDocument, PRIVATE_MEMBERS, Purpose};
pub use self::set::KeySet;
pub use self::signing::{KeyPairKind, SigningKey};
pub use self::verifying::VerifyingKey;

fn invalid(error: KeyError) -> TokenError {
    TokenError::InvalidKey(error)
}

/// `error` as the refusal of a call that wanted a key of kind `expected`: an unsupported key
/// type names that kind rather than every kind keyward reads.
fn wanting(error: KeyError, expected: KeyKind) -> TokenError {
    invalid(match error {
        KeyError::WrongKeyType { found, .. } => KeyError::WrongKeyType {
            found,
            expected: expected.name(),
        },
        other => other,
    })
}

/// The key kind an asymmetric algorithm needs.
fn kind_for(algorithm: Algorithm) -> Result<KeyKind, TokenError> {
    match algorithm {
        Algorithm::RS256 | Algorithm::PS256 => Ok(KeyKind::Rsa),
        Algorithm::ES256 => Ok(KeyKind::P256),
        Algorithm::EdDSA => Ok(KeyKind::Ed25519),
        Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => {
            Err(invalid(KeyError::WrongKeyType {
                found: "a PEM key".to_owned(),
                expected: "an HMAC secret",
            }))
        }
    }
}
