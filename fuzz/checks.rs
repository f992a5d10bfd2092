// The property each fuzz target checks, shared by the targets (`include!`d from
// `fuzz_targets/*.rs`) and by `tests/fuzz_regressions.rs`, which replays saved inputs on stable
// Rust in every CI run. Each function panics when keyward breaks a promise.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use keyward::password::{Cost, PasswordHash, PasswordHasher};
use keyward::token::{FixedClock, TokenVerifier, VerifyingKey};
use sha2::Sha256;

const SECRET: [u8; 32] = *b"fuzz-secret-fuzz-secret-fuzz-sec";
const NOW: i64 = 1_700_000_000;
const P256_PUBLIC: &[u8] = include_bytes!("../tests/keys/p256-1-public.pem");

/// Arbitrary bytes as a token for an HS256 verifier: never a panic, never accepted (the fuzzer
/// cannot compute an HMAC under a secret it does not know).
pub fn verify_hs256(data: &[u8]) {
    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    let verifier = TokenVerifier::new(VerifyingKey::hs256(SECRET).unwrap())
        .with_clock(FixedClock::at_unix_seconds(NOW))
        .try_with_max_token_bytes(64 * 1024)
        .expect("a non-zero limit");
    assert!(
        verifier.verify::<serde_json::Value>(token).is_err(),
        "accepted a forged token"
    );
}

/// Arbitrary bytes as a token for an ES256 verifier holding only a public key.
pub fn verify_es256(data: &[u8]) {
    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    let verifier = TokenVerifier::new(VerifyingKey::es256_pem(P256_PUBLIC).unwrap())
        .with_clock(FixedClock::at_unix_seconds(NOW))
        .try_with_max_token_bytes(64 * 1024)
        .expect("a non-zero limit");
    assert!(
        verifier.verify::<serde_json::Value>(token).is_err(),
        "accepted a forged token"
    );
}

/// Arbitrary stored hashes and passwords (split at the first 0xff byte): parsing and `verify`
/// never panic, and a hash that parses keeps its exact text.
pub fn password_hash(data: &[u8]) {
    let split = data.iter().position(|&b| b == 0xff).unwrap_or(data.len());
    let (hash, password) = data.split_at(split);
    let Ok(hash) = std::str::from_utf8(hash) else {
        return;
    };
    if let Ok(parsed) = PasswordHash::parse(hash) {
        assert_eq!(parsed.as_str(), hash);
    }
    // Cap the cost so a fuzzed "$2b$31$..." is refused instead of burning the fuzzing budget.
    let hasher = PasswordHasher::new()
        .with_cost(Cost::new(4).unwrap())
        .with_max_verify_cost(Cost::MIN);
    let _ = hasher.verify(password, hash);
    let _ = hasher.needs_rehash(hash);
}

/// Arbitrary JWKS and JWK documents: never a panic, and accepted public keys export and import
/// again.
pub fn jwks(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(verifier) = TokenVerifier::from_jwks(text) {
        let again =
            TokenVerifier::from_jwks(&verifier.to_jwks()).expect("an exported JWKS imports");
        assert_eq!(again.key_set().len(), verifier.key_set().len());
    }
    let _ = VerifyingKey::from_jwk(text);
}

/// Arbitrary payload bytes in a correctly signed HS256 access token: reaches claims decoding and
/// validation, and whatever is accepted satisfies keyward's rules.
pub fn claims(payload: &[u8]) {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"at+jwt"}"#);
    let input = format!("{header}.{}", URL_SAFE_NO_PAD.encode(payload));
    let mut mac = Hmac::<Sha256>::new_from_slice(&SECRET).unwrap();
    mac.update(input.as_bytes());
    let token = format!(
        "{input}.{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    );
    let verifier = TokenVerifier::new(VerifyingKey::hs256(SECRET).unwrap())
        .with_clock(FixedClock::at_unix_seconds(NOW))
        .try_with_max_token_bytes(usize::MAX)
        .expect("a non-zero limit");
    if let Ok(claims) = verifier.verify::<serde_json::Value>(&token) {
        assert!(!claims.subject.is_empty());
        assert!(
            claims.expires_at.timestamp() > NOW,
            "accepted an expired token"
        );
        assert!(
            claims.issued_at.is_some_and(|iat| iat.timestamp() <= NOW),
            "accepted a token issued in the future"
        );
        assert!(claims.not_before.is_none_or(|nbf| nbf.timestamp() <= NOW));
        assert!(
            claims.audience.is_none(),
            "accepted an audience nobody expects"
        );
    }
}

/// Arbitrary bytes as a request's `Authorization` values (split at each NUL byte): never a
/// panic; a token found is non-empty `b64token` (RFC 6750 §2.1) that ends the one value, and
/// `bearer_token` agrees on it.
pub fn bearer(data: &[u8]) {
    let values: Vec<&[u8]> = if data.is_empty() {
        Vec::new()
    } else {
        data.split(|&byte| byte == 0).collect()
    };
    let parsed = keyward::token::parse_bearer(values.iter().copied());
    if let Ok(Some(token)) = parsed {
        assert_eq!(values.len(), 1, "a token from several headers");
        let padding = token.len() - token.trim_end_matches('=').len();
        let body = &token[..token.len() - padding];
        assert!(!body.is_empty(), "an empty token");
        assert!(
            body.bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || b"-._~+/".contains(&byte)),
            "a token outside b64token: {token:?}"
        );
        let trimmed = values[0].trim_ascii_end();
        assert!(
            trimmed.ends_with(token.as_bytes()),
            "a token that does not end the value"
        );
        if let Ok(text) = std::str::from_utf8(values[0]) {
            assert_eq!(keyward::token::bearer_token(text), Ok(token));
        }
    }
}
