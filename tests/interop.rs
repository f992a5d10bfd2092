//! Interoperability with the Python stack keyward's users come from: pyca `bcrypt`, passlib and
//! PyJWT, run for real in the virtualenvs of `scripts/interop-env.sh` (pinned versions in
//! `tests/interop/requirements-*.txt`).

#![allow(clippy::doc_markdown)]

#[path = "common/mod.rs"]
mod common;

use common::python::{self, Venv, b64};
use keyward::password::{Cost, LongPasswords, PasswordError, PasswordHasher};
use serde_json::{Value, json};

/// Passwords every plain-bcrypt implementation must agree on: empty, ASCII, exactly 72 bytes,
/// multi-byte UTF-8 and non-UTF-8 bytes.
fn plain_passwords() -> Vec<Vec<u8>> {
    vec![
        b"".to_vec(),
        b"password".to_vec(),
        b"x".repeat(72),
        "pässwörd €".as_bytes().to_vec(),
        "€".repeat(24).into_bytes(),
        b"\xff\xfe\x80\xc3(".to_vec(),
    ]
}

/// What the pre-hashed formats add: long passwords and NUL bytes.
fn pre_hashed_passwords() -> Vec<Vec<u8>> {
    let mut passwords = plain_passwords();
    passwords.extend([
        b"a".repeat(73),
        b"a".repeat(200),
        b"pa\0ss".to_vec(),
        b"z".repeat(4096),
    ]);
    passwords
}

fn make_request(scheme: &str, passwords: &[Vec<u8>]) -> Value {
    let make: Vec<Value> = passwords
        .iter()
        .map(|p| json!({"scheme": scheme, "password_b64": b64(p), "rounds": 4}))
        .collect();
    json!({ "make": make })
}

/// The same length, one byte different (never a NUL), so every implementation can judge it.
fn changed(password: &[u8]) -> Vec<u8> {
    match password.split_first() {
        None => b"!".to_vec(),
        Some((&first, rest)) => {
            let other = if first == b'!' { b'?' } else { b'!' };
            [&[other][..], rest].concat()
        }
    }
}

/// Short, printable name of a test password for assertion messages.
fn shown(password: &[u8]) -> String {
    let text = String::from_utf8_lossy(password);
    format!(
        "{:?}... ({} bytes)",
        text.chars().take(12).collect::<String>(),
        password.len()
    )
}

/// Hashes made by Python verify in keyward, and a changed password does not.
fn python_hashes_verify_in_keyward(venv: Venv, scheme: &str, passwords: &[Vec<u8>]) {
    let Some(answer) = python::run(venv, "passwords.py", &make_request(scheme, passwords)) else {
        return;
    };
    let hasher = PasswordHasher::new();
    for (password, made) in passwords.iter().zip(answer["made"].as_array().unwrap()) {
        let hash = made
            .as_str()
            .unwrap_or_else(|| panic!("{scheme} refused {}: {made}", shown(password)));
        assert_eq!(hasher.verify(password, hash), Ok(()), "{scheme}: {hash}");
        assert_eq!(
            hasher.verify(changed(password), hash),
            Err(PasswordError::Mismatch),
            "{scheme}: {hash}"
        );
    }
}

/// Hashes made by keyward verify in Python, and a changed password does not.
fn keyward_hashes_verify_in_python(
    venv: Venv,
    scheme: &str,
    hasher: PasswordHasher,
    passwords: &[Vec<u8>],
) {
    let mut check = Vec::new();
    for password in passwords {
        let hash = hasher.hash(password).unwrap();
        check.push(json!({"scheme": scheme, "password_b64": b64(password), "hash": hash.as_str()}));
        check.push(json!({"scheme": scheme, "password_b64": b64(&changed(password)), "hash": hash.as_str()}));
    }
    let Some(answer) = python::run(venv, "passwords.py", &json!({ "check": check })) else {
        return;
    };
    let verdicts = answer["checked"].as_array().unwrap();
    for (pair, password) in verdicts.chunks(2).zip(passwords) {
        assert_eq!(
            pair[0],
            json!(true),
            "{scheme} rejected keyward's hash of {}",
            shown(password)
        );
        assert_eq!(
            pair[1],
            json!(false),
            "{scheme} accepted a wrong password for {}",
            shown(password)
        );
    }
}

