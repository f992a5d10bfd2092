//! New-password rules of NIST SP 800-63B-4 §3.1.1.2 (`keyward::password::PasswordPolicy`):
//! length in code points, the byte limits of each hash format, context words, the local
//! blocklist and the k-anonymity range check.

#![allow(clippy::doc_markdown)]

use std::sync::Arc;

use keyward::password::{
    Argon2Params, Blocklist, LengthLimits, LongPasswords, Normalization, PasswordAlgorithm,
    PasswordHasher, PasswordPolicy, PolicyError, PolicyViolation, PwnedRangeQuery, RangeOutcome,
    RangeProblem,
};
use proptest::prelude::*;

fn plain() -> PasswordHasher {
    PasswordHasher::new()
}

fn pre_hash() -> PasswordHasher {
    PasswordHasher::new().with_long_passwords(LongPasswords::PreHash)
}

fn argon2() -> PasswordHasher {
    PasswordHasher::new()
        .with_algorithm(PasswordAlgorithm::Argon2id)
        .with_argon2_params(Argon2Params::OWASP_MINIMUM)
}

/// `n` code points cycling through `sample`.
fn of_length(sample: &str, n: usize) -> String {
    sample.chars().cycle().take(n).collect()
}

mod length {
    use super::*;

    /// The "done when": 64 characters in Cyrillic, Devanagari and emoji are accepted,
    /// counted as 64 (NIST: each code point one character), with a format that holds them.
    #[test]
    fn sixty_four_characters_in_any_script_are_accepted_where_the_format_holds_them() {
        let policy = PasswordPolicy::new();
        for (sample, bytes_each) in [("пароль", 2), ("पासवर्ड", 3), ("🔑🐉🌵", 4)]
        {
            let password = of_length(sample, 64);
            assert_eq!(password.chars().count(), 64);
            for hasher in [pre_hash(), argon2()] {
                assert_eq!(policy.check(&hasher, &password, &[]), Ok(()), "{sample}");
            }
            // Plain bcrypt cannot hold them: refused, naming the settings that would allow it.
            let refused = policy.check(&plain(), &password, &[]).unwrap_err();
            assert_eq!(
                refused,
                PolicyViolation::OverBcryptLimit {
                    bytes: 64 * bytes_each
                }
            );
            let message = refused.to_string();
            assert!(message.contains("LongPasswords::PreHash"), "{message}");
            assert!(message.contains("PasswordAlgorithm::Argon2id"), "{message}");
        }
    }

    #[test]
    fn the_minimum_is_15_code_points_not_bytes() {
        let policy = PasswordPolicy::new();
        // 14 emoji are 56 bytes, still too short; 15 ASCII characters are enough.
        assert_eq!(
            policy.check(&argon2(), &of_length("🔑", 14), &[]),
            Err(PolicyViolation::TooShort {
                length: 14,
                min: 15
            })
        );
        assert_eq!(policy.check(&plain(), &of_length("qx", 15), &[]), Ok(()));
    }

    #[test]
    fn the_maximum_is_256_by_default_and_configurable() {
        let policy = PasswordPolicy::new();
        assert_eq!(policy.check(&argon2(), &of_length("qx", 256), &[]), Ok(()));
        assert_eq!(
            policy.check(&argon2(), &of_length("qx", 257), &[]),
            Err(PolicyViolation::TooLong {
                length: 257,
                max: 256
            })
        );
        // The longest accepted in the widest script still fits the 4096-byte cap.
        assert_eq!(policy.check(&argon2(), &of_length("🔑", 256), &[]), Ok(()));
        let mfa = policy.with_lengths(LengthLimits::try_new(8, 64).unwrap());
        assert_eq!(mfa.check(&argon2(), &of_length("qx", 8), &[]), Ok(()));
    }

    #[test]
    fn limits_outside_nist_are_refused_when_built() {
        assert_eq!(
            LengthLimits::try_new(7, 64),
            Err(PolicyError::MinimumBelowNist { min: 7 })
        );
        assert_eq!(
            LengthLimits::try_new(15, 63),
            Err(PolicyError::MaximumBelowNist { max: 63 })
        );
        assert_eq!(
            LengthLimits::try_new(100, 64),
            Err(PolicyError::MinimumAboveMaximum { min: 100, max: 64 })
        );
        assert_eq!(
            LengthLimits::try_new(15, 1025),
            Err(PolicyError::MaximumAboveCap {
                max: 1025,
                cap: 1024
            })
        );
    }

