//! DPoP, sender-constrained tokens (RFC 9449): an access token bound to a key pair the
//! client holds, usable only with a fresh proof, signed by that key, for each request.
//!
//! - The client makes proofs with a [`DpopProver`].
//! - The token endpoint checks the proof with a [`DpopVerifier`] and issues tokens bound to
//!   its key: [`KeyConfirmation`] as extra claims, and `token_type: "DPoP"`.
//! - The resource server reads `Authorization: DPoP <token>` ([`dpop_token`]), verifies the
//!   token, reads its [`KeyConfirmation`], and checks the `DPoP` header's proof with a
//!   [`DpopRequest`] carrying the token and its `jkt`. Each refusal is a [`DpopError`] with
//!   its RFC 9449 error code and `WWW-Authenticate` challenge.
//!
//! ```
//! use keyward::token::dpop::{DpopProver, DpopRequest, DpopVerifier, KeyConfirmation, ProofClaims};
//! use keyward::token::{KeyPairKind, SigningKey, TokenIssuer};
//!
//! // The client's key pair, and the auth service.
//! let client = DpopProver::new(SigningKey::generate(KeyPairKind::P256)?)?;
//! let auth = TokenIssuer::new(SigningKey::generate(KeyPairKind::Ed25519)?);
//! let token_url = "https://auth.example.com/token";
//!
//! // The token endpoint binds the access token to the proof's key.
//! let proof = client.proof("POST", token_url)?;
//! let bound = DpopVerifier::new().verify(&proof, &DpopRequest::new("POST", token_url))?;
//! let access = auth.issue("alice", &KeyConfirmation::new(bound.thumbprint()))?;
//!
//! // The resource server: the token, then a fresh proof made with the same key.
//! let url = "https://api.example.com/orders";
//! let proof = client.proof_for(&ProofClaims::new("GET", url).with_access_token(&access))?;
//! let claims = auth.verifier().verify::<KeyConfirmation>(&access)?;
//! let request = DpopRequest::new("GET", url).with_access_token(&access, claims.extra.jkt());
//! DpopVerifier::new().verify(&proof, &request)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod confirmation;
mod error;
mod htu;
mod nonce;
mod proof;
mod prover;
mod replay;
mod request;
mod verified;
mod verifier;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest as _, Sha256};

pub use confirmation::KeyConfirmation;
pub use error::{DpopError, ReplayStoreError};
pub use nonce::DpopNonces;
pub use prover::{DpopProver, ProofClaims};
pub use replay::{Freshness, InMemoryReplayStore, ReplayKey, ReplayStore};
pub use request::DpopRequest;
pub use verified::{DpopProof, PendingProof};
pub use verifier::DpopVerifier;

use super::{Algorithm, TokenError};

/// The algorithms a [`DpopVerifier`] accepts by default: every asymmetric one keyward verifies.
pub(crate) const DEFAULT_ALGORITHMS: &[Algorithm] = &[
    Algorithm::ES256,
    Algorithm::EdDSA,
    Algorithm::PS256,
    Algorithm::RS256,
];

/// `ath` (RFC 9449 §4.2): the base64url SHA-256 of the access token's ASCII text.
///
/// ```
/// // RFC 9449 §7.1's example token and the `ath` of its proof.
/// assert_eq!(
///     keyward::token::dpop::access_token_hash("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"),
///     "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"
/// );
/// ```
pub fn access_token_hash(access_token: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(access_token.as_bytes()))
}

/// The token of an HTTP `Authorization` header value in the DPoP scheme (RFC 9449 §7.1):
/// `DPoP`, in any case, one or more spaces, then a `token68`, under the same rules as
/// [`parse_bearer`](crate::token::parse_bearer).
///
/// # Errors
///
/// [`TokenError::MalformedAuthorization`], for another scheme (a `Bearer` token included) or a
/// malformed value.
///
/// ```
/// use keyward::token::dpop::dpop_token;
/// use keyward::token::TokenError;
///
/// assert_eq!(dpop_token("DPoP eyJhbGciOi.eyJzdWIi.c2ln")?, "eyJhbGciOi.eyJzdWIi.c2ln");
/// assert_eq!(dpop_token("Bearer eyJhbGciOi.eyJzdWIi.c2ln"), Err(TokenError::MalformedAuthorization));
/// # Ok::<(), TokenError>(())
/// ```
pub fn dpop_token(authorization: &str) -> Result<&str, TokenError> {
    match super::bearer::parse_credentials(authorization.as_bytes(), b"dpop") {
        Ok(Some(token)) => Ok(token),
        Ok(None) | Err(_) => Err(TokenError::MalformedAuthorization),
    }
}

/// The one proof among a request's `DPoP` header values (RFC 9449 §4.3, check 1).
///
/// # Errors
///
/// [`DpopError::Missing`] without one, [`DpopError::Multiple`] with several.
///
/// ```
/// use keyward::token::dpop::{DpopError, single_proof};
///
/// assert_eq!(single_proof(["a.b.c"])?, "a.b.c");
/// assert_eq!(single_proof(["a.b.c", "d.e.f"]), Err(DpopError::Multiple { count: 2 }));
/// assert_eq!(single_proof(Vec::<&str>::new()), Err(DpopError::Missing));
/// # Ok::<(), DpopError>(())
/// ```
pub fn single_proof<'a>(values: impl IntoIterator<Item = &'a str>) -> Result<&'a str, DpopError> {
    let mut values = values.into_iter();
    let first = values.next().ok_or(DpopError::Missing)?;
    let more = values.count();
    if more > 0 {
        return Err(DpopError::Multiple { count: more + 1 });
    }
    Ok(first)
}

pub(crate) fn algorithm_names(algorithms: &[Algorithm]) -> String {
    algorithms
        .iter()
        .map(|algorithm| algorithm.name())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `DPoP error="code", algs="..."`: both values are keyward's own, never a client's.
pub(crate) fn challenge(code: &str, algorithms: &[Algorithm]) -> String {
    format!(
        "DPoP error=\"{code}\", algs=\"{}\"",
        algorithm_names(algorithms)
    )
}
