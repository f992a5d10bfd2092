//! Password hashing costs: keyward against the raw `bcrypt` crate at every cost from 4 to 14,
//! `dummy_verify` against a real failed verify, pre-hashing against plain bcrypt, and Argon2id
//! against the raw `argon2` crate at OWASP's minimum and at pwdlib's default, and loading a
//! one-million-entry local blocklist.
//!
//! Run: `cargo bench --bench hashing` (about five minutes on two cores), or only the Argon2id
//! group with `cargo bench --bench hashing -- argon2`. Ratios are only compared within one run:
//! the machines are noisy.

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Duration;

use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use criterion::{BenchmarkId, Criterion, SamplingMode, criterion_group, criterion_main};
use keyward::password::{
    Argon2Params, Blocklist, Cost, LongPasswords, PasswordAlgorithm, PasswordHasher,
};

const PASSWORD: &str = "correct horse battery staple";

/// Each cost doubles the work; the high ones get the minimum sample count and flat sampling.
fn configure(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    cost: u32,
) {
    if cost >= 10 {
        group.sample_size(10).sampling_mode(SamplingMode::Flat);
    } else {
        group.sample_size(20);
    }
    group.measurement_time(Duration::from_secs(if cost >= 12 { 15 } else { 5 }));
}

fn hash_and_verify_by_cost(c: &mut Criterion) {
    for cost in 4..=14 {
        let hasher = PasswordHasher::new().with_cost(Cost::new(cost).unwrap());
        let stored = hasher.hash(PASSWORD).unwrap();
        let raw_stored = bcrypt::hash(PASSWORD, cost).unwrap();

        let mut group = c.benchmark_group(format!("cost_{cost:02}"));
        configure(&mut group, cost);
        group.bench_function("keyward_hash", |b| {
            b.iter(|| hasher.hash(black_box(PASSWORD)).unwrap());
        });
        group.bench_function("bcrypt_hash", |b| {
            b.iter(|| bcrypt::hash(black_box(PASSWORD), cost).unwrap());
        });
        group.bench_function("keyward_verify", |b| {
            b.iter(|| {
                hasher
                    .verify(black_box(PASSWORD), black_box(stored.as_str()))
                    .unwrap();
            });
        });
        group.bench_function("bcrypt_verify", |b| {
            b.iter(|| {
                assert!(
                    bcrypt::verify(black_box(PASSWORD), black_box(raw_stored.as_str())).unwrap()
                );
            });
        });
        group.finish();
    }
}

fn unknown_user_and_pre_hash(c: &mut Criterion) {
    let hasher = PasswordHasher::new().with_cost(Cost::new(10).unwrap());
    let stored = hasher.hash(PASSWORD).unwrap();
    let too_long = "x".repeat(73);
    let mut group = c.benchmark_group("cost_10_paths");
    configure(&mut group, 10);
    group.bench_function("verify_wrong_password", |b| {
        b.iter(|| {
            hasher
                .verify(black_box("wrong password"), stored.as_str())
                .unwrap_err()
        });
    });
    group.bench_function("verify_too_long", |b| {
        b.iter(|| {
            hasher
                .verify(black_box(&too_long), stored.as_str())
                .unwrap_err()
        });
    });
    group.bench_function("dummy_verify", |b| {
        b.iter(|| hasher.dummy_verify(black_box("wrong password")));
    });
    group.bench_function("dummy_verify_too_long", |b| {
        b.iter(|| hasher.dummy_verify(black_box(&too_long)));
    });

    let pre_hash = hasher.with_long_passwords(LongPasswords::PreHash);
    let pre_hashed = pre_hash.hash(PASSWORD).unwrap();
    group.bench_function(BenchmarkId::new("verify", "plain"), |b| {
        b.iter(|| hasher.verify(black_box(PASSWORD), stored.as_str()).unwrap());
    });
    group.bench_function(BenchmarkId::new("verify", "pre_hash"), |b| {
        b.iter(|| {
            pre_hash
                .verify(black_box(PASSWORD), pre_hashed.as_str())
                .unwrap();
        });
    });
    group.finish();
}

