//! An attack catalog: hostile tokens, each citing where the attack comes from, each refused with
//! the right `TokenError` variant and no panic.

#[path = "common/mod.rs"]
mod common;

use common::craft::{self, AT_HS256, b64url, payload_at, signing_input};
use keyward::token::{
    Claim, FixedClock, TokenError, TokenIssuer, TokenKind, TokenPart, TokenVerifier, VerifyingKey,
};

const NOW: i64 = 1_700_000_000;
const SECRET: [u8; 32] = *b"0123456789abcdef0123456789abcdef";

fn key_file(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/keys/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn hs256_verifier() -> TokenVerifier {
    TokenVerifier::new(VerifyingKey::hs256(SECRET).unwrap())
        .with_clock(FixedClock::at_unix_seconds(NOW))
}

fn valid_payload() -> String {
    payload_at(NOW, "")
}

fn refused(verifier: &TokenVerifier, token: &str) -> TokenError {
    verifier.verify::<serde_json::Value>(token).unwrap_err()
}

/// A valid HS256 token from keyward itself, to tamper with.
fn genuine() -> String {
    TokenIssuer::hs256(SECRET)
        .unwrap()
        .with_clock(FixedClock::at_unix_seconds(NOW))
        .issue("alice", &())
        .unwrap()
}

mod algorithm_confusion {
    use super::*;

    /// RFC 8725 §2.1 and §3.1; CVE-2015-9235 (node-jsonwebtoken): `alg: none` in any casing,
    /// with an empty signature or with a real one.
    #[test]
    fn alg_none_in_every_casing() {
        let verifier = hs256_verifier();
        for alg in ["none", "None", "NONE", "nOnE", "none ", ""] {
            let header = format!(r#"{{"alg":"{alg}","typ":"at+jwt"}}"#);
            let unsigned = format!("{}.", signing_input(&header, &valid_payload()));
            assert_eq!(
                refused(&verifier, &unsigned),
                TokenError::UnsupportedAlgorithm { found: alg.into() },
                "{alg:?}"
            );
            let signed = craft::hs256(&SECRET, &header, &valid_payload());
            assert_eq!(
                refused(&verifier, &signed),
                TokenError::UnsupportedAlgorithm { found: alg.into() },
                "{alg:?}"
            );
        }
    }

    /// RFC 8725 §2.1; CVE-2016-10555 and python-jose's CVE-2024-33663: a token "signed" with
    /// HS256 using the server's public key as the HMAC secret, sent to an RS256/ES256/EdDSA
    /// verifier.
    #[test]
    fn hmac_signed_with_the_public_key() {
        for (public, verifier) in [
            (
                "rsa2048-public.pem",
                VerifyingKey::rs256_pem(key_file("rsa2048-public.pem")).unwrap(),
            ),
            (
                "p256-1-public.pem",
                VerifyingKey::es256_pem(key_file("p256-1-public.pem")).unwrap(),
            ),
            (
                "ed25519-public.pem",
                VerifyingKey::ed25519_pem(key_file("ed25519-public.pem")).unwrap(),
            ),
        ] {
            let expected = verifier.algorithm();
            let verifier =
                TokenVerifier::new(verifier).with_clock(FixedClock::at_unix_seconds(NOW));
            let forged = craft::hs256(&key_file(public), AT_HS256, &valid_payload());
            assert_eq!(
                refused(&verifier, &forged),
                TokenError::WrongAlgorithm {
                    expected,
                    found: keyward::token::Algorithm::HS256
                },
                "{public}"
            );
        }
    }

    /// RFC 8725 §3.1: the key fixes the algorithm; a switch within the HMAC family (same
    /// secret, HS512 header) is refused too.
    #[test]
    fn hs256_to_hs512_switch() {
        let header = r#"{"alg":"HS512","typ":"at+jwt"}"#;
        let switched = craft::hs512(&SECRET, header, &valid_payload());
        assert!(matches!(
            refused(&hs256_verifier(), &switched),
            TokenError::WrongAlgorithm { .. }
        ));
    }

    /// Algorithms keyward does not implement are unsupported, not "close enough".
    #[test]
    fn unknown_and_unsupported_algorithms() {
        for alg in ["RS512", "ES384", "HS1", "hs256", "ES256K", "PS512"] {
            let header = format!(r#"{{"alg":"{alg}","typ":"at+jwt"}}"#);
            let token = craft::hs256(&SECRET, &header, &valid_payload());
            assert_eq!(
                refused(&hs256_verifier(), &token),
                TokenError::UnsupportedAlgorithm { found: alg.into() },
                "{alg}"
            );
        }
    }
}

mod ecdsa {
    use super::*;

    fn es256() -> (TokenIssuer, TokenVerifier) {
        let issuer = TokenIssuer::es256_pem(key_file("p256-1-private.pem")).unwrap();
        let verifier = issuer.verifier();
        (issuer, verifier)
    }

    /// CVE-2022-21449 ("psychic signatures", Java 15-18): r = s = 0 verified for any message.
    #[test]
    fn zero_r_and_s() {
        let (issuer, verifier) = es256();
        let token = issuer.issue("alice", &()).unwrap();
        let input = token.rsplit_once('.').unwrap().0;
        for forged in [vec![0u8; 64], vec![], vec![0u8; 1], vec![0xffu8; 64]] {
            let token = format!("{input}.{}", b64url(&forged));
            assert_eq!(refused(&verifier, &token), TokenError::InvalidSignature);
        }
    }

    /// RFC 7518 §3.4: JWS ECDSA signatures are the raw 64-byte R || S, not ASN.1 DER. A DER
    /// signature of the right values must not be accepted (libraries that "helpfully" accept
    /// both have shipped malleability bugs).
    #[test]
    fn der_encoded_signature() {
        let (issuer, verifier) = es256();
        let token = issuer.issue("alice", &()).unwrap();
        let (input, signature) = token.rsplit_once('.').unwrap();
        let raw = base64_decode(signature);
        assert_eq!(raw.len(), 64);
        let token = format!("{input}.{}", b64url(der_signature(&raw[..32], &raw[32..])));
        assert_eq!(refused(&verifier, &token), TokenError::InvalidSignature);
    }

    fn der_integer(value: &[u8]) -> Vec<u8> {
        let trimmed: Vec<u8> = value.iter().copied().skip_while(|&b| b == 0).collect();
        let mut body = if trimmed.first().is_some_and(|&b| b >= 0x80) {
            vec![0]
        } else {
            vec![]
        };
        body.extend(trimmed);
        [vec![0x02, u8::try_from(body.len()).unwrap()], body].concat()
    }

    fn der_signature(r: &[u8], s: &[u8]) -> Vec<u8> {
        let body = [der_integer(r), der_integer(s)].concat();
        [vec![0x30, u8::try_from(body.len()).unwrap()], body].concat()
    }

    /// RFC 7515 §4.1.3/§4.1.5/§4.1.6 and RFC 8725 §3.10: `jwk`, `jku`, `x5u`, `x5c` in a header
    /// are attacker-controlled; keyward never uses them. A token signed with the attacker's own
    /// key and carrying that key in its header is refused.
    #[test]
    fn embedded_keys_in_the_header_are_never_trusted() {
        let (_, verifier) = es256();
        let attacker = TokenIssuer::es256_pem(key_file("p256-2-private.pem")).unwrap();
        let attacker_jwk = attacker.verifier().key_set().keys()[0].to_jwk().unwrap();
        let genuine = attacker.issue("alice", &()).unwrap();
        let payload = genuine.split('.').nth(1).unwrap();
        for extra in [
            format!(r#","jwk":{attacker_jwk}"#),
            r#","jku":"https://attacker.example/jwks.json""#.to_owned(),
            r#","x5u":"https://attacker.example/cert.pem""#.to_owned(),
            r#","x5c":["MIIB"]"#.to_owned(),
        ] {
            let header = format!(r#"{{"alg":"ES256","typ":"at+jwt"{extra}}}"#);
            let input = format!("{}.{payload}", b64url(&header));
            let token = resign_es256(&attacker, &input);
            assert_eq!(
                refused(&verifier, &token),
                TokenError::InvalidSignature,
                "{extra}"
            );
        }
    }

    /// Signs `input` with the attacker's own P-256 key, and checks that the attacker's own
    /// verifier accepts the result: the refusal above is then about trust, not about a broken
    /// signature.
    fn resign_es256(attacker: &TokenIssuer, input: &str) -> String {
        let token = format!(
            "{input}.{}",
            b64url(sign_p256(&key_file("p256-2-private.pem"), input.as_bytes()))
        );
        assert!(
            attacker.verifier().verify::<()>(&token).is_ok(),
            "the forged token is validly signed"
        );
        token
    }

    fn sign_p256(pem: &[u8], message: &[u8]) -> Vec<u8> {
        use jsonwebtoken::crypto::CryptoProvider;
        #[cfg(feature = "aws-lc-rs")]
        let provider: &CryptoProvider = &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER;
        #[cfg(not(feature = "aws-lc-rs"))]
        let provider: &CryptoProvider = &jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER;
        let key = jsonwebtoken::EncodingKey::from_ec_pem(pem).unwrap();
        let signer = (provider.signer_factory)(&jsonwebtoken::Algorithm::ES256, &key).unwrap();
        signer.try_sign(message).unwrap()
    }
}

/// ECDSA signatures are malleable: from a valid `(r, s)` anyone can make `(r, n − s)`, which
/// verifies too (SEC 1 v2 §4.1.4 checks only `0 < s < n`). Refusing high-S signatures would
/// break other signers that produce them (RFC 7518 §3.4 does not require low S), so keyward
/// accepts both and says so: one ES256 token has two spellings, and revocation or replay checks
/// must key on `jti` (the same in both), never on the token text.
mod malleability {
    use super::*;

    /// The order of the P-256 group (SEC 2 v2 §2.4.2, FIPS 186-5 §D.1.2.3), big-endian.
    const P256_ORDER: [u8; 32] = [
        0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63,
        0x25, 0x51,
    ];

    /// `n − s` for 32-byte big-endian numbers with `s < n`.
    fn order_minus(s: &[u8]) -> Vec<u8> {
        let mut out = vec![0u8; 32];
        let mut borrow = 0i16;
        for i in (0..32).rev() {
            let mut digit = i16::from(P256_ORDER[i]) - i16::from(s[i]) - borrow;
            borrow = i16::from(digit < 0);
            if digit < 0 {
                digit += 256;
            }
            out[i] = u8::try_from(digit).unwrap();
        }
        out
    }

    #[test]
    fn es256_r_and_n_minus_s_both_verify_with_one_jti() {
        let issuer = TokenIssuer::from_pem(key_file("p256-1-private.pem")).unwrap();
        let token = issuer.issue("alice", &()).unwrap();
        let (input, signature) = token.rsplit_once('.').unwrap();
        let signature = base64_decode(signature);
        let (r, s) = signature.split_at(32);
        let twin_signature = [r, &order_minus(s)].concat();
        // s = n/2 exactly is impossible for a prime n, so the twin always differs.
        assert_ne!(twin_signature, signature);
        let twin = format!("{input}.{}", b64url(twin_signature));
        assert_ne!(twin, token);

        let verifier = issuer.verifier();
        let original = verifier.verify::<()>(&token).unwrap();
        let accepted = verifier.verify::<()>(&twin).unwrap();
        assert_eq!(accepted.token_id, original.token_id);

        // A revocation check keyed on `jti` refuses both spellings.
        let revoked = original.token_id.clone().unwrap();
        let guarded = verifier.with_revocation_check(move |t| t.token_id == Some(revoked.as_str()));
        assert_eq!(refused(&guarded, &token), TokenError::Revoked);
        assert_eq!(refused(&guarded, &twin), TokenError::Revoked);
    }
}

mod tampering {
    use super::*;

    /// RFC 7515 §5.2: any change to header, payload or signature invalidates the token.
    #[test]
    fn changed_payload_header_or_signature() {
        let verifier = hs256_verifier();
        let token = genuine();
        let (header, rest) = token.split_once('.').unwrap();
        let (payload, signature) = rest.split_once('.').unwrap();
        let bob = b64url(
            String::from_utf8(base64_decode(payload))
                .unwrap()
                .replace("alice", "bobby"),
        );
        assert_eq!(
            refused(&verifier, &format!("{header}.{bob}.{signature}")),
            TokenError::InvalidSignature
        );
        let other_header = b64url(r#"{"alg":"HS256","typ":"at+jwt","kid":"x"}"#);
        assert_eq!(
            refused(&verifier, &format!("{other_header}.{payload}.{signature}")),
            TokenError::InvalidSignature
        );
        let mut bytes = base64_decode(signature);
        bytes[0] ^= 1;
        assert_eq!(
            refused(&verifier, &format!("{header}.{payload}.{}", b64url(bytes))),
            TokenError::InvalidSignature
        );
    }

    /// A stripped signature is an invalid signature, never "no signature needed".
    #[test]
    fn stripped_signature() {
        let token = genuine();
        let input = token.rsplit_once('.').unwrap().0;
        assert_eq!(
            refused(&hs256_verifier(), &format!("{input}.")),
            TokenError::InvalidSignature
        );
        assert_eq!(
            refused(&hs256_verifier(), input),
            TokenError::Malformed(TokenPart::Structure)
        );
    }

    /// Another key's signature, and a token for an unknown key id.
    #[test]
    fn wrong_key_and_unknown_kid() {
        let other = TokenIssuer::hs256([9u8; 32])
            .unwrap()
            .issue("alice", &())
            .unwrap();
        assert_eq!(
            refused(&hs256_verifier(), &other),
            TokenError::InvalidSignature
        );
        let named = TokenVerifier::new(VerifyingKey::hs256(SECRET).unwrap().with_key_id("current"));
        let header = r#"{"alg":"HS256","typ":"at+jwt","kid":"retired"}"#;
        let token = craft::hs256(&SECRET, header, &valid_payload());
        assert_eq!(
            refused(&named, &token),
            TokenError::UnknownKeyId {
                key_id: "retired".into()
            }
        );
    }

    /// RFC 9068 §4 and RFC 8725 §3.11: explicit typing stops a refresh token (or any other JWT
    /// signed by the same key) from being used as an access token.
    #[test]
    fn refresh_token_presented_as_access_token() {
        let issuer = TokenIssuer::hs256(SECRET).unwrap();
        let refresh = issuer.issue_refresh("alice", &()).unwrap();
        assert_eq!(
            refused(&issuer.verifier(), &refresh),
            TokenError::WrongTokenType {
                expected: TokenKind::Access,
                found: Some("refresh+jwt".into())
            }
        );
    }
}

mod encoding {
    use super::*;

    /// RFC 7515 §2 and §7.1: exactly three base64url parts without padding or whitespace. Each
    /// malformed form is refused before any signature or JSON work.
    #[test]
    fn wrong_segment_counts() {
        let token = genuine();
        let verifier = hs256_verifier();
        for bad in [
            String::new(),
            ".".into(),
            "..".into(),
            "...".into(),
            "a.b".into(),
            format!("{token}.x"),
            format!("{token}.x.y"),
            "abc".into(),
        ] {
            let error = refused(&verifier, &bad);
            assert!(
                matches!(error, TokenError::Malformed(_)),
                "{bad:?}: {error:?}"
            );
        }
        assert_eq!(
            refused(&verifier, &format!("{token}.")),
            TokenError::Malformed(TokenPart::Structure)
        );
    }

    /// Non-canonical base64url: padding, the standard alphabet, stray trailing bits, whitespace.
    /// Two spellings of one token would defeat denylists keyed on the token text.
    #[test]
    fn non_canonical_base64url() {
        let token = genuine();
        let verifier = hs256_verifier();
        let (input, signature) = token.rsplit_once('.').unwrap();
        // HS256's 32-byte signature is 43 characters; the last carries 2 unused bits.
        let last = signature.chars().last().unwrap();
        let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let index = alphabet.find(last).unwrap();
        let sibling = alphabet.chars().nth(index ^ 1).unwrap();
        let non_canonical = format!("{input}.{}{sibling}", &signature[..signature.len() - 1]);
        assert_eq!(
            refused(&verifier, &non_canonical),
            TokenError::Malformed(TokenPart::Signature)
        );
        assert_eq!(
            refused(&verifier, &format!("{token}=")),
            TokenError::Malformed(TokenPart::Signature)
        );
        let header = token.split('.').next().unwrap();
        assert_eq!(
            refused(&verifier, &format!("{header}=={}", &token[header.len()..])),
            TokenError::Malformed(TokenPart::Header)
        );
        let standard_alphabet = token.replace('-', "+").replace('_', "/");
        if standard_alphabet != token {
            assert!(matches!(
                refused(&verifier, &standard_alphabet),
                TokenError::Malformed(_)
            ));
        }
    }

    /// Whitespace anywhere, as a sloppy `Authorization` header parser might leave it. Inside
    /// the signed part it is caught by the signature, which is checked before the payload is
    /// decoded.
    #[test]
    fn whitespace() {
        let token = genuine();
        let verifier = hs256_verifier();
        for (bad, expected) in [
            (
                format!(" {token}"),
                TokenError::Malformed(TokenPart::Header),
            ),
            (
                format!("Bearer {token}"),
                TokenError::Malformed(TokenPart::Header),
            ),
            (
                format!("{token} "),
                TokenError::Malformed(TokenPart::Signature),
            ),
            (
                format!("{token}\n"),
                TokenError::Malformed(TokenPart::Signature),
            ),
            (token.replacen('.', ". ", 1), TokenError::InvalidSignature),
        ] {
            assert_eq!(refused(&verifier, &bad), expected, "{bad:?}");
        }
    }

    /// Headers that are not JSON objects with a string `alg`.
    #[test]
    fn malformed_headers() {
        let verifier = hs256_verifier();
        for header in [
            "",
            "null",
            "[]",
            "\"HS256\"",
            "{",
            r#"{"typ":"at+jwt"}"#,
            r#"{"alg":256}"#,
            r#"{"alg":null}"#,
            r#"{"alg":"HS256","alg":"HS256"}"#,
            r#"{"alg":"HS256","kid":5}"#,
        ] {
            let token = craft::hs256(&SECRET, header, &valid_payload());
            assert_eq!(
                refused(&verifier, &token),
                TokenError::Malformed(TokenPart::Header),
                "{header}"
            );
        }
    }

    /// RFC 7515 §4.1.11: a `crit` extension the recipient does not understand must be rejected.
    #[test]
    fn unknown_critical_header() {
        for crit in [
            r#"["exp"]"#,
            r#"["b64"]"#,
            r#"["http://example.invalid/x"]"#,
        ] {
            let header = format!(r#"{{"alg":"HS256","typ":"at+jwt","crit":{crit},"b64":false}}"#);
            let token = craft::hs256(&SECRET, &header, &valid_payload());
            assert_eq!(
                refused(&hs256_verifier(), &token),
                TokenError::UnsupportedCriticalHeader,
                "{crit}"
            );
        }
    }

    /// RFC 7515 §4.1.11: `crit` "MUST be an array", and "Producers MUST NOT use the empty list
    /// `[]`". A `crit` of any other shape is not an extension keyward fails to understand but a
    /// malformed header; `null` in particular must not read as "absent".
    #[test]
    fn malformed_critical_header() {
        for crit in [
            "null",
            "[]",
            r#""b64""#,
            "[1]",
            r#"["b64",null]"#,
            "{}",
            "true",
        ] {
            let header = format!(r#"{{"alg":"HS256","typ":"at+jwt","crit":{crit}}}"#);
            let token = craft::hs256(&SECRET, &header, &valid_payload());
            assert_eq!(
                refused(&hs256_verifier(), &token),
                TokenError::Malformed(TokenPart::Header),
                "{crit}"
            );
        }
    }

    /// RFC 7515 §5.2 and RFC 8725 §3.12: a repeated member name is read differently by
    /// different parsers, so it is refused at every depth of the header, not only at the top.
    #[test]
    fn duplicate_header_members_at_any_depth() {
        for header in [
            r#"{"alg":"HS256","typ":"at+jwt","typ":"at+jwt"}"#,
            r#"{"alg":"HS256","typ":"at+jwt","x5t":"a","x5t":"b"}"#,
            r#"{"alg":"HS256","typ":"at+jwt","jwk":{"kty":"oct","kty":"EC"}}"#,
            r#"{"alg":"HS256","typ":"at+jwt","ext":{"a":{"b":1,"b":2}}}"#,
            r#"{"alg":"HS256","typ":"at+jwt","ext":[{"a":1,"a":1}]}"#,
        ] {
            let token = craft::hs256(&SECRET, header, &valid_payload());
            assert_eq!(
                refused(&hs256_verifier(), &token),
                TokenError::Malformed(TokenPart::Header),
                "{header}"
            );
        }
    }
}

mod payloads {
    use super::*;

    fn signed(payload: &str) -> String {
        craft::hs256(&SECRET, AT_HS256, payload)
    }

    /// Validly signed, but not a JSON object.
    #[test]
    fn non_json_and_non_object_payloads() {
        for payload in [
            "",
            "not json",
            "null",
            "42",
            "\"alice\"",
            "[1,2]",
            "{",
            "{\"sub\":\"a\",}",
            "\u{feff}{}",
        ] {
            assert_eq!(
                refused(&hs256_verifier(), &signed(payload)),
                TokenError::Malformed(TokenPart::Payload),
                "{payload:?}"
            );
        }
    }

    /// RFC 7515 §5.2 and RFC 8725 §3.12 (ambiguous parsing): with duplicate names, parsers
    /// disagree on which value wins, so a token could mean different things to different
    /// services. Any duplicate makes the payload malformed.
    #[test]
    fn duplicate_claim_names() {
        let exp = NOW + 60;
        for payload in [
            format!(r#"{{"sub":"alice","sub":"admin","iat":{NOW},"exp":{exp}}}"#),
            format!(r#"{{"sub":"alice","iat":{NOW},"exp":{exp},"exp":9999999999}}"#),
            format!(r#"{{"sub":"alice","iat":{NOW},"exp":{exp},"role":"user","role":"admin"}}"#),
            format!(
                r#"{{"sub":"alice","iat":{NOW},"exp":{exp},"r\u00f4le":"user","rôle":"admin"}}"#
            ),
            // Depth 2: the last-wins reading grants admin (the issue's own example).
            format!(
                r#"{{"sub":"alice","iat":{NOW},"exp":{exp},"perm":{{"role":"user","role":"admin"}}}}"#
            ),
            // Depth 3, and inside an array.
            format!(r#"{{"sub":"alice","iat":{NOW},"exp":{exp},"a":{{"b":{{"c":1,"c":2}}}}}}"#),
            format!(
                r#"{{"sub":"alice","iat":{NOW},"exp":{exp},"roles":[{{"n":"user","n":"admin"}}]}}"#
            ),
            // Inside a registered claim's value.
            format!(r#"{{"sub":"alice","iat":{NOW},"exp":{exp},"aud":[{{"x":1,"x":2}}]}}"#),
        ] {
            assert_eq!(
                refused(&hs256_verifier(), &signed(&payload)),
                TokenError::Malformed(TokenPart::Payload),
                "{payload}"
            );
        }
    }

    /// RFC 7519 §2 NumericDate; PyJWT and python-jose historically accepted strings and floats.
    #[test]
    fn wrong_exp_types_and_values() {
        let verifier = hs256_verifier();
        let with_exp = |exp: &str| signed(&format!(r#"{{"sub":"alice","iat":{NOW},"exp":{exp}}}"#));
        for exp in [
            "\"9999999999\"",
            "9999999999.5",
            "1e10",
            "true",
            "[9999999999]",
            "{}",
            "99999999999999999999",
            "1e300",
            "9223372036854775807",
        ] {
            assert_eq!(
                refused(&verifier, &with_exp(exp)),
                TokenError::InvalidClaim(Claim::ExpiresAt),
                "{exp}"
            );
        }
        assert!(matches!(
            refused(&verifier, &with_exp("-1")),
            TokenError::Expired { .. }
        ));
        assert!(matches!(
            refused(&verifier, &with_exp("0")),
            TokenError::Expired { .. }
        ));
        assert_eq!(
            refused(&verifier, &with_exp("null")),
            TokenError::MissingClaim(Claim::ExpiresAt)
        );
        let no_exp = signed(&format!(r#"{{"sub":"alice","iat":{NOW}}}"#));
        assert_eq!(
            refused(&verifier, &no_exp),
            TokenError::MissingClaim(Claim::ExpiresAt)
        );
    }

    /// Registered claims of the wrong type are typed errors, not panics or silent defaults.
    #[test]
    fn wrong_types_for_other_registered_claims() {
        let verifier = hs256_verifier();
        for (more, claim) in [
            (r#","nbf":"soon""#, Claim::NotBefore),
            (r#","jti":42"#, Claim::TokenId),
            (r#","iss":["a"]"#, Claim::Issuer),
        ] {
            assert_eq!(
                refused(&verifier, &signed(&payload_at(NOW, more))),
                TokenError::InvalidClaim(claim),
                "{more}"
            );
        }
        let numeric_sub = signed(&format!(r#"{{"sub":42,"iat":{NOW},"exp":{}}}"#, NOW + 60));
        assert_eq!(
            refused(&verifier, &numeric_sub),
            TokenError::InvalidClaim(Claim::Subject)
        );
        let empty_sub = signed(&format!(r#"{{"sub":"","iat":{NOW},"exp":{}}}"#, NOW + 60));
        assert_eq!(
            refused(&verifier, &empty_sub),
            TokenError::InvalidClaim(Claim::Subject)
        );
    }

    /// Deeply nested JSON in a claim: refused by the parser's depth limit, no stack overflow.
    #[test]
    fn deeply_nested_json() {
        for depth in [200, 10_000] {
            let nested = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
            let token = signed(&payload_at(NOW, &format!(r#","deep":{nested}"#)));
            let verifier = hs256_verifier()
                .try_with_max_token_bytes(1 << 20)
                .expect("a non-zero limit");
            assert_eq!(
                refused(&verifier, &token),
                TokenError::Malformed(TokenPart::Payload),
                "{depth}"
            );
        }
    }

    /// python-jose's CVE-2024-33664 (a compressed "JWT bomb") and RFC 8725 §3.2: size is capped
    /// before any decoding. keyward also never decompresses.
    #[test]
    fn oversized_tokens_are_refused_before_decoding() {
        let verifier = hs256_verifier();
        let huge = "A".repeat(1 << 20);
        assert_eq!(
            refused(&verifier, &huge),
            TokenError::TooLarge {
                len: 1 << 20,
                max: 8192
            }
        );
        let padded = signed(&payload_at(
            NOW,
            &format!(r#","pad":"{}""#, "x".repeat(9000)),
        ));
        assert!(matches!(
            refused(&verifier, &padded),
            TokenError::TooLarge { .. }
        ));
        verifier
            .try_with_max_token_bytes(1 << 20)
            .expect("a non-zero limit")
            .verify::<serde_json::Value>(&padded)
            .unwrap();
    }

    /// Arbitrary bytes never panic; a cheap smoke test beside the fuzz targets.
    #[test]
    fn arbitrary_text_never_panics() {
        let verifier = hs256_verifier();
        let token = genuine();
        for cut in 0..token.len() {
            let _ = verifier.verify::<serde_json::Value>(&token[..cut]);
            let mut bytes = token.clone().into_bytes();
            bytes[cut] = b'.';
            let _ = verifier.verify::<serde_json::Value>(&String::from_utf8(bytes).unwrap());
        }
        for text in ["\u{0}", "€.€.€", "..\u{1F511}", "eyJ.eyJ.eyJ"] {
            let _ = verifier.verify::<serde_json::Value>(text);
        }
    }
}

fn base64_decode(part: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .unwrap()
}
