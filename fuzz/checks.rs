// The property each fuzz target checks, shared by the targets (`include!`d from
// `fuzz_targets/*.rs`) and by `tests/fuzz_regressions.rs`, which replays saved inputs on stable
// Rust in every CI run. Each function panics when keyward breaks a promise.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit as _, Mac as _};
use keyward::password::{Cost, PasswordHash, PasswordHasher};
use keyward::token::{
    Algorithm, FixedClock, JwksResponse, KeySet, Leeway, RemoteKeySet, SigningKey, TokenIssuer,
    TokenVerifier, VerifyingKey, dangerous,
};
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
    let verifier =
        TokenVerifier::new(VerifyingKey::from_pem_as(P256_PUBLIC, Algorithm::ES256).unwrap())
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
    if let Ok(keys) = KeySet::from_jwks(text) {
        let again = KeySet::from_jwks(&keys.to_jwks()).expect("an exported JWKS imports");
        assert_eq!(again.len(), keys.len());
    }
    let _ = VerifyingKey::from_jwk(text);
}

/// Arbitrary bytes as the payload of a correctly signed HS256 token: never a panic; an
/// accepted token is within its times, names no audience nobody expects, and repeats no member
/// name at any depth (checked by [`repeats_a_name`], written here apart from keyward's reader);
/// every way of reading the caller's claims (`()`, `Value`, `IgnoredAny`) gives the same
/// verdict, and `Value` holds exactly the members that are not registered claims.
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
    let as_value = verifier.verify::<serde_json::Value>(&token);
    let as_unit = verifier.verify::<()>(&token).map(|_| ());
    let as_ignored = verifier.verify::<serde::de::IgnoredAny>(&token).map(|_| ());
    let value_verdict = as_value.as_ref().map(|_| ()).map_err(Clone::clone);
    assert_eq!(value_verdict, as_unit, "Value and () disagree");
    assert_eq!(as_unit, as_ignored, "() and IgnoredAny disagree");
    if repeats_a_name(payload) {
        assert_eq!(
            as_unit,
            Err(keyward::token::TokenError::Malformed(
                keyward::token::TokenPart::Payload
            )),
            "a repeated name was not refused as malformed"
        );
    }
    if let Ok(claims) = as_value {
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
        assert!(!repeats_a_name(payload), "accepted a repeated name");
        let Ok(serde_json::Value::Object(mut plain)) = serde_json::from_slice(payload) else {
            panic!("accepted a payload serde_json does not read as an object");
        };
        for registered in ["sub", "exp", "iat", "nbf", "iss", "aud", "jti"] {
            plain.remove(registered);
        }
        assert_eq!(
            claims.extra,
            serde_json::Value::Object(plain),
            "the caller's claims are not the payload's other members"
        );
    }
}

/// Whether `json` is JSON with an object that names a member twice, at any depth. Written
/// apart from keyward's strict reader, so that the two check each other: each object's names go
/// into a set, and every value is walked.
fn repeats_a_name(json: &[u8]) -> bool {
    use serde::de::{Deserializer as _, MapAccess, SeqAccess, Visitor};

    struct Walk;
    impl<'de> serde::de::DeserializeSeed<'de> for Walk {
        type Value = bool;
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
            d.deserialize_any(self)
        }
    }
    impl<'de> Visitor<'de> for Walk {
        type Value = bool;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("JSON")
        }
        fn visit_bool<E>(self, _: bool) -> Result<bool, E> {
            Ok(false)
        }
        fn visit_i64<E>(self, _: i64) -> Result<bool, E> {
            Ok(false)
        }
        fn visit_u64<E>(self, _: u64) -> Result<bool, E> {
            Ok(false)
        }
        fn visit_f64<E>(self, _: f64) -> Result<bool, E> {
            Ok(false)
        }
        fn visit_str<E>(self, _: &str) -> Result<bool, E> {
            Ok(false)
        }
        fn visit_unit<E>(self) -> Result<bool, E> {
            Ok(false)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
            let mut repeated = false;
            while let Some(inner) = seq.next_element_seed(Walk)? {
                repeated |= inner;
            }
            Ok(repeated)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
            let mut names = std::collections::HashSet::new();
            let mut repeated = false;
            while let Some(name) = map.next_key::<String>()? {
                repeated |= !names.insert(name);
                repeated |= map.next_value_seed(Walk)?;
            }
            Ok(repeated)
        }
    }
    let mut json = serde_json::Deserializer::from_slice(json);
    json.deserialize_any(Walk).unwrap_or(false) && json.end().is_ok()
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

