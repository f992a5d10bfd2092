//! DPoP proofs across implementations (issue 21): proofs Node `jose` 6 makes are accepted by
//! keyward's `DpopVerifier`, and keyward's `DpopProver` proofs pass an independent check built
//! on jose (`tests/interop/node/dpop.mjs`: `jwtVerify` with the header's `jwk`, then RFC 9449
//! §4.3's `typ`, `htm`, `htu`, `iat`, `jti` and `ath` checks). Both sides also compute the
//! RFC 7638 thumbprint, so `cnf.jkt` values agree. `scripts/interop-env.sh` installs jose.

use crate::common::node;

use keyward::token::dpop::{DpopError, DpopProver, DpopRequest, DpopVerifier, ProofClaims};
use keyward::token::{Algorithm, KeyPairKind, SigningKey};
use serde_json::{Value, json};

const URL: &str = "https://api.example.com/orders";
const TOKEN: &str = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl";
const ALGS: [&str; 4] = ["EdDSA", "ES256", "RS256", "PS256"];

fn sign(items: &[Value]) -> Vec<Value> {
    let answer = node::answer_script("dpop.mjs", &json!({ "sign": items }));
    answer["signed"].as_array().unwrap().clone()
}

fn verify(items: &[Value]) -> Vec<Value> {
    let answer = node::answer_script("dpop.mjs", &json!({ "verify": items }));
    answer["verified"].as_array().unwrap().clone()
}

#[test]
#[ignore = "needs the interop environments: scripts/interop-env.sh (scripts/test.sh runs these)"]
fn jose_proofs_are_accepted_by_keyward() {
    let items: Vec<Value> = ALGS
        .iter()
        .map(|alg| json!({"alg": alg, "htm": "GET", "htu": URL, "access_token": TOKEN}))
        .collect();
    let signed = sign(&items);
    for (alg, item) in ALGS.iter().zip(&signed) {
        let proof = item["proof"]
            .as_str()
            .unwrap_or_else(|| panic!("{alg}: jose failed: {item}"));
        let jkt = item["jkt"].as_str().unwrap();
        let request = DpopRequest::new("GET", URL).with_access_token(TOKEN, jkt);
        let verified = DpopVerifier::new()
            .verify(proof, &request)
            .unwrap_or_else(|e| panic!("{alg}: {e}"));
        assert_eq!(
            verified.thumbprint(),
            jkt,
            "{alg}: RFC 7638 thumbprints agree"
        );
        assert_eq!(verified.key().algorithm().name(), *alg);
    }
}

/// The acceptance above is not vacuous: jose's proofs for another method, URL or token are
/// refused, each with its own error.
#[test]
#[ignore = "needs the interop environments: scripts/interop-env.sh (scripts/test.sh runs these)"]
fn jose_proofs_for_another_request_are_refused() {
    let items = [
        json!({"alg": "ES256", "htm": "POST", "htu": URL, "access_token": TOKEN}),
        json!({"alg": "ES256", "htm": "GET", "htu": "https://api.example.com/admin", "access_token": TOKEN}),
        json!({"alg": "ES256", "htm": "GET", "htu": URL, "access_token": "another.token.here"}),
        json!({"alg": "ES256", "htm": "GET", "htu": URL}),
    ];
    let signed = sign(&items);
    let outcomes: Vec<DpopError> = signed
        .iter()
        .map(|item| {
            let jkt = item["jkt"].as_str().unwrap();
            DpopVerifier::new()
                .verify(
                    item["proof"].as_str().unwrap(),
                    &DpopRequest::new("GET", URL).with_access_token(TOKEN, jkt),
                )
                .unwrap_err()
        })
        .collect();
    assert!(matches!(outcomes[0], DpopError::MethodMismatch { .. }));
    assert!(matches!(outcomes[1], DpopError::UrlMismatch { .. }));
    assert_eq!(outcomes[2], DpopError::AccessTokenHashMismatch);
    assert_eq!(outcomes[3], DpopError::MissingClaim { claim: "ath" });
}

fn provers() -> Vec<DpopProver> {
    let rsa = || SigningKey::generate(KeyPairKind::Rsa2048).unwrap();
    let pss = SigningKey::from_pem_as(
        std::fs::read(format!(
            "{}/tests/keys/rsa2048-private.pem",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap(),
        Algorithm::PS256,
    )
    .unwrap();
    [
        SigningKey::generate(KeyPairKind::Ed25519).unwrap(),
        SigningKey::generate(KeyPairKind::P256).unwrap(),
        rsa(),
        pss,
    ]
    .into_iter()
    .map(|key| DpopProver::new(key).unwrap())
    .collect()
}

#[test]
#[ignore = "needs the interop environments: scripts/interop-env.sh (scripts/test.sh runs these)"]
fn keyward_proofs_are_accepted_by_jose() {
    let provers = provers();
    let items: Vec<Value> = provers
        .iter()
        .map(|prover| {
            let proof = prover
                .proof_for(&ProofClaims::new("GET", URL).with_access_token(TOKEN))
                .unwrap();
            json!({"proof": proof, "htm": "GET", "htu": URL, "access_token": TOKEN})
        })
        .collect();
    let verified = verify(&items);
    for (prover, answer) in provers.iter().zip(&verified) {
        assert!(answer["error"].is_null(), "{prover:?}: {answer}");
        assert_eq!(answer["jkt"], prover.thumbprint(), "{prover:?}");
        assert_eq!(answer["header"]["typ"], "dpop+jwt");
        assert!(
            answer["claims"]["jti"]
                .as_str()
                .is_some_and(|j| !j.is_empty())
        );
    }
}

/// jose's checks are not vacuous either: keyward's proof, presented for another method, URL
/// or token, is refused there.
#[test]
#[ignore = "needs the interop environments: scripts/interop-env.sh (scripts/test.sh runs these)"]
fn jose_refuses_keyward_proofs_for_another_request() {
    let prover = DpopProver::new(SigningKey::generate(KeyPairKind::P256).unwrap()).unwrap();
    let proof = prover
        .proof_for(&ProofClaims::new("GET", URL).with_access_token(TOKEN))
        .unwrap();
    let items = [
        json!({"proof": proof, "htm": "POST", "htu": URL, "access_token": TOKEN}),
        json!({"proof": proof, "htm": "GET", "htu": "https://api.example.com/admin", "access_token": TOKEN}),
        json!({"proof": proof, "htm": "GET", "htu": URL, "access_token": "another.token.here"}),
    ];
    let verified = verify(&items);
    let codes: Vec<&str> = verified
        .iter()
        .map(|answer| answer["error"].as_str().unwrap_or("accepted"))
        .collect();
    assert_eq!(codes, ["DPOP_HTM", "DPOP_HTU", "DPOP_ATH"]);
}
