//! Argon2id in `PasswordHasher`: known answers, formats, migration between bcrypt and Argon2id,
//! the parameter floor and ceiling, and properties.
//!
//! Hashing tests use OWASP's minimum (19 MiB, t = 2, p = 1), the floor keyward allows, so they
//! stay fast; the known answers use the parameters their sources used.

use keyward::password::{
    Argon2Params, Argon2ParamsProblem, Cost, HashFormat, LongPasswords, PasswordAlgorithm,
    PasswordError, PasswordHash, PasswordHasher, Work, count_work,
};
use proptest::prelude::*;

fn argon2id() -> PasswordHasher {
    PasswordHasher::new()
        .with_algorithm(PasswordAlgorithm::Argon2id)
        .with_argon2_params(Argon2Params::OWASP_MINIMUM)
}

fn bcrypt4() -> PasswordHasher {
    PasswordHasher::new().with_cost(Cost::new(4).unwrap())
}

/// The reference implementation's known answers (phc-winner-argon2, src/test.c: `hashtest(...,
/// 2, 16, 1, "password", "somesalt", ...)`, i.e. t = 2, m = 2^16 KiB, p = 1), reproduced with
/// argon2-cffi 25.1.0 (`argon2.low_level.hash_secret`, which binds that implementation).
const REFERENCE_ID_V19: &str =
    "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";
const REFERENCE_I_V19: &str =
    "$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$wWKIMhR9lyDFvRz9YTZweHKfbftvj+qf+YFY4NeBbtA";
const REFERENCE_ID_V16: &str =
    "$argon2id$v=16$m=65536,t=2,p=1$c29tZXNhbHQ$mA69JKTmZ/FjRvnUp4sXVyh4NhPgzG+xfC7IhLFkNd8";
/// argon2-cffi 25.1.0 with its default profile (RFC 9106 low-memory, pwdlib's default):
/// `hash_secret(b"password", b"somesaltsomesalt", time_cost=3, memory_cost=65536,
/// parallelism=4, hash_len=32, type=Type.ID)`.
const CFFI_DEFAULT: &str = "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$gduXp+Z6iReEolmbyHn5V8s1EtJzmEvZfYoY/Fn/AeI";

mod known_answers {
    use super::*;
    use argon2::{Algorithm, Argon2, AssociatedData, ParamsBuilder, Version};

    /// RFC 9106 §5.3 (Argon2id): password 32 × 0x01, salt 16 × 0x02, secret 8 × 0x03, associated
    /// data 12 × 0x04, m = 32 KiB, t = 3, p = 4, tag length 32. keyward's path takes neither a
    /// secret nor associated data, so the vector checks the `argon2` crate keyward calls, through
    /// its raw API; the PHC known answers below go through keyward.
    #[test]
    fn rfc_9106_argon2id_vector_in_the_argon2_crate() {
        let expected: [u8; 32] = [
            0x0d, 0x64, 0x0d, 0xf5, 0x8d, 0x78, 0x76, 0x6c, 0x08, 0xc0, 0x37, 0xa3, 0x4a, 0x8b,
            0x53, 0xc9, 0xd0, 0x1e, 0xf0, 0x45, 0x2d, 0x75, 0xb6, 0x5e, 0xb5, 0x25, 0x20, 0xe9,
            0x6b, 0x01, 0xe6, 0x59,
        ];
        let params = ParamsBuilder::new()
            .m_cost(32)
            .t_cost(3)
            .p_cost(4)
            .data(AssociatedData::new(&[0x04; 12]).unwrap())
            .output_len(32)
            .build()
            .unwrap();
        let secret = [0x03; 8];
        let argon2 =
            Argon2::new_with_secret(&secret, Algorithm::Argon2id, Version::V0x13, params).unwrap();
        let mut tag = [0u8; 32];
        argon2
            .hash_password_into(&[0x01; 32], &[0x02; 16], &mut tag)
            .unwrap();
        assert_eq!(tag, expected);
    }

    #[test]
    fn reference_phc_strings_verify_through_keyward() {
        for hasher in [PasswordHasher::new(), argon2id()] {
            for (hash, format) in [
                (REFERENCE_ID_V19, HashFormat::Argon2id),
                (REFERENCE_I_V19, HashFormat::Argon2i),
                (REFERENCE_ID_V16, HashFormat::Argon2id),
                (CFFI_DEFAULT, HashFormat::Argon2id),
            ] {
                hasher.verify("password", hash).unwrap();
                assert_eq!(
                    hasher.verify("passwore", hash),
                    Err(PasswordError::Mismatch),
                    "{hash}"
                );
                assert_eq!(PasswordHash::parse(hash).unwrap().format(), format);
            }
        }
    }

