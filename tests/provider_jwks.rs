//! Key sets shaped like the ones identity providers publish: keyward verifies with the keys it
//! can use and reports the rest as skipped, the way RFC 7517 §5 asks, instead of refusing the
//! whole document.
//!
//! The fixtures in `tests/fixtures/providers/` (made by `generate.py` there, with keys generated
//! for the purpose) follow each provider's published shape; `SOURCES.md` beside them cites
//! where each shape is documented. Each folder's `manifest.json` names the usable signing key
//! and every key a verifier must skip, with the reason.

use std::path::PathBuf;

use keyward::token::{
    Algorithm, KeyError, KeySet, SigningKey, TokenError, TokenIssuer, TokenVerifier,
};
use serde_json::Value;

fn fixture_dir(provider: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/providers/{provider}"))
}

fn read(provider: &str, file: &str) -> String {
    std::fs::read_to_string(fixture_dir(provider).join(file)).unwrap()
}

fn manifest(provider: &str) -> Value {
    serde_json::from_str(&read(provider, "manifest.json")).unwrap()
}

/// An issuer signing with the provider's usable key, stamping its `kid`.
fn issuer_for(provider: &str) -> TokenIssuer {
    let manifest = manifest(provider);
    let key = SigningKey::from_pem(read(provider, "signing-key.pem"))
        .unwrap()
        .with_key_id(manifest["kid"].as_str().unwrap());
    assert_eq!(
        key.algorithm().to_string(),
        manifest["alg"].as_str().unwrap()
    );
    TokenIssuer::new(key)
}

/// Checks that a token signed with the provider's usable key verifies against `set`.
fn assert_verifies(provider: &str, set: KeySet) {
    let token = issuer_for(provider).issue("alice", &()).unwrap();
    let claims = TokenVerifier::new(set).verify::<()>(&token).unwrap();
    assert_eq!(claims.subject, "alice", "{provider}");
}

/// The reason the manifest gives for skipping key `index`, as the `KeyError` keyward must report.
fn expected_reason(jwks: &Value, index: usize, why: &str) -> KeyError {
    let key = &jwks["keys"][index];
    let member = |name: &str| key[name].as_str().unwrap().to_owned();
    match why {
        "use-enc" => KeyError::NotForSigning(member("use")),
        "no-alg" => KeyError::MissingAlgorithm,
        "unsupported-alg" => KeyError::UnsupportedAlgorithm(member("alg")),
        "unsupported-curve" => KeyError::UnsupportedCurve(member("crv")),
        "unsupported-kty" => KeyError::UnsupportedKeyType(member("kty")),
        "key-ops-without-verify" => KeyError::VerifyNotPermitted,
        other => panic!("unknown reason {other} in the manifest"),
    }
}

/// Checks that `set` skipped exactly the keys the manifest lists, for the listed reasons.
fn assert_skipped_as_listed(provider: &str, set: &KeySet) {
    let jwks: Value = serde_json::from_str(&read(provider, "jwks.json")).unwrap();
    let listed = manifest(provider)["skipped"].as_array().unwrap().clone();
    let expected: Vec<(usize, Option<String>, KeyError)> = listed
        .iter()
        .map(|entry| {
            let index = usize::try_from(entry["index"].as_u64().unwrap()).unwrap();
            let kid = entry["kid"].as_str().map(str::to_owned);
            (
                index,
                kid,
                expected_reason(&jwks, index, entry["why"].as_str().unwrap()),
            )
        })
        .collect();
    let actual: Vec<(usize, Option<String>, KeyError)> = set
        .skipped()
        .iter()
        .map(|skipped| {
            (
                skipped.index(),
                skipped.key_id().map(str::to_owned),
                skipped.reason().clone(),
            )
        })
        .collect();
    assert_eq!(actual, expected, "{provider}");
    let total = jwks["keys"].as_array().unwrap().len();
    assert_eq!(set.keys().len() + set.skipped().len(), total, "{provider}");
}

/// Google, Auth0, Keycloak and Cognito label their RSA keys with `alg`; Keycloak also publishes
/// an `RSA-OAEP` encryption key beside them, which is skipped.
#[test]
fn labelled_provider_sets_verify_and_report_what_they_skip() {
    for provider in ["google", "auth0", "keycloak", "cognito"] {
        let set = KeySet::from_jwks(&read(provider, "jwks.json")).unwrap();
        assert_skipped_as_listed(provider, &set);
        assert_verifies(provider, set);
    }
}

