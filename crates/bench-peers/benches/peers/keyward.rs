//! keyward: `TokenIssuer` and its `TokenVerifier`, on the system clock like the peers.

use keyward::token::{Algorithm, SigningKey, TokenIssuer, TokenVerifier};

use crate::contestant::Contestant;
use crate::fixture::{AUDIENCE, Alg, ISSUER, ROLE, Role, SUBJECT, key};

pub struct Keyward {
    issuer: TokenIssuer,
    verifier: TokenVerifier,
}

impl Keyward {
    pub fn new(alg: Alg) -> Self {
        let key = match alg {
            Alg::Hs256 => SigningKey::hs256(crate::fixture::SECRET),
            Alg::Hs384 => SigningKey::hs384([7; 48]),
            Alg::Hs512 => SigningKey::hs512([7; 64]),
            Alg::Rs256 => SigningKey::from_pem_as(key(alg.private_pem()), Algorithm::RS256),
            Alg::Ps256 => SigningKey::from_pem_as(key(alg.private_pem()), Algorithm::PS256),
            Alg::Es256 => SigningKey::from_pem_as(key(alg.private_pem()), Algorithm::ES256),
            Alg::EdDsa => SigningKey::from_pem_as(key(alg.private_pem()), Algorithm::EdDSA),
        }
        .expect("a keyward key");
        let issuer = TokenIssuer::new(key)
            .with_issuer(ISSUER)
            .with_audience(AUDIENCE);
        let verifier = issuer.verifier();
        Self { issuer, verifier }
    }
}

impl Contestant for Keyward {
    fn issue(&self) -> String {
        self.issuer.issue(SUBJECT, &ROLE).expect("keyward issues")
    }

    fn verify(&self, token: &str) -> String {
        self.verifier
            .verify::<Role>(token)
            .expect("keyward verifies its token")
            .extra
            .role
    }
}
