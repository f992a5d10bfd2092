//! Opt-in NFC normalization (`Normalization::Nfc`): the same password typed on two keyboards
//! verifies, hashes made before normalization still verify and move to NFC, and compatibility
//! forms stay distinct (NFC, not NFKC: wildfly-elytron's move, CVE-2026-19611).

#![allow(clippy::doc_markdown)]

use keyward::password::{
    Argon2Params, Cost, LongPasswords, Normalization, PasswordAlgorithm, PasswordError,
    PasswordHasher,
};

const PRECOMPOSED: &str = "cr\u{e8}me br\u{fb}l\u{e9}e pour quinze";
const DECOMPOSED: &str = "cre\u{300}me bru\u{302}le\u{301}e pour quinze";

fn bcrypt() -> PasswordHasher {
    PasswordHasher::new().with_cost(Cost::new(4).unwrap())
}

fn argon2() -> PasswordHasher {
    PasswordHasher::new()
        .with_algorithm(PasswordAlgorithm::Argon2id)
        .with_argon2_params(Argon2Params::OWASP_MINIMUM)
}

fn both() -> [PasswordHasher; 2] {
    [bcrypt(), argon2()]
}

#[test]
fn precomposed_and_decomposed_verify_each_others_hashes() {
    for hasher in both().map(|h| h.with_normalization(Normalization::Nfc)) {
        for (typed, retyped) in [(PRECOMPOSED, DECOMPOSED), (DECOMPOSED, PRECOMPOSED)] {
            let hash = hasher.hash(typed).unwrap();
            assert_eq!(hasher.verify(retyped, &hash), Ok(()));
            assert_eq!(hasher.verify_and_update(retyped, &hash), Ok(None));
        }
    }
}

#[test]
fn without_normalization_they_are_different_passwords() {
    let hash = bcrypt().hash(PRECOMPOSED).unwrap();
    assert_eq!(
        bcrypt().verify(DECOMPOSED, &hash),
        Err(PasswordError::Mismatch)
    );
}

/// The migration others got wrong (Synapse #3306: no fallback, users locked out): a hash of
/// the raw decomposed bytes verifies by the raw fallback and is rehashed under NFC.
#[test]
fn a_hash_made_before_normalization_verifies_and_is_rehashed() {
    for hasher in both() {
        let old = hasher.hash(DECOMPOSED).unwrap();
        let nfc = hasher.with_normalization(Normalization::Nfc);
        assert!(!nfc.needs_rehash(&old).unwrap());
        assert_eq!(nfc.verify(DECOMPOSED, &old), Ok(()));
        let new = nfc.verify_and_update(DECOMPOSED, &old).unwrap().unwrap();
        assert_eq!(nfc.verify(PRECOMPOSED, &new), Ok(()));
        // The new hash is of the NFC form: a non-normalizing hasher sees that.
        assert_eq!(hasher.verify(PRECOMPOSED, &new), Ok(()));
        assert_eq!(
            hasher.verify(DECOMPOSED, &new),
            Err(PasswordError::Mismatch)
        );
    }
}

#[test]
fn compatibility_forms_stay_distinct() {
    let nfc = bcrypt().with_normalization(Normalization::Nfc);
    for (typed, folded) in [
        ("\u{ff21}\u{ff22}\u{ff23} full width", "ABC full width"),
        ("\u{fb01}nally", "finally"),
        ("\u{2460}\u{2461}\u{2462}", "123"),
    ] {
        let hash = nfc.hash(typed).unwrap();
        assert_eq!(
            nfc.verify(folded, &hash),
            Err(PasswordError::Mismatch),
            "{typed}"
        );
        assert_eq!(nfc.verify(typed, &hash), Ok(()));
    }
}

#[test]
fn the_72_byte_rule_applies_after_normalization() {
    // 36 decomposed `é`: 108 bytes raw, 72 in NFC.
    let decomposed = "e\u{301}".repeat(36);
    let nfc = bcrypt().with_normalization(Normalization::Nfc);
    let hash = nfc.hash(&decomposed).unwrap();
    assert_eq!(nfc.verify("\u{e9}".repeat(36), &hash), Ok(()));
    assert_eq!(
        bcrypt().hash(&decomposed),
        Err(PasswordError::TooLong { len: 108, max: 72 })
    );
    // 37 precomposed are 74 bytes: refused either way, after normalization.
    assert_eq!(
        nfc.hash("e\u{301}".repeat(37)),
        Err(PasswordError::TooLong { len: 74, max: 72 })
    );
    assert_eq!(
        nfc.dummy_verify("e\u{301}".repeat(37)),
        PasswordError::TooLong { len: 74, max: 72 }
    );
    // The pre-hashed format takes it.
    let long = nfc.with_long_passwords(LongPasswords::PreHash);
    long.hash("e\u{301}".repeat(37)).unwrap();
}

#[test]
fn non_utf8_passwords_are_used_as_they_are() {
    let nfc = bcrypt().with_normalization(Normalization::Nfc);
    let hash = nfc.hash(b"\xff\xfe not text").unwrap();
    assert_eq!(bcrypt().verify(b"\xff\xfe not text", &hash), Ok(()));
}

#[test]
fn debug_shows_the_setting() {
    let nfc = bcrypt().with_normalization(Normalization::Nfc);
    assert!(format!("{nfc:?}").contains("normalization: Nfc"));
}