/// Microsoft Entra ID publishes RSA keys with `x5c` and no `alg`. RS256 and PS256 are both
/// possible for such a key, and keyward pins exactly one algorithm per key, so by default the
/// keys are skipped (and a set of nothing else is an error that says why); the caller names the
/// algorithm with `from_jwks_assuming`.
#[test]
fn entra_keys_without_alg_need_the_algorithm_named() {
    let document = read("entra", "jwks.json");
    let TokenError::InvalidKey(KeyError::NoUsableKey(skipped)) =
        KeySet::from_jwks(&document).unwrap_err()
    else {
        panic!("an Entra set without an assumed algorithm has no usable key");
    };
    assert_eq!(skipped.len(), 3);
    assert!(
        skipped
            .iter()
            .all(|key| key.reason() == &KeyError::MissingAlgorithm)
    );

    let set = KeySet::from_jwks_assuming(&document, Algorithm::RS256).unwrap();
    assert_eq!(set.keys().len(), 3);
    assert!(set.skipped().is_empty());
    assert!(
        set.keys()
            .iter()
            .all(|key| key.algorithm() == Algorithm::RS256)
    );
    assert_verifies("entra", set);
}

/// Assuming RS256 for unlabelled keys cannot be turned into algorithm confusion: a PS256 token
/// (same key, other algorithm) is refused, and only RSA algorithms can be assumed.
#[test]
fn the_assumed_algorithm_is_pinned_per_key() {
    let document = read("entra", "jwks.json");
    let kid = manifest("entra")["kid"].as_str().unwrap().to_owned();
    let pss = SigningKey::from_pem_as(read("entra", "signing-key.pem"), Algorithm::PS256)
        .unwrap()
        .with_key_id(kid);
    let token = TokenIssuer::new(pss).issue("alice", &()).unwrap();
    let verifier =
        TokenVerifier::new(KeySet::from_jwks_assuming(&document, Algorithm::RS256).unwrap());
    assert_eq!(
        verifier.verify::<()>(&token).unwrap_err(),
        TokenError::WrongAlgorithm {
            expected: Algorithm::RS256,
            found: Algorithm::PS256
        }
    );
    assert_eq!(
        KeySet::from_jwks_assuming(&document, Algorithm::HS256).unwrap_err(),
        TokenError::InvalidKey(KeyError::AlgorithmMismatch {
            algorithm: Algorithm::HS256,
            key_type: "RSA".into()
        })
    );
}

/// A set mixing one usable ES256 key with ES384, RS512, Ed448, X25519 (`use: enc`), P-521
/// without `alg`, an RSA key whose `key_ops` only allow `encrypt`, and an unknown `kty`.
#[test]
fn a_mixed_set_keeps_its_one_usable_key() {
    let set = KeySet::from_jwks(&read("mixed", "jwks.json")).unwrap();
    assert_skipped_as_listed("mixed", &set);
    assert_eq!(set.keys().len(), 1);
    assert_verifies("mixed", set);
}

/// A shared secret in a published set is never skipped quietly: whoever can read the document
/// can forge tokens with it, so the whole set is refused, naming the key.
#[test]
fn a_leaked_secret_refuses_the_whole_set() {
    let manifest = manifest("leaked-secret");
    let index = usize::try_from(manifest["index"].as_u64().unwrap()).unwrap();
    assert_eq!(
        KeySet::from_jwks(&read("leaked-secret", "jwks.json")).unwrap_err(),
        TokenError::InvalidKey(KeyError::InKeySet {
            index,
            key_id: Some("hmac-1".into()),
            error: Box::new(KeyError::SecretNotAllowed { member: "k" })
        })
    );
}

/// The RSA key of `tests/keys/rsa2048-private.pem` as a public JWK, as a JSON object.
fn rsa_public_jwk() -> serde_json::Map<String, Value> {
    let pem = std::fs::read("tests/keys/rsa2048-private.pem").unwrap();
    let jwk = SigningKey::from_pem(pem)
        .unwrap()
        .with_key_id("rsa")
        .verifying_key()
        .to_jwk()
        .unwrap();
    serde_json::from_str(&jwk).unwrap()
}

