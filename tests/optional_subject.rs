//! Tokens without `sub` (issue 21): refused by default, accepted by a verifier
//! `with_optional_subject(true)`, whose `Claims::optional_subject` is then `None`. An empty
//! `sub` stays refused either way. The foreign token is Node `jose`'s README example: `SignJWT`
//! with `urn:example:claim`, `iat`, `iss`, `aud` and `exp`, and no `sub`
//! (<https://github.com/panva/jose/blob/main/docs/jwt/sign/classes/SignJWT.md>).

use crate::common::craft;
use crate::common::node;

use keyward::token::{Claim, FixedClock, TokenError, TokenVerifier, VerifyingKey};
use serde_json::{Value, json};

const NOW: i64 = 1_800_000_000;
const SECRET: [u8; 32] = [7u8; 32];

fn lenient() -> TokenVerifier {
    TokenVerifier::new(VerifyingKey::hs256(SECRET).unwrap())
        .with_clock(FixedClock::at_unix_seconds(NOW))
        .with_issuer("urn:example:issuer")
        .with_audience("urn:example:audience")
        .with_untyped_access_tokens(true)
}

fn readme_claims(now: i64) -> String {
    format!(
        r#"{{"urn:example:claim":true,"iat":{now},"iss":"urn:example:issuer","aud":"urn:example:audience","exp":{}}}"#,
        now + 7200
    )
}

#[test]
fn a_token_without_sub_is_refused_by_default_and_accepted_when_asked() {
    let token = craft::hs256(&SECRET, r#"{"alg":"HS256"}"#, &readme_claims(NOW));
    assert_eq!(
        lenient().verify::<Value>(&token).unwrap_err(),
        TokenError::MissingClaim(Claim::Subject)
    );
    let claims = lenient()
        .with_optional_subject(true)
        .verify::<Value>(&token)
        .unwrap();
    assert_eq!(claims.optional_subject(), None);
    assert_eq!(claims.subject, "");
    assert_eq!(claims.extra["urn:example:claim"], true);
    // Serialized back, an absent `sub` stays absent rather than becoming "".
    assert!(serde_json::to_value(&claims).unwrap().get("sub").is_none());
}

#[test]
fn an_empty_sub_is_refused_even_when_sub_is_optional() {
    let payload = format!(r#"{{"sub":"","iat":{NOW},"exp":{}}}"#, NOW + 60);
    let token = craft::hs256(&SECRET, r#"{"alg":"HS256"}"#, &payload);
    let verifier = TokenVerifier::new(VerifyingKey::hs256(SECRET).unwrap())
        .with_clock(FixedClock::at_unix_seconds(NOW))
        .with_untyped_access_tokens(true)
        .with_optional_subject(true);
    assert_eq!(
        verifier.verify::<()>(&token).unwrap_err(),
        TokenError::InvalidClaim(Claim::Subject)
    );
}

#[test]
fn a_present_sub_is_read_as_before_under_the_relaxation() {
    let payload = format!(r#"{{"sub":"alice","iat":{NOW},"exp":{}}}"#, NOW + 60);
    let token = craft::hs256(&SECRET, r#"{"alg":"HS256"}"#, &payload);
    let verifier = TokenVerifier::new(VerifyingKey::hs256(SECRET).unwrap())
        .with_clock(FixedClock::at_unix_seconds(NOW))
        .with_untyped_access_tokens(true)
        .with_optional_subject(true);
    let claims = verifier.verify::<()>(&token).unwrap();
    assert_eq!(claims.optional_subject(), Some("alice"));
}

#[test]
fn the_relaxation_shows_in_debug() {
    let verifier = lenient();
    assert!(format!("{verifier:?}").contains("optional_subject: false"));
    assert!(
        format!("{:?}", verifier.with_optional_subject(true)).contains("optional_subject: true")
    );
}

/// Node `jose` signs its README token (EdDSA, no `typ`, no `sub`); keyward accepts it only
/// with the relaxation.
#[test]
#[ignore = "needs the interop environments: scripts/interop-env.sh (scripts/test.sh runs these)"]
fn node_joses_readme_token_without_sub() {
    let key = |name: &str| {
        std::fs::read_to_string(format!("{}/tests/keys/{name}", env!("CARGO_MANIFEST_DIR")))
            .unwrap()
    };
    let now = chrono::Utc::now().timestamp();
    let claims: Value = serde_json::from_str(&readme_claims(now)).unwrap();
    let request = json!({"sign": [{"alg": "EdDSA", "key": key("ed25519-private.pem"),
                                    "header": {}, "claims": claims}]});
    let answer = node::answer(&request);
    let token = answer["signed"][0].as_str().expect("jose signed the token");
    let verifier = TokenVerifier::new(VerifyingKey::from_pem(key("ed25519-public.pem")).unwrap())
        .with_issuer("urn:example:issuer")
        .with_audience("urn:example:audience")
        .with_untyped_access_tokens(true);
    assert_eq!(
        verifier.verify::<Value>(token).unwrap_err(),
        TokenError::MissingClaim(Claim::Subject)
    );
    let claims = verifier
        .with_optional_subject(true)
        .verify::<Value>(token)
        .unwrap();
    assert_eq!(claims.optional_subject(), None);
    assert_eq!(claims.extra["urn:example:claim"], true);
}
