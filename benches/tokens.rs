//! Token costs: issue and verify for every algorithm; each against the bare signature primitive
//! of the enabled backend on a key parsed once (`against_primitive`); keyward's HS256 verify
//! against raw `jsonwebtoken` doing the same validation and against the bare HMAC-SHA256 floor;
//! the rejection paths against a valid verify; verify throughput on one and two threads.
//!
//! Run: `cargo bench --bench tokens` (aws-lc-rs backend) or
//! `cargo bench --bench tokens --no-default-features --features rust-crypto`; one group with
//! `cargo bench --bench tokens -- against_primitive`.

use std::hint::black_box;
use std::thread;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use hmac::{Hmac, Mac};
use keyward::token::{Algorithm, Claims, FixedClock, SigningKey, TokenIssuer, TokenVerifier};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

const SECRET: [u8; 32] = *b"bench-secret-bench-secret-bench!";
const NOW: i64 = 1_700_000_000;

#[derive(Debug, Serialize, Deserialize)]
struct Role {
    role: String,
}

fn role() -> Role {
    Role {
        role: "admin".into(),
    }
}

fn key(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/keys/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn configured(issuer: TokenIssuer) -> TokenIssuer {
    issuer
        .with_issuer("https://auth.example.com")
        .with_audience("api")
        .with_clock(FixedClock::at_unix_seconds(NOW))
}

fn issuers() -> Vec<(&'static str, TokenIssuer)> {
    vec![
        (
            "HS256",
            TokenIssuer::new(SigningKey::hs256(SECRET).unwrap()),
        ),
        (
            "HS384",
            TokenIssuer::new(SigningKey::hs384([7u8; 48]).unwrap()),
        ),
        (
            "HS512",
            TokenIssuer::new(SigningKey::hs512([7u8; 64]).unwrap()),
        ),
        (
            "RS256",
            TokenIssuer::new(
                SigningKey::from_pem_as(key("rsa2048-private.pem"), Algorithm::RS256).unwrap(),
            ),
        ),
        (
            "PS256",
            TokenIssuer::new(
                SigningKey::from_pem_as(key("rsa2048-private.pem"), Algorithm::PS256).unwrap(),
            ),
        ),
        (
            "ES256",
            TokenIssuer::new(
                SigningKey::from_pem_as(key("p256-1-private.pem"), Algorithm::ES256).unwrap(),
            ),
        ),
        (
            "EdDSA",
            TokenIssuer::new(
                SigningKey::from_pem_as(key("ed25519-private.pem"), Algorithm::EdDSA).unwrap(),
            ),
        ),
    ]
    .into_iter()
    .map(|(name, issuer)| (name, configured(issuer)))
    .collect()
}

fn per_algorithm(c: &mut Criterion) {
    let mut group = c.benchmark_group("algorithm");
    group
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));
    for (name, issuer) in issuers() {
        let token = issuer.issue("alice", &role()).unwrap();
        let verifier = issuer.verifier();
        group.bench_function(BenchmarkId::new("issue", name), |b| {
            b.iter(|| issuer.issue(black_box("alice"), &role()).unwrap());
        });
        group.bench_function(BenchmarkId::new("verify", name), |b| {
            b.iter(|| verifier.verify::<Role>(black_box(&token)).unwrap());
        });
    }
    group.finish();
}

/// The bare signature primitives of the enabled backend, on keys parsed once: the floor that
/// keyward's issue (JSON, base64, signature) and verify (split, header, signature, claims) are
/// measured against.
mod primitive {
    use std::hint::black_box;

    fn der(name: &str) -> Vec<u8> {
        pem::parse(super::key(name)).unwrap().into_contents()
    }

    /// Signs and verifies `message` with a key of `algorithm`, parsed before the clock starts.
    pub(super) trait Primitive {
        fn sign(&self, message: &[u8]) -> usize;
        fn verify(&self, message: &[u8], signature: &[u8]);
    }

    #[cfg(feature = "aws-lc-rs")]
    mod backend {
        use aws_lc_rs::hmac;
        use aws_lc_rs::rand::SystemRandom;
        use aws_lc_rs::signature::{
            self, EcdsaKeyPair, Ed25519KeyPair, KeyPair, ParsedPublicKey, RsaKeyPair,
        };

        use super::{Primitive, black_box, der};

        struct Hmac(hmac::Key);
        impl Primitive for Hmac {
            fn sign(&self, message: &[u8]) -> usize {
                black_box(hmac::sign(&self.0, message)).as_ref().len()
            }
            fn verify(&self, message: &[u8], signature: &[u8]) {
                hmac::verify(&self.0, message, signature).unwrap();
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
                    .unwrap();
                black_box(out).len()
            }
            fn verify(&self, message: &[u8], signature: &[u8]) {
                self.2.verify_sig(message, signature).unwrap();
            }
        }

