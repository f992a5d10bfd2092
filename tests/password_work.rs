//! Equal work, counted: every failed check, unknown user and unusable password does the same
//! bcrypt rounds and Argon2 KiB-passes (`keyward::password::count_work`), whatever the stored
//! hash's algorithm and settings and whatever form the password was typed in. No stopwatch.
//!
//! The behaviour is Django's `harden_runtime` (django/contrib/auth/hashers.py: `check_password`
//! calls it after a failed check against a hash that `must_update`), extended across
//! algorithms by a work floor, and the attack: under an Argon2 policy, a stored bcrypt-12
//! hash answered a wrong password in 537 ms against 220 ms for an unknown user.

#![allow(clippy::doc_markdown)]

use keyward::password::{
    Argon2Params, Cost, LongPasswords, Normalization, PasswordAlgorithm, PasswordError,
    PasswordHash, PasswordHasher, Work, WorkFloor, count_work,
};

fn at(cost: u32) -> PasswordHasher {
    PasswordHasher::new().with_cost(Cost::new(cost).unwrap())
}

fn stored_at(cost: u32, password: &str) -> PasswordHash {
    at(cost).hash(password).unwrap()
}

fn argon2(params: Argon2Params) -> PasswordHasher {
    PasswordHasher::new()
        .with_algorithm(PasswordAlgorithm::Argon2id)
        .with_argon2_params(params)
}

fn rounds(cost: u32) -> u64 {
    1 << cost
}

mod within_bcrypt {
    use super::*;

    #[test]
    fn the_meter_counts_two_to_the_cost_per_computation() {
        let (_, work) = count_work(|| at(7).hash("pw").unwrap());
        assert_eq!(work.bcrypt_rounds(), rounds(7));
        assert_eq!(work.argon2_kib_passes(), 0);
    }

    #[test]
    fn a_failed_check_against_a_lower_stored_cost_does_the_configured_work() {
        let stored = stored_at(4, "right");
        let (result, work) = count_work(|| at(6).verify("wrong", &stored));
        assert_eq!(result, Err(PasswordError::Mismatch));
        assert_eq!(work.bcrypt_rounds(), rounds(6));
        let (result, work) = count_work(|| at(7).verify_and_update("wrong", &stored));
        assert_eq!(result, Err(PasswordError::Mismatch));
        assert_eq!(work.bcrypt_rounds(), rounds(7));
    }

    #[test]
    fn a_success_does_only_the_stored_work_and_an_update_one_new_hash() {
        let stored = stored_at(4, "right");
        let (result, work) = count_work(|| at(6).verify("right", &stored));
        assert_eq!(result, Ok(()));
        assert_eq!(work.bcrypt_rounds(), rounds(4));
        let (result, work) = count_work(|| at(6).verify_and_update("right", &stored));
        assert!(result.unwrap().is_some());
        assert_eq!(work.bcrypt_rounds(), rounds(4) + rounds(6));
    }

    #[test]
    fn unusable_passwords_and_unknown_users_cost_what_a_mismatch_costs() {
        let hasher = at(6);
        let stored = stored_at(4, "right");
        let (_, reference) = count_work(|| hasher.dummy_verify("wrong"));
        assert_eq!(reference, Work::NONE + count_work(|| hasher.hash("x")).1);
        let too_long = "x".repeat(73);
        for (result, work) in [
            count_work(|| hasher.verify(&too_long, &stored)),
            count_work(|| hasher.verify("a\0", &stored)),
            count_work(|| hasher.verify("wrong", &stored)),
            count_work(|| Err(hasher.dummy_verify(&too_long))),
            count_work(|| Err(hasher.dummy_verify("a\0"))),
        ] {
            assert!(result.is_err());
            assert_eq!(work, reference);
        }
    }

    #[test]
    fn pre_hashed_formats_are_hardened_too() {
        let stored = at(4)
            .with_long_passwords(LongPasswords::PreHash)
            .hash("right")
            .unwrap();
        let (_, work) = count_work(|| at(6).verify("wrong", &stored));
        assert_eq!(work.bcrypt_rounds(), rounds(6));
    }

    #[test]
    fn with_hardening_off_only_the_stored_work_is_done_but_unknown_users_still_pay() {
        let stored = stored_at(4, "right");
        let lenient = at(6).with_harden_runtime(false);
        let (_, work) = count_work(|| lenient.verify("wrong", &stored));
        assert_eq!(work.bcrypt_rounds(), rounds(4));
        let (_, work) = count_work(|| lenient.dummy_verify("wrong"));
        assert_eq!(work.bcrypt_rounds(), rounds(6));
    }

    #[test]
    fn a_stronger_stored_hash_is_not_cut_short_and_a_floor_covers_it() {
        let stored = stored_at(7, "right");
        let (_, work) = count_work(|| at(6).verify("wrong", &stored));
        assert_eq!(work.bcrypt_rounds(), rounds(7));
        // The server's answer: a floor from the strongest stored hash.
        let floor = WorkFloor::new().try_covering([stored.as_str()]).unwrap();
        let hasher = at(6).with_work_floor(floor);
        let (_, unknown) = count_work(|| hasher.dummy_verify("wrong"));
        assert_eq!(unknown.bcrypt_rounds(), rounds(7));
        let older = stored_at(5, "right");
        let (_, failed) = count_work(|| hasher.verify("wrong", &older));
        assert_eq!(failed, unknown);
    }
}

mod across_algorithms {
    use super::*;

    const POLICY: Argon2Params = Argon2Params::OWASP_MINIMUM;

