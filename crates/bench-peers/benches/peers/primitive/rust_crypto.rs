use ed25519_dalek::pkcs8::DecodePrivateKey as _;
use hmac::{Hmac, KeyInit, Mac};
use p256::ecdsa::signature::{SignatureEncoding, Signer, Verifier};
use sha2::{Sha256, Sha384, Sha512};

use super::{Primitive, black_box, der};
use crate::fixture::{Alg, SECRET};

/// The keyed state, cloned per message: the precomputed-key HMAC.
struct Keyed<M>(M);
impl<M: Mac + Clone> Primitive for Keyed<M> {
    fn sign(&self, message: &[u8]) -> usize {
        black_box(self.0.clone().chain_update(message).finalize().into_bytes()).len()
    }
    fn verify(&self, message: &[u8], signature: &[u8]) {
        self.0
            .clone()
            .chain_update(message)
            .verify_slice(signature)
            .expect("the bare primitive");
    }
}

struct Rs256(
    rsa::pkcs1v15::SigningKey<Sha256>,
    rsa::pkcs1v15::VerifyingKey<Sha256>,
);
impl Primitive for Rs256 {
    fn sign(&self, message: &[u8]) -> usize {
        // Blinded with the OS random generator, as keyward signs (rsa's `getrandom` feature).
        let signature = self.0.sign(message);
        black_box(signature.to_bytes()).len()
    }
    fn verify(&self, message: &[u8], signature: &[u8]) {
        let signature = rsa::pkcs1v15::Signature::try_from(signature).expect("the bare primitive");
        self.1
            .verify(message, &signature)
            .expect("the bare primitive");
    }
}

struct Ps256(rsa::pss::SigningKey<Sha256>, rsa::pss::VerifyingKey<Sha256>);
impl Primitive for Ps256 {
    fn sign(&self, message: &[u8]) -> usize {
        let signature = self.0.sign(message);
        black_box(signature.to_bytes()).len()
    }
    fn verify(&self, message: &[u8], signature: &[u8]) {
        let signature = rsa::pss::Signature::try_from(signature).expect("the bare primitive");
        self.1
            .verify(message, &signature)
            .expect("the bare primitive");
    }
}

struct Es256(p256::ecdsa::SigningKey, p256::ecdsa::VerifyingKey);
impl Primitive for Es256 {
    fn sign(&self, message: &[u8]) -> usize {
        let signature: p256::ecdsa::Signature = self.0.sign(message);
        black_box(signature.to_bytes()).len()
    }
    fn verify(&self, message: &[u8], signature: &[u8]) {
        let signature = p256::ecdsa::Signature::from_slice(signature).expect("the bare primitive");
        self.1
            .verify(message, &signature)
            .expect("the bare primitive");
    }
}

struct EdDsa(ed25519_dalek::SigningKey, ed25519_dalek::VerifyingKey);
impl Primitive for EdDsa {
    fn sign(&self, message: &[u8]) -> usize {
        black_box(self.0.sign(message).to_bytes()).len()
    }
    fn verify(&self, message: &[u8], signature: &[u8]) {
        let signature =
            ed25519_dalek::Signature::from_slice(signature).expect("the bare primitive");
        self.1
            .verify(message, &signature)
            .expect("the bare primitive");
    }
}

/// The bare primitive of `alg` on the key every contestant uses, parsed once.
pub fn for_algorithm(alg: Alg) -> Box<dyn Primitive> {
    let rsa_key = || {
        rsa::PrivateKey::from_pkcs8_der(&der("rsa2048-private.pem")).expect("the bare primitive")
    };
    match alg {
        Alg::Hs256 => Box::new(Keyed(
            Hmac::<Sha256>::new_from_slice(&SECRET).expect("the bare primitive"),
        )),
        Alg::Hs384 => Box::new(Keyed(
            Hmac::<Sha384>::new_from_slice(&[7u8; 48]).expect("the bare primitive"),
        )),
        Alg::Hs512 => Box::new(Keyed(
            Hmac::<Sha512>::new_from_slice(&[7u8; 64]).expect("the bare primitive"),
        )),
        Alg::Rs256 => {
            let key = rsa_key();
            let public = rsa::pkcs1v15::VerifyingKey::new(key.to_public_key());
            Box::new(Rs256(rsa::pkcs1v15::SigningKey::new(key), public))
        }
        Alg::Ps256 => {
            let key = rsa_key();
            let public = rsa::pss::VerifyingKey::new(key.to_public_key());
            Box::new(Ps256(rsa::pss::SigningKey::new(key), public))
        }
        Alg::Es256 => {
            let key = p256::ecdsa::SigningKey::from_pkcs8_der(&der("p256-1-private.pem"))
                .expect("the bare primitive");
            let public = *key.verifying_key();
            Box::new(Es256(key, public))
        }
        Alg::EdDsa => {
            let key = ed25519_dalek::SigningKey::from_pkcs8_der(&der("ed25519-private.pem"))
                .expect("the bare primitive");
            let public = key.verifying_key();
            Box::new(EdDsa(key, public))
        }
    }
}