        struct Ecdsa(EcdsaKeyPair, ParsedPublicKey);
        impl Primitive for Ecdsa {
            fn sign(&self, message: &[u8]) -> usize {
                black_box(self.0.sign(&SystemRandom::new(), message).unwrap())
                    .as_ref()
                    .len()
            }
            fn verify(&self, message: &[u8], signature: &[u8]) {
                self.1.verify_sig(message, signature).unwrap();
            }
        }

        struct Ed25519(Ed25519KeyPair, ParsedPublicKey);
        impl Primitive for Ed25519 {
            fn sign(&self, message: &[u8]) -> usize {
                black_box(self.0.sign(message)).as_ref().len()
            }
            fn verify(&self, message: &[u8], signature: &[u8]) {
                self.1.verify_sig(message, signature).unwrap();
            }
        }

        pub(in super::super) fn for_algorithm(name: &str) -> Box<dyn Primitive> {
            let rsa = |encoding, params: &'static signature::RsaParameters| {
                let pair = RsaKeyPair::from_pkcs8(&der("rsa2048-private.pem")).unwrap();
                let public = ParsedPublicKey::new(params, pair.public_key().as_ref()).unwrap();
                Box::new(Rsa(pair, encoding, public)) as Box<dyn Primitive>
            };
            match name {
                "HS256" => Box::new(Hmac(hmac::Key::new(
                    hmac::HMAC_SHA256,
                    &super::super::SECRET,
                ))),
                "HS384" => Box::new(Hmac(hmac::Key::new(hmac::HMAC_SHA384, &[7u8; 48]))),
                "HS512" => Box::new(Hmac(hmac::Key::new(hmac::HMAC_SHA512, &[7u8; 64]))),
                "RS256" => rsa(
                    &signature::RSA_PKCS1_SHA256,
                    &signature::RSA_PKCS1_2048_8192_SHA256,
                ),
                "PS256" => rsa(
                    &signature::RSA_PSS_SHA256,
                    &signature::RSA_PSS_2048_8192_SHA256,
                ),
                "ES256" => {
                    let pair = EcdsaKeyPair::from_pkcs8(
                        &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                        &der("p256-1-private.pem"),
                    )
                    .unwrap();
                    let public = ParsedPublicKey::new(
                        &signature::ECDSA_P256_SHA256_FIXED,
                        pair.public_key().as_ref(),
                    )
                    .unwrap();
                    Box::new(Ecdsa(pair, public))
                }
                _ => {
                    let pair = Ed25519KeyPair::from_pkcs8(&der("ed25519-private.pem")).unwrap();
                    let public =
                        ParsedPublicKey::new(&signature::ED25519, pair.public_key().as_ref())
                            .unwrap();
                    Box::new(Ed25519(pair, public))
                }
            }
        }
    }

    #[cfg(not(feature = "aws-lc-rs"))]
    mod backend {
        use ed25519_dalek::pkcs8::DecodePrivateKey as _;
        use hmac::{Hmac, Mac};
        use p256::ecdsa::signature::{RandomizedSigner, SignatureEncoding, Signer, Verifier};
        use sha2::{Sha256, Sha384, Sha512};

        use super::{Primitive, black_box, der};

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
                    .unwrap();
            }
        }

        struct Rs256(
            rsa::pkcs1v15::SigningKey<Sha256>,
            rsa::pkcs1v15::VerifyingKey<Sha256>,
        );
        impl Primitive for Rs256 {
            fn sign(&self, message: &[u8]) -> usize {
                let signature = self.0.sign_with_rng(&mut rsa::rand_core::OsRng, message);
                black_box(signature.to_bytes()).len()
            }
            fn verify(&self, message: &[u8], signature: &[u8]) {
                let signature = rsa::pkcs1v15::Signature::try_from(signature).unwrap();
                self.1.verify(message, &signature).unwrap();
            }
        }

        struct Ps256(
            rsa::pss::BlindedSigningKey<Sha256>,
            rsa::pss::VerifyingKey<Sha256>,
        );
        impl Primitive for Ps256 {
            fn sign(&self, message: &[u8]) -> usize {
                let signature = self.0.sign_with_rng(&mut rsa::rand_core::OsRng, message);
                black_box(signature.to_bytes()).len()
            }
            fn verify(&self, message: &[u8], signature: &[u8]) {
                let signature = rsa::pss::Signature::try_from(signature).unwrap();
                self.1.verify(message, &signature).unwrap();
            }
        }

        struct Es256(p256::ecdsa::SigningKey, p256::ecdsa::VerifyingKey);
        impl Primitive for Es256 {
            fn sign(&self, message: &[u8]) -> usize {
                let signature: p256::ecdsa::Signature = self.0.sign(message);
                black_box(signature.to_bytes()).len()
            }
            fn verify(&self, message: &[u8], signature: &[u8]) {
                let signature = p256::ecdsa::Signature::from_slice(signature).unwrap();
                self.1.verify(message, &signature).unwrap();
            }
        }

        struct EdDsa(ed25519_dalek::SigningKey, ed25519_dalek::VerifyingKey);
        impl Primitive for EdDsa {
            fn sign(&self, message: &[u8]) -> usize {
                black_box(self.0.sign(message).to_bytes()).len()
            }
            fn verify(&self, message: &[u8], signature: &[u8]) {
                let signature = ed25519_dalek::Signature::from_slice(signature).unwrap();
                self.1.verify(message, &signature).unwrap();
            }
        }

        pub(in super::super) fn for_algorithm(name: &str) -> Box<dyn Primitive> {
            let rsa_key =
                || rsa::RsaPrivateKey::from_pkcs8_der(&der("rsa2048-private.pem")).unwrap();
            match name {
                "HS256" => Box::new(Keyed(
                    Hmac::<Sha256>::new_from_slice(&super::super::SECRET).unwrap(),
                )),
                "HS384" => Box::new(Keyed(Hmac::<Sha384>::new_from_slice(&[7u8; 48]).unwrap())),
                "HS512" => Box::new(Keyed(Hmac::<Sha512>::new_from_slice(&[7u8; 64]).unwrap())),
                "RS256" => {
                    let key = rsa_key();
                    let public = rsa::pkcs1v15::VerifyingKey::new(key.to_public_key());
                    Box::new(Rs256(rsa::pkcs1v15::SigningKey::new(key), public))
                }
                "PS256" => {
                    let key = rsa_key();
                    let public = rsa::pss::VerifyingKey::new(key.to_public_key());
                    Box::new(Ps256(rsa::pss::BlindedSigningKey::new(key), public))
                }
                "ES256" => {
                    let key = p256::ecdsa::SigningKey::from_pkcs8_der(&der("p256-1-private.pem"))
                        .unwrap();
                    let public = *key.verifying_key();
                    Box::new(Es256(key, public))
                }
                _ => {
                    let key =
                        ed25519_dalek::SigningKey::from_pkcs8_der(&der("ed25519-private.pem"))
                            .unwrap();
                    let public = key.verifying_key();
                    Box::new(EdDsa(key, public))
                }
            }
        }
    }

    pub(super) use backend::for_algorithm;
}