mod python_to_keyward {
    use super::*;

    #[test]
    fn pyca_bcrypt_5() {
        python_hashes_verify_in_keyward(Venv::Modern, "pyca-bcrypt", &plain_passwords());
    }

    #[test]
    fn pyca_bcrypt_4() {
        python_hashes_verify_in_keyward(Venv::Passlib, "pyca-bcrypt", &plain_passwords());
    }

    #[test]
    fn passlib_bcrypt() {
        python_hashes_verify_in_keyward(Venv::Passlib, "passlib-bcrypt", &plain_passwords());
    }

    #[test]
    fn passlib_bcrypt_sha256_v2() {
        python_hashes_verify_in_keyward(
            Venv::Passlib,
            "passlib-bcrypt-sha256",
            &pre_hashed_passwords(),
        );
    }

    #[test]
    fn passlib_bcrypt_sha256_v1() {
        python_hashes_verify_in_keyward(
            Venv::Passlib,
            "passlib-bcrypt-sha256-v1",
            &pre_hashed_passwords(),
        );
    }

    #[test]
    fn django_bcrypt_sha256() {
        python_hashes_verify_in_keyward(
            Venv::Modern,
            "django-bcrypt-sha256",
            &pre_hashed_passwords(),
        );
    }
}

mod keyward_to_python {
    use super::*;

    fn plain() -> PasswordHasher {
        PasswordHasher::new().with_cost(Cost::new(4).unwrap())
    }

    #[test]
    fn pyca_bcrypt_5() {
        keyward_hashes_verify_in_python(Venv::Modern, "pyca-bcrypt", plain(), &plain_passwords());
    }

    #[test]
    fn passlib_bcrypt() {
        keyward_hashes_verify_in_python(
            Venv::Passlib,
            "passlib-bcrypt",
            plain(),
            &plain_passwords(),
        );
    }

    #[test]
    fn passlib_bcrypt_sha256_v2() {
        let pre_hash = plain().with_long_passwords(LongPasswords::PreHash);
        keyward_hashes_verify_in_python(
            Venv::Passlib,
            "passlib-bcrypt-sha256",
            pre_hash,
            &pre_hashed_passwords(),
        );
    }
}

mod the_72_byte_limit_across_stacks {
    use super::*;

    #[test]
    fn keyward_and_pyca_bcrypt_5_both_refuse_73_bytes_where_bcrypt_4_truncated() {
        let password = b"y".repeat(73);
        assert_eq!(
            PasswordHasher::new()
                .with_cost(Cost::new(4).unwrap())
                .hash(&password),
            Err(PasswordError::TooLong { len: 73, max: 72 })
        );
        let request = make_request("pyca-bcrypt", std::slice::from_ref(&password));
        if let Some(answer) = python::run(Venv::Modern, "passwords.py", &request) {
            let error = answer["made"][0]["error"]
                .as_str()
                .expect("bcrypt 5 refuses");
            assert!(error.starts_with("ValueError"), "{error}");
        }
        // The seed's stack: bcrypt 4 silently hashed only the first 72 bytes. keyward verifies
        // such a hash for those 72 bytes and refuses the longer password instead of accepting it.
        if let Some(answer) = python::run(Venv::Passlib, "passwords.py", &request) {
            let truncated = answer["made"][0]
                .as_str()
                .expect("bcrypt 4 truncates silently");
            let hasher = PasswordHasher::new();
            assert_eq!(hasher.verify(&password[..72], truncated), Ok(()));
            // The opt-in migration path accepts it, but keeps the hash: it never checked the
            // 73rd byte, so a rehash of what was typed could adopt a typo there.
            let migrating = PasswordHasher::new()
                .with_cost(Cost::new(4).unwrap())
                .with_truncated_legacy_hashes(true);
            assert_eq!(migrating.verify_and_update(&password, truncated), Ok(None));
            assert!(migrating.is_truncated_match(&password, truncated).unwrap());
            assert_eq!(
                hasher.verify(&password, truncated),
                Err(PasswordError::TooLong { len: 73, max: 72 })
            );
        }
    }
}

