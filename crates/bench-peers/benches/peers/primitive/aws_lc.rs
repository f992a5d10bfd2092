use aws_lc_rs::hmac;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    self, EcdsaKeyPair, Ed25519KeyPair, KeyPair, ParsedPublicKey, RsaKeyPair,
};

use super::{Primitive, black_box, der};
use crate::fixture::{Alg, SECRET};

struct Hmac(hmac::Key);
impl Primitive for Hmac {
    fn sign(&self, message: &[u8]) -> usize {
        black_box(hmac::sign(&self.0, message)).as_ref().len()
    }
    fn verify(&self, message: &[u8], signature: &[u8]) {
        hmac::verify(&self.0, message, signature).expect("the bare primitive");
    }
}

struct Rsa(
    RsaKeyPair,
    &'static dyn signature::RsaEncoding,
    ParsedPublicKey,
);
impl Primitive for Rsa {
    fn sign(&self, message: &[u8]) -> usize {
        let mut out = [0u8; 512];
        let out = &mut out[..self.0.public_modulus_len()];
        self.0
            .sign(self.1, &SystemRandom::new(), message, out)
            .expect("the bare primitive");
        black_box(out).len()
    }
    fn verify(&self, message: &[u8], signature: &[u8]) {
        self.2
            .verify_sig(message, signature)
            .expect("the bare primitive");
    }
}

struct Ecdsa(EcdsaKeyPair, ParsedPublicKey);
impl Primitive for Ecdsa {
    fn sign(&self, message: &[u8]) -> usize {
        black_box(
            self.0
                .sign(&SystemRandom::new(), message)
                .expect("the bare primitive"),
        )
        .as_ref()
        .len()
    }
    fn verify(&self, message: &[u8], signature: &[u8]) {
        self.1
            .verify_sig(message, signature)
            .expect("the bare primitive");
    }
}

struct Ed25519(Ed25519KeyPair, ParsedPublicKey);
impl Primitive for Ed25519 {
    fn sign(&self, message: &[u8]) -> usize {
        black_box(self.0.sign(message)).as_ref().len()
    }
    fn verify(&self, message: &[u8], signature: &[u8]) {
        self.1
            .verify_sig(message, signature)
            .expect("the bare primitive");
    }
}

/// The bare primitive of `alg` on the key every contestant uses, parsed once.
pub fn for_algorithm(alg: Alg) -> Box<dyn Primitive> {
    let rsa = |encoding, params: &'static signature::RsaParameters| {
        let pair = RsaKeyPair::from_pkcs8(&der("rsa2048-private.pem")).expect("the bare primitive");
        let public =
            ParsedPublicKey::new(params, pair.public_key().as_ref()).expect("the bare primitive");
        Box::new(Rsa(pair, encoding, public)) as Box<dyn Primitive>
    };
    match alg {
        Alg::Hs256 => Box::new(Hmac(hmac::Key::new(hmac::HMAC_SHA256, &SECRET))),
        Alg::Hs384 => Box::new(Hmac(hmac::Key::new(hmac::HMAC_SHA384, &[7u8; 48]))),
        Alg::Hs512 => Box::new(Hmac(hmac::Key::new(hmac::HMAC_SHA512, &[7u8; 64]))),
        Alg::Rs256 => rsa(
            &signature::RSA_PKCS1_SHA256,
            &signature::RSA_PKCS1_2048_8192_SHA256,
        ),
        Alg::Ps256 => rsa(
            &signature::RSA_PSS_SHA256,
            &signature::RSA_PSS_2048_8192_SHA256,
        ),
        Alg::Es256 => {
            let pair = EcdsaKeyPair::from_pkcs8(
                &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                &der("p256-1-private.pem"),
            )
            .expect("the bare primitive");
            let public = ParsedPublicKey::new(
                &signature::ECDSA_P256_SHA256_FIXED,
                pair.public_key().as_ref(),
            )
            .expect("the bare primitive");
            Box::new(Ecdsa(pair, public))
        }
        Alg::EdDsa => {
            let pair = Ed25519KeyPair::from_pkcs8(&der("ed25519-private.pem"))
                .expect("the bare primitive");
            let public = ParsedPublicKey::new(&signature::ED25519, pair.public_key().as_ref())
                .expect("the bare primitive");
            Box::new(Ed25519(pair, public))
        }
    }
}