    #[test]
    fn lengths_and_bytes_are_of_the_normalized_form() {
        // 36 decomposed `é` (72 code points, 108 bytes) are 36 precomposed (72 bytes): plain
        // bcrypt holds the NFC form, not the raw one.
        let decomposed = "e\u{301}".repeat(36);
        let nfc = plain().with_normalization(Normalization::Nfc);
        assert_eq!(PasswordPolicy::new().check(&nfc, &decomposed, &[]), Ok(()));
        assert_eq!(
            PasswordPolicy::new().check(&plain(), &decomposed, &[]),
            Err(PolicyViolation::OverBcryptLimit { bytes: 108 })
        );
        // And the hasher agrees with the policy.
        nfc.hash(&decomposed).unwrap();
    }

    #[test]
    fn nul_is_refused_for_plain_bcrypt_only() {
        let password = "fifteen chars\0!!";
        assert_eq!(
            PasswordPolicy::new().check(&plain(), password, &[]),
            Err(PolicyViolation::ContainsNul)
        );
        assert_eq!(
            PasswordPolicy::new().check(&argon2(), password, &[]),
            Ok(())
        );
    }
}

mod context_words {
    use super::*;

    #[test]
    fn a_password_made_of_the_username_or_service_is_refused_in_any_case() {
        let policy = PasswordPolicy::new().with_context_word("Keyward");
        for password in ["ALICEalice2024!!", "AliceAliceAlice", "KEYWARD-keyward-1"] {
            let refused = policy.check(&argon2(), password, &["alice"]).unwrap_err();
            assert!(
                matches!(refused, PolicyViolation::ContextWord { .. }),
                "{password}: {refused:?}"
            );
        }
    }

    #[test]
    fn a_long_passphrase_that_merely_contains_the_name_is_accepted() {
        let policy = PasswordPolicy::new();
        let password = "alice plants seven crooked lanterns";
        assert_eq!(policy.check(&argon2(), password, &["alice"]), Ok(()));
    }

    #[test]
    fn case_folding_and_normalization_apply_beyond_ascii() {
        // Precomposed name, decomposed upper-case password.
        let policy = PasswordPolicy::new();
        let password = "E\u{301}MILE-E\u{301}MILE-E\u{301}MILE";
        assert_eq!(
            policy.check(&argon2(), password, &["\u{e9}mile"]),
            Err(PolicyViolation::ContextWord {
                word: "\u{e9}mile".into()
            })
        );
    }

    #[test]
    fn words_under_three_characters_are_not_looked_for() {
        let policy = PasswordPolicy::new();
        assert_eq!(
            policy.check(&argon2(), "ababababababababab", &["ab"]),
            Ok(())
        );
    }
}

mod blocklist {
    use super::*;

    #[test]
    fn a_password_list_refuses_exact_entries_crlf_or_lf() {
        let list =
            Blocklist::from_passwords("123456789012345\r\nqwertyuiopasdfghjkl\n\n".as_bytes())
                .unwrap();
        assert_eq!(list.len(), 2);
        let policy = PasswordPolicy::new().with_blocklist(Arc::new(list));
        for password in ["123456789012345", "qwertyuiopasdfghjkl"] {
            assert_eq!(
                policy.check(&argon2(), password, &[]),
                Err(PolicyViolation::Blocklisted)
            );
        }
        assert_eq!(policy.check(&argon2(), "qwertyuiopasdfghjkL", &[]), Ok(()));
    }

    #[test]
    fn a_digest_list_reads_the_pwned_passwords_download_format() {
        // SHA-1("password") and SHA-1("P@ssw0rd"), upper and lower case, with counts.
        let file = "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:10434004\r\n21bd12dc183f740ee76f27b78eb39c8ad972a757\n";
        let list = Blocklist::from_sha1_digests(file.as_bytes()).unwrap();
        assert!(list.contains("password"));
        assert!(list.contains("P@ssw0rd"));
        assert!(!list.contains("passworD"));
    }

    #[test]
    fn broken_files_are_refused_with_the_line() {
        assert_eq!(
            Blocklist::from_sha1_digests(
                "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8\nnot hex\n".as_bytes()
            ),
            Err(PolicyError::BlocklistDigest { line: 2 })
        );
        let long = "x".repeat(Blocklist::MAX_LINE_BYTES + 1);
        assert_eq!(
            Blocklist::from_passwords(format!("ok\n{long}\n").as_bytes()),
            Err(PolicyError::BlocklistLineTooLong {
                line: 2,
                max: Blocklist::MAX_LINE_BYTES
            })
        );
    }

    #[test]
    fn debug_shows_the_size_not_the_entries() {
        let list = Blocklist::from_passwords("hunter2hunter2hunter2\n".as_bytes()).unwrap();
        let shown = format!("{list:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("entries: 1"), "{shown}");
    }
}

/// The range response format: https://haveibeenpwned.com/API/v3#SearchingPwnedPasswordsByRange
/// (`SUFFIX:COUNT` lines, CRLF; `Add-Padding: true` adds entries with count 0).
mod range_check {
    use super::*;

