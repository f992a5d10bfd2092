//! Replays saved fuzz inputs (`tests/fuzz-regressions/<target>/`) through the same checks the
//! fuzz targets run (`fuzz/checks.rs`), on stable Rust, in every CI run. The directories hold the
//! seed inputs each target starts from (attack shapes from `tests/attacks.rs`) and every input a
//! fuzzer ever crashed on, kept once fixed.

#[path = "../fuzz/checks.rs"]
mod checks;

use std::path::Path;

fn replay(target: &str, check: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz-regressions")
        .join(target);
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty(), "no saved inputs in {}", dir.display());
    for input in inputs {
        let data = std::fs::read(&input).unwrap();
        let outcome = std::panic::catch_unwind(|| check(&data));
        assert!(
            outcome.is_ok(),
            "{target}: {} broke a check",
            input.display()
        );
    }
}

#[test]
fn verify_hs256() {
    replay("verify_hs256", checks::verify_hs256);
}

#[test]
fn verify_es256() {
    replay("verify_es256", checks::verify_es256);
}

#[test]
fn password_hash() {
    replay("password_hash", checks::password_hash);
}

#[test]
fn jwks() {
    replay("jwks", checks::jwks);
}

#[test]
fn claims() {
    replay("claims", checks::claims);
}

#[test]
fn bearer() {
    replay("bearer", checks::bearer);
}

#[test]
fn pem_key() {
    replay("pem_key", checks::pem_key);
}

#[test]
fn jwk() {
    replay("jwk", checks::jwk);
}

#[test]
fn jws_header() {
    replay("jws_header", checks::jws_header);
}

#[test]
fn remote_jwks() {
    replay("remote_jwks", checks::remote_jwks);
}

#[test]
fn differential() {
    replay("differential", checks::differential);
}

/// The `differential` target's mutating mode starts from one genuine token per key: both
/// libraries must accept each, or the mutations never reach the whole verify path.
#[test]
fn differential_seed_tokens_are_valid_in_both() {
    for key in checks::differential_keys() {
        assert!(
            key.oracle_accepts(&key.valid),
            "jsonwebtoken: {}",
            key.valid
        );
        assert!(key.keyward_accepts(&key.valid), "keyward: {}", key.valid);
    }
}
