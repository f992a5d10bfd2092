//! Tokens other JOSE stacks issue and verify: Node `jose` 6 (panva/jose, `SignJWT`, `jwtVerify`,
//! `createRemoteJWKSet`) and python-jose 3.5, the library of the FastAPI tutorial the project grew
//! from. Both run for real: `scripts/interop-env.sh` installs them from the pins in
//! `tests/interop/node/package-lock.json` and `tests/interop/requirements-jose.txt`.
//!
//! Sources for the behaviour asserted here:
//! - RFC 9068 §2.1 (access tokens are typed `at+jwt`) and §4 (resource servers check `typ`);
//!   RFC 8725 §3.11 (explicit typing), §2.8/§3.9 (audience): why keyward's default refuses
//!   tokens typed `JWT` or untyped, and why refresh tokens carry their own `aud`.
//! - RFC 7519 §4.1.3: a recipient not named in `aud` must reject the token.
//! - jose's `jwtVerify` options `issuer`, `audience`, `typ` and `createRemoteJWKSet`:
//!   <https://github.com/panva/jose/blob/main/docs/jwt/verify/functions/jwtVerify.md>,
//!   <https://github.com/panva/jose/blob/main/docs/jwks/remote/functions/createRemoteJWKSet.md>.
//!   `SignJWT` writes only the header and claims it is given: no `typ`, no `iat` by default.
//! - The FastAPI tutorial (<https://fastapi.tiangolo.com/tutorial/security/oauth2-jwt/>, linked
//!   from the seed text): `SECRET_KEY = "09d25e09…"` from `openssl rand -hex 32`, passed to
//!   `jwt.encode(to_encode, SECRET_KEY, algorithm="HS256")` as a string, claims `sub` and `exp`.

#![allow(clippy::doc_markdown)]

use crate::common::node;
use crate::common::python;

use keyward::token::{
    Claim, KeySet, SigningKey, TokenError, TokenIssuer, TokenKind, TokenVerifier, VerifyingKey,
};
use serde_json::{Value, json};

const ISSUER: &str = "https://auth.example.com";
const AUDIENCE: &str = "api";

