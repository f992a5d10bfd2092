//! Tokens from other issuers: identity-provider access tokens and python-jose's tutorial tokens
//! verify under a narrow, named policy, and keyward's strict defaults refuse them with an error
//! that says what was found.
//!
//! The provider tokens are made here with each provider's header and claims, as recorded in
//! `tests/fixtures/providers/<name>/manifest.json` (shapes cited in `SOURCES.md` there), signed
//! with the fixture's generated key by the crypto backend under keyward, so the test controls
//! every header member a provider sends.

use std::path::PathBuf;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use keyward::token::{
    Algorithm, Claim, FixedClock, KeySet, SigningKey, TokenError, TokenIssuer, TokenKind,
    TokenVerifier,
};
use serde_json::Value;

const NOW: i64 = 1_800_000_000;

fn fixture(provider: &str, file: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(format!("tests/fixtures/providers/{provider}/{file}"));
    std::fs::read_to_string(path).unwrap()
}

fn manifest(provider: &str) -> Value {
    serde_json::from_str(&fixture(provider, "manifest.json")).unwrap()
}

/// The provider's access token as it would send it: its header and claims, valid at `NOW`.
fn provider_token(provider: &str) -> String {
    let manifest = manifest(provider);
    let mut claims = manifest["claims"].clone();
    for (name, value) in [("iat", NOW - 60), ("exp", NOW + 3600), ("nbf", NOW - 60)] {
        if claims.get(name).is_some() {
            claims[name] = value.into();
        }
    }
    if claims.get("auth_time").is_some() {
        claims["auth_time"] = (NOW - 60).into();
    }
    sign_rs256(
        &fixture(provider, "signing-key.pem"),
        &manifest["header"].to_string(),
        &claims.to_string(),
    )
}