    const PASSWORD_SUFFIX: &str = "1E4C9B93F3F0682250B6CF8331B7EE68FD8"; // of SHA-1("password")

    fn query() -> PwnedRangeQuery {
        PwnedRangeQuery::new(&argon2(), "password")
    }

    #[test]
    fn the_prefix_is_the_first_five_upper_case_hex_digits() {
        assert_eq!(query().prefix(), "5BAA6");
        assert!(!format!("{:?}", query()).contains(PASSWORD_SUFFIX));
    }

    #[test]
    fn a_listed_suffix_is_refused_in_either_case_and_either_line_ending() {
        let lower = PASSWORD_SUFFIX.to_lowercase();
        for body in [
            format!("003D68EB55068C33ACE09247EE4C639306B:3\r\n{PASSWORD_SUFFIX}:42\r\n"),
            format!("{lower}:42\n003D68EB55068C33ACE09247EE4C639306B:3"),
        ] {
            assert_eq!(
                query().check(&body),
                Err(PolicyViolation::Breached { count: 42 })
            );
        }
    }

    #[test]
    fn padding_entries_and_counts_below_the_threshold_are_clear() {
        let padded = format!("{PASSWORD_SUFFIX}:0\r\n003D68EB55068C33ACE09247EE4C639306B:0\r\n");
        assert_eq!(query().check(&padded), Ok(RangeOutcome::Clear { count: 0 }));
        let seen_twice = format!("{PASSWORD_SUFFIX}:2\r\n");
        assert_eq!(
            query().with_threshold(3).check(&seen_twice),
            Ok(RangeOutcome::Clear { count: 2 })
        );
        assert_eq!(
            query().with_threshold(2).check(&seen_twice),
            Err(PolicyViolation::Breached { count: 2 })
        );
    }

    #[test]
    fn the_query_hashes_the_form_the_hasher_stores() {
        let nfc = argon2().with_normalization(Normalization::Nfc);
        let a = PwnedRangeQuery::new(&nfc, "caf\u{e9}");
        let b = PwnedRangeQuery::new(&nfc, "cafe\u{301}");
        assert_eq!(a.prefix(), b.prefix());
    }

    #[test]
    fn an_unreadable_or_missing_response_fails_open_with_a_warning() {
        assert_eq!(
            query().unavailable(),
            RangeOutcome::Unchecked {
                reason: RangeProblem::Unavailable
            }
        );
        for (body, line) in [
            ("<html>503</html>".to_owned(), 1),
            (format!("{PASSWORD_SUFFIX}:12\r\n{PASSWORD_SUFFIX}:\r\n"), 2),
            (format!("{PASSWORD_SUFFIX}:-1"), 1),
            (format!("{PASSWORD_SUFFIX}:99999999999999999999999"), 1),
            (format!("{PASSWORD_SUFFIX}X:1"), 1),
        ] {
            assert_eq!(
                query().check(&body),
                Ok(RangeOutcome::Unchecked {
                    reason: RangeProblem::Malformed { line }
                }),
                "{body}"
            );
        }
        let huge = "0".repeat(PwnedRangeQuery::MAX_RESPONSE_BYTES + 1);
        assert_eq!(
            query().check(&huge),
            Ok(RangeOutcome::Unchecked {
                reason: RangeProblem::TooLarge {
                    bytes: PwnedRangeQuery::MAX_RESPONSE_BYTES + 1
                }
            })
        );
    }

    proptest! {
        /// Any bytes: an answer, never a panic.
        #[test]
        fn any_response_is_answered(body in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let _ = query().check(&body);
        }

        /// Any well-formed range: refused exactly when our suffix is listed with a count.
        #[test]
        fn well_formed_ranges_are_read_exactly(
            others in proptest::collection::vec(("[0-9A-F]{35}", 0u64..1000), 0..50),
            ours in proptest::option::of(1u64..1000),
        ) {
            let mut body: Vec<String> = others
                .iter()
                .filter(|(suffix, _)| suffix != PASSWORD_SUFFIX)
                .map(|(suffix, count)| format!("{suffix}:{count}"))
                .collect();
            if let Some(count) = ours {
                body.push(format!("{PASSWORD_SUFFIX}:{count}"));
            }
            let result = query().check(body.join("\r\n"));
            let expected = ours.map_or(Ok(RangeOutcome::Clear { count: 0 }), |count| {
                Err(PolicyViolation::Breached { count })
            });
            prop_assert_eq!(result, expected);
        }
    }
}