    #[test]
    fn a_changed_digest_or_salt_is_a_mismatch() {
        let digest_changed = REFERENCE_ID_V19.replace("CTFh", "CTFi");
        let salt_changed = REFERENCE_ID_V19.replace("c29tZXNhbHQ", "c29uZXNhbHQ");
        for hash in [digest_changed, salt_changed] {
            assert_eq!(
                argon2id().verify("password", &hash),
                Err(PasswordError::Mismatch),
                "{hash}"
            );
        }
    }

    #[test]
    fn django_format_verifies() {
        // django/contrib/auth/hashers.py, Argon2PasswordHasher.encode:
        // `return self.algorithm + data.decode("ascii")` with algorithm = "argon2".
        let django = format!("argon2{REFERENCE_ID_V19}");
        assert!(django.starts_with("argon2$argon2id$v=19$"));
        argon2id().verify("password", &django).unwrap();
        assert_eq!(
            PasswordHash::parse(&django).unwrap().format(),
            HashFormat::DjangoArgon2
        );
        // Django before 3.2 wrote Argon2i.
        argon2id()
            .verify("password", format!("argon2{REFERENCE_I_V19}"))
            .unwrap();
    }

    #[test]
    fn needs_rehash_reports_everything_but_the_configured_argon2id() {
        let default = PasswordHasher::new().with_algorithm(PasswordAlgorithm::Argon2id);
        assert_eq!(default.argon2_params(), Argon2Params::DEFAULT);
        assert!(!default.needs_rehash(CFFI_DEFAULT).unwrap());
        for stale in [
            REFERENCE_ID_V19.to_owned(), // other parameters
            REFERENCE_I_V19.to_owned(),  // Argon2i
            REFERENCE_ID_V16.to_owned(), // version 16
            format!("argon2{CFFI_DEFAULT}"),
        ] {
            assert!(default.needs_rehash(&stale).unwrap(), "{stale}");
        }
        // With bcrypt configured, every Argon2 hash is due for replacement.
        assert!(PasswordHasher::new().needs_rehash(CFFI_DEFAULT).unwrap());
    }
}

mod formats {
    use super::*;

    #[test]
    fn keyward_writes_argon2_cffi_s_phc_string() {
        let hash = argon2id().hash("hunter2").unwrap();
        let text = hash.as_str();
        let rest = text
            .strip_prefix("$argon2id$v=19$m=19456,t=2,p=1$")
            .unwrap();
        let (salt, digest) = rest.split_once('$').unwrap();
        // 16-byte salt and 32-byte digest in unpadded standard base64, as argon2-cffi writes.
        assert_eq!((salt.len(), digest.len()), (22, 43));
        assert!(!salt.contains('=') && !digest.contains('='));
        assert_eq!(hash.format(), HashFormat::Argon2id);
        assert_eq!(hash.bcrypt_cost(), None);
        let shown = format!("{hash:?}");
        assert!(!shown.contains(digest) && !shown.contains(salt), "{shown}");
    }

    #[test]
    fn argon2_takes_long_passwords_and_nul_bytes_up_to_the_cap() {
        let hasher = argon2id();
        for password in [vec![b'x'; 73], vec![0u8; 5], vec![0xff; 4096]] {
            let hash = hasher.hash(&password).unwrap();
            hasher.verify(&password, &hash).unwrap();
        }
        assert_eq!(
            hasher.hash(vec![b'x'; 4097]),
            Err(PasswordError::TooLong {
                len: 4097,
                max: PasswordHasher::MAX_ARGON2_PASSWORD_BYTES
            })
        );
        // The 72-byte rule stays bcrypt's: LongPasswords does not apply to Argon2id.
        let rejecting = hasher.with_long_passwords(LongPasswords::Reject);
        rejecting.hash(vec![b'y'; 100]).unwrap();
    }

    #[test]
    fn unusable_argon2_strings_are_typed_errors() {
        let malformed = [
            "$argon2id$v=19$m=65536,t=2$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            "$argon2id$v=19$m=65536,t=2,p=1,m=8$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            "$argon2id$v=20$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ",
            "$argon2id$v=19$m=65536,t=0,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            "$argon2id$v=19$m=7,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            "$argon2x$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFh\u{e9}",
            "$argon2id$",
            "argon2$argon2id$",
        ];
        for hash in malformed {
            assert_eq!(
                argon2id().verify("password", hash),
                Err(PasswordError::MalformedHash),
                "{hash}"
            );
        }
        let long = format!("{REFERENCE_ID_V19}{}", "A".repeat(600));
        assert_eq!(
            argon2id().verify("password", long),
            Err(PasswordError::MalformedHash)
        );
        for unsupported in [
            REFERENCE_ID_V19.replace("argon2id", "argon2d"),
            REFERENCE_ID_V19.replace("p=1$", "p=1,keyid=AAAAAA$"),
            REFERENCE_ID_V19.replace("p=1$", "p=1,data=AAAAAA$"),
        ] {
            assert_eq!(
                argon2id().verify("password", &unsupported),
                Err(PasswordError::UnsupportedArgon2Variant),
                "{unsupported}"
            );
        }
    }
}

