//! Token costs: issue and verify for every algorithm; the rejection paths against a valid
//! verify; verify throughput on one and two threads against the bare HMAC-SHA256 floor. Each
//! algorithm against its bare signature primitive, `jsonwebtoken` and `jwt-simple` is the
//! `keyward-bench-peers` member's benchmark (`crates/bench-peers`), measured interleaved.
//!
//! Run: `cargo bench --bench tokens` (aws-lc-rs backend) or
//! `cargo bench --bench tokens --no-default-features --features rust-crypto`.

use std::hint::black_box;
use std::thread;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use hmac::{Hmac, KeyInit as _, Mac as _};
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

criterion_group!(benches, per_algorithm, rejections, threads);
criterion_main!(benches);