mod tokens_with_pyjwt {
    use super::*;
    use keyward::token::{Claims, TokenError, TokenIssuer, TokenKind, TokenVerifier, VerifyingKey};
    use serde::{Deserialize, Serialize};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Role {
        role: String,
    }

    fn key_text(name: &str) -> String {
        std::fs::read_to_string(format!("{}/tests/keys/{name}", env!("CARGO_MANIFEST_DIR")))
            .unwrap()
    }

    /// Per algorithm: keyward's issuer, keyward's verifier for tokens PyJWT makes with the
    /// same key, and the key as the script wants it (base64 secret or PEM) to sign and to verify.
    struct Case {
        alg: &'static str,
        issuer: TokenIssuer,
        python_signing_key: String,
        python_verifying_key: String,
    }

    fn cases() -> Vec<Case> {
        let hmac = |alg, len| {
            let secret = vec![0x5au8; len];
            let issuer = match len {
                32 => TokenIssuer::hs256(secret.clone()),
                48 => TokenIssuer::hs384(secret.clone()),
                _ => TokenIssuer::hs512(secret.clone()),
            };
            Case {
                alg,
                issuer: issuer.unwrap(),
                python_signing_key: b64(&secret),
                python_verifying_key: b64(&secret),
            }
        };
        let pem = |alg, private: &str, public: &str, build: fn(String) -> TokenIssuer| Case {
            alg,
            issuer: build(key_text(private)),
            python_signing_key: key_text(private),
            python_verifying_key: key_text(public),
        };
        vec![
            hmac("HS256", 32),
            hmac("HS384", 48),
            hmac("HS512", 64),
            pem("RS256", "rsa2048-private.pem", "rsa2048-public.pem", |k| {
                TokenIssuer::rs256_pem(k).unwrap()
            }),
            pem("PS256", "rsa2048-private.pem", "rsa2048-public.pem", |k| {
                TokenIssuer::ps256_pem(k).unwrap()
            }),
            pem("ES256", "p256-1-private.pem", "p256-1-public.pem", |k| {
                TokenIssuer::es256_pem(k).unwrap()
            }),
            pem("EdDSA", "ed25519-private.pem", "ed25519-public.pem", |k| {
                TokenIssuer::ed25519_pem(k).unwrap()
            }),
        ]
        .into_iter()
        .map(|case| Case {
            issuer: case
                .issuer
                .with_issuer("https://auth.example.com")
                .with_audience("api")
                .with_key_id("k1"),
            ..case
        })
        .collect()
    }

    #[test]
    fn keyward_tokens_verify_in_pyjwt_for_every_algorithm() {
        let cases = cases();
        let decode: Vec<Value> = cases
            .iter()
            .map(|case| {
                let token = case
                    .issuer
                    .issue(
                        "alice",
                        &Role {
                            role: "admin".into(),
                        },
                    )
                    .unwrap();
                json!({"token": token, "alg": case.alg, "key": case.python_verifying_key,
                       "audience": "api", "issuer": "https://auth.example.com"})
            })
            .collect();
        let Some(answer) = python::run(Venv::Modern, "tokens.py", &json!({ "decode": decode }))
        else {
            return;
        };
        for (case, decoded) in cases.iter().zip(answer["decoded"].as_array().unwrap()) {
            assert!(
                decoded.get("error").is_none(),
                "{}: PyJWT refused: {decoded}",
                case.alg
            );
            assert_eq!(decoded["claims"]["sub"], "alice", "{}", case.alg);
            assert_eq!(decoded["claims"]["role"], "admin", "{}", case.alg);
            assert_eq!(decoded["header"]["alg"], case.alg);
            assert_eq!(decoded["header"]["typ"], "at+jwt");
            assert_eq!(decoded["header"]["kid"], "k1");
        }
    }