mod migration {
    use super::*;

    #[test]
    fn bcrypt_moves_to_argon2id_on_login() {
        let stored = bcrypt4().hash("correct horse").unwrap();
        assert!(stored.as_str().starts_with("$2b$04$") && stored.as_str().len() == 60);
        let hasher = argon2id();
        assert!(hasher.needs_rehash(&stored).unwrap());
        assert_eq!(
            hasher.verify_and_update("wrong horse", &stored),
            Err(PasswordError::Mismatch)
        );
        let new = hasher
            .verify_and_update("correct horse", &stored)
            .unwrap()
            .expect("bcrypt is not the configured algorithm");
        assert!(
            new.as_str().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{new}"
        );
        assert_eq!(
            new.as_str().len(),
            "$argon2id$v=19$m=19456,t=2,p=1$".len() + 22 + 1 + 43
        );
        assert_eq!(
            hasher.verify_and_update("correct horse", &new).unwrap(),
            None
        );
        // The old hash still verifies until the new one is stored.
        hasher.verify("correct horse", &stored).unwrap();
    }

    #[test]
    fn pre_hashed_and_django_bcrypt_move_to_argon2id_too() {
        let pre = bcrypt4()
            .with_long_passwords(LongPasswords::PreHash)
            .hash("x".repeat(100))
            .unwrap();
        let new = argon2id()
            .verify_and_update("x".repeat(100), &pre)
            .unwrap()
            .unwrap();
        assert_eq!(new.format(), HashFormat::Argon2id);
        argon2id().verify("x".repeat(100), &new).unwrap();
    }

    #[test]
    fn argon2id_moves_back_to_bcrypt_when_bcrypt_is_configured() {
        let stored = argon2id().hash("hunter2").unwrap();
        let new = bcrypt4()
            .verify_and_update("hunter2", &stored)
            .unwrap()
            .expect("Argon2id is not the configured algorithm");
        assert!(new.as_str().starts_with("$2b$04$") && new.as_str().len() == 60);
        assert_eq!(bcrypt4().verify_and_update("hunter2", &new).unwrap(), None);
        // A password bcrypt cannot hold moves to the pre-hashed format, never truncated.
        let long = "a passphrase that is well over seventy-two bytes long, as Argon2 allowed it";
        let stored = argon2id().hash(long).unwrap();
        let new = bcrypt4().verify_and_update(long, &stored).unwrap().unwrap();
        assert!(
            new.as_str().starts_with("$bcrypt-sha256$v=2,t=2b,r=4$"),
            "{new}"
        );
        bcrypt4().verify(long, &new).unwrap();
    }

    #[test]
    fn argon2_parameter_changes_rehash_in_both_directions() {
        let low = argon2id().hash("pw").unwrap();
        let higher = argon2id().with_argon2_params(Argon2Params::new(19_456, 3, 1).unwrap());
        let up = higher.verify_and_update("pw", &low).unwrap().unwrap();
        assert!(up.as_str().starts_with("$argon2id$v=19$m=19456,t=3,p=1$"));
        let down = argon2id().verify_and_update("pw", &up).unwrap().unwrap();
        assert!(down.as_str().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        let longer = argon2id()
            .with_argon2_params(Argon2Params::OWASP_MINIMUM.try_with_output_len(64).unwrap());
        assert!(longer.needs_rehash(&low).unwrap());
    }
}

mod limits {
    use super::*;

    const FORGED: [&str; 3] = [
        "$argon2id$v=19$m=4194304,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$gduXp+Z6iReEolmbyHn5V8s1EtJzmEvZfYoY/Fn/AeI",
        "$argon2id$v=19$m=65536,t=1000000,p=4$c29tZXNhbHRzb21lc2FsdA$gduXp+Z6iReEolmbyHn5V8s1EtJzmEvZfYoY/Fn/AeI",
        "$argon2id$v=19$m=65536,t=3,p=255$c29tZXNhbHRzb21lc2FsdA$gduXp+Z6iReEolmbyHn5V8s1EtJzmEvZfYoY/Fn/AeI",
    ];