/// keyward's Argon2id against the raw `argon2` crate at the same parameters, in one group per
/// parameter set so that each ratio comes from one run.
fn argon2id(c: &mut Criterion) {
    for (name, params) in [
        ("owasp_minimum", Argon2Params::OWASP_MINIMUM),
        ("pwdlib_default", Argon2Params::DEFAULT),
    ] {
        let hasher = PasswordHasher::new()
            .with_algorithm(PasswordAlgorithm::Argon2id)
            .with_argon2_params(params);
        let stored = hasher.hash(PASSWORD).unwrap();
        let raw = argon2::Argon2::new(
            argon2::Algorithm::Argon2id,
            argon2::Version::V0x13,
            argon2::Params::new(
                params.memory_kib(),
                params.iterations(),
                params.parallelism(),
                Some(params.output_len()),
            )
            .unwrap(),
        );
        let raw_hash = |password: &[u8]| {
            let mut salt = [0u8; 16];
            getrandom::fill(&mut salt).unwrap();
            raw.hash_password_with_salt(password, &salt).unwrap()
        };
        let raw_stored = raw_hash(PASSWORD.as_bytes()).to_string();

        let mut group = c.benchmark_group(format!("argon2_{name}"));
        group
            .sample_size(10)
            .sampling_mode(SamplingMode::Flat)
            .measurement_time(Duration::from_secs(10));
        group.bench_function("keyward_hash", |b| {
            b.iter(|| hasher.hash(black_box(PASSWORD)).unwrap());
        });
        group.bench_function("argon2_hash", |b| {
            b.iter(|| raw_hash(black_box(PASSWORD.as_bytes())));
        });
        group.bench_function("keyward_verify", |b| {
            b.iter(|| {
                hasher
                    .verify(black_box(PASSWORD), black_box(stored.as_str()))
                    .unwrap();
            });
        });
        group.bench_function("argon2_verify", |b| {
            b.iter(|| {
                raw.verify_password(
                    black_box(PASSWORD.as_bytes()),
                    black_box(raw_stored.as_str()),
                )
                .unwrap();
            });
        });
        group.bench_function("keyward_dummy_verify", |b| {
            b.iter(|| hasher.dummy_verify(black_box("wrong password")));
        });
        group.finish();
    }
}

/// A local blocklist of one million passwords: load time (SHA-1 of every line, sort, dedup)
/// and lookup time. The memory is `Blocklist::heap_bytes`, printed once: 20 bytes per entry.
/// Run alone with `cargo bench --bench hashing -- blocklist`.
fn blocklist(c: &mut Criterion) {
    const ENTRIES: usize = 1_000_000;
    // Distinct lines shaped like leaked passwords (multiplying by an odd constant is a
    // bijection modulo 2^64, so no two collide).
    let mut file = String::new();
    for i in 0..ENTRIES {
        writeln!(
            file,
            "pass{:x}word{}",
            i.wrapping_mul(2_654_435_761),
            i % 97
        )
        .unwrap();
    }
    let list = Blocklist::from_passwords(file.as_bytes()).unwrap();
    println!(
        "blocklist: {} entries from {} bytes of file, {} bytes of heap",
        list.len(),
        file.len(),
        list.heap_bytes()
    );
    let mut group = c.benchmark_group("blocklist_1m");
    group.sample_size(10).sampling_mode(SamplingMode::Flat);
    group.measurement_time(Duration::from_secs(20));
    group.bench_function("load", |b| {
        b.iter(|| Blocklist::from_passwords(black_box(file.as_bytes())).unwrap());
    });
    group.bench_function("contains", |b| {
        b.iter(|| list.contains(black_box("correct horse battery staple")));
    });
    group.finish();
}

criterion_group!(
    benches,
    hash_and_verify_by_cost,
    unknown_user_and_pre_hash,
    argon2id,
    blocklist
);
criterion_main!(benches);
