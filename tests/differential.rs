//! keyward against an independent JWS implementation, `jsonwebtoken` 12, token by token.
//!
//! keyward implements the JWS compact format, the header and claims rules itself; jsonwebtoken
//! is a separate implementation of the same RFCs (7515, 7518, 7519, 8037). Two properties:
//!
//! - **Agreement**: a token either library issues verifies in the other, for all seven
//!   algorithms keyward supports, with the same keys (`tests/keys/`) and the same policy (`iss`,
//!   `aud`, `exp`, no leeway). `typ` is handled explicitly: keyward writes and requires
//!   `at+jwt`; jsonwebtoken is told to write it and does not read it.
//! - **Never looser**: every hostile token below is refused by keyward. Where jsonwebtoken
//!   refuses it too, a keyward acceptance would be a bug; where jsonwebtoken accepts it, keyward
//!   is deliberately stricter, and the case is listed here, in SECURITY.md and in the test's
//!   `oracle` column, which the test checks so that this table cannot drift:
//!
//! | case | source | jsonwebtoken | keyward |
//! |---|---|---|---|
//! | `typ` missing | RFC 9068 §2.1, RFC 8725 §3.11 | accepts | refuses: an access token says `at+jwt` |
//! | `typ: JWT` | RFC 9068 §4 | accepts | refuses unless `with_access_token_types` names it |
//! | `typ: refresh+jwt` | keyward's token kinds | accepts | refuses a refresh token as an access token |
//! | `iat` missing | RFC 9068 §2.2 | accepts | refuses unless `with_optional_iat` |
//! | `iat` in the future | RFC 7519 §4.1.6 | accepts | refuses |
//! | duplicate private claim (`role` twice) | RFC 7515 §5.2, RFC 8259 §4 | accepts (last wins) | refuses |
//! | duplicate member nested in a claim | RFC 7515 §5.2 | accepts | refuses at every depth |
//! | `exp` with a fraction | RFC 7519 §2 NumericDate | accepts | refuses: whole seconds only |
//! | token over 8 KiB | RFC 8725 §3.2 (bounded input) | accepts | refuses before decoding |
//!
//! Each case cites its source; the fuzz target `differential` (fuzz/checks.rs) checks the
//! second property on arbitrary and mutated tokens.
//!
//! jsonwebtoken runs on the crypto provider keyward does not use (RustCrypto under keyward's
//! aws-lc-rs backend, aws-lc-rs under its rust-crypto backend), so each run also checks the
//! signatures across two implementations of the primitives.

use crate::common;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::craft::{self, b64url, signing_input};
use jsonwebtoken::{DecodingKey, EncodingKey, Header, Validation};
use keyward::token::{Algorithm, Leeway, SigningKey, TokenIssuer, TokenVerifier, VerifyingKey};

const ISSUER: &str = "https://issuer.example";
const AUDIENCE: &str = "api";
/// 64 bytes: long enough for HS512 (keyward refuses shorter HMAC keys than the hash).
const SECRET: [u8; 64] = *b"differential-secret-differential-secret-differential-secret-0123";

