//! `DpopProver`: the client side, making a proof for each request.

use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;

use super::{DpopError, access_token_hash, htu};
use crate::token::key::JwkDocument;
use crate::token::{Clock, SigningKey, SystemClock};

/// Makes DPoP proofs (RFC 9449 §4.2) with one key pair: a client, a test, or a service
/// calling another with DPoP-bound tokens. Each proof has a fresh random `jti` and the clock's
/// `iat`, names its public key in the header's `jwk`, and is signed with the private key.
///
/// ```
/// use keyward::token::dpop::{DpopProver, ProofClaims};
/// use keyward::token::{KeyPairKind, SigningKey};
///
/// let client = DpopProver::new(SigningKey::generate(KeyPairKind::P256)?)?;
/// // At the token endpoint: no access token yet.
/// let for_token = client.proof("POST", "https://auth.example.com/token")?;
/// // At the resource server: with the access token's hash, and a nonce if it asked for one.
/// let for_api = client.proof_for(
///     &ProofClaims::new("GET", "https://api.example.com/orders").with_access_token("eyJ...").with_nonce("n-1"),
/// )?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct DpopProver {
    key: SigningKey,
    /// The base64url header, the same for every proof.
    header: Arc<str>,
    jkt: Arc<str>,
    clock: Arc<dyn Clock>,
}

/// What one proof asserts: the request's method and URL, and optionally the access token it
/// presents and the server's nonce.
#[derive(Clone, Copy, Debug)]
pub struct ProofClaims<'a> {
    method: &'a str,
    url: &'a str,
    access_token: Option<&'a str>,
    nonce: Option<&'a str>,
}

impl<'a> ProofClaims<'a> {
    /// A proof for a `method` request to `url` (its query and fragment are left out of `htu`).
    ///
    /// ```
    /// # use keyward::token::dpop::ProofClaims;
    /// let claims = ProofClaims::new("POST", "https://auth.example.com/token");
    /// ```
    pub fn new(method: &'a str, url: &'a str) -> Self {
        ProofClaims {
            method,
            url,
            access_token: None,
            nonce: None,
        }
    }

    /// Returns these claims with `ath`, the hash of `access_token`.
    ///
    /// ```
    /// # use keyward::token::dpop::ProofClaims;
    /// let claims = ProofClaims::new("GET", "https://api.example.com/").with_access_token("a.b.c");
    /// ```
    #[must_use]
    pub fn with_access_token(mut self, access_token: &'a str) -> Self {
        self.access_token = Some(access_token);
        self
    }

    /// Returns these claims with the server's `nonce` (from its `DPoP-Nonce` header).
    ///
    /// ```
    /// # use keyward::token::dpop::ProofClaims;
    /// let claims = ProofClaims::new("GET", "https://api.example.com/").with_nonce("n-1");
    /// ```
    #[must_use]
    pub fn with_nonce(mut self, nonce: &'a str) -> Self {
        self.nonce = Some(nonce);
        self
    }
}

#[derive(Serialize)]
struct Header<'a> {
    typ: &'static str,
    alg: &'static str,
    jwk: &'a JwkDocument,
}

#[derive(Serialize)]
struct Payload<'a> {
    jti: &'a str,
    htm: &'a str,
    htu: &'a str,
    iat: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    ath: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    nonce: Option<&'a str>,
}

