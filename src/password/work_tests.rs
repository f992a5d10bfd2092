//! Counted-work tests that need stored Argon2 hashes below OWASP's floor (passlib's defaults
//! are), which only the crate-internal constructor can write. The rest are in
//! `tests/password_work.rs`, through the public `count_work`.

use super::argon2;
use super::{
    Argon2Params, Cost, PasswordAlgorithm, PasswordError, PasswordHasher, WorkFloor, count_work,
};

/// OWASP's minimum: 19 MiB, two passes.
const CONFIGURED: Argon2Params = Argon2Params::OWASP_MINIMUM;

fn argon2_hasher() -> PasswordHasher {
    PasswordHasher::new()
        .with_algorithm(PasswordAlgorithm::Argon2id)
        .with_argon2_params(CONFIGURED)
}

/// A stored Argon2id hash of `password` at any parameters.
fn stored(memory_kib: u32, iterations: u32, password: &str) -> String {
    let params = Argon2Params::raw(memory_kib, iterations, 1);
    argon2::hash_new(params, password.as_bytes(), b"0123456789abcdef").unwrap()
}

fn argon2_work<T>(f: impl FnOnce() -> T) -> (T, u64) {
    let (result, work) = count_work(f);
    (result, work.argon2_kib_passes())
}

#[test]
fn a_failed_verify_against_weaker_stored_parameters_does_exactly_the_configured_work() {
    // Same memory, one pass stored, two configured: exactly one more pass.
    let hash = stored(19_456, 1, "right");
    let (result, work) = argon2_work(|| argon2_hasher().verify("wrong", &hash));
    assert_eq!(result, Err(PasswordError::Mismatch));
    assert_eq!(work, CONFIGURED.work());
    // passlib-like 8 MiB × 1: 8192 done, 30720 missing: one 19 MiB pass and one 11 MiB pass.
    let hash = stored(8_192, 1, "right");
    let (result, work) = argon2_work(|| argon2_hasher().verify_and_update("wrong", &hash));
    assert_eq!(result, Err(PasswordError::Mismatch));
    assert_eq!(work, CONFIGURED.work());
}

#[test]
fn a_remainder_below_argon2s_minimum_memory_is_exact_or_at_most_7_over() {
    // 19456 × 2 − 19452 × 2 = 8 KiB-passes missing: one 8 KiB pass, exact.
    let hash = stored(19_452, 2, "right");
    let (_, work) = argon2_work(|| argon2_hasher().verify("wrong", &hash));
    assert_eq!(work, CONFIGURED.work());
    // 6 missing, below Argon2's 8 KiB minimum and no whole pass to fold it into: 2 over.
    let hash = stored(19_453, 2, "right");
    let (_, work) = argon2_work(|| argon2_hasher().verify("wrong", &hash));
    assert_eq!(work, CONFIGURED.work() + 2);
    // 6 missing after a whole pass (stored 19456 × 1 + ... ): folded into that pass, exact.
    let floor = WorkFloor::new().with_argon2(Argon2Params::raw(19_456, 3, 1));
    let hash = stored(19_453, 2, "right");
    let (_, work) = argon2_work(|| {
        argon2_hasher()
            .with_work_floor(floor)
            .verify("wrong", &hash)
    });
    assert_eq!(work, 19_456 * 3);
}

#[test]
fn too_long_passwords_against_weaker_parameters_do_the_same_work() {
    let hash = stored(8_192, 1, "right");
    let long = vec![b'x'; 4097];
    let (result, work) = argon2_work(|| argon2_hasher().verify(&long, &hash));
    assert_eq!(
        result,
        Err(PasswordError::TooLong {
            len: 4097,
            max: 4096
        })
    );
    assert_eq!(work, CONFIGURED.work());
}

#[test]
fn a_successful_verify_does_only_the_stored_work() {
    let hash = stored(8_192, 1, "right");
    let (result, work) = argon2_work(|| argon2_hasher().verify("right", &hash));
    assert_eq!(result, Ok(()));
    assert_eq!(work, 8_192);
}

#[test]
fn stronger_stored_parameters_are_not_cut_short() {
    let hash = stored(19_456, 3, "right");
    let (_, work) = argon2_work(|| argon2_hasher().verify("wrong", &hash));
    assert_eq!(work, 19_456 * 3);
}

#[test]
fn with_hardening_off_only_the_stored_work_is_done() {
    let hash = stored(8_192, 1, "right");
    let lenient = argon2_hasher().with_harden_runtime(false);
    let (_, work) = argon2_work(|| lenient.verify("wrong", &hash));
    assert_eq!(work, 8_192);
}

#[test]
fn every_failure_path_matches_the_unknown_user_under_a_floor_covering_both_algorithms() {
    let weak_argon2 = stored(8_192, 1, "right");
    let old_bcrypt = PasswordHasher::new()
        .with_cost(Cost::new(5).unwrap())
        .hash("right")
        .unwrap();
    let floor = WorkFloor::new()
        .try_covering([weak_argon2.as_str(), old_bcrypt.as_str()])
        .unwrap();
    for policy in [
        argon2_hasher(),
        PasswordHasher::new().with_cost(Cost::new(4).unwrap()),
    ] {
        let hasher = policy.with_work_floor(floor);
        let (_, unknown) = count_work(|| hasher.dummy_verify("wrong"));
        for hash in [&weak_argon2, old_bcrypt.as_str()] {
            for password in ["wrong", &"x".repeat(5000)] {
                let (result, work) = count_work(|| hasher.verify(password, hash));
                assert!(result.is_err());
                assert_eq!(work, unknown, "{policy:?} {hash}");
            }
        }
    }
}

#[test]
fn absurd_stored_parameters_are_refused_before_any_work() {
    for hash in [
        "$argon2id$v=19$m=4194304,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$gduXp+Z6iReEolmbyHn5V8s1EtJzmEvZfYoY/Fn/AeI",
        "$argon2id$v=19$m=65536,t=1000000,p=4$c29tZXNhbHRzb21lc2FsdA$gduXp+Z6iReEolmbyHn5V8s1EtJzmEvZfYoY/Fn/AeI",
        "$argon2id$v=19$m=65536,t=3,p=255$c29tZXNhbHRzb21lc2FsdA$gduXp+Z6iReEolmbyHn5V8s1EtJzmEvZfYoY/Fn/AeI",
    ] {
        for hasher in [argon2_hasher(), PasswordHasher::new()] {
            let (result, work) = count_work(|| hasher.verify("password", hash));
            assert!(
                matches!(result, Err(PasswordError::Argon2ParamsTooHigh { .. })),
                "{result:?}"
            );
            assert_eq!(work, super::Work::NONE, "{hash}");
        }
    }
}