/// Arbitrary bytes as a PEM key, read every way keyward reads one: never a panic; a private key
/// that loads exports PKCS#8 PEM that loads again as the same key, and a public key that loads
/// exports a JWK that imports as the same key (same RFC 7638 thumbprint).
pub fn pem_key(data: &[u8]) {
    if let Ok(key) = SigningKey::from_pem(data) {
        let public = key.verifying_key();
        assert_eq!(public.algorithm(), key.algorithm());
        if let Some(pem) = key.to_pkcs8_pem() {
            let again = SigningKey::from_pem(pem.as_bytes()).expect("an exported key imports");
            assert_eq!(again.algorithm(), key.algorithm());
            assert_eq!(again.verifying_key().thumbprint(), public.thumbprint());
        }
    }
    for algorithm in [
        Algorithm::RS256,
        Algorithm::PS256,
        Algorithm::ES256,
        Algorithm::EdDSA,
    ] {
        if let Ok(key) = SigningKey::from_pem_as(data, algorithm) {
            assert_eq!(key.algorithm(), algorithm);
        }
        if let Ok(key) = VerifyingKey::from_pem_as(data, algorithm) {
            assert_eq!(key.algorithm(), algorithm);
        }
    }
    if let Ok(key) = VerifyingKey::from_pem(data)
        && let Some(jwk) = key.to_jwk()
    {
        let again = VerifyingKey::from_jwk(&jwk).expect("an exported JWK imports");
        assert_eq!(again.algorithm(), key.algorithm());
        assert_eq!(again.thumbprint(), key.thumbprint());
    }
}

/// Arbitrary bytes as one JWK, public or private: never a panic; an accepted public key exports
/// a JWK that imports as the same key, and an accepted private key signs a token its own public
/// half verifies.
pub fn jwk(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(key) = VerifyingKey::from_jwk(text)
        && let Some(jwk) = key.to_jwk()
    {
        let again = VerifyingKey::from_jwk(&jwk).expect("an exported JWK imports");
        assert_eq!(again.algorithm(), key.algorithm());
        assert_eq!(again.thumbprint(), key.thumbprint());
    }
    if let Ok(key) = SigningKey::from_jwk(text) {
        let public = key.verifying_key();
        let issuer = TokenIssuer::new(key).with_clock(FixedClock::at_unix_seconds(NOW));
        let token = issuer.issue("fuzz", &()).expect("a loaded key signs");
        TokenVerifier::new(public)
            .with_clock(FixedClock::at_unix_seconds(NOW))
            .verify::<()>(&token)
            .expect("a key's own token verifies under its public half");
    }
}

/// Arbitrary bytes as the protected header of a token whose claims are valid and whose HS256
/// signature over exactly those bytes is correct: never a panic, and a header is accepted only
/// when it is a JSON object saying `alg: HS256`, an access-token `typ`, and no `crit` or
/// `b64`. What `dangerous::decode_unverified` shows of an accepted header is what it says.
pub fn jws_header(data: &[u8]) {
    let claims = format!(r#"{{"sub":"fuzz","iat":{},"exp":{}}}"#, NOW - 10, NOW + 600);
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(data),
        URL_SAFE_NO_PAD.encode(claims)
    );
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
    let accepted = verifier.verify::<serde_json::Value>(&token).is_ok();
    let unverified = dangerous::decode_unverified::<serde_json::Value>(&token);
    if !accepted {
        return;
    }
    let header: serde_json::Value =
        serde_json::from_slice(data).expect("an accepted header is JSON");
    let object = header.as_object().expect("an accepted header is an object");
    assert_eq!(object.get("alg"), Some(&serde_json::json!("HS256")));
    assert!(!object.contains_key("crit"), "accepted a crit header");
    assert!(!object.contains_key("b64"), "accepted a b64 header");
    let typ = object
        .get("typ")
        .and_then(serde_json::Value::as_str)
        .expect("an accepted access token has a typ")
        .to_ascii_lowercase();
    assert!(
        typ == "at+jwt" || typ == "application/at+jwt",
        "accepted typ {typ:?} as an access token"
    );
    // A token too long for decode_unverified's fixed cap is the only verified one it refuses.
    if let Ok(seen) = unverified {
        assert_eq!(seen.header.algorithm, "HS256");
        assert_eq!(
            seen.header.typ.as_deref(),
            object.get("typ").and_then(serde_json::Value::as_str)
        );
        assert_eq!(
            seen.header.kid.as_deref(),
            object.get("kid").and_then(serde_json::Value::as_str)
        );
    } else {
        assert!(token.len() > TokenVerifier::DEFAULT_MAX_TOKEN_BYTES);
    }
}

