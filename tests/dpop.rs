//! DPoP proofs (RFC 9449): keyward's prover and verifier together, and every refusal of
//! §4.3's checks with a hand-made proof that differs from a good one in that one respect.
//! Hand-made proofs are signed with `tests/keys/ed25519-private.pem` through jsonwebtoken's
//! signer, so the header and claims are whatever the test writes.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use keyward::token::dpop::{
    DpopError, DpopNonces, DpopProver, DpopRequest, DpopVerifier, Freshness, InMemoryReplayStore,
    KeyConfirmation, ProofClaims, ReplayKey, ReplayStore, access_token_hash, dpop_token,
    single_proof,
};
use keyward::token::{
    Algorithm, FixedClock, KeyPairKind, SigningKey, TokenError, TokenIssuer, VerifyingKey,
};
use serde_json::{Value, json};

const NOW: i64 = 1_800_000_000;
const URL: &str = "https://api.example.com/orders";

fn key_file(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/keys/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn clock() -> FixedClock {
    FixedClock::at_unix_seconds(NOW)
}

fn verifier() -> DpopVerifier {
    DpopVerifier::new().with_clock(clock())
}

fn prover(kind: KeyPairKind) -> DpopProver {
    DpopProver::new(SigningKey::generate(kind).unwrap())
        .unwrap()
        .with_clock(clock())
}

/// The public JWK of the Ed25519 test key, as a JSON object.
fn ed25519_jwk() -> Value {
    let key = VerifyingKey::from_pem(key_file("ed25519-public.pem")).unwrap();
    let mut jwk: Value = serde_json::from_str(&key.to_jwk().unwrap()).unwrap();
    let object = jwk.as_object_mut().unwrap();
    object.remove("alg");
    object.remove("use");
    object.remove("kid");
    jwk
}

fn ed25519_jkt() -> String {
    VerifyingKey::from_pem(key_file("ed25519-public.pem"))
        .unwrap()
        .thumbprint()
        .unwrap()
}

/// A proof of exactly `header` and `claims`, signed EdDSA with the Ed25519 test key.
fn craft(header: &Value, claims: &Value) -> String {
    use jsonwebtoken::crypto::CryptoProvider;
    #[cfg(feature = "aws-lc-rs")]
    let provider: &CryptoProvider = &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER;
    #[cfg(not(feature = "aws-lc-rs"))]
    let provider: &CryptoProvider = &jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER;
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let key = jsonwebtoken::EncodingKey::from_ed_pem(&key_file("ed25519-private.pem")).unwrap();
    let signer = (provider.signer_factory)(&jsonwebtoken::Algorithm::EdDSA, &key).unwrap();
    let signature = signer.try_sign(input.as_bytes()).unwrap();
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

fn good_header() -> Value {
    json!({"typ": "dpop+jwt", "alg": "EdDSA", "jwk": ed25519_jwk()})
}

fn good_claims(jti: &str) -> Value {
    json!({"jti": jti, "htm": "GET", "htu": URL, "iat": NOW})
}

fn get() -> DpopRequest<'static> {
    DpopRequest::new("GET", URL)
}

/// The crafted baseline is accepted: each refusal below is about its one change.
#[test]
fn the_crafted_baseline_is_accepted() {
    let proof = verifier()
        .verify(&craft(&good_header(), &good_claims("base")), &get())
        .unwrap();
    assert_eq!(proof.thumbprint(), ed25519_jkt());
    assert_eq!(proof.token_id(), "base");
    assert_eq!(proof.issued_at().timestamp(), NOW);
}

mod round_trip {
    use super::*;

    #[test]
    fn proofs_of_every_asymmetric_algorithm_verify() {
        let rsa = SigningKey::from_pem_as(key_file("rsa2048-private.pem"), Algorithm::RS256);
        let pss = SigningKey::from_pem_as(key_file("rsa2048-private.pem"), Algorithm::PS256);
        let keys = [
            SigningKey::generate(KeyPairKind::Ed25519).unwrap(),
            SigningKey::generate(KeyPairKind::P256).unwrap(),
            rsa.unwrap(),
            pss.unwrap(),
        ];
        for key in keys {
            let algorithm = key.algorithm();
            let client = DpopProver::new(key).unwrap().with_clock(clock());
            let proof = client.proof("GET", URL).unwrap();
            let verified = verifier().verify(&proof, &get()).unwrap();
            assert_eq!(verified.thumbprint(), client.thumbprint(), "{algorithm:?}");
            assert_eq!(verified.key().algorithm(), algorithm);
        }
    }

    #[test]
    fn an_hmac_key_cannot_make_proofs() {
        let error = DpopProver::new(SigningKey::hs256([1u8; 32]).unwrap()).unwrap_err();
        assert_eq!(
            error,
            DpopError::SymmetricKey {
                algorithm: Algorithm::HS256
            }
        );
    }

    #[test]
    fn a_proofs_header_holds_only_the_public_key() {
        let proof = prover(KeyPairKind::P256).proof("GET", URL).unwrap();
        let header: Value = serde_json::from_slice(
            &URL_SAFE_NO_PAD
                .decode(proof.split('.').next().unwrap())
                .unwrap(),
        )
        .unwrap();
        assert_eq!(header["typ"], "dpop+jwt");
        assert_eq!(header["alg"], "ES256");
        let mut members: Vec<&str> = header["jwk"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        members.sort_unstable();
        assert_eq!(members, ["crv", "kty", "x", "y"]);
    }

    /// RFC 9449 §4.3: `htu` compares after normalisation, without query and fragment.
    #[test]
    fn htu_is_compared_normalised_without_query_or_fragment() {
        let client = prover(KeyPairKind::Ed25519);
        let proof = client
            .proof("GET", "HTTPS://API.Example.com:443/orders?page=1#top")
            .unwrap();
        verifier()
            .verify(
                &proof,
                &DpopRequest::new("GET", "https://api.example.com/orders?page=2"),
            )
            .unwrap();
    }

    #[test]
    fn a_proof_with_its_access_token_and_bound_key_verifies() {
        let client = prover(KeyPairKind::Ed25519);
        let token = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJhbGljZSJ9.c2ln";
        let proof = client
            .proof_for(&ProofClaims::new("GET", URL).with_access_token(token))
            .unwrap();
        verifier()
            .verify(&proof, &get().with_access_token(token, client.thumbprint()))
            .unwrap();
    }
}

mod header {
    use super::*;

    fn refused(header: &Value) -> DpopError {
        verifier()
            .verify(&craft(header, &good_claims("h")), &get())
            .unwrap_err()
    }

    #[test]
    fn typ_must_be_dpop_jwt() {
        let mut header = good_header();
        header["typ"] = json!("JWT");
        assert_eq!(
            refused(&header),
            DpopError::WrongType {
                found: Some("JWT".into())
            }
        );
        header.as_object_mut().unwrap().remove("typ");
        assert_eq!(refused(&header), DpopError::WrongType { found: None });
    }

    #[test]
    fn none_hmac_and_unknown_algorithms_are_refused() {
        for alg in ["none", "HS256", "HS512", "ES384", ""] {
            let mut header = good_header();
            header["alg"] = json!(alg);
            assert!(
                matches!(refused(&header), DpopError::UnsupportedAlgorithm { ref found, .. } if found == alg),
                "{alg}"
            );
        }
    }

    #[test]
    fn an_algorithm_the_verifier_does_not_accept_is_refused() {
        let error = verifier()
            .with_algorithms([Algorithm::ES256])
            .verify(&craft(&good_header(), &good_claims("h")), &get())
            .unwrap_err();
        assert_eq!(
            error,
            DpopError::UnsupportedAlgorithm {
                found: "EdDSA".into(),
                accepted: "ES256".into()
            }
        );
    }

    #[test]
    fn a_missing_jwk_is_refused() {
        let mut header = good_header();
        header.as_object_mut().unwrap().remove("jwk");
        assert_eq!(refused(&header), DpopError::MissingKey);
    }

    /// RFC 9449 §4.2: the `jwk` "MUST NOT contain a private key". Each private member alone
    /// is enough, whatever its value.
    #[test]
    fn a_jwk_with_any_private_member_is_refused() {
        for member in ["d", "p", "q", "dp", "dq", "qi", "oth", "k"] {
            let mut header = good_header();
            header["jwk"][member] = json!("AQAB");
            assert_eq!(
                refused(&header),
                DpopError::PrivateKey { member },
                "{member}"
            );
        }
    }

    /// A small-order Ed25519 point (the identity, RFC 8032 encoding 0x01 then zeros) verifies
    /// signatures it should not; keyward's key checks refuse it.
    #[test]
    fn a_small_order_ed25519_jwk_is_refused() {
        let mut identity = [0u8; 32];
        identity[0] = 1;
        let mut header = good_header();
        header["jwk"]["x"] = json!(URL_SAFE_NO_PAD.encode(identity));
        assert!(matches!(refused(&header), DpopError::InvalidKey(_)));
    }

    #[test]
    fn a_jwk_for_another_algorithm_than_alg_is_refused() {
        let p256 = VerifyingKey::from_pem(key_file("p256-1-public.pem")).unwrap();
        let mut jwk: Value = serde_json::from_str(&p256.to_jwk().unwrap()).unwrap();
        jwk.as_object_mut().unwrap().remove("alg");
        let mut header = good_header();
        header["jwk"] = jwk;
        assert_eq!(
            refused(&header),
            DpopError::KeyAlgorithmMismatch {
                alg: Algorithm::EdDSA,
                key: Algorithm::ES256
            }
        );
    }

    #[test]
    fn crit_is_refused() {
        let mut header = good_header();
        header["crit"] = json!(["exp"]);
        assert_eq!(refused(&header), DpopError::Malformed { part: "header" });
    }

    #[test]
    fn a_duplicate_header_member_is_refused() {
        let header = format!(
            r#"{{"typ":"dpop+jwt","alg":"EdDSA","alg":"none","jwk":{}}}"#,
            ed25519_jwk()
        );
        let good = craft(&good_header(), &good_claims("d"));
        let rest = good.split_once('.').unwrap().1;
        let proof = format!("{}.{rest}", URL_SAFE_NO_PAD.encode(header));
        assert_eq!(
            verifier().verify(&proof, &get()).unwrap_err(),
            DpopError::Malformed { part: "header" }
        );
    }
}

mod signature {
    use super::*;

    /// Another proof's signature on this proof's header and claims.
    #[test]
    fn a_signature_over_other_claims_is_refused() {
        let a = craft(&good_header(), &good_claims("a"));
        let b = craft(&good_header(), &good_claims("b"));
        let forged = format!(
            "{}.{}",
            a.rsplit_once('.').unwrap().0,
            b.rsplit_once('.').unwrap().1
        );
        assert_eq!(
            verifier().verify(&forged, &get()).unwrap_err(),
            DpopError::InvalidSignature
        );
    }

    /// A proof made with one key whose header names another public key.
    #[test]
    fn a_proof_signed_by_another_key_than_its_jwk_is_refused() {
        let other = prover(KeyPairKind::Ed25519).proof("GET", URL).unwrap();
        let mine = craft(&good_header(), &good_claims("x"));
        let forged = format!(
            "{}.{}.{}",
            mine.split('.').next().unwrap(),
            other.split('.').nth(1).unwrap(),
            other.split('.').nth(2).unwrap()
        );
        assert_eq!(
            verifier().verify(&forged, &get()).unwrap_err(),
            DpopError::InvalidSignature
        );
    }

    #[test]
    fn structure_and_size_are_checked_first() {
        assert_eq!(
            verifier().verify("a.b", &get()).unwrap_err(),
            DpopError::Malformed { part: "structure" }
        );
        let huge = "a".repeat(DpopVerifier::DEFAULT_MAX_PROOF_BYTES + 1);
        assert!(matches!(
            verifier().verify(&huge, &get()),
            Err(DpopError::TooLarge { .. })
        ));
    }
}

mod claims {
    use super::*;

    fn refused(claims: &Value, request: &DpopRequest<'_>) -> DpopError {
        verifier()
            .verify(&craft(&good_header(), claims), request)
            .unwrap_err()
    }

    #[test]
    fn each_required_claim_must_be_present() {
        for claim in ["jti", "htm", "htu", "iat"] {
            let mut claims = good_claims("c");
            claims.as_object_mut().unwrap().remove(claim);
            assert_eq!(
                refused(&claims, &get()),
                DpopError::MissingClaim { claim },
                "{claim}"
            );
        }
    }

    #[test]
    fn htm_must_be_the_requests_method() {
        assert_eq!(
            refused(&good_claims("m"), &DpopRequest::new("POST", URL)),
            DpopError::MethodMismatch {
                found: "GET".into(),
                expected: "POST".into()
            }
        );
    }

    #[test]
    fn htu_must_be_the_requests_url() {
        for other in [
            "https://api.example.com/orders/1",
            "http://api.example.com/orders",
            "https://api.example.com:8443/orders",
            "https://evil.example.com/orders",
        ] {
            assert!(
                matches!(
                    refused(&good_claims("u"), &DpopRequest::new("GET", other)),
                    DpopError::UrlMismatch { .. }
                ),
                "{other}"
            );
        }
        let mut claims = good_claims("u");
        claims["htu"] = json!("/orders");
        assert_eq!(
            refused(&claims, &get()),
            DpopError::InvalidClaim { claim: "htu" }
        );
    }

    #[test]
    fn iat_must_be_inside_the_window() {
        let at = |iat: i64| {
            let mut claims = good_claims(&format!("t{iat}"));
            claims["iat"] = json!(iat);
            verifier().verify(&craft(&good_header(), &claims), &get())
        };
        assert!(at(NOW - 60).is_ok());
        assert!(at(NOW + 60).is_ok());
        assert!(matches!(at(NOW - 61), Err(DpopError::Stale { .. })));
        assert!(matches!(
            at(NOW + 61),
            Err(DpopError::IssuedInFuture { .. })
        ));
        let mut claims = good_claims("s");
        claims["iat"] = json!("1800000000");
        assert_eq!(
            refused(&claims, &get()),
            DpopError::InvalidClaim { claim: "iat" }
        );
    }

    #[test]
    fn ath_must_hash_the_presented_access_token() {
        let token = "a.b.c";
        let jkt = ed25519_jkt();
        let request = get().with_access_token(token, &jkt);
        assert_eq!(
            refused(&good_claims("a1"), &request),
            DpopError::MissingClaim { claim: "ath" }
        );
        let mut claims = good_claims("a2");
        claims["ath"] = json!(access_token_hash("a.b.d"));
        assert_eq!(
            refused(&claims, &request),
            DpopError::AccessTokenHashMismatch
        );
        claims["ath"] = json!(access_token_hash(token));
        claims["jti"] = json!("a3");
        verifier()
            .verify(&craft(&good_header(), &claims), &request)
            .unwrap();
    }

    /// RFC 9449 §6.1: the proof's key must be the one the token's `cnf.jkt` names.
    #[test]
    fn the_proof_key_must_be_the_bound_key() {
        let other = prover(KeyPairKind::Ed25519);
        let token = "a.b.c";
        let mut claims = good_claims("k");
        claims["ath"] = json!(access_token_hash(token));
        let error = refused(&claims, &get().with_access_token(token, other.thumbprint()));
        assert_eq!(
            error,
            DpopError::KeyMismatch {
                found: ed25519_jkt(),
                expected: other.thumbprint().to_owned()
            }
        );
        // A refresh bound to a key, without an access token.
        assert!(matches!(
            refused(
                &good_claims("k2"),
                &get().with_bound_key(other.thumbprint())
            ),
            DpopError::KeyMismatch { .. }
        ));
    }
}

mod nonces {
    use super::*;

    struct Fixed;

    impl DpopNonces for Fixed {
        fn current(&self) -> String {
            "n-2".to_owned()
        }
        fn accepts(&self, nonce: &str) -> bool {
            nonce == "n-2"
        }
    }

    fn with_nonce(jti: &str, nonce: Option<&str>) -> String {
        let mut claims = good_claims(jti);
        if let Some(nonce) = nonce {
            claims["nonce"] = json!(nonce);
        }
        craft(&good_header(), &claims)
    }

    #[test]
    fn nonces_are_off_by_default() {
        verifier()
            .verify(&with_nonce("n0", Some("anything")), &get())
            .unwrap();
        verifier().verify(&with_nonce("n1", None), &get()).unwrap();
    }

    /// RFC 9449 §8: a missing and a wrong (or stale) nonce both get `use_dpop_nonce` and a
    /// fresh `DPoP-Nonce`.
    #[test]
    fn a_required_nonce_must_be_present_and_accepted() {
        let verifier = verifier().with_nonces(Fixed);
        let missing = verifier
            .verify(&with_nonce("n2", None), &get())
            .unwrap_err();
        assert_eq!(
            missing,
            DpopError::NonceRequired {
                nonce: "n-2".into()
            }
        );
        let stale = verifier
            .verify(&with_nonce("n3", Some("n-1")), &get())
            .unwrap_err();
        assert_eq!(
            stale,
            DpopError::InvalidNonce {
                nonce: "n-2".into()
            }
        );
        for error in [&missing, &stale] {
            assert_eq!(error.error_code(), "use_dpop_nonce");
            assert_eq!(error.dpop_nonce(), Some("n-2"));
            assert!(
                verifier
                    .challenge(error)
                    .starts_with(r#"DPoP error="use_dpop_nonce", algs=""#)
            );
        }
        verifier
            .verify(&with_nonce("n4", Some("n-2")), &get())
            .unwrap();
    }

    #[test]
    fn the_prover_writes_the_nonce() {
        let client = prover(KeyPairKind::Ed25519);
        let proof = client
            .proof_for(&ProofClaims::new("GET", URL).with_nonce("n-2"))
            .unwrap();
        verifier()
            .with_nonces(Fixed)
            .verify(&proof, &get())
            .unwrap();
    }
}

mod replay {
    use super::*;

    #[test]
    fn a_proof_is_accepted_once() {
        let verifier = verifier();
        let proof = prover(KeyPairKind::Ed25519).proof("GET", URL).unwrap();
        verifier.verify(&proof, &get()).unwrap();
        assert_eq!(
            verifier.verify(&proof, &get()).unwrap_err(),
            DpopError::Replayed
        );
    }

    /// A proof refused for any other reason does not use up its `jti`.
    #[test]
    fn a_refused_proof_does_not_use_up_its_jti() {
        let verifier = verifier();
        let proof = prover(KeyPairKind::Ed25519).proof("GET", URL).unwrap();
        assert!(
            verifier
                .verify(&proof, &DpopRequest::new("POST", URL))
                .is_err()
        );
        verifier.verify(&proof, &get()).unwrap();
    }

    /// Replicas sharing a store: a proof one accepted, the other refuses.
    #[test]
    fn replicas_sharing_a_store_refuse_each_others_proofs() {
        let store = Arc::new(InMemoryReplayStore::new(100));
        let a = verifier().with_replay_store(Arc::clone(&store));
        let b = verifier().with_replay_store(Arc::clone(&store));
        let proof = prover(KeyPairKind::Ed25519).proof("GET", URL).unwrap();
        a.verify(&proof, &get()).unwrap();
        assert_eq!(b.verify(&proof, &get()).unwrap_err(), DpopError::Replayed);
    }

    /// Sixteen threads present the same proof at once: exactly one is accepted.
    #[test]
    fn a_proof_raced_by_many_threads_is_accepted_exactly_once() {
        let verifier = verifier();
        let proof = prover(KeyPairKind::Ed25519).proof("GET", URL).unwrap();
        let barrier = std::sync::Barrier::new(16);
        let outcomes: Vec<_> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..16)
                .map(|_| {
                    scope.spawn(|| {
                        barrier.wait();
                        verifier.verify(&proof, &get()).map(|_| ())
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(outcomes.iter().filter(|o| o.is_ok()).count(), 1);
        assert_eq!(
            outcomes
                .iter()
                .filter(|o| **o == Err(DpopError::Replayed))
                .count(),
            15
        );
    }

    /// The same `jti` from two keys is two proofs (RFC 9449 §11.1 keys on both).
    #[test]
    fn the_replay_key_is_jti_and_key_together() {
        let store = InMemoryReplayStore::new(10);
        let now = chrono::DateTime::from_timestamp(NOW, 0).unwrap();
        let until = now + chrono::TimeDelta::seconds(60);
        for jkt in ["key-a", "key-b"] {
            assert_eq!(
                store
                    .record(&ReplayKey::new(jkt, "same"), until, now)
                    .unwrap(),
                Freshness::First
            );
        }
        assert_ne!(ReplayKey::new("ab", "c"), ReplayKey::new("a", "bc"));
    }

    #[test]
    fn a_full_store_drops_expired_entries_and_refuses_when_none_expired() {
        let store = InMemoryReplayStore::new(2);
        let now = chrono::DateTime::from_timestamp(NOW, 0).unwrap();
        let soon = now + chrono::TimeDelta::seconds(1);
        let later = now + chrono::TimeDelta::seconds(60);
        store.record(&ReplayKey::new("k", "1"), soon, now).unwrap();
        store.record(&ReplayKey::new("k", "2"), later, now).unwrap();
        assert!(store.record(&ReplayKey::new("k", "3"), later, now).is_err());
        let after = now + chrono::TimeDelta::seconds(2);
        assert_eq!(
            store
                .record(&ReplayKey::new("k", "3"), later, after)
                .unwrap(),
            Freshness::First
        );
        assert_eq!(store.len(), 2);
        // Both places hold unexpired proofs again: the next one is refused, not forgotten.
        assert_eq!(
            store
                .record(&ReplayKey::new("k", "1"), later, after)
                .unwrap_err()
                .to_string(),
            "the replay store failed"
        );
    }

    /// A proof stays remembered as long as it would be accepted: at the end of its window it
    /// is still a replay, one second later it is stale.
    #[test]
    fn a_proof_is_remembered_until_it_is_stale() {
        let clock = clock();
        let verifier = DpopVerifier::new().with_clock(clock.clone());
        let proof = prover(KeyPairKind::Ed25519).proof("GET", URL).unwrap();
        verifier.verify(&proof, &get()).unwrap();
        clock.advance(Duration::from_secs(60));
        assert_eq!(
            verifier.verify(&proof, &get()).unwrap_err(),
            DpopError::Replayed
        );
        clock.advance(Duration::from_secs(1));
        assert!(matches!(
            verifier.verify(&proof, &get()),
            Err(DpopError::Stale { .. })
        ));
    }
}

mod http {
    use super::*;

    #[test]
    fn challenges_name_the_code_and_algorithms() {
        assert_eq!(
            DpopError::InvalidSignature.www_authenticate(),
            r#"DPoP error="invalid_dpop_proof", algs="ES256 EdDSA PS256 RS256""#
        );
        assert_eq!(
            verifier()
                .with_algorithms([Algorithm::EdDSA])
                .challenge(&DpopError::Replayed),
            r#"DPoP error="invalid_dpop_proof", algs="EdDSA""#
        );
    }

    #[test]
    fn the_authorization_scheme_must_be_dpop() {
        assert_eq!(dpop_token("dpop a.b.c").unwrap(), "a.b.c");
        assert_eq!(
            dpop_token("Bearer a.b.c"),
            Err(TokenError::MalformedAuthorization)
        );
        assert_eq!(dpop_token("DPoP "), Err(TokenError::MalformedAuthorization));
    }

    #[test]
    fn exactly_one_proof_header_is_accepted() {
        assert_eq!(single_proof(["p"]).unwrap(), "p");
        assert_eq!(
            single_proof(["p", "q", "r"]),
            Err(DpopError::Multiple { count: 3 })
        );
        assert_eq!(single_proof([]), Err(DpopError::Missing));
    }

    /// Values from the proof are shown escaped and cut, never raw.
    #[test]
    fn errors_show_proof_values_escaped_and_cut() {
        let mut claims = good_claims("e");
        claims["htm"] = json!(format!("GET\n{}", "X".repeat(500)));
        let error = verifier()
            .verify(&craft(&good_header(), &claims), &get())
            .unwrap_err();
        let message = error.to_string();
        assert!(!message.contains('\n'));
        assert!(message.contains("GET\\n"));
        assert!(message.len() < 400, "{}", message.len());
    }
}

mod binding {
    use super::*;

    #[test]
    fn an_issued_token_carries_the_proof_keys_thumbprint() {
        let client = prover(KeyPairKind::Ed25519);
        let issuer = TokenIssuer::new(SigningKey::generate(KeyPairKind::Ed25519).unwrap());
        let token = issuer
            .issue("alice", &KeyConfirmation::new(client.thumbprint()))
            .unwrap();
        let claims = issuer.verify::<KeyConfirmation>(&token).unwrap();
        assert_eq!(claims.extra.jkt(), client.thumbprint());
        // A token without `cnf` is not a bound token.
        let unbound = issuer.issue("alice", &()).unwrap();
        assert!(issuer.verify::<KeyConfirmation>(&unbound).is_err());
    }
}

/// One verifier, prover and store serve every thread.
#[test]
fn the_types_are_shareable() {
    fn shareable<T: Send + Sync + 'static>() {}
    shareable::<DpopVerifier>();
    shareable::<DpopProver>();
    shareable::<InMemoryReplayStore>();
    shareable::<DpopError>();
    shareable::<keyward::token::OidcKeySet>();
    shareable::<keyward::token::DiscoveryError>();
}

/// An async store (a database) settles the replay check itself; a replay is still refused.
#[test]
fn a_caller_supplied_replay_check_settles_the_proof() {
    let store = InMemoryReplayStore::new(10);
    let verifier = verifier();
    let proof = prover(KeyPairKind::Ed25519).proof("GET", URL).unwrap();
    let settle = || {
        let pending = verifier.verify_before_replay_check(&proof, &get()).unwrap();
        let freshness = store
            .record(
                pending.replay_key(),
                pending.remember_until(),
                pending.checked_at(),
            )
            .unwrap();
        pending.settle(freshness)
    };
    assert!(settle().is_ok());
    assert_eq!(settle().unwrap_err(), DpopError::Replayed);
}