    #[test]
    fn pyjwt_tokens_verify_in_keyward_for_every_algorithm() {
        let cases = cases();
        let now = chrono::Utc::now().timestamp();
        let claims = json!({"sub": "alice", "iat": now, "exp": now + 300, "iss": "https://auth.example.com",
                            "aud": "api", "jti": "py-1", "role": "admin"});
        let encode: Vec<Value> = cases
            .iter()
            .map(|case| {
                json!({"alg": case.alg, "key": case.python_signing_key,
                       "headers": {"typ": "at+jwt", "kid": "k1"}, "claims": claims})
            })
            .collect();
        let Some(answer) = python::run(Venv::Modern, "tokens.py", &json!({ "encode": encode }))
        else {
            return;
        };
        for (case, token) in cases.iter().zip(answer["encoded"].as_array().unwrap()) {
            let token = token
                .as_str()
                .unwrap_or_else(|| panic!("{}: PyJWT failed: {token}", case.alg));
            let verified: Claims<Role> = case
                .issuer
                .verify(token)
                .unwrap_or_else(|e| panic!("{}: {e:?}", case.alg));
            assert_eq!(verified.subject, "alice");
            assert_eq!(verified.token_id.as_deref(), Some("py-1"));
            assert_eq!(
                verified.extra,
                Role {
                    role: "admin".into()
                }
            );
        }
    }

    /// A resource server on PyJWT checks `aud` and `iss` but never `typ`: keyward's refresh
    /// tokens carry their own audience (`urn:keyward:refresh-token`, never the API's), so
    /// `jwt.decode(..., audience="api", issuer=...)` refuses them while taking the access tokens
    /// (RFC 7519 §4.1.3, RFC 8725 §3.9).
    #[test]
    fn keyward_refresh_tokens_are_refused_by_pyjwt_with_the_apis_audience() {
        let cases = cases();
        let mut decode = Vec::new();
        for case in &cases {
            for token in [
                case.issuer.issue("alice", &()).unwrap(),
                case.issuer.issue_refresh("alice", &()).unwrap(),
            ] {
                decode.push(
                    json!({"token": token, "alg": case.alg, "key": case.python_verifying_key,
                                   "audience": "api", "issuer": "https://auth.example.com"}),
                );
            }
        }
        let Some(answer) = python::run(Venv::Modern, "tokens.py", &json!({ "decode": decode }))
        else {
            return;
        };
        let decoded = answer["decoded"].as_array().unwrap();
        for (case, pair) in cases.iter().zip(decoded.chunks(2)) {
            assert_eq!(
                pair[0]["claims"]["sub"], "alice",
                "{}: {}",
                case.alg, pair[0]
            );
            let error = pair[1]["error"].as_str().unwrap_or_default();
            assert!(
                error.starts_with("InvalidAudienceError"),
                "{}: PyJWT took a refresh token as an access token: {}",
                case.alg,
                pair[1]
            );
        }
    }