fn key_file(name: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/keys/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// Chooses jsonwebtoken's provider: the one keyward's enabled backend is not.
fn install_oracle_provider() {
    #[cfg(feature = "aws-lc-rs")]
    let provider = &jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER;
    #[cfg(not(feature = "aws-lc-rs"))]
    let provider = &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER;
    let _ = provider.install_default();
}

fn now() -> i64 {
    i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

/// One algorithm's keys, as both libraries hold them.
struct Keys {
    algorithm: Algorithm,
    oracle_algorithm: jsonwebtoken::Algorithm,
    signing: SigningKey,
    verifying: VerifyingKey,
    encoding: EncodingKey,
    decoding: DecodingKey,
}

/// The seven algorithms keyward supports, each with the same key in both libraries.
fn all_keys() -> Vec<Keys> {
    install_oracle_provider();
    let mut keys = Vec::new();
    for (algorithm, oracle_algorithm) in [
        (Algorithm::HS256, jsonwebtoken::Algorithm::HS256),
        (Algorithm::HS384, jsonwebtoken::Algorithm::HS384),
        (Algorithm::HS512, jsonwebtoken::Algorithm::HS512),
    ] {
        let (signing, verifying) = match algorithm {
            Algorithm::HS256 => (SigningKey::hs256(SECRET), VerifyingKey::hs256(SECRET)),
            Algorithm::HS384 => (SigningKey::hs384(SECRET), VerifyingKey::hs384(SECRET)),
            _ => (SigningKey::hs512(SECRET), VerifyingKey::hs512(SECRET)),
        };
        keys.push(Keys {
            algorithm,
            oracle_algorithm,
            signing: signing.unwrap(),
            verifying: verifying.unwrap(),
            encoding: EncodingKey::from_secret(&SECRET).expect("an HMAC key"),
            decoding: DecodingKey::from_secret(&SECRET).expect("an HMAC key"),
        });
    }
    let pem_keys = [
        (Algorithm::RS256, jsonwebtoken::Algorithm::RS256, "rsa2048"),
        (Algorithm::PS256, jsonwebtoken::Algorithm::PS256, "rsa2048"),
        (Algorithm::ES256, jsonwebtoken::Algorithm::ES256, "p256-1"),
        (Algorithm::EdDSA, jsonwebtoken::Algorithm::EdDSA, "ed25519"),
    ];
    for (algorithm, oracle_algorithm, name) in pem_keys {
        let private = key_file(&format!("{name}-private.pem"));
        let public = key_file(&format!("{name}-public.pem"));
        let (encoding, decoding) = match algorithm {
            Algorithm::RS256 | Algorithm::PS256 => (
                EncodingKey::from_rsa_pem(private.as_bytes()).unwrap(),
                DecodingKey::from_rsa_pem(public.as_bytes()).unwrap(),
            ),
            Algorithm::ES256 => (
                EncodingKey::from_ec_pem(private.as_bytes()).unwrap(),
                DecodingKey::from_ec_pem(public.as_bytes()).unwrap(),
            ),
            _ => (
                EncodingKey::from_ed_pem(private.as_bytes()).unwrap(),
                DecodingKey::from_ed_pem(public.as_bytes()).unwrap(),
            ),
        };
        keys.push(Keys {
            algorithm,
            oracle_algorithm,
            signing: SigningKey::from_pem_as(&private, algorithm).unwrap(),
            verifying: VerifyingKey::from_pem_as(&public, algorithm).unwrap(),
            encoding,
            decoding,
        });
    }
    assert_eq!(keys.len(), 7);
    keys
}

/// keyward's policy: this key only, `iss`, `aud`, no leeway; the system clock, as
/// jsonwebtoken reads it.
fn keyward_verifier(verifying: VerifyingKey) -> TokenVerifier {
    TokenVerifier::new(verifying)
        .with_issuer(ISSUER)
        .with_audience(AUDIENCE)
        .with_leeway(Leeway::from_secs(0).unwrap())
}

/// jsonwebtoken's closest policy: the algorithm pinned, `iss` and `aud` checked, `exp`, `sub`,
/// `iss`, `aud` required, `nbf` checked, no leeway. It has no `typ` or `iat` rule.
fn oracle_validation(algorithm: jsonwebtoken::Algorithm) -> Validation {
    let mut validation = Validation::new(algorithm);
    validation.leeway = 0;
    validation.validate_nbf = true;
    validation.set_issuer(&[ISSUER]);
    validation.set_audience(&[AUDIENCE]);
    validation.set_required_spec_claims(&["exp", "sub", "iss", "aud"]);
    validation
}

mod agreement {
    use super::*;

    /// RFC 7515 §7.1 / RFC 7519 §7.2: what keyward issues, jsonwebtoken verifies, with the
    /// claims keyward wrote.
    #[test]
    fn jsonwebtoken_verifies_every_token_keyward_issues() {
        for keys in all_keys() {
            let issuer = TokenIssuer::new(keys.signing)
                .with_issuer(ISSUER)
                .with_audience(AUDIENCE);
            let token = issuer.issue("alice", &()).unwrap();
            let decoded = jsonwebtoken::decode::<serde_json::Value>(
                &token,
                &keys.decoding,
                &oracle_validation(keys.oracle_algorithm),
            )
            .unwrap_or_else(|e| {
                panic!(
                    "{:?}: jsonwebtoken refused keyward's token: {e}",
                    keys.algorithm
                )
            });
            assert_eq!(decoded.header.alg, keys.oracle_algorithm);
            assert_eq!(decoded.header.typ.as_deref(), Some("at+jwt"));
            assert_eq!(decoded.claims["sub"], "alice");
            assert_eq!(decoded.claims["iss"], ISSUER);
        }
    }

    /// The other way: what jsonwebtoken issues (with `typ: at+jwt`, as RFC 9068 §2.1 asks),
    /// keyward verifies, reading the same claims.
    #[test]
    fn keyward_verifies_every_token_jsonwebtoken_issues() {
        for keys in all_keys() {
            let now = now();
            let claims = serde_json::json!({
                "sub": "bob", "iss": ISSUER, "aud": AUDIENCE,
                "iat": now, "nbf": now, "exp": now + 600, "scope": "read",
            });
            let mut header = Header::new(keys.oracle_algorithm);
            header.typ = Some("at+jwt".to_owned());
            let token = jsonwebtoken::encode(&header, &claims, &keys.encoding).unwrap();
            let verified = keyward_verifier(keys.verifying)
                .verify::<serde_json::Value>(&token)
                .unwrap_or_else(|e| {
                    panic!(
                        "{:?}: keyward refused jsonwebtoken's token: {e}",
                        keys.algorithm
                    )
                });
            assert_eq!(verified.subject, "bob");
            assert_eq!(verified.expires_at.timestamp(), now + 600);
            assert_eq!(verified.extra["scope"], "read");
        }
    }
}

/// A hostile token and what jsonwebtoken says about it.
struct Case {
    name: &'static str,
    token: String,
    /// Whether jsonwebtoken accepts the token under the same key and policy; `true` marks a
    /// deliberate keyward-stricter case (the table in the module docs).
    oracle_accepts: bool,
}

/// Claims valid now under both policies, with `more` appended as raw JSON members.
fn claims_with(more: &str) -> String {
    let now = now();
    format!(
        r#"{{"sub":"alice","iss":"{ISSUER}","aud":"{AUDIENCE}","iat":{now},"exp":{}{more}}}"#,
        now + 600
    )
}

const HEADER: &str = r#"{"alg":"HS256","typ":"at+jwt"}"#;

/// Flips the lowest bit of the `index`th decoded byte of the signature.
fn flip_signature_bit(token: &str, index: usize) -> String {
    let (input, signature) = token.rsplit_once('.').unwrap();
    let mut bytes = URL_SAFE_NO_PAD.decode(signature).unwrap();
    bytes[index] ^= 1;
    format!("{input}.{}", b64url(bytes))
}

/// Every hostile HS256 token both libraries refuse, signed with the real secret unless the
/// case is about the signature, so each is refused for the rule it names and nothing else.
#[allow(clippy::too_many_lines)] // a table: one entry per case, each with its source
fn refused_by_both() -> Vec<Case> {
    let now = now();
    let secret = &SECRET[..32];
    let valid = craft::hs256(secret, HEADER, &claims_with(""));
    let rsa_public = key_file("rsa2048-public.pem");
    let mut cases = vec![
        // RFC 8725 §2.1; CVE-2015-9235: alg none, empty signature.
        Case {
            name: "alg none",
            token: format!(
                "{}.",
                signing_input(r#"{"alg":"none","typ":"at+jwt"}"#, &claims_with(""))
            ),
            oracle_accepts: false,
        },
        // RFC 7515 §4.1.1: algorithm names are case-sensitive.
        Case {
            name: "alg in lower case",
            token: craft::hs256(
                secret,
                r#"{"alg":"hs256","typ":"at+jwt"}"#,
                &claims_with(""),
            ),
            oracle_accepts: false,
        },
        // RFC 7515 §4.1.11: a `crit` extension the recipient does not understand (keyward
        // understands none; jsonwebtoken 12 refuses it too, 11 did not).
        Case {
            name: "crit",
            token: craft::hs256(
                secret,
                r#"{"alg":"HS256","typ":"at+jwt","crit":["exp"],"exp":1}"#,
                &claims_with(""),
            ),
            oracle_accepts: false,
        },
        // RFC 7797 §3: `b64: false` is an unencoded payload, another format (refused by
        // jsonwebtoken 12 too, accepted by 11).
        Case {
            name: "b64 false",
            token: craft::hs256(
                secret,
                r#"{"alg":"HS256","typ":"at+jwt","b64":false,"crit":["b64"]}"#,
                &claims_with(""),
            ),
            oracle_accepts: false,
        },
        // RFC 8725 §3.3: a signature one bit off.
        Case {
            name: "signature bit flipped",
            token: flip_signature_bit(&valid, 7),
            oracle_accepts: false,
        },
        // A payload one bit off under the original signature.
        Case {
            name: "payload bit flipped",
            token: {
                let mut parts: Vec<String> = valid.split('.').map(str::to_owned).collect();
                let mut payload = URL_SAFE_NO_PAD.decode(&parts[1]).unwrap();
                // `"sub":"alice"` becomes `"sub":"alicd"`: still valid JSON.
                let at = payload.windows(5).position(|w| w == b"alice").unwrap() + 4;
                payload[at] ^= 1;
                parts[1] = b64url(payload);
                parts.join(".")
            },
            oracle_accepts: false,
        },
        Case {
            name: "empty signature",
            token: format!("{}.", valid.rsplit_once('.').unwrap().0),
            oracle_accepts: false,
        },
        // RFC 7515 §2: base64url without padding.
        Case {
            name: "padded signature",
            token: format!("{valid}="),
            oracle_accepts: false,
        },
        Case {
            name: "four parts",
            token: format!("{valid}.AAAA"),
            oracle_accepts: false,
        },
        // RFC 7519 §4.1.4, §4.1.5, §4.1.3, §4.1.1.
        Case {
            name: "expired",
            token: craft::hs256(
                secret,
                HEADER,
                &format!(
                    r#"{{"sub":"alice","iss":"{ISSUER}","aud":"{AUDIENCE}","iat":{},"exp":{}}}"#,
                    now - 600,
                    now - 10
                ),
            ),
            oracle_accepts: false,
        },
        Case {
            name: "nbf in the future",
            token: craft::hs256(
                secret,
                HEADER,
                &claims_with(&format!(r#","nbf":{}"#, now + 300)),
            ),
            oracle_accepts: false,
        },
        Case {
            name: "exp missing",
            token: craft::hs256(
                secret,
                HEADER,
                &format!(r#"{{"sub":"alice","iss":"{ISSUER}","aud":"{AUDIENCE}","iat":{now}}}"#),
            ),
            oracle_accepts: false,
        },
        Case {
            name: "wrong audience",
            token: craft::hs256(
                secret,
                HEADER,
                &claims_with("").replace(r#""aud":"api""#, r#""aud":"other""#),
            ),
            oracle_accepts: false,
        },
        Case {
            name: "wrong issuer",
            token: craft::hs256(
                secret,
                HEADER,
                &claims_with("").replace(ISSUER, "https://evil.example"),
            ),
            oracle_accepts: false,
        },
        // RFC 7519 §7.2 step 9 and RFC 7515 §5.2: the claims must be a JSON object.
        Case {
            name: "payload not an object",
            token: craft::hs256(secret, HEADER, "[1,2,3]"),
            oracle_accepts: false,
        },
        // RFC 7515 §5.2: jsonwebtoken's typed claims refuse a registered claim twice.
        Case {
            name: "duplicate sub",
            token: craft::hs256(secret, HEADER, &claims_with(r#","sub":"admin""#)),
            oracle_accepts: false,
        },
    ];
    // RFC 7515 §2 / RFC 4648 §3.5: a last character whose unused bits are not zero decodes to
    // the same bytes; both refuse the non-canonical spelling.
    let (input, signature) = valid.rsplit_once('.').unwrap();
    let last = signature.chars().last().unwrap();
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let position = alphabet.find(last).unwrap();
    // A 32-byte HMAC is 43 characters: the last one carries 4 bits and 2 unused ones.
    let sibling = alphabet.as_bytes()[position ^ 1] as char;
    cases.push(Case {
        name: "non-canonical base64 in the signature",
        token: format!("{input}.{}{sibling}", &signature[..signature.len() - 1]),
        oracle_accepts: false,
    });
    // CVE-2016-10555 (alg confusion): HS256 under the RSA public key's PEM text as the secret,
    // to a verifier holding that RSA key.
    cases.push(Case {
        name: "alg confusion: HS256 with the RSA public key as secret",
        token: craft::hs256(rsa_public.as_bytes(), HEADER, &claims_with("")),
        oracle_accepts: false,
    });
    cases
}

/// The hostile HS256 tokens keyward refuses on purpose where jsonwebtoken accepts them (the
/// module docs' table), each signed with the real secret.
#[allow(clippy::too_many_lines)] // a table: one entry per case, each with its source
fn stricter_than_jsonwebtoken() -> Vec<Case> {
    let now = now();
    let secret = &SECRET[..32];
    vec![
        Case {
            name: "typ missing",
            token: craft::hs256(secret, r#"{"alg":"HS256"}"#, &claims_with("")),
            oracle_accepts: true,
        },
        Case {
            name: "typ JWT",
            token: craft::hs256(secret, r#"{"alg":"HS256","typ":"JWT"}"#, &claims_with("")),
            oracle_accepts: true,
        },
        Case {
            name: "typ refresh+jwt",
            token: craft::hs256(
                secret,
                r#"{"alg":"HS256","typ":"refresh+jwt"}"#,
                &claims_with(""),
            ),
            oracle_accepts: true,
        },
        Case {
            name: "iat missing",
            token: craft::hs256(
                secret,
                HEADER,
                &format!(
                    r#"{{"sub":"alice","iss":"{ISSUER}","aud":"{AUDIENCE}","exp":{}}}"#,
                    now + 600
                ),
            ),
            oracle_accepts: true,
        },
        Case {
            name: "iat in the future",
            token: craft::hs256(
                secret,
                HEADER,
                &format!(
                    r#"{{"sub":"alice","iss":"{ISSUER}","aud":"{AUDIENCE}","iat":{},"exp":{}}}"#,
                    now + 300,
                    now + 600
                ),
            ),
            oracle_accepts: true,
        },
        Case {
            name: "duplicate private claim",
            token: craft::hs256(
                secret,
                HEADER,
                &claims_with(r#","role":"user","role":"admin""#),
            ),
            oracle_accepts: true,
        },
        Case {
            name: "duplicate member nested in a claim",
            token: craft::hs256(
                secret,
                HEADER,
                &claims_with(r#","roles":{"admin":false,"admin":true}"#),
            ),
            oracle_accepts: true,
        },
        Case {
            name: "exp with a fraction",
            token: craft::hs256(
                secret,
                HEADER,
                &format!(
                    r#"{{"sub":"alice","iss":"{ISSUER}","aud":"{AUDIENCE}","iat":{now},"exp":{}.5}}"#,
                    now + 600
                ),
            ),
            oracle_accepts: true,
        },
        Case {
            name: "over 8 KiB",
            token: craft::hs256(
                secret,
                HEADER,
                &claims_with(&format!(r#","pad":"{}""#, "x".repeat(8 * 1024))),
            ),
            oracle_accepts: true,
        },
    ]
}

mod never_looser {
    use super::*;

    /// Every hostile token is refused by keyward; jsonwebtoken's verdict is what the table
    /// says, so a case it accepts is a documented stricter rule and one it refuses is one
    /// keyward must refuse too.
    #[test]
    fn keyward_refuses_every_hostile_token() {
        install_oracle_provider();
        let secret = &SECRET[..32];
        let hs256 = keyward_verifier(VerifyingKey::hs256(secret).unwrap());
        let rsa = keyward_verifier(
            VerifyingKey::from_pem_as(key_file("rsa2048-public.pem"), Algorithm::RS256).unwrap(),
        );
        let oracle_hs256 = DecodingKey::from_secret(secret).expect("an HMAC key");
        let oracle_rsa =
            DecodingKey::from_rsa_pem(key_file("rsa2048-public.pem").as_bytes()).unwrap();
        let mut changed = Vec::new();
        for case in refused_by_both()
            .into_iter()
            .chain(stricter_than_jsonwebtoken())
        {
            let confusion = case.name.starts_with("alg confusion");
            let (verifier, key, algorithm) = if confusion {
                (&rsa, &oracle_rsa, jsonwebtoken::Algorithm::RS256)
            } else {
                (&hs256, &oracle_hs256, jsonwebtoken::Algorithm::HS256)
            };
            // jsonwebtoken first: keyward, asked later, sees a clock no earlier.
            let oracle = jsonwebtoken::decode::<serde_json::Value>(
                &case.token,
                key,
                &oracle_validation(algorithm),
            );
            if oracle.is_ok() != case.oracle_accepts {
                changed.push(format!("{}: {:?}", case.name, oracle.err()));
            }
            let outcome = verifier.verify::<serde_json::Value>(&case.token);
            assert!(outcome.is_err(), "{}: keyward accepted it", case.name);
        }
        assert!(
            changed.is_empty(),
            "jsonwebtoken's verdict is not the table's for: {changed:#?}"
        );
    }

    /// The genuine token the hostile ones are made from is accepted by both, so each refusal
    /// above is about the one thing its case changes.
    #[test]
    fn the_untouched_token_is_accepted_by_both() {
        install_oracle_provider();
        let secret = &SECRET[..32];
        let token = craft::hs256(secret, HEADER, &claims_with(""));
        jsonwebtoken::decode::<serde_json::Value>(
            &token,
            &DecodingKey::from_secret(secret).expect("an HMAC key"),
            &oracle_validation(jsonwebtoken::Algorithm::HS256),
        )
        .unwrap();
        keyward_verifier(VerifyingKey::hs256(secret).unwrap())
            .verify::<serde_json::Value>(&token)
            .unwrap();
    }

    /// The same rules hold for the other algorithms: a tampered signature, an expired token
    /// and another key's token are refused by both for every asymmetric algorithm.
    #[test]
    fn tampered_and_expired_tokens_are_refused_for_every_algorithm() {
        for keys in all_keys() {
            let now = now();
            let mut header = Header::new(keys.oracle_algorithm);
            header.typ = Some("at+jwt".to_owned());
            let sign = |exp: i64| {
                let claims = serde_json::json!({
                    "sub": "bob", "iss": ISSUER, "aud": AUDIENCE, "iat": now - 700, "exp": exp,
                });
                jsonwebtoken::encode(&header, &claims, &keys.encoding).unwrap()
            };
            let verifier = keyward_verifier(keys.verifying.clone());
            let validation = oracle_validation(keys.oracle_algorithm);
            let good = sign(now + 600);
            assert!(verifier.verify::<serde_json::Value>(&good).is_ok());
            for (name, token) in [
                ("signature bit flipped", flip_signature_bit(&good, 3)),
                ("expired", sign(now - 10)),
            ] {
                let oracle =
                    jsonwebtoken::decode::<serde_json::Value>(&token, &keys.decoding, &validation);
                assert!(
                    oracle.is_err(),
                    "{:?} {name}: jsonwebtoken accepted",
                    keys.algorithm
                );
                assert!(
                    verifier.verify::<serde_json::Value>(&token).is_err(),
                    "{:?} {name}: keyward accepted",
                    keys.algorithm
                );
            }
        }
    }
}
