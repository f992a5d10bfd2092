//! Published JWS known-answer vectors: RFC 7515 Appendix A.1 (HS256), A.2 (RS256), A.3 (ES256)
//! and RFC 8037 Appendix A.4 (Ed25519). The values live in `tests/vectors/rfc-jws.json`, taken
//! from JOSE libraries' fixtures that embed the RFC appendices (sources recorded per vector) and
//! checked with pyca/cryptography.
//!
//! None of these tokens is an access token (A.1 says `typ: JWT`, the others have no `typ`, and
//! A.4's payload is not even JSON), so keyward must refuse them as `WrongTokenType`. Because the
//! type is checked only *after* the signature, that answer proves the published signature
//! verified with a key built from the published JWK; a one-bit change must instead be
//! `InvalidSignature`.

use keyward::token::{FixedClock, TokenError, TokenKind, TokenVerifier, VerifyingKey};
use serde_json::Value;

fn vectors() -> Vec<Value> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/rfc-jws.json");
    let document: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    document["vectors"].as_array().unwrap().clone()
}

/// A verifier for the vector's key, at a time before A.1-A.3's `exp` (2011-03-22).
fn verifier_for(vector: &Value) -> TokenVerifier {
    let mut jwk = vector["jwk"].clone();
    // keyward needs `alg` to tell RS256 from PS256 and the HMAC sizes apart; the RFCs' JWKs
    // leave it out.
    jwk["alg"] = vector["alg"].clone();
    let key = VerifyingKey::from_jwk(&jwk.to_string()).unwrap();
    assert_eq!(key.algorithm().name(), vector["alg"].as_str().unwrap());
    TokenVerifier::new(key).with_clock(FixedClock::at_unix_seconds(1_300_000_000))
}

#[test]
fn all_four_published_vectors_are_present() {
    let names: Vec<String> = vectors()
        .iter()
        .map(|v| v["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        names,
        [
            "rfc7515-a1-hs256",
            "rfc7515-a2-rs256",
            "rfc7515-a3-es256",
            "rfc8037-a4-eddsa-ed25519"
        ]
    );
}

#[test]
fn published_signatures_verify() {
    for vector in vectors() {
        let jws = vector["jws"].as_str().unwrap();
        let verifier = verifier_for(&vector);
        // The vectors predate RFC 9068's `at+jwt`: their signatures verify, and then the type
        // check names what they carry instead.
        let header: Value = serde_json::from_slice(
            &base64::Engine::decode(
                &base64::engine::general_purpose::URL_SAFE_NO_PAD,
                jws.split('.').next().unwrap(),
            )
            .unwrap(),
        )
        .unwrap();
        assert_eq!(
            verifier.verify::<Value>(jws).unwrap_err(),
            TokenError::WrongTokenType {
                expected: TokenKind::Access,
                found: header["typ"].as_str().map(str::to_owned)
            },
            "{}",
            vector["name"]
        );
    }
}

#[test]
fn published_tokens_with_one_changed_bit_do_not_verify() {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    for vector in vectors() {
        let jws = vector["jws"].as_str().unwrap();
        let (input, signature) = jws.rsplit_once('.').unwrap();
        let mut bytes = URL_SAFE_NO_PAD.decode(signature).unwrap();
        bytes[0] ^= 0x01;
        let tampered = format!("{input}.{}", URL_SAFE_NO_PAD.encode(bytes));
        assert_eq!(
            verifier_for(&vector)
                .verify::<Value>(&tampered)
                .unwrap_err(),
            TokenError::InvalidSignature,
            "{}",
            vector["name"]
        );
    }
}