    #[test]
    fn pyjwt_defaults_that_keyward_refuses_on_purpose() {
        let secret = vec![0x5au8; 32];
        let verifier = TokenVerifier::new(VerifyingKey::hs256(secret.clone()).unwrap());
        let now = chrono::Utc::now().timestamp();
        let base = json!({"sub": "alice", "iat": now, "exp": now + 300});
        let float_exp = json!({"sub": "alice", "iat": now, "exp": format!("{}.5", now + 300).parse::<f64>().unwrap()});
        let encode = json!({ "encode": [
            // PyJWT's default header says typ JWT: not an access token (RFC 9068 §2.1).
            {"alg": "HS256", "key": b64(&secret), "headers": {}, "claims": base},
            // A float exp, which PyJWT writes when given time.time() + n.
            {"alg": "HS256", "key": b64(&secret), "headers": {"typ": "at+jwt"}, "claims": float_exp},
            // The seed tutorial's 26-byte secret: refused by keyward before any token is made.
            {"alg": "HS256", "key": b64(b"your-super-secret-key-here"), "headers": {"typ": "at+jwt"}, "claims": base},
        ]});
        let Some(answer) = python::run(Venv::Modern, "tokens.py", &encode) else {
            return;
        };
        let tokens = answer["encoded"].as_array().unwrap();
        assert_eq!(
            verifier
                .verify::<()>(tokens[0].as_str().unwrap())
                .unwrap_err(),
            TokenError::WrongTokenType {
                expected: TokenKind::Access,
                found: Some("JWT".into())
            }
        );
        assert_eq!(
            verifier
                .verify::<()>(tokens[1].as_str().unwrap())
                .unwrap_err(),
            TokenError::InvalidClaim(keyward::token::Claim::ExpiresAt)
        );
        assert!(matches!(
            VerifyingKey::hs256(*b"your-super-secret-key-here"),
            Err(TokenError::InvalidKey(
                keyward::token::KeyError::Weak { .. }
            ))
        ));
        assert!(
            tokens[2].is_string(),
            "PyJWT only warns about the short secret"
        );
    }
}

/// Argon2 with argon2-cffi 25.1.0 (pwdlib's backend), pwdlib 0.3.1, passlib 1.7.4's `argon2`
/// and Django's `Argon2PasswordHasher` format, in `venv-argon2` (`tests/interop/argon2_passwords.py`).
mod argon2_interop {
    use super::*;
    use keyward::password::{Argon2Params, HashFormat, PasswordAlgorithm};

    /// Argon2 takes what bcrypt refuses: long passwords and NUL bytes (up to keyward's cap).
    fn argon2_passwords() -> Vec<Vec<u8>> {
        let mut passwords = plain_passwords();
        passwords.extend([b"a".repeat(200), b"pa\0ss".to_vec(), b"z".repeat(4096)]);
        passwords
    }

    /// Django hashes `password.encode()` of a `str`: UTF-8 only.
    fn django_passwords() -> Vec<Vec<u8>> {
        argon2_passwords()
            .into_iter()
            .filter(|p| std::str::from_utf8(p).is_ok())
            .collect()
    }

    fn passwords_for(scheme: &str) -> Vec<Vec<u8>> {
        if scheme == "django-argon2" {
            django_passwords()
        } else {
            argon2_passwords()
        }
    }

    const SCHEMES: [&str; 4] = ["argon2-cffi", "pwdlib", "passlib-argon2", "django-argon2"];

    fn run(request: &Value) -> Option<Value> {
        let answer = python::run(Venv::Argon2, "argon2_passwords.py", request)?;
        assert_eq!(
            answer["versions"],
            json!({"argon2-cffi": "25.1.0", "argon2-cffi-bindings": "26.2.0", "pwdlib": "0.3.1", "passlib": "1.7.4"}),
        );
        Some(answer)
    }

