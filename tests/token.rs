//! Behaviour of `keyward::token` as a user relies on it: issuing and verifying with every
//! algorithm, typed claims, expiry, issuer and audience, token kinds, rotation and JWKS.

#[path = "common/mod.rs"]
mod common;

use std::time::Duration;

use common::craft;
use keyward::SecretKey;
use keyward::token::{
    Algorithm, Audience, Claim, Claims, FixedClock, KeyError, KeySet, Leeway, Lifetime, SigningKey,
    TokenError, TokenInfo, TokenIssuer, TokenKind, TokenResponse, TokenVerifier, VerifyingKey,
};
use serde::{Deserialize, Serialize};

const NOW: i64 = 1_700_000_000;
const SECRET: [u8; 32] = *b"0123456789abcdef0123456789abcdef";

fn key_file(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/keys/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn clock() -> FixedClock {
    FixedClock::at_unix_seconds(NOW)
}

fn hs256() -> TokenIssuer {
    TokenIssuer::hs256(SECRET).unwrap().with_clock(clock())
}

/// One issuer per supported algorithm.
fn every_algorithm() -> Vec<TokenIssuer> {
    vec![
        TokenIssuer::hs256(SECRET).unwrap(),
        TokenIssuer::hs384([7u8; 48]).unwrap(),
        TokenIssuer::hs512([7u8; 64]).unwrap(),
        TokenIssuer::rs256_pem(key_file("rsa2048-private.pem")).unwrap(),
        TokenIssuer::ps256_pem(key_file("rsa2048-private.pem")).unwrap(),
        TokenIssuer::es256_pem(key_file("p256-1-private.pem")).unwrap(),
        TokenIssuer::ed25519_pem(key_file("ed25519-private.pem")).unwrap(),
    ]
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Role {
    role: String,
    scopes: Vec<String>,
}

fn admin() -> Role {
    Role {
        role: "admin".into(),
        scopes: vec!["read".into(), "write".into()],
    }
}

mod issue_and_verify {
    use super::*;

    #[test]
    fn every_algorithm_round_trips_typed_claims() {
        let expected = [
            Algorithm::HS256,
            Algorithm::HS384,
            Algorithm::HS512,
            Algorithm::RS256,
            Algorithm::PS256,
            Algorithm::ES256,
            Algorithm::EdDSA,
        ];
        for (issuer, algorithm) in every_algorithm().into_iter().zip(expected) {
            assert_eq!(issuer.algorithm(), algorithm);
            let token = issuer.issue("alice", &admin()).unwrap();
            let claims: Claims<Role> = issuer.verify(&token).unwrap();
            assert_eq!(claims.subject, "alice", "{algorithm}");
            assert_eq!(claims.extra, admin(), "{algorithm}");
            // The verify-only half agrees.
            assert_eq!(issuer.verifier().verify::<Role>(&token).unwrap(), claims);
        }
    }

    #[test]
    fn the_header_names_the_keys_algorithm_and_the_access_type() {
        for issuer in every_algorithm() {
            let token = issuer.issue("alice", &()).unwrap();
            let header = token.split('.').next().unwrap();
            let header: serde_json::Value = serde_json::from_slice(&base64_decode(header)).unwrap();
            assert_eq!(header["alg"], issuer.algorithm().name());
            assert_eq!(header["typ"], "at+jwt");
        }
    }

    #[test]
    fn tokens_carry_the_registered_claims_with_their_wire_names() {
        let issuer = hs256()
            .with_issuer("https://auth.example.com")
            .with_audience("api");
        let token = issuer.issue("alice", &admin()).unwrap();
        let payload: serde_json::Value =
            serde_json::from_slice(&base64_decode(token.split('.').nth(1).unwrap())).unwrap();
        assert_eq!(payload["sub"], "alice");
        assert_eq!(payload["iat"], NOW);
        assert_eq!(payload["exp"], NOW + 900);
        assert_eq!(payload["iss"], "https://auth.example.com");
        assert_eq!(payload["aud"], "api");
        assert_eq!(payload["role"], "admin");
        assert_eq!(payload["jti"].as_str().unwrap().len(), 22);
    }

    #[test]
    fn token_ids_are_unique() {
        let issuer = hs256();
        let ids: std::collections::HashSet<String> = (0..200)
            .map(|_| {
                issuer
                    .verify::<()>(&issuer.issue("alice", &()).unwrap())
                    .unwrap()
                    .token_id
                    .unwrap()
            })
            .collect();
        assert_eq!(ids.len(), 200);
    }

    #[test]
    fn unit_extra_claims_ignore_whatever_the_token_carries() {
        let issuer = hs256();
        let token = issuer.issue("alice", &admin()).unwrap();
        assert_eq!(issuer.verify::<()>(&token).unwrap().extra, ());
        // And a map type sees only the caller's claims, not the registered ones.
        let extra = issuer
            .verify::<std::collections::BTreeMap<String, serde_json::Value>>(&token)
            .unwrap()
            .extra;
        assert_eq!(extra.keys().collect::<Vec<_>>(), ["role", "scopes"]);
    }

    #[test]
    fn claims_of_the_wrong_shape_are_a_typed_error() {
        let issuer = hs256();
        let token = issuer.issue("alice", &()).unwrap();
        let error = issuer.verify::<Role>(&token).unwrap_err();
        assert!(
            matches!(error, TokenError::InvalidExtraClaims(_)),
            "{error:?}"
        );
        // The serde error that says what was wrong is kept as the source.
        let source = std::error::Error::source(&error)
            .expect("a source")
            .to_string();
        assert!(source.contains("missing field `role`"), "{source}");
    }

    #[test]
    fn extra_claims_cannot_overwrite_registered_ones() {
        let issuer = hs256();
        for claim in [
            Claim::Subject,
            Claim::ExpiresAt,
            Claim::IssuedAt,
            Claim::NotBefore,
            Claim::Issuer,
            Claim::Audience,
            Claim::TokenId,
        ] {
            let sneaky = serde_json::json!({ claim.wire_name(): "x", "role": "admin" });
            assert_eq!(
                issuer.issue("alice", &sneaky),
                Err(TokenError::ReservedClaim(claim))
            );
        }
    }

    #[test]
    fn extra_claims_must_be_an_object() {
        let issuer = hs256();
        assert!(matches!(
            issuer.issue("alice", &42),
            Err(TokenError::InvalidExtraClaims(_))
        ));
        assert!(matches!(
            issuer.issue("alice", &["a", "b"]),
            Err(TokenError::InvalidExtraClaims(_))
        ));
        assert!(matches!(
            issuer.issue("alice", "text"),
            Err(TokenError::InvalidExtraClaims(_))
        ));
    }

    #[test]
    fn an_empty_subject_is_refused() {
        assert_eq!(
            hs256().issue("", &()),
            Err(TokenError::InvalidClaim(Claim::Subject))
        );
    }

    #[test]
    fn claims_serialize_with_wire_names() {
        let issuer = hs256().with_audiences(["a", "b"]);
        let claims = issuer
            .verify::<Role>(&issuer.issue("alice", &admin()).unwrap())
            .unwrap();
        let json = serde_json::to_value(&claims).unwrap();
        assert_eq!(json["sub"], "alice");
        assert_eq!(json["exp"], NOW + 900);
        assert_eq!(json["aud"], serde_json::json!(["a", "b"]));
        assert_eq!(json["role"], "admin");
        assert!(json.get("nbf").is_none());
    }
}

mod expiry {
    use super::*;

    #[test]
    fn valid_until_the_second_before_exp_then_expired() {
        let clock = clock();
        let issuer = TokenIssuer::hs256(SECRET)
            .unwrap()
            .with_ttl(Lifetime::from_secs(60).unwrap())
            .with_clock(clock.clone());
        let token = issuer.issue("alice", &()).unwrap();
        clock.advance(Duration::from_secs(59));
        issuer.verify::<()>(&token).unwrap();
        clock.advance(Duration::from_secs(1));
        let expired_at = chrono::DateTime::from_timestamp(NOW + 60, 0).unwrap();
        assert_eq!(
            issuer.verify::<()>(&token).unwrap_err(),
            TokenError::Expired { expired_at }
        );
    }

    #[test]
    fn the_default_ttl_is_15_minutes() {
        let issuer = hs256();
        let claims = issuer
            .verify::<()>(&issuer.issue("alice", &()).unwrap())
            .unwrap();
        assert_eq!(
            (claims.expires_at - claims.issued_at.unwrap()).num_seconds(),
            15 * 60
        );
        assert_eq!(issuer.ttl(), Lifetime::from_mins(15).unwrap());
    }

    #[test]
    fn leeway_extends_acceptance_by_exactly_its_length() {
        let clock = clock();
        let issuer = TokenIssuer::hs256(SECRET)
            .unwrap()
            .with_ttl(Lifetime::from_secs(60).unwrap())
            .with_leeway(Leeway::from_secs(30).unwrap())
            .with_clock(clock.clone());
        let token = issuer.issue("alice", &()).unwrap();
        clock.advance(Duration::from_secs(89));
        issuer.verify::<()>(&token).unwrap();
        clock.advance(Duration::from_secs(1));
        assert!(matches!(
            issuer.verify::<()>(&token),
            Err(TokenError::Expired { .. })
        ));
    }

    #[test]
    fn leeway_is_capped_at_five_minutes_when_it_is_made() {
        assert_eq!(Leeway::from_secs(300).unwrap(), Leeway::MAX);
        let error = Leeway::from_secs(301).unwrap_err();
        assert_eq!(
            error,
            TokenError::InvalidDuration {
                setting: "leeway",
                min_secs: 0,
                max_secs: 300
            }
        );
        assert_eq!(
            error.to_string(),
            "leeway must be whole seconds from 0 to 300"
        );
        assert!(Leeway::try_from(Duration::from_millis(1_500)).is_err());
    }

    #[test]
    fn per_token_ttl_overrides_the_default() {
        let clock = clock();
        let issuer = TokenIssuer::hs256(SECRET)
            .unwrap()
            .with_clock(clock.clone());
        let short = issuer
            .issue_with_ttl("alice", &(), Lifetime::from_secs(5).unwrap())
            .unwrap();
        let long = issuer
            .issue_with_ttl("alice", &(), Lifetime::from_secs(86_400).unwrap())
            .unwrap();
        clock.advance(Duration::from_secs(5));
        assert!(matches!(
            issuer.verify::<()>(&short),
            Err(TokenError::Expired { .. })
        ));
        issuer.verify::<()>(&long).unwrap();
    }

    #[test]
    fn unusable_lifetimes_are_refused_when_they_are_made() {
        let out_of_range = TokenError::InvalidDuration {
            setting: "lifetime",
            min_secs: 1,
            max_secs: 366 * 86_400,
        };
        for ttl in [
            Duration::ZERO,
            Duration::from_millis(999),
            Duration::from_millis(1_500),
            Duration::MAX,
            Duration::from_secs(u64::MAX / 2),
            Duration::from_secs(367 * 86_400),
        ] {
            assert_eq!(
                Lifetime::try_from(ttl),
                Err(out_of_range.clone()),
                "{ttl:?}"
            );
        }
        assert_eq!(Lifetime::from_days(u64::MAX), Err(out_of_range));
        assert_eq!(
            Lifetime::try_from(Duration::from_secs(1))
                .unwrap()
                .as_secs(),
            1
        );
        assert_eq!(Lifetime::MAX.as_secs(), 366 * 86_400);
    }

    #[test]
    fn not_before_is_honoured_with_leeway() {
        let clock = clock();
        let verifier =
            TokenVerifier::new(VerifyingKey::hs256(SECRET).unwrap()).with_clock(clock.clone());
        let token = craft::hs256(
            &SECRET,
            craft::AT_HS256,
            &craft::payload_at(NOW, &format!(r#","nbf":{}"#, NOW + 10)),
        );
        let valid_from = chrono::DateTime::from_timestamp(NOW + 10, 0).unwrap();
        assert_eq!(
            verifier.verify::<()>(&token).unwrap_err(),
            TokenError::NotYetValid { valid_from }
        );
        let lenient = verifier.clone().with_leeway(Leeway::from_secs(10).unwrap());
        assert_eq!(
            lenient.verify::<()>(&token).unwrap().not_before,
            Some(valid_from)
        );
        clock.advance(Duration::from_secs(10));
        verifier.verify::<()>(&token).unwrap();
    }

    #[test]
    fn a_token_issued_in_the_future_is_not_yet_valid() {
        let verifier = TokenVerifier::new(VerifyingKey::hs256(SECRET).unwrap()).with_clock(clock());
        let token = craft::hs256(&SECRET, craft::AT_HS256, &craft::payload_at(NOW + 60, ""));
        assert!(matches!(
            verifier.verify::<()>(&token),
            Err(TokenError::NotYetValid { .. })
        ));
    }

    #[test]
    fn exp_and_iat_are_required() {
        let verifier = TokenVerifier::new(VerifyingKey::hs256(SECRET).unwrap()).with_clock(clock());
        let no_exp = craft::hs256(
            &SECRET,
            craft::AT_HS256,
            &format!(r#"{{"sub":"a","iat":{NOW}}}"#),
        );
        assert_eq!(
            verifier.verify::<()>(&no_exp).unwrap_err(),
            TokenError::MissingClaim(Claim::ExpiresAt)
        );
        let no_iat = craft::hs256(
            &SECRET,
            craft::AT_HS256,
            &format!(r#"{{"sub":"a","exp":{}}}"#, NOW + 60),
        );
        assert_eq!(
            verifier.verify::<()>(&no_iat).unwrap_err(),
            TokenError::MissingClaim(Claim::IssuedAt)
        );
        let no_sub = craft::hs256(
            &SECRET,
            craft::AT_HS256,
            &format!(r#"{{"iat":{NOW},"exp":{}}}"#, NOW + 60),
        );
        assert_eq!(
            verifier.verify::<()>(&no_sub).unwrap_err(),
            TokenError::MissingClaim(Claim::Subject)
        );
    }
}

mod issuer_and_audience {
    use super::*;

    fn crafted(more: &str) -> String {
        craft::hs256(&SECRET, craft::AT_HS256, &craft::payload_at(NOW, more))
    }

    fn verifier() -> TokenVerifier {
        TokenVerifier::new(VerifyingKey::hs256(SECRET).unwrap()).with_clock(clock())
    }

    #[test]
    fn a_configured_issuer_is_required_and_compared_exactly() {
        let strict = verifier().with_issuer("https://auth.example.com");
        strict
            .verify::<()>(&crafted(r#","iss":"https://auth.example.com""#))
            .unwrap();
        assert_eq!(
            strict.verify::<()>(&crafted("")).unwrap_err(),
            TokenError::MissingClaim(Claim::Issuer)
        );
        for wrong in [
            r#","iss":"https://evil.example.com""#,
            r#","iss":"https://auth.example.com/""#,
            r#","iss":"HTTPS://AUTH.EXAMPLE.COM""#,
        ] {
            assert_eq!(
                strict.verify::<()>(&crafted(wrong)).unwrap_err(),
                TokenError::InvalidIssuer {
                    found: serde_json::from_str::<serde_json::Value>(&format!(
                        "{{{}}}",
                        &wrong[1..]
                    ))
                    .unwrap()["iss"]
                        .as_str()
                        .unwrap()
                        .to_owned()
                },
                "{wrong}"
            );
        }
        assert_eq!(
            strict.verify::<()>(&crafted(r#","iss":7"#)).unwrap_err(),
            TokenError::InvalidClaim(Claim::Issuer)
        );
    }

    #[test]
    fn a_configured_audience_is_required_as_a_string_or_in_an_array() {
        let api = verifier().with_audience("api");
        api.verify::<()>(&crafted(r#","aud":"api""#)).unwrap();
        api.verify::<()>(&crafted(r#","aud":["other","api"]"#))
            .unwrap();
        assert_eq!(
            api.verify::<()>(&crafted("")).unwrap_err(),
            TokenError::MissingClaim(Claim::Audience)
        );
        assert_eq!(
            api.verify::<()>(&crafted(r#","aud":"apix""#)).unwrap_err(),
            TokenError::InvalidAudience {
                found: vec!["apix".into()]
            }
        );
        assert_eq!(
            api.verify::<()>(&crafted(r#","aud":["other"]"#))
                .unwrap_err(),
            TokenError::InvalidAudience {
                found: vec!["other".into()]
            }
        );
        for invalid in [
            r#","aud":[]"#,
            r#","aud":5"#,
            r#","aud":["api",5]"#,
            r#","aud":{"api":true}"#,
        ] {
            assert_eq!(
                api.verify::<()>(&crafted(invalid)).unwrap_err(),
                TokenError::InvalidClaim(Claim::Audience),
                "{invalid}"
            );
        }
    }

    #[test]
    fn a_verifier_without_an_audience_refuses_tokens_that_name_one() {
        // RFC 7519 §4.1.3: a recipient that does not identify with a present `aud` must reject.
        assert_eq!(
            verifier()
                .verify::<()>(&crafted(r#","aud":"api""#))
                .unwrap_err(),
            TokenError::UnexpectedAudience
        );
    }

    #[test]
    fn the_issuer_stamps_what_it_requires() {
        let issuer = hs256().with_issuer("me").with_audience("api");
        let claims = issuer
            .verify::<()>(&issuer.issue("alice", &()).unwrap())
            .unwrap();
        assert_eq!(claims.issuer.as_deref(), Some("me"));
        assert_eq!(claims.audience, Some(Audience::from("api")));
        // A token from an issuer without those settings fails this issuer's policy.
        let plain = hs256().issue("alice", &()).unwrap();
        assert_eq!(
            issuer.verify::<()>(&plain).unwrap_err(),
            TokenError::MissingClaim(Claim::Issuer)
        );
    }
}

mod token_kinds {
    use super::*;

    #[test]
    fn access_and_refresh_tokens_are_never_confused() {
        let issuer = hs256();
        let access = issuer.issue("alice", &()).unwrap();
        let refresh = issuer.issue_refresh("alice", &()).unwrap();
        assert_eq!(
            issuer.verify::<()>(&refresh).unwrap_err(),
            TokenError::WrongTokenType {
                expected: TokenKind::Access,
                found: Some("refresh+jwt".into())
            }
        );
        assert_eq!(
            issuer.verify_refresh::<()>(&access).unwrap_err(),
            TokenError::WrongTokenType {
                expected: TokenKind::Refresh,
                found: Some("at+jwt".into())
            }
        );
        assert_eq!(
            issuer.verify::<()>(&refresh).unwrap_err().to_string(),
            r#"wrong token type: expected access token (typ "at+jwt"), found typ "refresh+jwt""#
        );
        issuer.verify::<()>(&access).unwrap();
        issuer.verify_refresh::<()>(&refresh).unwrap();
    }

    #[test]
    fn refresh_tokens_have_their_own_lifetime() {
        let clock = clock();
        let issuer = TokenIssuer::hs256(SECRET)
            .unwrap()
            .with_ttl(Lifetime::from_secs(60).unwrap())
            .with_refresh_ttl(Lifetime::from_secs(3600).unwrap())
            .with_clock(clock.clone());
        let refresh = issuer.issue_refresh("alice", &()).unwrap();
        clock.advance(Duration::from_secs(3599));
        issuer.verify_refresh::<()>(&refresh).unwrap();
        clock.advance(Duration::from_secs(1));
        assert!(matches!(
            issuer.verify_refresh::<()>(&refresh),
            Err(TokenError::Expired { .. })
        ));
        assert_eq!(
            TokenIssuer::hs256(SECRET).unwrap().refresh_ttl(),
            Lifetime::from_days(7).unwrap()
        );
    }

    #[test]
    fn type_matching_follows_rfc_7515_media_type_rules() {
        let verifier = TokenVerifier::new(VerifyingKey::hs256(SECRET).unwrap()).with_clock(clock());
        let payload = craft::payload_at(NOW, "");
        for typ in [
            "at+jwt",
            "AT+JWT",
            "application/at+jwt",
            "Application/At+JWT",
        ] {
            let token = craft::hs256(
                &SECRET,
                &format!(r#"{{"alg":"HS256","typ":"{typ}"}}"#),
                &payload,
            );
            verifier.verify::<()>(&token).unwrap();
        }
        for (header, found) in [
            (r#"{"alg":"HS256"}"#, None),
            (r#"{"alg":"HS256","typ":"JWT"}"#, Some("JWT")),
            (r#"{"alg":"HS256","typ":"at+jwt2"}"#, Some("at+jwt2")),
            (
                r#"{"alg":"HS256","typ":"refresh+jwt"}"#,
                Some("refresh+jwt"),
            ),
        ] {
            let token = craft::hs256(&SECRET, header, &payload);
            assert_eq!(
                verifier.verify::<()>(&token).unwrap_err(),
                TokenError::WrongTokenType {
                    expected: TokenKind::Access,
                    found: found.map(str::to_owned)
                },
                "{header}"
            );
        }
    }

    #[test]
    fn the_token_response_serializes_as_rfc_6749_section_5_1() {
        let issuer = hs256().with_ttl(Lifetime::from_secs(600).unwrap());
        let response = issuer.issue_response("alice", &admin()).unwrap();
        let json = serde_json::to_value(&response).unwrap();
        let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            ["access_token", "expires_in", "refresh_token", "token_type"]
        );
        assert_eq!(json["token_type"], "bearer");
        assert_eq!(json["expires_in"], 600);
        issuer.verify::<Role>(&response.access_token).unwrap();
        issuer
            .verify_refresh::<Role>(response.refresh_token.as_deref().unwrap())
            .unwrap();
        let back: TokenResponse = serde_json::from_value(json).unwrap();
        assert_eq!(back, response);
    }
}

mod keys_and_rotation {
    use super::*;

    #[test]
    fn secrets_shorter_than_the_hash_output_are_weak() {
        // RFC 7518 §3.2.
        assert_eq!(
            TokenIssuer::hs256([1u8; 31]).unwrap_err(),
            TokenError::InvalidKey(KeyError::Weak {
                algorithm: Algorithm::HS256,
                bits: 248,
                min_bits: 256
            })
        );
        assert!(matches!(
            TokenIssuer::hs384([1u8; 47]),
            Err(TokenError::InvalidKey(KeyError::Weak { min_bits: 384, .. }))
        ));
        assert!(matches!(
            TokenIssuer::hs512([1u8; 63]),
            Err(TokenError::InvalidKey(KeyError::Weak { min_bits: 512, .. }))
        ));
        assert!(matches!(
            TokenIssuer::hs256(SecretKey::from_text("your-super-secret-key-here")),
            Err(TokenError::InvalidKey(KeyError::Weak { bits: 208, .. }))
        ));
        assert!(matches!(
            VerifyingKey::hs256([0u8; 0]),
            Err(TokenError::InvalidKey(KeyError::Weak { bits: 0, .. }))
        ));
    }

    #[test]
    fn rsa_keys_under_2048_bits_are_weak_private_or_public() {
        let weak = TokenError::InvalidKey(KeyError::Weak {
            algorithm: Algorithm::RS256,
            bits: 1024,
            min_bits: 2048,
        });
        assert_eq!(
            TokenIssuer::rs256_pem(key_file("rsa1024-private.pem")).unwrap_err(),
            weak
        );
        assert_eq!(
            VerifyingKey::from_pem(key_file("rsa1024-public.pem")).unwrap_err(),
            weak
        );
        assert!(matches!(
            VerifyingKey::ps256_pem(key_file("rsa1024-public.pem")),
            Err(TokenError::InvalidKey(KeyError::Weak {
                algorithm: Algorithm::PS256,
                bits: 1024,
                ..
            }))
        ));
        VerifyingKey::rs256_pem(key_file("rsa2048-public.pem")).unwrap();
    }

    #[test]
    fn keys_of_the_wrong_kind_or_curve_say_what_they_are() {
        type Build = fn(Vec<u8>) -> Result<TokenIssuer, TokenError>;
        let wrong = |found: &str, expected: &'static str| {
            TokenError::InvalidKey(KeyError::WrongKeyType {
                found: found.to_owned(),
                expected,
            })
        };
        let cases: [(&str, Build, TokenError); 6] = [
            (
                "p384-private.pem",
                |pem| TokenIssuer::es256_pem(pem),
                wrong("EC P-384", "EC P-256"),
            ),
            (
                "rsa2048-private.pem",
                |pem| TokenIssuer::es256_pem(pem),
                wrong("RSA", "EC P-256"),
            ),
            (
                "p256-1-private.pem",
                |pem| TokenIssuer::rs256_pem(pem),
                wrong("EC P-256", "RSA"),
            ),
            (
                "p256-1-private.pem",
                |pem| TokenIssuer::ed25519_pem(pem),
                wrong("EC P-256", "Ed25519"),
            ),
            (
                "ed25519-private.pem",
                |pem| TokenIssuer::es256_pem(pem),
                wrong("Ed25519", "EC P-256"),
            ),
            (
                "p256-1-public.pem",
                |pem| TokenIssuer::es256_pem(pem),
                TokenError::InvalidKey(KeyError::WrongPemType {
                    found: "PUBLIC KEY".into(),
                    expected: "PRIVATE KEY",
                }),
            ),
        ];
        for (file, build, expected) in cases {
            assert_eq!(build(key_file(file)).unwrap_err(), expected, "{file}");
        }
        assert_eq!(
            VerifyingKey::es256_pem(key_file("p384-public.pem")).unwrap_err(),
            wrong("EC P-384", "EC P-256")
        );
        assert_eq!(
            VerifyingKey::ed25519_pem(key_file("p256-1-public.pem")).unwrap_err(),
            wrong("EC P-256", "Ed25519")
        );
        // Without an algorithm to insist on, the error lists every kind keyward reads.
        assert_eq!(
            VerifyingKey::from_pem(key_file("p384-public.pem")).unwrap_err(),
            wrong("EC P-384", "RSA, EC P-256 or Ed25519")
        );
        assert_eq!(
            VerifyingKey::from_pem(key_file("p256-1-private.pem")).unwrap_err(),
            TokenError::InvalidKey(KeyError::WrongPemType {
                found: "PRIVATE KEY".into(),
                expected: "PUBLIC KEY"
            })
        );
        for garbage in [&b""[..], b"\xff\xfe not pem"] {
            assert_eq!(
                TokenIssuer::ed25519_pem(garbage).unwrap_err(),
                TokenError::InvalidKey(KeyError::NotPem)
            );
            assert_eq!(
                VerifyingKey::rs256_pem(garbage).unwrap_err(),
                TokenError::InvalidKey(KeyError::NotPem)
            );
        }
        assert_eq!(
            TokenIssuer::from_pem(
                b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
            )
            .unwrap_err(),
            TokenError::InvalidKey(KeyError::MalformedPem("PKCS#8 private key"))
        );
    }

    #[test]
    fn any_supported_pem_is_read_with_its_algorithm_found() {
        for (file, algorithm) in [
            ("rsa2048-private.pem", Algorithm::RS256),
            ("p256-1-private.pem", Algorithm::ES256),
            ("ed25519-private.pem", Algorithm::EdDSA),
        ] {
            let issuer = TokenIssuer::from_pem(key_file(file)).unwrap();
            assert_eq!(issuer.algorithm(), algorithm, "{file}");
            let public = file.replace("private", "public");
            let verifier = TokenVerifier::new(VerifyingKey::from_pem(key_file(&public)).unwrap());
            verifier
                .verify::<()>(&issuer.issue("alice", &()).unwrap())
                .unwrap();
        }
        let ps256 =
            SigningKey::from_pem_as(key_file("rsa2048-private.pem"), Algorithm::PS256).unwrap();
        assert_eq!(ps256.algorithm(), Algorithm::PS256);
    }

    #[test]
    fn rotation_old_and_new_keys_side_by_side() {
        let old = TokenIssuer::es256_pem(key_file("p256-1-private.pem"))
            .unwrap()
            .with_key_id("2026-10");
        let new = TokenIssuer::es256_pem(key_file("p256-2-private.pem"))
            .unwrap()
            .with_key_id("2026-11");
        let old_token = old.issue("alice", &()).unwrap();
        let new_token = new.issue("bob", &()).unwrap();
        let verifier =
            TokenVerifier::new(KeySet::new([new.verifying_key(), old.verifying_key()]).unwrap());
        assert_eq!(verifier.verify::<()>(&old_token).unwrap().subject, "alice");
        assert_eq!(verifier.verify::<()>(&new_token).unwrap().subject, "bob");
        // Once the old key is retired, its tokens are refused by key id.
        assert_eq!(
            new.verifier().verify::<()>(&old_token).unwrap_err(),
            TokenError::UnknownKeyId {
                key_id: "2026-10".into()
            }
        );
    }

    #[test]
    fn the_issuer_stamps_its_kid() {
        let issuer = hs256().with_key_id("k-7");
        let token = issuer.issue("alice", &()).unwrap();
        let header: serde_json::Value =
            serde_json::from_slice(&base64_decode(token.split('.').next().unwrap())).unwrap();
        assert_eq!(header["kid"], "k-7");
        issuer.verify::<()>(&token).unwrap();
    }

    #[test]
    fn several_keys_need_distinct_ids_and_tokens_that_name_one() {
        let a = SigningKey::hs256([1u8; 32]).unwrap().with_key_id("a");
        let b = SigningKey::hs256([2u8; 32]).unwrap().with_key_id("b");
        assert_eq!(
            KeySet::new([a.verifying_key(), a.verifying_key()]).unwrap_err(),
            TokenError::DuplicateKeyId {
                key_id: Some("a".into())
            }
        );
        let unnamed_key = VerifyingKey::hs256([3u8; 32]).unwrap();
        assert_eq!(
            KeySet::new([unnamed_key.clone(), unnamed_key]).unwrap_err(),
            TokenError::DuplicateKeyId { key_id: None }
        );
        assert_eq!(
            KeySet::new([]).unwrap_err(),
            TokenError::InvalidKey(KeyError::EmptyKeySet)
        );
        let verifier =
            TokenVerifier::new(KeySet::new([a.verifying_key(), b.verifying_key()]).unwrap());
        let unnamed = TokenIssuer::hs256([1u8; 32])
            .unwrap()
            .issue("alice", &())
            .unwrap();
        assert_eq!(
            verifier.verify::<()>(&unnamed).unwrap_err(),
            TokenError::MissingKeyId
        );
        let unknown = TokenIssuer::hs256([1u8; 32])
            .unwrap()
            .with_key_id("c")
            .issue("alice", &())
            .unwrap();
        assert_eq!(
            verifier.verify::<()>(&unknown).unwrap_err(),
            TokenError::UnknownKeyId { key_id: "c".into() }
        );
        // A single key serves a token that names no key (and still checks its signature),
        // but not one that names another.
        let only_a = TokenVerifier::new(a.verifying_key());
        assert_eq!(only_a.verify::<()>(&unnamed).unwrap().subject, "alice");
        let unnamed_by_b = TokenIssuer::hs256([2u8; 32])
            .unwrap()
            .issue("alice", &())
            .unwrap();
        assert_eq!(
            only_a.verify::<()>(&unnamed_by_b).unwrap_err(),
            TokenError::InvalidSignature
        );
        assert_eq!(
            only_a.verify::<()>(&unknown).unwrap_err(),
            TokenError::UnknownKeyId { key_id: "c".into() }
        );
        let by_b = TokenIssuer::new(b).issue("alice", &()).unwrap();
        verifier.verify::<()>(&by_b).unwrap();
    }

    #[test]
    fn jwks_round_trip_exports_only_public_keys() {
        let es = TokenIssuer::es256_pem(key_file("p256-1-private.pem"))
            .unwrap()
            .with_key_id("es");
        let ed = SigningKey::ed25519_pem(key_file("ed25519-private.pem"))
            .unwrap()
            .with_key_id("ed");
        let rs = SigningKey::rs256_pem(key_file("rsa2048-private.pem"))
            .unwrap()
            .with_key_id("rs");
        let hs = SigningKey::hs256(SECRET).unwrap().with_key_id("hs");
        let mut keys = KeySet::from(es.verifying_key());
        keys.insert(ed.verifying_key()).unwrap();
        keys.insert(rs.verifying_key()).unwrap();
        keys.insert(hs.verifying_key()).unwrap();
        let verifier = TokenVerifier::new(keys);
        let jwks = verifier.to_jwks();
        let document: serde_json::Value = serde_json::from_str(&jwks).unwrap();
        let kids: Vec<&str> = document["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["kid"].as_str().unwrap())
            .collect();
        assert_eq!(kids, ["es", "ed", "rs"]);
        for key in document["keys"].as_array().unwrap() {
            assert!(key.get("d").is_none() && key.get("k").is_none(), "{key}");
            assert_eq!(key["use"], "sig");
        }
        assert!(!jwks.contains(&craft::b64url(SECRET)));

        let rebuilt = TokenVerifier::from_jwks(&jwks).unwrap();
        for (issuer, subject) in [
            (es, "es"),
            (TokenIssuer::new(ed), "ed"),
            (TokenIssuer::new(rs), "rs"),
        ] {
            let token = issuer.issue(subject, &()).unwrap();
            assert_eq!(rebuilt.verify::<()>(&token).unwrap().subject, subject);
        }
    }

    #[test]
    fn jwks_documents_skip_encryption_keys_and_refuse_secrets() {
        let es = SigningKey::es256_pem(key_file("p256-1-private.pem"))
            .unwrap()
            .with_key_id("es");
        let public = es.verifying_key().to_jwk().unwrap();
        let with_enc = format!(
            r#"{{"keys":[{public},{{"kty":"RSA","use":"enc","kid":"e","n":"AQAB","e":"AQAB"}}]}}"#
        );
        assert_eq!(
            TokenVerifier::from_jwks(&with_enc).unwrap().key_set().len(),
            1
        );
        // Keys too malformed to read are skipped too (RFC 7517 §5), unless they hold a secret.
        let with_junk = format!(r#"{{"keys":[{public},{{"kty":5}},"a string",{{"kid":"x"}}]}}"#);
        let keys = KeySet::from_jwks(&with_junk).unwrap();
        assert_eq!(keys.keys().len(), 1);
        let reasons: Vec<(usize, &KeyError)> = keys
            .skipped()
            .iter()
            .map(|k| (k.index(), k.reason()))
            .collect();
        assert_eq!(
            reasons[0],
            (
                1,
                &KeyError::InvalidMember {
                    name: "kty",
                    expected: "a string"
                }
            )
        );
        assert!(matches!(reasons[1], (2, KeyError::NotJson(_))));
        assert_eq!(reasons[2], (3, &KeyError::MissingParameter("kty")));
        let junk_with_secret = format!(r#"{{"keys":[{public},{{"kty":5,"d":"AA"}}]}}"#);
        assert_eq!(
            KeySet::from_jwks(&junk_with_secret).unwrap_err(),
            TokenError::InvalidKey(KeyError::InKeySet {
                index: 1,
                key_id: None,
                error: Box::new(KeyError::SecretNotAllowed { member: "d" })
            })
        );
        let with_secret = format!(
            r#"{{"keys":[{public},{{"kty":"oct","alg":"HS256","kid":"h","k":"{}"}}]}}"#,
            craft::b64url(SECRET)
        );
        assert_eq!(
            TokenVerifier::from_jwks(&with_secret).unwrap_err(),
            TokenError::InvalidKey(KeyError::InKeySet {
                index: 1,
                key_id: Some("h".into()),
                error: Box::new(KeyError::SecretNotAllowed { member: "k" })
            })
        );
        for broken in ["", "{}", r#"{"keys":{}}"#, "[1]"] {
            assert!(
                matches!(
                    TokenVerifier::from_jwks(broken).unwrap_err(),
                    TokenError::InvalidKey(KeyError::NotJson(_))
                ),
                "{broken}"
            );
        }
        assert_eq!(
            TokenVerifier::from_jwks(r#"{"keys":[]}"#).unwrap_err(),
            TokenError::InvalidKey(KeyError::EmptyKeySet)
        );
        let TokenError::InvalidKey(KeyError::NoUsableKey(skipped)) =
            TokenVerifier::from_jwks(r#"{"keys":[{"kty":"EC"}]}"#).unwrap_err()
        else {
            panic!("expected NoUsableKey");
        };
        assert_eq!(skipped.len(), 1);
        assert_eq!(
            (skipped[0].index(), skipped[0].key_id(), skipped[0].reason()),
            (0, None, &KeyError::MissingParameter("crv"))
        );
    }

    #[test]
    fn jwk_algorithms_must_fit_the_key_type() {
        let x = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
        VerifyingKey::from_jwk(&format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{x}"}}"#)).unwrap();
        for (wrong, why) in [
            (
                format!(r#"{{"kty":"OKP","crv":"Ed25519","alg":"ES256","x":"{x}"}}"#),
                KeyError::AlgorithmMismatch {
                    algorithm: Algorithm::ES256,
                    key_type: "OKP".into(),
                },
            ),
            (
                format!(r#"{{"kty":"OKP","crv":"Ed448","x":"{x}"}}"#),
                KeyError::UnsupportedCurve("Ed448".into()),
            ),
            (
                format!(r#"{{"kty":"OKP","crv":"Ed25519","use":"enc","x":"{x}"}}"#),
                KeyError::NotForSigning("enc".into()),
            ),
            (
                format!(r#"{{"kty":"OKP","crv":"Ed25519","key_ops":["encrypt"],"x":"{x}"}}"#),
                KeyError::VerifyNotPermitted,
            ),
            (
                format!(r#"{{"kty":"OKP","crv":"Ed25519","alg":"none","x":"{x}"}}"#),
                KeyError::UnsupportedAlgorithm("none".into()),
            ),
            (
                format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{x}=="}}"#),
                KeyError::InvalidEncoding("x"),
            ),
            (
                format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{x}","d":"{x}"}}"#),
                KeyError::SecretNotAllowed { member: "d" },
            ),
            (
                format!(r#"{{"kty":"ECC","crv":"Ed25519","x":"{x}"}}"#),
                KeyError::UnsupportedKeyType("ECC".into()),
            ),
            (
                r#"{"kty":"RSA","n":"AQAB","e":"AQAB"}"#.to_owned(),
                KeyError::MissingAlgorithm,
            ),
            (
                r#"{"kty":"oct","k":"AQAB"}"#.to_owned(),
                KeyError::MissingAlgorithm,
            ),
        ] {
            assert_eq!(
                VerifyingKey::from_jwk(&wrong).unwrap_err(),
                TokenError::InvalidKey(why),
                "{wrong}"
            );
        }
    }

    #[test]
    fn replacing_the_key_set_keeps_the_policy() {
        let old = TokenIssuer::es256_pem(key_file("p256-1-private.pem"))
            .unwrap()
            .with_key_id("old");
        let new = TokenIssuer::es256_pem(key_file("p256-2-private.pem"))
            .unwrap()
            .with_key_id("new");
        let verifier = old
            .verifier()
            .with_issuer("me")
            .with_audience("api")
            .with_clock(clock());
        let rotated = verifier
            .clone()
            .with_key_set(KeySet::from_jwks(&new.verifier().to_jwks()).unwrap());
        assert_eq!(rotated.key_set().len(), 1);
        let good = new
            .clone()
            .with_issuer("me")
            .with_audience("api")
            .with_clock(clock())
            .issue("alice", &())
            .unwrap();
        assert_eq!(rotated.verify::<()>(&good).unwrap().subject, "alice");
        // Issuer and audience are still required after the swap.
        let no_audience = new
            .clone()
            .with_issuer("me")
            .with_clock(clock())
            .issue("alice", &())
            .unwrap();
        assert_eq!(
            rotated.verify::<()>(&no_audience).unwrap_err(),
            TokenError::MissingClaim(Claim::Audience)
        );
        // The old verifier is untouched: verifiers are values.
        assert_eq!(
            verifier.verify::<()>(&good).unwrap_err(),
            TokenError::UnknownKeyId {
                key_id: "new".into()
            }
        );
    }

    #[test]
    fn issuers_and_verifiers_are_send_sync_and_cheap_to_clone() {
        fn assert_send_sync<T: Send + Sync + Clone + 'static>() {}
        assert_send_sync::<TokenIssuer>();
        assert_send_sync::<TokenVerifier>();
        assert_send_sync::<SigningKey>();
        assert_send_sync::<VerifyingKey>();
        assert_send_sync::<SecretKey>();
    }
}

mod revocation {
    use super::*;
    use std::sync::{Arc, RwLock};

    #[test]
    fn a_per_user_cutoff_voids_older_tokens() {
        let clock = clock();
        let cutoff: Arc<RwLock<Option<chrono::DateTime<chrono::Utc>>>> = Arc::default();
        let seen = Arc::clone(&cutoff);
        let issuer = TokenIssuer::hs256(SECRET)
            .unwrap()
            .with_clock(clock.clone())
            .with_revocation_check(move |token: &TokenInfo<'_>| {
                token.subject == "alice"
                    && seen
                        .read()
                        .unwrap()
                        .is_some_and(|t| token.issued_at.is_none_or(|iat| iat < t))
            });
        let before = issuer.issue("alice", &()).unwrap();
        let bob = issuer.issue("bob", &()).unwrap();
        clock.advance(Duration::from_secs(1));
        *cutoff.write().unwrap() = Some(chrono::DateTime::from_timestamp(NOW + 1, 0).unwrap());
        let after = issuer.issue("alice", &()).unwrap();
        assert_eq!(
            issuer.verify::<()>(&before).unwrap_err(),
            TokenError::Revoked
        );
        issuer.verify::<()>(&after).unwrap();
        issuer.verify::<()>(&bob).unwrap();
    }

    #[test]
    fn the_check_sees_the_token_kind() {
        let issuer =
            hs256().with_revocation_check(|t: &TokenInfo<'_>| t.kind == TokenKind::Refresh);
        issuer
            .verify::<()>(&issuer.issue("alice", &()).unwrap())
            .unwrap();
        let refresh = issuer.issue_refresh("alice", &()).unwrap();
        assert_eq!(
            issuer.verify_refresh::<()>(&refresh).unwrap_err(),
            TokenError::Revoked
        );
    }
}

mod secret_hygiene {
    use super::*;

    #[test]
    fn debug_output_never_contains_key_material_or_tokens() {
        let secret = SecretKey::from(*b"this-is-a-very-secret-key-0123456789");
        let issuer = TokenIssuer::hs256(secret.clone()).unwrap().with_key_id("k");
        let response = issuer.issue_response("alice", &()).unwrap();
        let ed = TokenIssuer::ed25519_pem(key_file("ed25519-private.pem")).unwrap();
        let printed = [
            format!("{secret:?}"),
            format!("{issuer:?}"),
            format!("{:?}", issuer.verifier()),
            format!("{:?}", SigningKey::hs256(secret.clone()).unwrap()),
            format!("{:?}", VerifyingKey::hs256(secret.clone()).unwrap()),
            format!("{response:?}"),
            format!("{ed:?}"),
            format!("{:#?}", ed.verifier()),
        ];
        let pem = String::from_utf8(key_file("ed25519-private.pem")).unwrap();
        let pem_body = pem.lines().nth(1).unwrap();
        for text in printed {
            assert!(!text.contains("very-secret"), "{text}");
            assert!(
                !text.contains(&craft::b64url(secret.expose_secret())),
                "{text}"
            );
            assert!(!text.contains(pem_body), "{text}");
            assert!(!text.contains(&response.access_token[..20]), "{text}");
            assert!(
                !text.contains(&response.refresh_token.as_ref().unwrap()[40..60]),
                "{text}"
            );
        }
    }

    #[test]
    fn error_messages_never_echo_tokens() {
        let issuer = hs256();
        let token = issuer.issue("alice", &()).unwrap();
        // Flip one bit of the signature's first byte: a change that can never be a no-op, and
        // that stays canonical base64url, so the refusal is the signature check's.
        let (input, signature) = token.rsplit_once('.').unwrap();
        let mut bytes = base64_decode(signature);
        bytes[0] ^= 0x01;
        let tampered = format!("{input}.{}", craft::b64url(bytes));
        assert_eq!(
            issuer.verify::<()>(&tampered).unwrap_err(),
            TokenError::InvalidSignature
        );
        for error in [
            issuer.verify::<()>(&tampered).unwrap_err(),
            issuer.verify_refresh::<()>(&token).unwrap_err(),
            issuer.verify::<()>(&format!("{token}.x")).unwrap_err(),
        ] {
            let text = format!("{error} {error:?}");
            assert!(
                !text.contains(&token[..30]) && !text.contains("alice"),
                "{text}"
            );
        }
    }
}

fn base64_decode(part: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .unwrap()
}

/// Every error carries its cause once, in its message or in `source()`, and shows what it
/// found: escaped and cut short when it comes from whoever sent the token or document.
mod error_messages {
    use super::*;
    use keyward::token::{FetchError, JwksResponse, RemoteKeySet};

    #[derive(Debug, Deserialize)]
    struct Extra {
        #[allow(dead_code)]
        n: u32,
    }

    /// Walks `error`'s `source()` chain: no message may contain its source's message.
    fn assert_cause_once(error: &(dyn std::error::Error + 'static)) {
        let mut current = error;
        while let Some(source) = current.source() {
            let (message, cause) = (current.to_string(), source.to_string());
            assert!(
                !message.contains(&cause),
                "{message:?} repeats its source {cause:?}"
            );
            current = source;
        }
    }

    #[test]
    fn no_error_prints_its_source_twice() {
        let not_json = VerifyingKey::from_jwk("{oops").unwrap_err();
        assert!(matches!(
            not_json,
            TokenError::InvalidKey(KeyError::NotJson(_))
        ));
        assert!(std::error::Error::source(&not_json).is_some());
        assert_cause_once(&not_json);

        let x = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
        let leaky = format!(
            r#"{{"keys":[{{"kty":"OKP","crv":"Ed25519","kid":"a","x":"{x}","d":"{x}"}}]}}"#
        );
        let in_set = KeySet::from_jwks(&leaky).unwrap_err();
        let TokenError::InvalidKey(KeyError::InKeySet { error, .. }) = &in_set else {
            panic!("{in_set:?}");
        };
        assert_eq!(**error, KeyError::SecretNotAllowed { member: "d" });
        // The inner reason is the source, not part of the message.
        let source = std::error::Error::source(&in_set).expect("InKeySet has a source");
        assert_eq!(source.to_string(), error.to_string());
        assert_cause_once(&in_set);

        let issuer = TokenIssuer::hs256([1u8; 32]).unwrap();
        let token = issuer
            .issue("alice", &serde_json::json!({ "n": "text" }))
            .unwrap();
        let extra = issuer.verify::<Extra>(&token).unwrap_err();
        assert!(matches!(extra, TokenError::InvalidExtraClaims(_)));
        assert_cause_once(&extra);

        let remote = RemoteKeySet::new(TokenVerifier::new);
        let refresh = remote
            .refresh_blocking(|| Ok(JwksResponse::new("{oops")))
            .unwrap_err();
        assert_cause_once(&refresh);
        let unavailable = remote
            .verify_blocking::<()>(&token, || Err(FetchError::new("connection refused")))
            .unwrap_err();
        assert!(matches!(unavailable, TokenError::KeySetUnavailable { .. }));
        assert_cause_once(&unavailable);
    }

    /// An Entra-shaped set (RSA keys without `alg`) says why it is unusable in its message,
    /// not only in `Debug`.
    #[test]
    fn an_unusable_remote_set_says_why_in_display() {
        let pem = std::fs::read("tests/keys/rsa2048-private.pem").unwrap();
        let key = SigningKey::from_pem(pem).unwrap().with_key_id("entra");
        let mut jwk: serde_json::Value =
            serde_json::from_str(&key.verifying_key().to_jwk().unwrap()).unwrap();
        jwk.as_object_mut().unwrap().remove("alg");
        let jwks = serde_json::json!({ "keys": [jwk] }).to_string();
        let remote = RemoteKeySet::new(TokenVerifier::new);
        let token = TokenIssuer::new(key).issue("alice", &()).unwrap();
        let error = remote
            .verify_blocking::<()>(&token, || Ok(JwksResponse::new(jwks)))
            .unwrap_err();
        let message = error.to_string();
        assert!(matches!(error, TokenError::KeySetUnavailable { .. }));
        assert!(
            message.contains(&KeyError::MissingAlgorithm.to_string()),
            "{message}"
        );
        assert!(message.contains(r#"(kid "entra")"#), "{message}");
    }

    /// What a token said is shown, escaped and cut short: an escape sequence cannot reach a
    /// terminal, and a long value cannot flood a log line.
    #[test]
    fn found_values_are_escaped_and_bounded() {
        let verifier = TokenVerifier::new(VerifyingKey::hs256(SECRET).unwrap());
        let evil = format!("\u{1b}]0;VERIFIED\u{7}{}", "A".repeat(500));
        let header = serde_json::json!({ "alg": evil, "typ": "at+jwt" }).to_string();
        let token = craft::hs256(&SECRET, &header, r#"{"sub":"a"}"#);
        let error = verifier.verify::<()>(&token).unwrap_err();
        assert_eq!(
            error,
            TokenError::UnsupportedAlgorithm {
                found: evil.clone()
            }
        );
        let message = error.to_string();
        assert!(!message.chars().any(char::is_control), "{message:?}");
        assert!(message.contains(r"\u{1b}]0;VERIFIED\u{7}"), "{message}");
        assert!(message.len() < 64 * 4 + 60, "{} bytes", message.len());
        assert!(message.ends_with("…\" is not supported"), "{message}");
    }

    #[test]
    fn issuer_audience_and_required_claims_say_what_they_found() {
        let issuer = TokenIssuer::hs256(SECRET)
            .unwrap()
            .with_issuer("https://evil.example")
            .with_audience("other");
        let token = issuer
            .issue("alice", &serde_json::json!({ "role": "user" }))
            .unwrap();
        let verifier = TokenVerifier::new(issuer.verifying_key());
        let wrong_issuer = verifier
            .clone()
            .with_issuer("https://auth.example")
            .with_audience("other");
        let error = wrong_issuer.verify::<()>(&token).unwrap_err();
        assert_eq!(
            error,
            TokenError::InvalidIssuer {
                found: "https://evil.example".into()
            }
        );
        assert!(error.to_string().contains(r#""https://evil.example""#));
        let wrong_audience = verifier
            .clone()
            .with_issuer("https://evil.example")
            .with_audience("api");
        assert_eq!(
            wrong_audience.verify::<()>(&token).unwrap_err(),
            TokenError::InvalidAudience {
                found: vec!["other".into()]
            }
        );
        let admin_only = verifier
            .with_issuer("https://evil.example")
            .with_audience("other")
            .with_required_claims([("role", "admin")]);
        let error = admin_only.verify::<()>(&token).unwrap_err();
        assert_eq!(
            error,
            TokenError::ClaimMismatch {
                name: "role".into(),
                found: Some("user".into())
            }
        );
        assert!(error.to_string().contains(r#""user""#), "{error}");
    }
}