    /// pwdlib's default Argon2id hash (m=65536, t=3, p=4) of "password", from
    /// tests/interop/argon2_passwords.py's vectors (argon2-cffi 23.1).
    const PWDLIB: &str = "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$gduXp+Z6iReEolmbyHn5V8s1EtJzmEvZfYoY/Fn/AeI";

    #[test]
    fn without_a_floor_the_other_algorithms_work_is_extra() {
        // The documented limit: an Argon2 policy cannot hide a stored bcrypt hash's own work
        // unless the floor names bcrypt.
        let stored = stored_at(5, "right");
        let hasher = argon2(POLICY);
        let (_, failed) = count_work(|| hasher.verify("wrong", &stored));
        let (_, unknown) = count_work(|| hasher.dummy_verify("wrong"));
        assert_eq!(failed.argon2_kib_passes(), unknown.argon2_kib_passes());
        assert_eq!(failed.bcrypt_rounds(), rounds(5));
        assert_eq!(unknown.bcrypt_rounds(), 0);
    }

    #[test]
    fn with_a_floor_covering_both_every_failure_costs_the_same_under_either_policy() {
        let bcrypt5 = stored_at(5, "right");
        let bcrypt4 = stored_at(4, "right");
        let argon2_min = argon2(POLICY).hash("right").unwrap();
        let floor = WorkFloor::new()
            .try_covering([bcrypt5.as_str(), PWDLIB, argon2_min.as_str()])
            .unwrap();
        assert_eq!(floor.bcrypt(), Some(Cost::new(5).unwrap()));
        assert_eq!(floor.argon2().map(|p| p.memory_kib()), Some(65_536));
        let too_long = "x".repeat(5000);
        for policy in [argon2(POLICY), at(4)] {
            let hasher = policy.with_work_floor(floor);
            let (_, unknown) = count_work(|| hasher.dummy_verify("wrong"));
            assert_eq!(unknown.bcrypt_rounds(), rounds(5));
            assert_eq!(unknown.argon2_kib_passes(), 65_536 * 3);
            for stored in [
                bcrypt5.as_str(),
                bcrypt4.as_str(),
                PWDLIB,
                argon2_min.as_str(),
            ] {
                for password in ["wrong", too_long.as_str()] {
                    let (result, work) = count_work(|| hasher.verify(password, stored));
                    assert!(result.is_err(), "{stored}");
                    assert_eq!(work, unknown, "{policy:?} against {stored}");
                }
                let (result, work) = count_work(|| hasher.verify_and_update("wrong", stored));
                assert_eq!(result, Err(PasswordError::Mismatch));
                assert_eq!(work, unknown, "update against {stored}");
            }
            let (_, too_long_unknown) = count_work(|| hasher.dummy_verify(&too_long));
            assert_eq!(too_long_unknown, unknown);
        }
    }
}

mod bounds {
    use super::*;

    /// A forged row with absurd settings must not raise every failure's work beyond what
    /// `verify` agrees to compute.
    #[test]
    fn the_floor_never_exceeds_the_max_verify_bounds() {
        let forged = "$argon2id$v=19$m=4194304,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$gduXp+Z6iReEolmbyHn5V8s1EtJzmEvZfYoY/Fn/AeI";
        let strong_bcrypt = stored_at(6, "right");
        let floor = WorkFloor::new()
            .try_covering([forged, strong_bcrypt.as_str()])
            .unwrap();
        let hasher = argon2(Argon2Params::OWASP_MINIMUM)
            .with_max_verify_argon2_params(Argon2Params::OWASP_MINIMUM)
            .with_cost(Cost::new(4).unwrap())
            .with_max_verify_cost(Cost::new(5).unwrap())
            .with_work_floor(floor);
        let (_, unknown) = count_work(|| hasher.dummy_verify("wrong"));
        assert_eq!(unknown.argon2_kib_passes(), 19_456 * 2);
        assert_eq!(unknown.bcrypt_rounds(), rounds(5));
    }
}

mod normalization {
    use super::*;

    const PRECOMPOSED: &str = "r\u{e9}sum\u{e9} of my long passphrase";
    const DECOMPOSED: &str = "re\u{301}sume\u{301} of my long passphrase";

    fn nfc(cost: u32) -> PasswordHasher {
        at(cost).with_normalization(Normalization::Nfc)
    }

    #[test]
    fn the_count_of_attempts_depends_on_the_input_only() {
        let hasher = nfc(5);
        let current = hasher.hash("right").unwrap();
        let old = stored_at(4, "right");
        for input in [PRECOMPOSED, DECOMPOSED] {
            let attempts = if input == DECOMPOSED { 2 } else { 1 };
            let (_, unknown) = count_work(|| hasher.dummy_verify(input));
            assert_eq!(unknown.bcrypt_rounds(), attempts * rounds(5), "{input:?}");
            for stored in [&current, &old] {
                let (result, work) = count_work(|| hasher.verify(input, stored));
                assert_eq!(result, Err(PasswordError::Mismatch));
                assert_eq!(work, unknown, "{input:?}");
            }
        }
    }

    #[test]
    fn the_raw_fallback_under_an_argon2_floor_is_evened_in_both_units() {
        let hasher =
            nfc(4).with_work_floor(WorkFloor::new().with_argon2(Argon2Params::OWASP_MINIMUM));
        let stored = stored_at(4, "right");
        let (_, unknown) = count_work(|| hasher.dummy_verify(DECOMPOSED));
        let (_, failed) = count_work(|| hasher.verify(DECOMPOSED, &stored));
        assert_eq!(failed, unknown);
        assert_eq!(
            unknown.argon2_kib_passes(),
            2 * u64::from(Argon2Params::OWASP_MINIMUM.memory_kib()) * 2
        );
    }
}