fn key_text(name: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/keys/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// An algorithm and its test key pair (`tests/keys/`).
#[derive(Clone, Copy)]
struct Alg {
    name: &'static str,
    private: &'static str,
    public: &'static str,
}

const ALGS: [Alg; 3] = [
    Alg {
        name: "EdDSA",
        private: "ed25519-private.pem",
        public: "ed25519-public.pem",
    },
    Alg {
        name: "ES256",
        private: "p256-1-private.pem",
        public: "p256-1-public.pem",
    },
    Alg {
        name: "RS256",
        private: "rsa2048-private.pem",
        public: "rsa2048-public.pem",
    },
];

mod jose_to_keyward {
    use super::*;

    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Typ {
        /// `SignJWT`'s default: no `typ` header.
        Absent,
        /// What most issuers (and python-jose) write.
        Jwt,
        /// RFC 9068's access token type.
        AtJwt,
    }

    #[derive(Clone, Copy, Debug)]
    struct Shape {
        typ: Typ,
        iat: bool,
        kid: bool,
    }

    impl Shape {
        fn all() -> Vec<Shape> {
            let mut shapes = Vec::new();
            for typ in [Typ::Absent, Typ::Jwt, Typ::AtJwt] {
                for iat in [false, true] {
                    for kid in [false, true] {
                        shapes.push(Shape { typ, iat, kid });
                    }
                }
            }
            shapes
        }

        fn header(self) -> Value {
            let mut header = serde_json::Map::new();
            match self.typ {
                Typ::Absent => {}
                Typ::Jwt => {
                    header.insert("typ".into(), "JWT".into());
                }
                Typ::AtJwt => {
                    header.insert("typ".into(), "at+jwt".into());
                }
            }
            if self.kid {
                header.insert("kid".into(), "k1".into());
            }
            header.into()
        }

        fn claims(self, now: i64) -> Value {
            let mut claims =
                json!({"sub": "alice", "iss": ISSUER, "aud": AUDIENCE, "exp": now + 300});
            if self.iat {
                claims["iat"] = now.into();
            }
            claims
        }

        /// keyward's default policy (RFC 9068: `typ` must be `at+jwt`; `iat` required), with the
        /// API's issuer and audience.
        fn expected_by_default(self) -> Result<(), TokenError> {
            match (self.typ, self.iat) {
                (Typ::Absent, _) => Err(TokenError::WrongTokenType {
                    expected: TokenKind::Access,
                    found: None,
                }),
                (Typ::Jwt, _) => Err(TokenError::WrongTokenType {
                    expected: TokenKind::Access,
                    found: Some("JWT".into()),
                }),
                (Typ::AtJwt, false) => Err(TokenError::MissingClaim(Claim::IssuedAt)),
                (Typ::AtJwt, true) => Ok(()),
            }
        }

        /// The relaxations this shape needs, each with a name for the test's output.
        fn relaxations(self) -> Vec<(&'static str, Relax)> {
            let mut needed: Vec<(&'static str, Relax)> = Vec::new();
            match self.typ {
                Typ::Absent => needed.push(("untyped", |v| v.with_untyped_access_tokens(true))),
                Typ::Jwt => {
                    needed.push(("typ JWT", |v| v.with_access_token_types(["at+jwt", "JWT"])));
                }
                Typ::AtJwt => {}
            }
            if !self.iat {
                needed.push(("optional iat", |v| v.with_optional_iat(true)));
            }
            needed
        }
    }

    type Relax = fn(TokenVerifier) -> TokenVerifier;

    fn default_verifier(alg: Alg) -> TokenVerifier {
        TokenVerifier::new(VerifyingKey::from_pem(key_text(alg.public)).unwrap())
            .with_issuer(ISSUER)
            .with_audience(AUDIENCE)
    }

    fn with_relaxations(mut verifier: TokenVerifier, relax: &[(&str, Relax)]) -> TokenVerifier {
        for (_, step) in relax {
            verifier = step(verifier);
        }
        verifier
    }

    /// Every jose-signed shape, EdDSA, ES256 and RS256: the default policy gives exactly the
    /// expected refusal, the matching policy accepts, and each relaxation of the matching policy
    /// is needed (dropping any one of them refuses the token again).
    #[test]
    #[ignore = "needs the interop environments: scripts/interop-env.sh (scripts/test.sh runs these)"]
    fn jose_tokens_verify_under_the_matching_policy_only() {
        let now = now();
        let mut cases = Vec::new();
        let mut sign = Vec::new();
        for alg in ALGS {
            for shape in Shape::all() {
                sign.push(json!({"alg": alg.name, "key": key_text(alg.private),
                                 "header": shape.header(), "claims": shape.claims(now)}));
                cases.push((alg, shape));
            }
        }
        let answer = node::answer(&json!({ "sign": sign }));
        let signed = answer["signed"].as_array().unwrap();
        assert_eq!(signed.len(), cases.len());
        for ((alg, shape), token) in cases.iter().zip(signed) {
            let token = token
                .as_str()
                .unwrap_or_else(|| panic!("{} {shape:?}: jose failed: {token}", alg.name));
            let header = keyward::token::dangerous::decode_unverified::<Value>(token)
                .unwrap()
                .header;
            assert_eq!(header.algorithm, alg.name);
            assert_eq!(header.kid.as_deref(), shape.kid.then_some("k1"));

            let default = default_verifier(*alg);
            assert_eq!(
                default.verify::<()>(token).map(|_| ()),
                shape.expected_by_default(),
                "{} {shape:?} under the default policy",
                alg.name
            );

            let relax = shape.relaxations();
            let claims = with_relaxations(default.clone(), &relax)
                .verify::<()>(token)
                .unwrap_or_else(|e| {
                    panic!("{} {shape:?} under the matching policy: {e:?}", alg.name)
                });
            assert_eq!(claims.subject, "alice");
            assert_eq!(claims.issuer.as_deref(), Some(ISSUER));
            assert!(claims.audience.unwrap().contains(AUDIENCE));
            assert_eq!(
                claims.issued_at.map(|t| t.timestamp()),
                shape.iat.then_some(now)
            );
            for skipped in 0..relax.len() {
                let mut fewer = relax.clone();
                let (name, _) = fewer.remove(skipped);
                assert!(
                    with_relaxations(default.clone(), &fewer)
                        .verify::<()>(token)
                        .is_err(),
                    "{} {shape:?}: accepted without {name}",
                    alg.name
                );
            }
            let names: Vec<&str> = relax.iter().map(|(name, _)| *name).collect();
            println!(
                "{} typ={:?} iat={} kid={}: default {:?}; accepted with [{}]",
                alg.name,
                shape.typ,
                shape.iat,
                shape.kid,
                shape.expected_by_default(),
                names.join(", ")
            );
        }
    }

    /// jose's `SignJWT` writes no `kid` unless asked. A key set of one key (one key from a
    /// JWKS, with its `kid`) serves such a token, as jose's own JWKS lookup does; with several
    /// keys, a token without `kid` cannot pick one and is refused with `MissingKeyId`.
    #[test]
    #[ignore = "needs the interop environments: scripts/interop-env.sh (scripts/test.sh runs these)"]
    fn jose_tokens_without_kid_verify_against_a_single_key_set() {
        let now = now();
        let alg = ALGS[0];
        let shapes = [false, true].map(|kid| Shape {
            typ: Typ::AtJwt,
            iat: true,
            kid,
        });
        let sign: Vec<Value> = shapes
            .iter()
            .map(|shape| {
                json!({"alg": alg.name, "key": key_text(alg.private),
                       "header": shape.header(), "claims": shape.claims(now)})
            })
            .collect();
        let answer = node::answer(&json!({ "sign": sign }));
        let key = VerifyingKey::from_pem(key_text(alg.public))
            .unwrap()
            .with_key_id("k1");
        let jwks = KeySet::from(key).to_jwks();
        let verifier = TokenVerifier::new(KeySet::from_jwks(&jwks).unwrap())
            .with_issuer(ISSUER)
            .with_audience(AUDIENCE);
        let without_kid = answer["signed"][0].as_str().unwrap();
        let with_kid = answer["signed"][1].as_str().unwrap();
        assert_eq!(verifier.verify::<()>(without_kid).unwrap().subject, "alice");
        assert_eq!(verifier.verify::<()>(with_kid).unwrap().subject, "alice");
        let other = VerifyingKey::from_pem(key_text(ALGS[1].public))
            .unwrap()
            .with_key_id("k2");
        let mut two = KeySet::from_jwks(&jwks).unwrap();
        two.insert(other).unwrap();
        let two = TokenVerifier::new(two)
            .with_issuer(ISSUER)
            .with_audience(AUDIENCE);
        assert_eq!(
            two.verify::<()>(without_kid).unwrap_err(),
            TokenError::MissingKeyId
        );
        // The same key without a kid takes both.
        let keyless = default_verifier(alg);
        assert!(keyless.verify::<()>(without_kid).is_ok());
        assert!(keyless.verify::<()>(with_kid).is_ok());
    }
}

mod keyward_to_jose {
    use super::*;

    fn issuer(alg: Alg) -> TokenIssuer {
        TokenIssuer::new(
            SigningKey::from_pem(key_text(alg.private))
                .unwrap()
                .with_key_id("k1"),
        )
        .with_issuer(ISSUER)
        .with_audience(AUDIENCE)
    }

    fn verify_request(alg: Alg, token: &str, options: &Value) -> Value {
        let mut item = json!({"token": token, "alg": alg.name, "key": key_text(alg.public)});
        item.as_object_mut()
            .unwrap()
            .extend(options.as_object().unwrap().clone());
        item
    }

    /// keyward's access tokens pass `jwtVerify` with `typ: 'at+jwt'`, issuer and audience;
    /// its refresh tokens fail the API's audience check even when `typ` is not checked
    /// (their `aud` is `urn:keyward:refresh-token`), and fail the `typ` check too.
    #[test]
    #[ignore = "needs the interop environments: scripts/interop-env.sh (scripts/test.sh runs these)"]
    fn access_tokens_verify_in_jose_and_refresh_tokens_do_not() {
        let api = json!({"issuer": ISSUER, "audience": AUDIENCE});
        let typed_api = json!({"issuer": ISSUER, "audience": AUDIENCE, "typ": "at+jwt"});
        let mut verify = Vec::new();
        for alg in ALGS {
            let issuer = issuer(alg);
            let access = issuer.issue("alice", &json!({"scope": "read"})).unwrap();
            let refresh = issuer.issue_refresh("alice", &()).unwrap();
            verify.push(verify_request(alg, &access, &typed_api));
            verify.push(verify_request(alg, &refresh, &api));
            verify.push(verify_request(alg, &refresh, &typed_api));
            // Control: the audience option is live (another API refuses the access token).
            verify.push(verify_request(
                alg,
                &access,
                &json!({"issuer": ISSUER, "audience": "billing", "typ": "at+jwt"}),
            ));
        }
        let answer = node::answer(&json!({ "verify": verify }));
        let verified = answer["verified"].as_array().unwrap();
        for (alg, results) in ALGS.iter().zip(verified.chunks(4)) {
            let [access, refresh, typed_refresh, other_api] = results else {
                panic!("four answers per algorithm");
            };
            assert!(
                access.get("error").is_none(),
                "{}: jose refused keyward's access token: {access}",
                alg.name
            );
            assert_eq!(
                access["header"],
                json!({"alg": alg.name, "typ": "at+jwt", "kid": "k1"})
            );
            assert_eq!(access["claims"]["sub"], "alice");
            assert_eq!(access["claims"]["scope"], "read");
            assert_eq!(access["claims"]["aud"], AUDIENCE);

            let claim_failure = |answer: &Value, claim: &str| {
                assert_eq!(
                    answer["error"], "ERR_JWT_CLAIM_VALIDATION_FAILED",
                    "{}: {answer}",
                    alg.name
                );
                assert_eq!(answer["claim"], claim, "{}: {answer}", alg.name);
            };
            claim_failure(refresh, "aud");
            claim_failure(typed_refresh, "typ");
            claim_failure(other_api, "aud");
        }
    }
}

mod remote_jwks {
    use super::*;
    use keyward::token::{KeyPairKind, SigningKey};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Serves `jwks` at `/.well-known/jwks.json` on 127.0.0.1 and counts the requests.
    fn serve(
        runtime: &tokio::runtime::Runtime,
        jwks: String,
        hits: Arc<AtomicUsize>,
    ) -> std::net::SocketAddr {
        use axum::{Router, http::header, routing::get};
        let app = Router::new().route(
            "/.well-known/jwks.json",
            get(move || {
                hits.fetch_add(1, Ordering::SeqCst);
                let jwks = jwks.clone();
                async move { ([(header::CONTENT_TYPE, "application/json")], jwks) }
            }),
        );
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let address = listener.local_addr().unwrap();
        runtime.spawn(async move { axum::serve(listener, app).await.unwrap() });
        address
    }

    /// `createRemoteJWKSet` fetches keyward's published JWKS over HTTP and verifies an EdDSA
    /// token with it (key chosen by the RFC 7638 thumbprint `kid`); a token from another key
    /// under a kid the set lacks is refused.
    #[test]
    #[ignore = "needs the interop environments: scripts/interop-env.sh (scripts/test.sh runs these)"]
    fn jose_verifies_keyward_tokens_with_its_published_jwks() {
        let key = SigningKey::generate(KeyPairKind::Ed25519)
            .unwrap()
            .try_with_thumbprint_key_id()
            .unwrap();
        let issuer = TokenIssuer::new(key)
            .with_issuer(ISSUER)
            .with_audience(AUDIENCE);
        let stranger = TokenIssuer::new(
            SigningKey::generate(KeyPairKind::Ed25519)
                .unwrap()
                .with_key_id("someone-else"),
        )
        .with_issuer(ISSUER)
        .with_audience(AUDIENCE);

        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let hits = Arc::new(AtomicUsize::new(0));
        let address = serve(
            &runtime,
            issuer.verifier().key_set().to_jwks(),
            Arc::clone(&hits),
        );
        let url = format!("http://{address}/.well-known/jwks.json");
        let options = |token: String| {
            json!({"token": token, "jwks_url": url, "issuer": ISSUER,
                   "audience": AUDIENCE, "typ": "at+jwt"})
        };
        let request = json!({ "verify": [
            options(issuer.issue("alice", &()).unwrap()),
            options(stranger.issue("alice", &()).unwrap()),
        ]});
        let answer = node::answer(&request);
        let ours = &answer["verified"][0];
        assert!(ours.get("error").is_none(), "jose refused: {ours}");
        assert_eq!(ours["header"]["alg"], "EdDSA");
        assert_eq!(ours["header"]["kid"], issuer.key_id().unwrap());
        assert_eq!(ours["claims"]["sub"], "alice");
        assert_eq!(answer["verified"][1]["error"], "ERR_JWKS_NO_MATCHING_KEY");
        assert!(
            hits.load(Ordering::SeqCst) >= 1,
            "jose never fetched the JWKS"
        );
    }
}

mod python_jose_migration {
    use super::*;
    use keyward::{SecretError, SecretKey};
    use python::Venv;

    /// The FastAPI tutorial's secret: `openssl rand -hex 32` output, used by python-jose as the
    /// UTF-8 bytes of the string (64 bytes), never hex-decoded.
    const SECRET_KEY: &str = "09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7";

    /// 2100-01-01T00:00:00Z, the expiry of the token embedded in `examples/jose_migration.rs`.
    const EXAMPLE_EXPIRY: i64 = 4_102_444_800;

    fn migration_verifier(key: SecretKey) -> TokenVerifier {
        TokenVerifier::new(VerifyingKey::hs256(key).unwrap())
            .with_access_token_types(["JWT"])
            .with_optional_iat(true)
    }

    fn tutorial_tokens(items: &Value) -> Vec<Value> {
        let answer = python::answer(Venv::Jose, "python_jose.py", &json!({ "tutorial": items }));
        answer["tutorial"].as_array().unwrap().clone()
    }

    #[test]
    #[ignore = "needs the interop environments: scripts/interop-env.sh (scripts/test.sh runs these)"]
    fn the_tutorial_token_verifies_in_migration_mode_only() {
        let made = tutorial_tokens(&json!([{"secret": SECRET_KEY, "sub": "johndoe"}]));
        let made = &made[0];
        let token = made["token"]
            .as_str()
            .unwrap_or_else(|| panic!("python-jose failed: {made}"));
        // What python-jose 3.5.0 really writes: typ JWT, and only the tutorial's two claims.
        assert_eq!(made["header"], json!({"alg": "HS256", "typ": "JWT"}));
        assert_eq!(made["claims"].as_object().unwrap().len(), 2, "{made}");
        assert_eq!(made["claims"]["sub"], "johndoe");
        let expires_in = made["claims"]["exp"].as_i64().unwrap() - now();
        assert!(
            (890..=900).contains(&expires_in),
            "exp is now + 15 min: {expires_in}"
        );
        let header = token.split('.').next().unwrap();
        assert_eq!(header, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"); // {"alg":"HS256","typ":"JWT"}

        let claims = migration_verifier(SecretKey::from_text(SECRET_KEY))
            .verify::<()>(token)
            .unwrap();
        assert_eq!(claims.subject, "johndoe");
        assert_eq!(claims.issued_at, None);
        assert_eq!(
            claims.expires_at.timestamp(),
            made["claims"]["exp"].as_i64().unwrap()
        );

        let strict =
            TokenVerifier::new(VerifyingKey::hs256(SecretKey::from_text(SECRET_KEY)).unwrap());
        let refused = strict.verify::<()>(token).unwrap_err();
        assert_eq!(
            refused,
            TokenError::WrongTokenType {
                expected: TokenKind::Access,
                found: Some("JWT".into())
            }
        );
        assert!(refused.to_string().contains(r#"typ "JWT""#), "{refused}");
        // Only typ JWT is allowed: without optional iat, the missing iat is named next.
        let typ_only = strict.clone().with_access_token_types(["JWT"]);
        assert_eq!(
            typ_only.verify::<()>(token).unwrap_err(),
            TokenError::MissingClaim(Claim::IssuedAt)
        );
    }

    /// Reading the tutorial's hex-looking secret any other way than as text gives another key
    /// (hex: 32 bytes, a valid HS256 key that does not match) or is refused (base64).
    #[test]
    #[ignore = "needs the interop environments: scripts/interop-env.sh (scripts/test.sh runs these)"]
    fn the_tutorial_secret_is_text_not_hex_or_base64() {
        assert_eq!(SecretKey::from_text(SECRET_KEY).len(), 64);
        assert_eq!(
            SecretKey::from_base64(SECRET_KEY).unwrap_err(),
            SecretError::AmbiguousEncoding
        );
        let made = tutorial_tokens(&json!([{"secret": SECRET_KEY, "sub": "johndoe"}]));
        let token = made[0]["token"].as_str().unwrap();
        let hex = SecretKey::from_hex(SECRET_KEY).unwrap();
        assert_eq!(hex.len(), 32);
        assert_eq!(
            migration_verifier(hex).verify::<()>(token).unwrap_err(),
            TokenError::InvalidSignature
        );
    }

    /// During a migration the Python services still verify tokens: keyward's tokens under the
    /// same text secret pass the tutorial's `jwt.decode(token, SECRET_KEY, algorithms=["HS256"])`.
    #[test]
    #[ignore = "needs the interop environments: scripts/interop-env.sh (scripts/test.sh runs these)"]
    fn keyward_tokens_verify_in_the_tutorial_decoder() {
        let issuer = TokenIssuer::new(SigningKey::hs256(SecretKey::from_text(SECRET_KEY)).unwrap());
        let token = issuer.issue("johndoe", &()).unwrap();
        let answer = python::answer(
            Venv::Jose,
            "python_jose.py",
            &json!({"decode": [{"token": token, "secret": SECRET_KEY}]}),
        );
        let decoded = &answer["decoded"][0];
        assert_eq!(decoded["claims"]["sub"], "johndoe", "{decoded}");
        assert_eq!(decoded["header"]["typ"], "at+jwt");
    }

    /// The seed blog's own secret, `"your-super-secret-key-here"`, is 26 bytes: python-jose signs
    /// with it without a word, keyward refuses it as a key (RFC 7518 §3.2: at least 256 bits).
    #[test]
    #[ignore = "needs the interop environments: scripts/interop-env.sh (scripts/test.sh runs these)"]
    fn the_seed_blogs_short_secret_is_refused_as_a_key() {
        let seed_secret = "your-super-secret-key-here";
        assert!(matches!(
            VerifyingKey::hs256(SecretKey::from_text(seed_secret)),
            Err(TokenError::InvalidKey(
                keyward::token::KeyError::Weak { .. }
            ))
        ));
        let made = tutorial_tokens(&json!([{"secret": seed_secret, "sub": "johndoe"}]));
        assert!(made[0]["token"].is_string(), "{}", made[0]);
    }

    /// The token embedded in `examples/jose_migration.rs` is exactly what python-jose makes for
    /// the tutorial with `exp` 2100-01-01 (HS256 is deterministic), so the example shows a real
    /// python-jose token.
    #[test]
    #[ignore = "needs the interop environments: scripts/interop-env.sh (scripts/test.sh runs these)"]
    fn the_examples_token_is_python_joses() {
        let made = tutorial_tokens(
            &json!([{"secret": SECRET_KEY, "sub": "johndoe", "expires_at": EXAMPLE_EXPIRY}]),
        );
        let token = made[0]["token"].as_str().unwrap();
        let example = include_str!("../examples/jose_migration.rs");
        assert!(
            example.contains(token),
            "examples/jose_migration.rs should embed {token}"
        );
    }
}