/// Each algorithm's issue and verify next to the bare primitive on a key parsed once, measured
/// one after the other in one group so that their ratio is of one run. The primitive signs and
/// verifies the same signing input (`header.payload`) that keyward's token carries.
fn against_primitive(c: &mut Criterion) {
    let mut group = c.benchmark_group("against_primitive");
    group
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));
    for (name, issuer) in issuers() {
        let token = issuer.issue("alice", &role()).unwrap();
        let verifier = issuer.verifier();
        let (input, signature) = token.rsplit_once('.').unwrap();
        let signature = {
            use base64::Engine as _;
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(signature)
                .unwrap()
        };
        let bare = primitive::for_algorithm(name);
        bare.verify(input.as_bytes(), &signature);
        group.bench_function(BenchmarkId::new("issue/keyward", name), |b| {
            b.iter(|| issuer.issue(black_box("alice"), &role()).unwrap());
        });
        group.bench_function(BenchmarkId::new("issue/primitive", name), |b| {
            b.iter(|| bare.sign(black_box(input.as_bytes())));
        });
        group.bench_function(BenchmarkId::new("verify/keyward", name), |b| {
            b.iter(|| verifier.verify::<Role>(black_box(&token)).unwrap());
        });
        group.bench_function(BenchmarkId::new("verify/primitive", name), |b| {
            b.iter(|| bare.verify(black_box(input.as_bytes()), black_box(&signature)));
        });
    }
    group.finish();
}

/// A signature with a key parsed before the clock starts.
#[cfg(not(feature = "aws-lc-rs"))]
type SignOnce = Box<dyn Fn(&[u8]) -> usize>;

