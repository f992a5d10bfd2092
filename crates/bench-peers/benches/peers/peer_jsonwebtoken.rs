//! jsonwebtoken: `encode` and `decode` with an `EncodingKey` and `DecodingKey` built once, on
//! the crypto provider matching keyward's backend.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::contestant::Contestant;
use crate::fixture::{
    AUDIENCE, Alg, ISSUER, LIFETIME_SECS, ROLE, RoleOut, SUBJECT, TOKEN_ID, key, now_secs,
};

/// The claims as issued: borrowed strings, as keyward serialises them.
#[derive(Serialize)]
struct Issued<'a> {
    sub: &'a str,
    iat: u64,
    exp: u64,
    jti: &'a str,
    iss: &'a str,
    aud: &'a str,
    #[serde(flatten)]
    extra: &'a RoleOut,
}

/// The claims as verified: every registered claim read, as keyward reads them.
#[derive(Deserialize)]
#[allow(dead_code)] // read by serde, as keyward reads its claims
struct Verified {
    sub: String,
    iat: u64,
    exp: u64,
    jti: String,
    iss: String,
    aud: String,
    role: String,
}

pub struct JsonWebToken {
    header: Header,
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

/// Installs the provider matching keyward's backend: with both of jsonwebtoken's providers
/// compiled (`--all-features`) it picks none by itself.
pub fn install_provider() {
    #[cfg(feature = "aws-lc-rs")]
    let provider = &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER;
    #[cfg(not(feature = "aws-lc-rs"))]
    let provider = &jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER;
    let _ = provider.install_default();
}

impl JsonWebToken {
    pub fn new(alg: Alg) -> Self {
        let (algorithm, encoding, decoding) = if let Some(secret) = alg.secret() {
            let algorithm = match alg {
                Alg::Hs256 => Algorithm::HS256,
                Alg::Hs384 => Algorithm::HS384,
                _ => Algorithm::HS512,
            };
            (
                algorithm,
                EncodingKey::from_secret(secret),
                DecodingKey::from_secret(secret),
            )
        } else {
            let (private, public) = (key(alg.private_pem()), key(alg.public_pem()));
            match alg {
                Alg::Rs256 | Alg::Ps256 => (
                    if alg == Alg::Rs256 {
                        Algorithm::RS256
                    } else {
                        Algorithm::PS256
                    },
                    EncodingKey::from_rsa_pem(&private),
                    DecodingKey::from_rsa_pem(&public),
                ),
                Alg::Es256 => (
                    Algorithm::ES256,
                    EncodingKey::from_ec_pem(&private),
                    DecodingKey::from_ec_pem(&public),
                ),
                _ => (
                    Algorithm::EdDSA,
                    EncodingKey::from_ed_pem(&private),
                    DecodingKey::from_ed_pem(&public),
                ),
            }
        };
        let mut validation = Validation::new(algorithm);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "sub", "iss", "aud"]);
        validation.leeway = 0;
        Self {
            header: Header::new(algorithm),
            encoding: encoding.expect("a jsonwebtoken encoding key"),
            decoding: decoding.expect("a jsonwebtoken decoding key"),
            validation,
        }
    }
}

impl Contestant for JsonWebToken {
    fn issue(&self) -> String {
        let now = now_secs();
        let claims = Issued {
            sub: SUBJECT,
            iat: now,
            exp: now + LIFETIME_SECS,
            jti: TOKEN_ID,
            iss: ISSUER,
            aud: AUDIENCE,
            extra: &ROLE,
        };
        jsonwebtoken::encode(&self.header, &claims, &self.encoding).expect("jsonwebtoken issues")
    }

    fn verify(&self, token: &str) -> String {
        jsonwebtoken::decode::<Verified>(token, &self.decoding, &self.validation)
            .expect("jsonwebtoken verifies its token")
            .claims
            .role
    }
}