    #[test]
    fn python_argon2_hashes_verify_in_keyward() {
        let mut make = Vec::new();
        let mut expected = Vec::new();
        for scheme in SCHEMES {
            for password in passwords_for(scheme) {
                make.push(json!({"scheme": scheme, "password_b64": b64(&password)}));
                expected.push((scheme, password));
            }
        }
        let Some(answer) = run(&json!({ "make": make })) else {
            return;
        };
        // Verified whatever the configured algorithm.
        let bcrypt = PasswordHasher::new();
        let argon2 = PasswordHasher::new().with_algorithm(PasswordAlgorithm::Argon2id);
        for ((scheme, password), made) in expected.iter().zip(answer["made"].as_array().unwrap()) {
            let hash = made
                .as_str()
                .unwrap_or_else(|| panic!("{scheme} refused {}: {made}", shown(password)));
            let (prefix, format) = match *scheme {
                "argon2-cffi" | "pwdlib" => {
                    ("$argon2id$v=19$m=65536,t=3,p=4$", HashFormat::Argon2id)
                }
                "passlib-argon2" => ("$argon2id$v=19$m=19456,t=2,p=1$", HashFormat::Argon2id),
                _ => (
                    "argon2$argon2id$v=19$m=102400,t=2,p=8$",
                    HashFormat::DjangoArgon2,
                ),
            };
            assert!(hash.starts_with(prefix), "{scheme}: {hash}");
            assert_eq!(keyward::PasswordHash::parse(hash).unwrap().format(), format);
            assert_eq!(argon2.verify(password, hash), Ok(()), "{scheme}: {hash}");
            assert_eq!(
                bcrypt.verify(changed(password), hash),
                Err(PasswordError::Mismatch),
                "{scheme}: {hash}"
            );
            // pwdlib's default is keyward's: no rehash. The others move on the next login.
            let current = matches!(*scheme, "argon2-cffi" | "pwdlib");
            assert_eq!(argon2.needs_rehash(hash), Ok(!current), "{scheme}: {hash}");
        }
    }

    #[test]
    fn keyward_argon2_hashes_verify_in_python() {
        let hashers = [
            PasswordHasher::new().with_algorithm(PasswordAlgorithm::Argon2id),
            PasswordHasher::new()
                .with_algorithm(PasswordAlgorithm::Argon2id)
                .with_argon2_params(Argon2Params::OWASP_MINIMUM),
        ];
        let mut check = Vec::new();
        let mut expected = Vec::new();
        for (i, scheme) in SCHEMES.into_iter().enumerate() {
            let hasher = hashers[i % 2];
            for password in passwords_for(scheme) {
                let hash = hasher.hash(&password).unwrap();
                // Django stores its own prefix before the PHC string.
                let stored = if scheme == "django-argon2" {
                    format!("argon2{hash}")
                } else {
                    hash.into_string()
                };
                check.push(
                    json!({"scheme": scheme, "password_b64": b64(&password), "hash": stored}),
                );
                check.push(json!({"scheme": scheme, "password_b64": b64(&changed(&password)), "hash": stored}));
                expected.push((scheme, password));
            }
        }
        let Some(answer) = run(&json!({ "check": check })) else {
            return;
        };
        let verdicts = answer["checked"].as_array().unwrap();
        for (pair, (scheme, password)) in verdicts.chunks(2).zip(&expected) {
            assert_eq!(
                pair[0],
                json!(true),
                "{scheme} rejected keyward's hash of {}: {}",
                shown(password),
                pair[0]
            );
            assert_eq!(
                pair[1],
                json!(false),
                "{scheme} accepted a wrong password for {}",
                shown(password)
            );
        }
    }

    #[test]
    fn a_pwdlib_user_moves_to_bcrypt_and_a_bcrypt_user_to_argon2id() {
        let password = b"correct horse battery staple".to_vec();
        let request = json!({"make": [{"scheme": "pwdlib", "password_b64": b64(&password)}]});
        let Some(answer) = run(&request) else {
            return;
        };
        let from_pwdlib = answer["made"][0].as_str().unwrap();
        let bcrypt = PasswordHasher::new().with_cost(Cost::new(4).unwrap());
        let to_bcrypt = bcrypt
            .verify_and_update(&password, from_pwdlib)
            .unwrap()
            .unwrap();
        assert!(to_bcrypt.as_str().starts_with("$2b$04$"));
        let argon2 = PasswordHasher::new().with_algorithm(PasswordAlgorithm::Argon2id);
        let back = argon2
            .verify_and_update(&password, &to_bcrypt)
            .unwrap()
            .unwrap();
        assert!(back.as_str().starts_with("$argon2id$v=19$m=65536,t=3,p=4$"));
        // And pwdlib reads the Argon2id hash keyward wrote.
        let check = json!({"check": [{"scheme": "pwdlib", "password_b64": b64(&password), "hash": back.as_str()}]});
        let answer = run(&check).unwrap();
        assert_eq!(answer["checked"][0], json!(true));
    }
}