/// An RS256 compact JWS over exactly this header and payload text, signed by the crypto
/// backend keyward itself uses (as `src/token/backend.rs` picks it).
fn sign_rs256(private_pem: &str, header: &str, payload: &str) -> String {
    #[cfg(feature = "aws-lc-rs")]
    let provider = &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER;
    #[cfg(all(feature = "rust-crypto", not(feature = "aws-lc-rs")))]
    let provider = &jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER;

    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(private_pem.as_bytes()).unwrap();
    let signer = (provider.signer_factory)(&jsonwebtoken::Algorithm::RS256, &key).unwrap();
    let signature = signer.try_sign(input.as_bytes()).unwrap();
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

fn keys(provider: &str) -> KeySet {
    let document = fixture(provider, "jwks.json");
    if manifest(provider)["rsa_keys_without_alg"] == true {
        KeySet::from_jwks_assuming(&document, Algorithm::RS256).unwrap()
    } else {
        KeySet::from_jwks(&document).unwrap()
    }
}

fn clock() -> FixedClock {
    FixedClock::at_unix_seconds(NOW)
}

/// The policy the README shows for each provider: its issuer, the API's audience, and the
/// token types it sends. Each relaxation of keyward's defaults is a named method.
fn policy_for(provider: &str) -> TokenVerifier {
    let manifest = manifest(provider);
    let issuer = manifest["issuer"].as_str().unwrap();
    let audience = manifest["audience"].as_str().unwrap();
    let verifier = TokenVerifier::new(keys(provider))
        .with_clock(clock())
        .with_issuer(issuer);
    match provider {
        // Cognito access tokens have no `typ` and no `aud`: the app client is `client_id`, and
        // `token_use` tells an access token from an ID token signed by the same key.
        "cognito" => verifier
            .with_untyped_access_tokens(true)
            .with_required_claims([("token_use", "access"), ("client_id", audience)]),
        // Keycloak, Auth0, Entra ID and Google send `typ: JWT`; the audience names the API.
        _ => verifier
            .with_audience(audience)
            .with_access_token_types(["at+jwt", "JWT"]),
    }
}

#[test]
fn each_provider_token_verifies_under_its_policy() {
    for provider in ["keycloak", "auth0", "entra", "google", "cognito"] {
        let token = provider_token(provider);
        let claims = policy_for(provider)
            .verify::<Value>(&token)
            .unwrap_or_else(|error| panic!("{provider}: {error}"));
        assert_eq!(
            claims.subject,
            manifest(provider)["claims"]["sub"].as_str().unwrap(),
            "{provider}"
        );
    }
}

/// keyward's own defaults stay strict: a provider token is refused, and the error names the
/// `typ` it found.
#[test]
fn the_default_policy_refuses_provider_tokens_naming_the_typ() {
    for (provider, found) in [
        ("keycloak", Some("JWT")),
        ("auth0", Some("JWT")),
        ("entra", Some("JWT")),
        ("google", Some("JWT")),
        ("cognito", None),
    ] {
        let verifier = TokenVerifier::new(keys(provider)).with_clock(clock());
        assert_eq!(
            verifier
                .verify::<()>(&provider_token(provider))
                .unwrap_err(),
            TokenError::WrongTokenType {
                expected: TokenKind::Access,
                found: found.map(str::to_owned)
            },
            "{provider}"
        );
    }
}

/// With the type check relaxed, the audience (or a required claim) is what keeps another kind
/// of token out: a Keycloak-style refresh token (`typ: JWT` header, `aud` = the realm) and an
/// ID token (`aud` = the client) are refused.
#[test]
fn relaxed_typing_still_separates_tokens_by_audience_or_required_claim() {
    let manifest = manifest("keycloak");
    let issuer = manifest["issuer"].as_str().unwrap();
    let mut refresh = manifest["claims"].clone();
    refresh["iat"] = (NOW - 60).into();
    refresh["exp"] = (NOW + 3600).into();
    refresh["aud"] = issuer.into();
    refresh["typ"] = "Refresh".into();
    let token = sign_rs256(
        &fixture("keycloak", "signing-key.pem"),
        &manifest["header"].to_string(),
        &refresh.to_string(),
    );
    assert!(matches!(
        policy_for("keycloak").verify::<()>(&token).unwrap_err(),
        TokenError::InvalidAudience { .. }
    ));

    let cognito = self::manifest("cognito");
    let mut id_token = cognito["claims"].clone();
    id_token["iat"] = (NOW - 60).into();
    id_token["exp"] = (NOW + 3600).into();
    id_token["token_use"] = "id".into();
    let token = sign_rs256(
        &fixture("cognito", "signing-key.pem"),
        &cognito["header"].to_string(),
        &id_token.to_string(),
    );
    assert_eq!(
        policy_for("cognito").verify::<()>(&token).unwrap_err(),
        TokenError::ClaimMismatch {
            name: "token_use".into(),
            found: Some("id".into())
        }
    );
}

/// No relaxation reaches the algorithm: the key still fixes it, so an `HS256` token made with
/// the provider's public key as secret (the classic confusion) or an `alg: none` token is
/// refused under the most lenient provider policy.
#[test]
fn relaxed_policies_never_reopen_algorithm_confusion() {
    let manifest = manifest("google");
    let mut claims = manifest["claims"].clone();
    claims["iat"] = (NOW - 60).into();
    claims["exp"] = (NOW + 3600).into();
    let kid = manifest["kid"].as_str().unwrap();
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    let none = format!(
        "{}.{payload}.",
        URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"none","typ":"JWT","kid":"{kid}"}}"#))
    );
    let verifier = policy_for("google")
        .with_untyped_access_tokens(true)
        .with_optional_iat(true);
    assert!(matches!(
        verifier.verify::<()>(&none).unwrap_err(),
        TokenError::UnsupportedAlgorithm { found } if found.eq_ignore_ascii_case("none")
    ));
    let hs256 = TokenIssuer::new(
        SigningKey::hs256(fixture("google", "jwks.json").into_bytes())
            .unwrap()
            .with_key_id(kid),
    )
    .issue("x", &())
    .unwrap();
    assert_eq!(
        verifier.verify::<()>(&hs256).unwrap_err(),
        TokenError::WrongAlgorithm {
            expected: Algorithm::RS256,
            found: Algorithm::HS256
        }
    );
}