/// RustCrypto only (issue 23): ES256 and EdDSA issue next to the bare signature on a key parsed
/// once and on a key parsed from its PKCS#8 for every signature, which is what keyward did before
/// keys were parsed once. Parsing derives public keys: P-256 checks the embedded public key
/// against one derived from the scalar and `SigningKey` derives its own (two scalar
/// multiplications), Ed25519 derives one, so a per-signature parse costs 2.7x and 2x of the
/// signature alone: the ratios that were once reported as keyward's (BENCHMARKS.md).
#[cfg(not(feature = "aws-lc-rs"))]
fn parse_per_signature(c: &mut Criterion) {
    use ed25519_dalek::pkcs8::DecodePrivateKey as _;
    use p256::ecdsa::signature::Signer as _;

    let der = |name: &str| pem::parse(key(name)).unwrap().into_contents();
    let mut group = c.benchmark_group("parse_per_signature");
    group
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));
    for (name, issuer) in issuers() {
        let pkcs8 = match name {
            "ES256" => der("p256-1-private.pem"),
            "EdDSA" => der("ed25519-private.pem"),
            _ => continue,
        };
        let token = issuer.issue("alice", &role()).unwrap();
        let input = token.rsplit_once('.').unwrap().0.as_bytes().to_vec();
        let sign_parsed: SignOnce = if name == "ES256" {
            let key = p256::ecdsa::SigningKey::from_pkcs8_der(&pkcs8).unwrap();
            Box::new(move |message| {
                let signature: p256::ecdsa::Signature = key.sign(message);
                black_box(signature.to_bytes()).len()
            })
        } else {
            let key = ed25519_dalek::SigningKey::from_pkcs8_der(&pkcs8).unwrap();
            Box::new(move |message| black_box(key.sign(message).to_bytes()).len())
        };
        let sign_reparsed = |message: &[u8]| -> usize {
            if name == "ES256" {
                let key = p256::ecdsa::SigningKey::from_pkcs8_der(black_box(&pkcs8)).unwrap();
                let signature: p256::ecdsa::Signature = key.sign(message);
                black_box(signature.to_bytes()).len()
            } else {
                let key = ed25519_dalek::SigningKey::from_pkcs8_der(black_box(&pkcs8)).unwrap();
                black_box(key.sign(message).to_bytes()).len()
            }
        };
        group.bench_function(BenchmarkId::new("issue/keyward", name), |b| {
            b.iter(|| issuer.issue(black_box("alice"), &role()).unwrap());
        });
        group.bench_function(BenchmarkId::new("sign/parsed_once", name), |b| {
            b.iter(|| sign_parsed(black_box(&input)));
        });
        group.bench_function(BenchmarkId::new("sign/parsed_per_signature", name), |b| {
            b.iter(|| sign_reparsed(black_box(&input)));
        });
    }
    group.finish();
}

/// The process-wide provider raw `jsonwebtoken::decode` needs (keyward itself never uses it).
fn install_raw_provider() {
    #[cfg(feature = "aws-lc-rs")]
    let provider = &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER;
    #[cfg(not(feature = "aws-lc-rs"))]
    let provider = &jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER;
    let _ = provider.install_default();
}

#[derive(Deserialize)]
#[allow(dead_code)] // read by serde, as keyward reads its claims
struct RawClaims {
    sub: String,
    exp: i64,
    iat: i64,
    iss: String,
    aud: String,
    jti: String,
    role: String,
}

fn hs256_against_raw(c: &mut Criterion) {
    install_raw_provider();
    let issuer = configured(TokenIssuer::new(SigningKey::hs256(SECRET).unwrap()));
    let verifier = issuer.verifier();
    let token = issuer.issue("alice", &role()).unwrap();

    // jsonwebtoken reads the system clock, so its copy of the token must be valid now.
    let now_issuer = TokenIssuer::new(SigningKey::hs256(SECRET).unwrap())
        .with_issuer("https://auth.example.com")
        .with_audience("api");
    let now_token = now_issuer.issue("alice", &role()).unwrap();
    let raw_key = jsonwebtoken::DecodingKey::from_secret(&SECRET);
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.set_issuer(&["https://auth.example.com"]);
    validation.set_audience(&["api"]);
    validation.set_required_spec_claims(&["exp", "iat", "sub", "iss", "aud"]);
    validation.leeway = 0;

    let (input, signature) = token.rsplit_once('.').unwrap();
    let signature = {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(signature)
            .unwrap()
    };

    let mut group = c.benchmark_group("hs256_verify");
    group.bench_function("keyward", |b| {
        b.iter(|| verifier.verify::<Role>(black_box(&token)).unwrap());
    });
    group.bench_function("jsonwebtoken", |b| {
        b.iter(|| {
            jsonwebtoken::decode::<RawClaims>(black_box(&now_token), &raw_key, &validation).unwrap()
        });
    });
    group.bench_function("hmac_floor", |b| {
        b.iter(|| {
            let mut mac = Hmac::<Sha256>::new_from_slice(&SECRET).unwrap();
            mac.update(black_box(input.as_bytes()));
            mac.verify_slice(black_box(&signature)).unwrap();
        });
    });
    group.finish();
}

