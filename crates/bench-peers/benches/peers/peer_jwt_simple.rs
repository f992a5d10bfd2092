//! jwt-simple (pure Rust, the same build on both backends): key pairs and public keys built
//! once; `VerificationOptions` with no time tolerance, the issuer, audience and subject
//! required.

use std::collections::HashSet;

use jwt_simple::prelude::{
    Claims, Duration, ECDSAP256KeyPairLike, ECDSAP256PublicKeyLike, ES256KeyPair, ES256PublicKey,
    Ed25519KeyPair, Ed25519PublicKey, EdDSAKeyPairLike, EdDSAPublicKeyLike, HS256Key, HS384Key,
    HS512Key, JWTClaims, MACLike, PS256KeyPair, PS256PublicKey, RS256KeyPair, RS256PublicKey,
    RSAKeyPairLike, RSAPublicKeyLike, VerificationOptions,
};

use crate::contestant::Contestant;
use crate::fixture::{
    AUDIENCE, Alg, ISSUER, LIFETIME_SECS, ROLE, Role, RoleOut, SUBJECT, TOKEN_ID, key_text,
};

enum Keys {
    Hs256(HS256Key),
    Hs384(HS384Key),
    Hs512(HS512Key),
    Rs256(RS256KeyPair, RS256PublicKey),
    Ps256(PS256KeyPair, PS256PublicKey),
    Es256(ES256KeyPair, ES256PublicKey),
    EdDsa(Ed25519KeyPair, Ed25519PublicKey),
}

pub struct JwtSimple {
    keys: Keys,
    options: VerificationOptions,
}

impl JwtSimple {
    pub fn new(alg: Alg) -> Self {
        let pem = || key_text(alg.private_pem());
        let keys = match alg {
            Alg::Hs256 => Keys::Hs256(HS256Key::from_bytes(alg.secret().expect("HS"))),
            Alg::Hs384 => Keys::Hs384(HS384Key::from_bytes(alg.secret().expect("HS"))),
            Alg::Hs512 => Keys::Hs512(HS512Key::from_bytes(alg.secret().expect("HS"))),
            Alg::Rs256 => {
                let pair = RS256KeyPair::from_pem(&pem()).expect("a jwt-simple RSA key");
                let public = pair.public_key();
                Keys::Rs256(pair, public)
            }
            Alg::Ps256 => {
                let pair = PS256KeyPair::from_pem(&pem()).expect("a jwt-simple RSA key");
                let public = pair.public_key();
                Keys::Ps256(pair, public)
            }
            Alg::Es256 => {
                let pair = ES256KeyPair::from_pem(&pem()).expect("a jwt-simple P-256 key");
                let public = pair.public_key();
                Keys::Es256(pair, public)
            }
            Alg::EdDsa => {
                let pair = Ed25519KeyPair::from_pem(&pem()).expect("a jwt-simple Ed25519 key");
                let public = pair.public_key();
                Keys::EdDsa(pair, public)
            }
        };
        let options = VerificationOptions {
            allowed_issuers: Some(HashSet::from([ISSUER.to_owned()])),
            allowed_audiences: Some(HashSet::from([AUDIENCE.to_owned()])),
            required_subject: Some(SUBJECT.to_owned()),
            time_tolerance: Some(Duration::from_secs(0)),
            ..VerificationOptions::default()
        };
        Self { keys, options }
    }
}

fn claims() -> JWTClaims<&'static RoleOut> {
    Claims::with_custom_claims(&ROLE, Duration::from_secs(LIFETIME_SECS))
        .with_subject(SUBJECT)
        .with_issuer(ISSUER)
        .with_audience(AUDIENCE)
        .with_jwt_id(TOKEN_ID)
}

impl Contestant for JwtSimple {
    fn issue(&self) -> String {
        match &self.keys {
            Keys::Hs256(key) => key.authenticate(claims()),
            Keys::Hs384(key) => key.authenticate(claims()),
            Keys::Hs512(key) => key.authenticate(claims()),
            Keys::Rs256(pair, _) => pair.sign(claims()),
            Keys::Ps256(pair, _) => pair.sign(claims()),
            Keys::Es256(pair, _) => pair.sign(claims()),
            Keys::EdDsa(pair, _) => pair.sign(claims()),
        }
        .expect("jwt-simple issues")
    }

    fn verify(&self, token: &str) -> String {
        let options = Some(self.options.clone());
        match &self.keys {
            Keys::Hs256(key) => key.verify_token::<Role>(token, options),
            Keys::Hs384(key) => key.verify_token::<Role>(token, options),
            Keys::Hs512(key) => key.verify_token::<Role>(token, options),
            Keys::Rs256(_, public) => public.verify_token::<Role>(token, options),
            Keys::Ps256(_, public) => public.verify_token::<Role>(token, options),
            Keys::Es256(_, public) => public.verify_token::<Role>(token, options),
            Keys::EdDsa(_, public) => public.verify_token::<Role>(token, options),
        }
        .expect("jwt-simple verifies its token")
        .custom
        .role
    }
}