    #[test]
    fn absurd_stored_parameters_are_refused_fast_with_a_typed_error() {
        // 4 GiB, a million passes, 255 lanes: seconds to hours of work and up to 4 GiB each.
        // Refused before any work: counted, not timed.
        for hasher in [PasswordHasher::new(), argon2id()] {
            for hash in FORGED {
                let (result, work) = count_work(|| hasher.verify("password", hash));
                assert!(
                    matches!(result, Err(PasswordError::Argon2ParamsTooHigh { .. })),
                    "{hash}: {result:?}"
                );
                assert_eq!(work, Work::NONE, "{hash}");
                assert!(matches!(
                    hasher.verify_and_update("password", hash),
                    Err(PasswordError::Argon2ParamsTooHigh { .. })
                ));
            }
        }
        assert_eq!(
            argon2id().verify("password", FORGED[0]),
            Err(PasswordError::Argon2ParamsTooHigh {
                memory_kib: 4_194_304,
                iterations: 3,
                parallelism: 4,
                max: Argon2Params::DEFAULT_MAX_VERIFY,
            })
        );
    }

    #[test]
    fn the_ceiling_is_configurable_and_never_below_the_configured_parameters() {
        let tight = argon2id().with_max_verify_argon2_params(Argon2Params::OWASP_MINIMUM);
        assert!(matches!(
            tight.verify("password", CFFI_DEFAULT),
            Err(PasswordError::Argon2ParamsTooHigh {
                memory_kib: 65_536,
                ..
            })
        ));
        let raised = tight.with_argon2_params(Argon2Params::DEFAULT);
        assert_eq!(raised.max_verify_argon2_params(), Argon2Params::DEFAULT);
        raised.verify("password", CFFI_DEFAULT).unwrap();
    }

    #[test]
    fn the_floor_is_owasp_s_table() {
        for (m, t) in Argon2Params::OWASP_MINIMUMS {
            assert!(Argon2Params::new(m, t, 1).is_ok(), "{m} {t}");
            assert_eq!(
                Argon2Params::new(m - 1, t, 1),
                Err(PasswordError::InvalidArgon2Params(
                    Argon2ParamsProblem::BelowOwaspMinimum
                )),
                "{m} {t}"
            );
        }
        assert!(Argon2Params::new(19_456, 1, 1).is_err());
        assert_eq!(
            Argon2Params::new(Argon2Params::MAX_MEMORY_KIB + 1, 2, 1),
            Err(PasswordError::InvalidArgon2Params(
                Argon2ParamsProblem::MemoryTooLarge
            ))
        );
        assert_eq!(
            Argon2Params::new(19_456, 257, 1),
            Err(PasswordError::InvalidArgon2Params(
                Argon2ParamsProblem::IterationsOutOfRange
            ))
        );
        assert_eq!(
            Argon2Params::new(19_456, 2, 65),
            Err(PasswordError::InvalidArgon2Params(
                Argon2ParamsProblem::ParallelismOutOfRange
            ))
        );
        assert_eq!(
            Argon2Params::DEFAULT.try_with_output_len(65),
            Err(PasswordError::InvalidArgon2Params(
                Argon2ParamsProblem::OutputLengthOutOfRange
            ))
        );
        assert_eq!(Argon2Params::DEFAULT.to_string(), "m=65536,t=3,p=4");
    }

    #[test]
    fn dummy_verify_answers_like_verify() {
        assert_eq!(argon2id().dummy_verify("guess"), PasswordError::Mismatch);
        assert_eq!(
            argon2id().dummy_verify(vec![b'x'; 4097]),
            PasswordError::TooLong {
                len: 4097,
                max: 4096
            }
        );
        // NUL bytes are fine for Argon2id, so no ContainsNul here.
        assert_eq!(argon2id().dummy_verify("a\0b"), PasswordError::Mismatch);
    }
}

proptest! {
    // Each case hashes once and verifies twice at 19 MiB: keep the count small.
    #![proptest_config(ProptestConfig::with_cases(6))]

    #[test]
    fn hash_then_verify_matches_only_the_same_password(
        password in proptest::collection::vec(any::<u8>(), 0..200),
        other in proptest::collection::vec(any::<u8>(), 0..200),
    ) {
        let hasher = argon2id();
        let hash = hasher.hash(&password).unwrap();
        prop_assert_eq!(hasher.verify(&password, &hash), Ok(()));
        if other != password {
            prop_assert_eq!(hasher.verify(&other, &hash), Err(PasswordError::Mismatch));
        }
    }
}