/// Arbitrary bytes as a remote key set's response, body and `Cache-Control` split at the first
/// 0xff byte: never a panic; a refresh either fails and leaves no set, or holds one that expires
/// between the minimum and maximum cache ages (5 minutes ..= 1 day by default).
pub fn remote_jwks(data: &[u8]) {
    let split = data.iter().position(|&b| b == 0xff).unwrap_or(data.len());
    let (body, rest) = data.split_at(split);
    let Ok(body) = std::str::from_utf8(body) else {
        return;
    };
    let mut response = JwksResponse::new(body);
    if let Some(cache_control) = rest.get(1..) {
        let Ok(cache_control) = std::str::from_utf8(cache_control) else {
            return;
        };
        response = response.with_cache_control(cache_control);
    }
    let remote = RemoteKeySet::new(TokenVerifier::new).with_clock(FixedClock::at_unix_seconds(NOW));
    if remote.refresh_blocking(|| Ok(response)).is_ok() {
        assert!(
            remote.verifier().is_some(),
            "a refresh succeeded without a set"
        );
        let expires = remote.expires_at().expect("a held set expires").timestamp();
        assert!(
            (NOW + 300..=NOW + 86_400).contains(&expires),
            "cached for {} s",
            expires - NOW
        );
        assert!(remote.last_refresh_error().is_none());
    } else {
        assert!(
            remote.verifier().is_none(),
            "a failed first refresh left a set"
        );
        assert!(remote.last_refresh_error().is_some());
    }
}

/// The issuer and audience both verifiers of the differential check require.
pub const DIFFERENTIAL_ISSUER: &str = "https://issuer.example";
/// See [`DIFFERENTIAL_ISSUER`].
pub const DIFFERENTIAL_AUDIENCE: &str = "api";

/// One key of the differential check, as both libraries hold it.
pub struct DifferentialKey {
    /// keyward's verifier: the key, `iss`, `aud`, no leeway, the default rules otherwise.
    pub keyward: TokenVerifier,
    /// jsonwebtoken's key and the closest policy it has: the algorithm pinned, `iss`, `aud`,
    /// `exp` and `sub` required, `nbf` checked, no leeway. It does not read `typ` or `iat`.
    pub oracle: (jsonwebtoken::DecodingKey, jsonwebtoken::Validation),
    /// A token both accept until 2100, signed by jsonwebtoken with the matching private key.
    pub valid: String,
}

/// The keys of the differential check, one per algorithm family keyward and jsonwebtoken share
/// (the PEM files of `tests/keys/`; HS256 with `SECRET`), built once.
pub fn differential_keys() -> &'static [DifferentialKey] {
    static KEYS: std::sync::OnceLock<Vec<DifferentialKey>> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| {
        use jsonwebtoken::{Algorithm as Alg, DecodingKey, EncodingKey};
        // With both of jsonwebtoken's providers compiled (keyward's dev-dependency) one must
        // be chosen; RustCrypto's is independent of keyward's default aws-lc-rs backend.
        let _ = jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER.install_default();
        let keys: [(Alg, &str, &str); 4] = [
            (Alg::HS256, "", ""),
            (
                Alg::ES256,
                include_str!("../tests/keys/p256-1-private.pem"),
                include_str!("../tests/keys/p256-1-public.pem"),
            ),
            (
                Alg::RS256,
                include_str!("../tests/keys/rsa2048-private.pem"),
                include_str!("../tests/keys/rsa2048-public.pem"),
            ),
            (
                Alg::EdDSA,
                include_str!("../tests/keys/ed25519-private.pem"),
                include_str!("../tests/keys/ed25519-public.pem"),
            ),
        ];
        let claims = serde_json::json!({
            "sub": "alice", "iss": DIFFERENTIAL_ISSUER, "aud": DIFFERENTIAL_AUDIENCE,
            "iat": 1_767_225_600, "nbf": 1_767_225_600, "exp": 4_102_444_800_i64,
        });
        keys.into_iter()
            .map(|(alg, private, public)| {
                let (keyward_key, encoding, decoding) = match alg {
                    Alg::HS256 => (
                        VerifyingKey::hs256(SECRET).unwrap(),
                        EncodingKey::from_secret(&SECRET).expect("an HMAC key"),
                        DecodingKey::from_secret(&SECRET).expect("an HMAC key"),
                    ),
                    Alg::ES256 => (
                        VerifyingKey::from_pem_as(public, Algorithm::ES256).unwrap(),
                        EncodingKey::from_ec_pem(private.as_bytes()).unwrap(),
                        DecodingKey::from_ec_pem(public.as_bytes()).unwrap(),
                    ),
                    Alg::RS256 => (
                        VerifyingKey::from_pem_as(public, Algorithm::RS256).unwrap(),
                        EncodingKey::from_rsa_pem(private.as_bytes()).unwrap(),
                        DecodingKey::from_rsa_pem(public.as_bytes()).unwrap(),
                    ),
                    _ => (
                        VerifyingKey::from_pem_as(public, Algorithm::EdDSA).unwrap(),
                        EncodingKey::from_ed_pem(private.as_bytes()).unwrap(),
                        DecodingKey::from_ed_pem(public.as_bytes()).unwrap(),
                    ),
                };
                let mut validation = jsonwebtoken::Validation::new(alg);
                validation.leeway = 0;
                validation.validate_nbf = true;
                validation.set_issuer(&[DIFFERENTIAL_ISSUER]);
                validation.set_audience(&[DIFFERENTIAL_AUDIENCE]);
                validation.set_required_spec_claims(&["exp", "sub", "iss", "aud"]);
                let mut header = jsonwebtoken::Header::new(alg);
                header.typ = Some("at+jwt".to_owned());
                let valid = jsonwebtoken::encode(&header, &claims, &encoding).unwrap();
                DifferentialKey {
                    keyward: TokenVerifier::new(keyward_key)
                        .with_issuer(DIFFERENTIAL_ISSUER)
                        .with_audience(DIFFERENTIAL_AUDIENCE)
                        .with_leeway(Leeway::from_secs(0).unwrap()),
                    oracle: (decoding, validation),
                    valid,
                }
            })
            .collect()
    })
}