/// Every private member of RFC 7518 refuses the whole set, naming the key and the member: the
/// RSA CRT members without `d` (§6.3.2: `p` or `q` factors `n`, and so does `dp` with `e`),
/// `oth` (§6.3.2.7), `d` on EC and OKP keys (§6.2.2.1, RFC 8037 §2), and `k` (§6.4.1). The
/// outside attacker's finding: `p`, `q`, `dp`, `dq`, `qi` without `d` used to be kept.
#[test]
fn every_private_member_refuses_the_whole_set() {
    let good = rsa_public_jwk();
    let mut cases: Vec<(&str, Value)> = ["p", "q", "dp", "dq", "qi", "d"]
        .into_iter()
        .map(|member| {
            let mut key = good.clone();
            key.insert("kid".into(), "leaky".into());
            key.insert(member.into(), "AQAB".into());
            (member, Value::Object(key))
        })
        .collect();
    let mut with_oth = good.clone();
    with_oth.insert("kid".into(), "leaky".into());
    with_oth.insert(
        "oth".into(),
        serde_json::json!([{ "r": "AQAB", "d": "AQAB", "t": "AQAB" }]),
    );
    cases.push(("oth", Value::Object(with_oth)));
    let x = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
    cases.push((
        "d",
        serde_json::json!({ "kty": "OKP", "crv": "Ed25519", "kid": "leaky", "x": x, "d": x }),
    ));
    cases.push((
        "d",
        serde_json::json!({ "kty": "EC", "crv": "P-256", "kid": "leaky", "x": x, "y": x, "d": x }),
    ));
    cases.push((
        "k",
        serde_json::json!({ "kty": "oct", "alg": "HS256", "kid": "leaky", "k": x }),
    ));
    // Judged on the raw member names: a key too malformed to read still refuses the set.
    cases.push((
        "p",
        serde_json::json!({ "kty": 5, "kid": "leaky", "p": "AQAB" }),
    ));
    cases.push((
        "qi",
        serde_json::json!({ "kid": "leaky", "qi": {"nested": ["AQAB"]} }),
    ));
    for (member, leaky) in cases {
        let document = serde_json::json!({ "keys": [Value::Object(good.clone()), leaky] });
        assert_eq!(
            KeySet::from_jwks(&document.to_string()).unwrap_err(),
            TokenError::InvalidKey(KeyError::InKeySet {
                index: 1,
                key_id: Some("leaky".into()),
                error: Box::new(KeyError::SecretNotAllowed { member })
            }),
            "{member}: {document}"
        );
    }
    // And a single public JWK is refused for the same members.
    let mut single = good.clone();
    single.insert("dq".into(), "AQAB".into());
    assert_eq!(
        keyward::token::VerifyingKey::from_jwk(&Value::Object(single).to_string()).unwrap_err(),
        TokenError::InvalidKey(KeyError::SecretNotAllowed { member: "dq" })
    );
}

/// The outside attacker's 57 MB, 600,000-key document is refused for its length before any of
/// it is parsed; a document under the byte cap with more keys than
/// [`KeySet::MAX_JWKS_KEYS`] is refused at the first key past the cap (the bytes read are
/// counted in `key/jwk.rs`'s unit test).
#[test]
fn huge_key_sets_are_refused_early() {
    let key = r#"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"k-000000"}"#;
    let huge = format!(r#"{{"keys":[{}]}}"#, vec![key; 600_000].join(","));
    assert!(huge.len() > 50_000_000);
    assert_eq!(
        KeySet::from_jwks(&huge).unwrap_err(),
        TokenError::InvalidKey(KeyError::DocumentTooLarge {
            len: huge.len(),
            max: KeySet::MAX_JWKS_BYTES
        })
    );
    // Under the byte cap, the key count stops the reading. The keys past the cap are not even
    // well-formed: the error is the count, because they are never read.
    let crowded = format!(
        r#"{{"keys":[{}{}"#,
        vec!["{}"; KeySet::MAX_JWKS_KEYS + 1].join(","),
        ",not json at all"
    );
    assert_eq!(
        KeySet::from_jwks(&crowded).unwrap_err(),
        TokenError::InvalidKey(KeyError::TooManyKeys {
            max: KeySet::MAX_JWKS_KEYS
        })
    );
}
