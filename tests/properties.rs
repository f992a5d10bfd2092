//! Property tests: the promises of `keyward::password` and `keyward::token` over generated
//! inputs, not just the cases someone thought of.

use std::collections::BTreeMap;

use keyward::password::{Cost, PasswordError, PasswordHasher};
use keyward::token::{Claims, FixedClock, SigningKey, TokenIssuer};
use proptest::prelude::*;
use serde_json::Value;

const SECRET: [u8; 32] = *b"property-secret-property-secret!";

fn issuer() -> TokenIssuer {
    TokenIssuer::new(SigningKey::hs256(SECRET).unwrap())
        .with_clock(FixedClock::at_unix_seconds(1_700_000_000))
}

/// JSON values a caller might put in a claim, nested a few levels.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        "\\PC*".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("\\PC{0,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Custom claims: any names but the registered ones.
fn extra_claims() -> impl Strategy<Value = BTreeMap<String, Value>> {
    prop::collection::btree_map(
        "\\PC{1,12}".prop_filter("registered claim names are reserved", |name| {
            !["sub", "exp", "iat", "nbf", "iss", "aud", "jti"].contains(&name.as_str())
        }),
        json_value(),
        0..6,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn issued_tokens_verify_with_the_same_subject_and_claims(subject in "\\PC{1,64}", extra in extra_claims()) {
        let issuer = issuer();
        let token = issuer.issue(&subject, &extra).unwrap();
        let claims: Claims<BTreeMap<String, Value>> = issuer.verify(&token).unwrap();
        prop_assert_eq!(claims.subject, subject);
        prop_assert_eq!(claims.extra, extra);
    }

    #[test]
    fn changing_any_single_byte_of_a_token_makes_it_fail(index in any::<prop::sample::Index>(), replacement in any::<u8>()) {
        let issuer = issuer();
        let token = issuer.issue("alice", &BTreeMap::from([("role", "admin")])).unwrap();
        let mut bytes = token.clone().into_bytes();
        let at = index.index(bytes.len());
        prop_assume!(bytes[at] != replacement);
        bytes[at] = replacement;
        // Not UTF-8 any more: a caller could not even pass it as &str, which is a refusal too.
        if let Ok(changed) = String::from_utf8(bytes) {
            prop_assert!(issuer.verify::<Value>(&changed).is_err(), "accepted {changed}");
        }
    }
}

proptest! {
    // bcrypt at cost 4 is ~1 ms per hash here; keep these to a few dozen cases.
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn hash_succeeds_exactly_for_72_bytes_or_fewer_without_nul(password in prop::collection::vec(any::<u8>(), 0..100)) {
        let hasher = PasswordHasher::new().with_cost(Cost::new(4).unwrap());
        let result = hasher.hash(&password);
        let hashable = password.len() <= 72 && !password.contains(&0);
        prop_assert_eq!(result.is_ok(), hashable);
        match result {
            Ok(hash) => {
                prop_assert!(hasher.verify(&password, &hash).is_ok());
                prop_assert!(!hasher.needs_rehash(&hash).unwrap());
            }
            Err(error) if password.len() > 72 => {
                prop_assert_eq!(error, PasswordError::TooLong { len: password.len(), max: 72 });
            }
            Err(error) => prop_assert_eq!(error, PasswordError::ContainsNul),
        }
    }

    #[test]
    fn a_hash_accepts_no_other_password(password in prop::collection::vec(1u8..=255, 0..=72), other in prop::collection::vec(any::<u8>(), 0..100)) {
        prop_assume!(password != other);
        let hasher = PasswordHasher::new().with_cost(Cost::new(4).unwrap());
        let hash = hasher.hash(&password).unwrap();
        prop_assert!(hasher.verify(&other, &hash).is_err());
    }
}