impl DifferentialKey {
    /// Whether keyward accepts `token` as an access token.
    pub fn keyward_accepts(&self, token: &str) -> bool {
        self.keyward.verify::<serde_json::Value>(token).is_ok()
    }

    /// Whether jsonwebtoken accepts `token`.
    pub fn oracle_accepts(&self, token: &str) -> bool {
        let (key, validation) = &self.oracle;
        jsonwebtoken::decode::<serde_json::Value>(token, key, validation).is_ok()
    }
}

/// Header members keyward ignores (RFC 7515 §4.1: it acts only on `alg`, `typ`, `kid` and
/// `crit`) that jsonwebtoken decodes into typed fields, refusing a token where one has another
/// JSON type. A documented difference, not a looser rule: keyward never reads them.
const TYPED_ONLY_BY_JSONWEBTOKEN: [&str; 7] =
    ["cty", "jku", "jwk", "x5u", "x5c", "x5t", "x5t#S256"];

/// Whether `token`'s header carries a member of [`TYPED_ONLY_BY_JSONWEBTOKEN`].
fn has_member_only_jsonwebtoken_types(token: &str) -> bool {
    let Some(header) = token.split('.').next() else {
        return false;
    };
    let Ok(bytes) = URL_SAFE_NO_PAD.decode(header) else {
        return false;
    };
    let Ok(serde_json::Value::Object(members)) = serde_json::from_slice(&bytes) else {
        return false;
    };
    TYPED_ONLY_BY_JSONWEBTOKEN
        .iter()
        .any(|name| members.contains_key(*name))
}

/// Any token jsonwebtoken refuses under the same key and policy, keyward refuses too.
///
/// The first byte picks the mode (its low two bits) and the key (`differential_keys`, the
/// rest):
/// - 0: the rest is the token;
/// - 1 or 3: the rest is a list of (offset, xor) byte pairs applied to a valid token of that
///   key, so the fuzzer explores near-valid tokens;
/// - 2: the rest is a header and claims, split at the first 0xff byte, signed with the HS256
///   secret: arbitrary content under a signature that checks, so every header and claims rule
///   of both libraries is compared.
pub fn differential(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let keys = differential_keys();
    let mode = selector & 3;
    let key = if mode == 2 {
        &keys[0]
    } else {
        &keys[usize::from(selector >> 2) % keys.len()]
    };
    let token = match mode {
        0 => rest.to_vec(),
        2 => {
            let split = rest.iter().position(|&b| b == 0xff).unwrap_or(rest.len());
            let (header, claims) = rest.split_at(split);
            let claims = claims.get(1..).unwrap_or_default();
            let input = format!(
                "{}.{}",
                URL_SAFE_NO_PAD.encode(header),
                URL_SAFE_NO_PAD.encode(claims)
            );
            let mut mac = Hmac::<Sha256>::new_from_slice(&SECRET).unwrap();
            mac.update(input.as_bytes());
            format!(
                "{input}.{}",
                URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
            )
            .into_bytes()
        }
        _ => {
            let mut token = key.valid.as_bytes().to_vec();
            for pair in rest.chunks_exact(2) {
                let offset = usize::from(pair[0]) * token.len() / 256;
                token[offset] ^= pair[1];
            }
            token
        }
    };
    let Ok(token) = std::str::from_utf8(&token) else {
        return;
    };
    // jsonwebtoken reads the system clock: ask it first, so that keyward, asked later, sees a
    // time no earlier, and ask it again on a disagreement in case a second ticked over `nbf`.
    if key.oracle_accepts(token) || !key.keyward_accepts(token) {
        return;
    }
    if has_member_only_jsonwebtoken_types(token) {
        return;
    }
    assert!(
        key.oracle_accepts(token),
        "keyward accepted a token jsonwebtoken refuses: {token}"
    );
}