impl DpopProver {
    /// A prover signing with `key`, an asymmetric key (RS256, PS256, ES256 or `EdDSA`).
    ///
    /// # Errors
    ///
    /// [`DpopError::SymmetricKey`] for an HMAC key: a proof's key must be public.
    ///
    /// ```
    /// use keyward::token::dpop::{DpopError, DpopProver};
    /// use keyward::token::SigningKey;
    ///
    /// assert!(matches!(DpopProver::new(SigningKey::hs256([1u8; 32])?), Err(DpopError::SymmetricKey { .. })));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(key: SigningKey) -> Result<Self, DpopError> {
        let symmetric = || DpopError::SymmetricKey {
            algorithm: key.algorithm(),
        };
        let public = key.verifying_key_ref();
        let mut jwk = public.jwk_document().ok_or_else(symmetric)?;
        let jkt = public.thumbprint().ok_or_else(symmetric)?;
        // Only the key itself: no `kid`, `alg` or `use` to disagree with the header.
        jwk.kid = None;
        jwk.alg = None;
        jwk.key_use = None;
        let header = Header {
            typ: "dpop+jwt",
            alg: key.algorithm().name(),
            jwk: &jwk,
        };
        let header = serde_json::to_vec(&header).map_err(|_| DpopError::Signing)?;
        Ok(DpopProver {
            header: Arc::from(URL_SAFE_NO_PAD.encode(header)),
            jkt: Arc::from(jkt),
            key,
            clock: Arc::new(SystemClock),
        })
    }

    /// Returns this prover taking `iat` from `clock`.
    ///
    /// ```
    /// # use keyward::token::dpop::DpopProver;
    /// # use keyward::token::{FixedClock, KeyPairKind, SigningKey};
    /// let prover = DpopProver::new(SigningKey::generate(KeyPairKind::Ed25519)?)?
    ///     .with_clock(FixedClock::at_unix_seconds(1_800_000_000));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn with_clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The RFC 7638 thumbprint of the public key: the `cnf.jkt` of tokens bound to it.
    ///
    /// ```
    /// # use keyward::token::dpop::DpopProver;
    /// # use keyward::token::{KeyPairKind, SigningKey};
    /// let key = SigningKey::generate(KeyPairKind::Ed25519)?;
    /// let prover = DpopProver::new(key.clone())?;
    /// assert_eq!(Some(prover.thumbprint()), key.verifying_key().thumbprint().as_deref());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn thumbprint(&self) -> &str {
        &self.jkt
    }

    /// A proof for a `method` request to `url`, without access token or nonce.
    ///
    /// # Errors
    ///
    /// As [`proof_for`](Self::proof_for).
    ///
    /// ```
    /// # use keyward::token::dpop::DpopProver;
    /// # use keyward::token::{KeyPairKind, SigningKey};
    /// let prover = DpopProver::new(SigningKey::generate(KeyPairKind::Ed25519)?)?;
    /// assert_eq!(prover.proof("POST", "https://a.example/token")?.split('.').count(), 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn proof(&self, method: &str, url: &str) -> Result<String, DpopError> {
        self.proof_for(&ProofClaims::new(method, url))
    }

    /// A proof asserting `claims`.
    ///
    /// # Errors
    ///
    /// [`DpopError::InvalidRequestUrl`] when the URL is not an absolute http(s) URL;
    /// [`DpopError::Signing`] when no randomness is available or signing fails.
    ///
    /// ```
    /// # use keyward::token::dpop::{DpopError, DpopProver, ProofClaims};
    /// # use keyward::token::{KeyPairKind, SigningKey};
    /// let prover = DpopProver::new(SigningKey::generate(KeyPairKind::Ed25519)?)?;
    /// let bad = prover.proof_for(&ProofClaims::new("GET", "/relative"));
    /// assert!(matches!(bad, Err(DpopError::InvalidRequestUrl { .. })));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn proof_for(&self, claims: &ProofClaims<'_>) -> Result<String, DpopError> {
        let htu = htu::normalise(claims.url).ok_or_else(|| DpopError::InvalidRequestUrl {
            url: claims.url.to_owned(),
        })?;
        let mut jti = [0u8; 16];
        getrandom::fill(&mut jti).map_err(|_| DpopError::Signing)?;
        let jti = URL_SAFE_NO_PAD.encode(jti);
        let payload = Payload {
            jti: &jti,
            htm: claims.method,
            htu: &htu,
            iat: self.clock.now().timestamp(),
            ath: claims.access_token.map(access_token_hash),
            nonce: claims.nonce,
        };
        let payload = serde_json::to_vec(&payload).map_err(|_| DpopError::Signing)?;
        let mut proof = String::with_capacity(self.header.len() + payload.len() * 2 + 700);
        proof.push_str(&self.header);
        proof.push('.');
        URL_SAFE_NO_PAD.encode_string(payload, &mut proof);
        let signature = self
            .key
            .sign_with(proof.as_bytes(), |signature| {
                URL_SAFE_NO_PAD.encode(signature)
            })
            .map_err(|_| DpopError::Signing)?;
        proof.push('.');
        proof.push_str(&signature);
        Ok(proof)
    }
}

impl fmt::Debug for DpopProver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DpopProver")
            .field("algorithm", &self.key.algorithm())
            .field("thumbprint", &self.jkt)
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}