fn rejections(c: &mut Criterion) {
    let clock = FixedClock::at_unix_seconds(NOW);
    let issuer =
        configured(TokenIssuer::new(SigningKey::hs256(SECRET).unwrap())).with_clock(clock.clone());
    let verifier = issuer.verifier();
    let token = issuer.issue("alice", &role()).unwrap();
    let expired_verifier = verifier
        .clone()
        .with_clock(FixedClock::at_unix_seconds(NOW + 3600));
    let oversized = format!("{token}{}", "A".repeat(9000));
    let mut bad_signature = token.clone().into_bytes();
    let last = bad_signature.len() - 2;
    bad_signature[last] = if bad_signature[last] == b'A' {
        b'B'
    } else {
        b'A'
    };
    let bad_signature = String::from_utf8(bad_signature).unwrap();

    let mut group = c.benchmark_group("hs256_rejection");
    group.bench_function("valid", |b| {
        b.iter(|| verifier.verify::<Role>(black_box(&token)).unwrap());
    });
    group.bench_function("oversized", |b| {
        b.iter(|| verifier.verify::<Role>(black_box(&oversized)).unwrap_err());
    });
    group.bench_function("malformed", |b| {
        b.iter(|| {
            verifier
                .verify::<Role>(black_box("not-a-token"))
                .unwrap_err()
        });
    });
    group.bench_function("bad_signature", |b| {
        b.iter(|| {
            verifier
                .verify::<Role>(black_box(&bad_signature))
                .unwrap_err()
        });
    });
    group.bench_function("expired", |b| {
        b.iter(|| {
            expired_verifier
                .verify::<Role>(black_box(&token))
                .unwrap_err()
        });
    });
    group.finish();
}

/// Wall time per verification with `threads` threads sharing one verifier.
fn verify_on(threads: u64, verifier: &TokenVerifier, token: &str, iterations: u64) -> Duration {
    let start = Instant::now();
    thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                for _ in 0..iterations / threads {
                    let claims: Claims<Role> = verifier.verify(black_box(token)).unwrap();
                    black_box(claims);
                }
            });
        }
    });
    start.elapsed()
}

/// Wall time per bare HMAC-SHA256 with `threads` threads: the machine's own scaling, with no
/// keyward code and no allocation, as the control for `verify_on`.
fn hmac_on(threads: u64, input: &[u8], iterations: u64) -> Duration {
    let start = Instant::now();
    thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                for _ in 0..iterations / threads {
                    let mut mac = Hmac::<Sha256>::new_from_slice(&SECRET).unwrap();
                    mac.update(black_box(input));
                    black_box(mac.finalize());
                }
            });
        }
    });
    start.elapsed()
}

fn threads(c: &mut Criterion) {
    let issuer = configured(TokenIssuer::new(SigningKey::hs256(SECRET).unwrap()));
    let verifier = issuer.verifier();
    let token = issuer.issue("alice", &role()).unwrap();
    let input = token.rsplit_once('.').unwrap().0.as_bytes().to_vec();
    let mut group = c.benchmark_group("hs256_verify_threads");
    group.measurement_time(Duration::from_secs(5));
    for threads in [1, 2] {
        group.bench_function(BenchmarkId::new("keyward_verify", threads), |b| {
            b.iter_custom(|iterations| {
                verify_on(threads, &verifier, &token, iterations.max(threads))
            });
        });
        group.bench_function(BenchmarkId::new("hmac_floor", threads), |b| {
            b.iter_custom(|iterations| hmac_on(threads, &input, iterations.max(threads)));
        });
    }
    group.finish();
}

criterion_group!(
    benches,
    per_algorithm,
    against_primitive,
    hs256_against_raw,
    rejections,
    threads
);
#[cfg(not(feature = "aws-lc-rs"))]
criterion_group!(rust_crypto, parse_per_signature);
#[cfg(not(feature = "aws-lc-rs"))]
criterion_main!(benches, rust_crypto);
#[cfg(feature = "aws-lc-rs")]
criterion_main!(benches);