/// Hashes other stacks made from passwords that are not in NFC (a decomposed `é`, as macOS
/// input methods send it) still verify once keyward normalizes, and are rehashed under NFC at
/// that login: the migration Synapse got wrong (matrix-org/synapse#3306, no fallback).
mod unnormalized_input {
    use super::*;
    use keyward::password::{Normalization, PasswordAlgorithm};

    /// Decomposed: `e` + U+0301; and a full-width word, which NFC keeps as it is.
    const DECOMPOSED: &str = "re\u{301}sume\u{301} of a very long passphrase";
    const PRECOMPOSED: &str = "r\u{e9}sum\u{e9} of a very long passphrase";
    const FULL_WIDTH: &str = "\u{ff30}\u{ff41}\u{ff53}\u{ff53} word of a long passphrase";

    fn check(hasher: PasswordHasher, scheme: &str, hash: &str) {
        assert_eq!(hasher.verify(DECOMPOSED, hash), Ok(()), "{scheme}: {hash}");
        let new = hasher
            .verify_and_update(DECOMPOSED, hash)
            .unwrap()
            .unwrap_or_else(|| panic!("{scheme}: a raw match is rehashed"));
        assert_eq!(hasher.verify(PRECOMPOSED, &new), Ok(()), "{scheme}");
        assert_eq!(hasher.verify(DECOMPOSED, &new), Ok(()), "{scheme}");
    }

    fn make(venv: Venv, script: &str, scheme: &str, rounds: bool) -> Option<Vec<String>> {
        let make: Vec<Value> = [DECOMPOSED, FULL_WIDTH]
            .iter()
            .map(|p| {
                if rounds {
                    json!({"scheme": scheme, "password_b64": b64(p.as_bytes()), "rounds": 4})
                } else {
                    json!({"scheme": scheme, "password_b64": b64(p.as_bytes())})
                }
            })
            .collect();
        let answer = python::run(venv, script, &json!({ "make": make }))?;
        Some(
            answer["made"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h.as_str().unwrap().to_owned())
                .collect(),
        )
    }

    #[test]
    fn bcrypt_hashes_of_decomposed_input_verify_and_move_to_nfc() {
        let hasher = PasswordHasher::new()
            .with_cost(Cost::new(4).unwrap())
            .with_long_passwords(LongPasswords::PreHash)
            .with_normalization(Normalization::Nfc);
        for (venv, scheme) in [
            (Venv::Passlib, "passlib-bcrypt"),
            (Venv::Passlib, "passlib-bcrypt-sha256"),
            (Venv::Modern, "django-bcrypt-sha256"),
        ] {
            let Some(made) = make(venv, "passwords.py", scheme, true) else {
                return;
            };
            check(hasher, scheme, &made[0]);
            // Full width is not folded: only the exact form verifies.
            assert_eq!(hasher.verify(FULL_WIDTH, &made[1]), Ok(()), "{scheme}");
            assert_eq!(
                hasher.verify("Pass word of a long passphrase", &made[1]),
                Err(PasswordError::Mismatch)
            );
        }
    }

    #[test]
    fn argon2_hashes_of_decomposed_input_verify_and_move_to_nfc() {
        let hasher = PasswordHasher::new()
            .with_algorithm(PasswordAlgorithm::Argon2id)
            .with_argon2_params(keyward::password::Argon2Params::OWASP_MINIMUM)
            .with_normalization(Normalization::Nfc);
        for scheme in ["pwdlib", "passlib-argon2", "django-argon2"] {
            let Some(made) = make(Venv::Argon2, "argon2_passwords.py", scheme, false) else {
                return;
            };
            check(hasher, scheme, &made[0]);
            assert_eq!(hasher.verify(FULL_WIDTH, &made[1]), Ok(()), "{scheme}");
        }
    }
}