/// A token without `iat` (python-jose's tutorial writes only `sub` and `exp`) is refused unless
/// the verifier says `iat` is optional; then `Claims::issued_at` is `None`, and an `iat` that is
/// present is still checked.
#[test]
fn iat_is_optional_only_when_asked_and_still_checked_when_present() {
    let issuer = TokenIssuer::new(SigningKey::hs256([5u8; 32]).unwrap());
    let key = issuer.verifying_key();
    let without_iat = sign_hs256(
        &[5u8; 32],
        r#"{"alg":"HS256","typ":"JWT"}"#,
        &format!(r#"{{"sub":"johndoe","exp":{}}}"#, NOW + 900),
    );
    let strict = TokenVerifier::new(key.clone())
        .with_clock(clock())
        .with_access_token_types(["JWT"]);
    assert_eq!(
        strict.verify::<()>(&without_iat).unwrap_err(),
        TokenError::MissingClaim(Claim::IssuedAt)
    );
    let lenient = strict.with_optional_iat(true);
    assert_eq!(lenient.verify::<()>(&without_iat).unwrap().issued_at, None);
    let future_iat = sign_hs256(
        &[5u8; 32],
        r#"{"alg":"HS256","typ":"JWT"}"#,
        &format!(
            r#"{{"sub":"johndoe","iat":{},"exp":{}}}"#,
            NOW + 600,
            NOW + 900
        ),
    );
    assert!(matches!(
        lenient.verify::<()>(&future_iat).unwrap_err(),
        TokenError::NotYetValid { .. }
    ));
}

/// However the access types are widened, a `refresh+jwt` token is never an access token, and
/// `verify_refresh` keeps requiring `refresh+jwt`.
#[test]
fn refresh_tokens_are_never_access_tokens_whatever_the_type_list() {
    let issuer = TokenIssuer::new(SigningKey::hs256([5u8; 32]).unwrap());
    let refresh = issuer.issue_refresh("alice", &()).unwrap();
    let verifier = issuer
        .verifier()
        .with_access_token_types(["at+jwt", "JWT", "refresh+jwt"])
        .with_untyped_access_tokens(true);
    assert_eq!(
        verifier.verify::<()>(&refresh).unwrap_err(),
        TokenError::WrongTokenType {
            expected: TokenKind::Access,
            found: Some("refresh+jwt".into())
        }
    );
    let untyped = sign_hs256(
        &[5u8; 32],
        r#"{"alg":"HS256"}"#,
        &format!(r#"{{"sub":"alice","iat":{NOW},"exp":{}}}"#, NOW + 60),
    );
    assert_eq!(
        verifier
            .with_clock(clock())
            .verify_refresh::<()>(&untyped)
            .unwrap_err(),
        TokenError::WrongTokenType {
            expected: TokenKind::Refresh,
            found: None
        }
    );
}

/// Refresh tokens carry their own audience, never the API's, so a verifier elsewhere that checks
/// `aud` but ignores `typ` (PyJWT, `jose`) refuses them (RFC 9068 §4; the sessions issue).
#[test]
fn refresh_tokens_carry_an_audience_no_api_accepts() {
    let issuer = TokenIssuer::new(SigningKey::hs256([5u8; 32]).unwrap())
        .with_issuer("https://auth.example.com")
        .with_audience("orders-api");
    let refresh = issuer.issue_refresh("alice", &()).unwrap();
    let payload: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(refresh.split('.').nth(1).unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(payload["aud"], TokenVerifier::DEFAULT_REFRESH_AUDIENCE);
    // A typ-blind resource server, configured with the API's audience: refused by `aud`.
    let typ_blind = issuer
        .verifier()
        .with_access_token_types(["at+jwt", "JWT"])
        .with_untyped_access_tokens(true);
    let blind_to_refresh_typ = sign_hs256(
        &[5u8; 32],
        r#"{"alg":"HS256","typ":"JWT"}"#,
        &payload.to_string(),
    );
    assert!(matches!(
        typ_blind.verify::<()>(&blind_to_refresh_typ).unwrap_err(),
        TokenError::InvalidAudience { .. }
    ));
    issuer.verify_refresh::<()>(&refresh).unwrap();

    let custom = issuer.with_refresh_audience("https://auth.example.com/token");
    let refresh = custom.issue_refresh("alice", &()).unwrap();
    let claims = custom.verify_refresh::<()>(&refresh).unwrap();
    assert!(
        claims
            .audience
            .unwrap()
            .contains("https://auth.example.com/token")
    );
}

/// Several issuers can be accepted, and `Debug` shows every relaxation in force.
#[test]
fn the_policy_is_visible_in_debug() {
    let verifier = policy_for("cognito")
        .try_with_issuers(["https://a.example", "https://b.example"])
        .unwrap();
    let shown = format!("{verifier:?}");
    for part in [
        r#"issuers: ["https://a.example", "https://b.example"]"#,
        "untyped_access_tokens: true",
        "optional_iat: false",
        r#"required_claims: [("token_use", "access")"#,
        r#"access_token_types: ["at+jwt"]"#,
    ] {
        assert!(shown.contains(part), "{part} not in {shown}");
    }
}

fn sign_hs256(secret: &[u8], header: &str, payload: &str) -> String {
    use hmac::{Hmac, KeyInit as _, Mac as _};
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret).unwrap();
    mac.update(input.as_bytes());
    format!(
        "{input}.{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    )
}
