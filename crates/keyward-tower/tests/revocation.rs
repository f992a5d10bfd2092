//! What a store says after the signature: `BearerAuth::with_revocation_check`, through the
//! layer and through the extractor alone; and `KeySource::per_token`, one route for two kinds
//! of token.

mod common;

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::routing::get;
use common::{bearer, get as request, send, token};
use http::StatusCode;
use keyward::SecretKey;
use keyward::token::{SigningKey, TokenError, TokenIssuer, TokenVerifier, VerifyingKey, dangerous};
use keyward_tower::{BearerAuth, BearerClaims, KeySource, Refusal};

/// Subjects whose sessions ended, and how many times the check ran.
#[derive(Clone, Default)]
struct Ended {
    subjects: Arc<Mutex<HashSet<String>>>,
    checks: Arc<AtomicUsize>,
    store_down: Arc<Mutex<bool>>,
}

fn auth(ended: &Ended) -> BearerAuth {
    let ended = ended.clone();
    BearerAuth::new(common::issuer().verifier().with_issuer(common::ISSUER)).with_revocation_check(
        move |_token, claims| {
            ended.checks.fetch_add(1, Ordering::SeqCst);
            let outcome = if *ended.store_down.lock().unwrap() {
                Err(Refusal::KeysUnavailable)
            } else if ended.subjects.lock().unwrap().contains(&claims.subject) {
                Err(Refusal::InvalidToken(TokenError::Revoked))
            } else {
                Ok(())
            };
            async move { outcome }
        },
    )
}

async fn me(BearerClaims(claims): BearerClaims) -> String {
    claims.subject
}

#[tokio::test]
async fn the_layer_refuses_a_revoked_token_as_invalid_token_and_the_handler_never_runs() {
    let ended = Ended::default();
    let reached = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&reached);
    let auth = auth(&ended);
    let app = Router::new()
        .route(
            "/",
            get(move || {
                counted.fetch_add(1, Ordering::SeqCst);
                async { "protected" }
            }),
        )
        .route_layer(auth);
    let alice = bearer(&token("alice"));
    assert_eq!(
        send(&app, request("/", &[&alice])).await.status,
        StatusCode::OK
    );

    ended.subjects.lock().unwrap().insert("alice".into());
    let answer = send(&app, request("/", &[&alice])).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        answer.challenge.as_deref(),
        Some(r#"Bearer error="invalid_token", error_description="The access token was revoked""#)
    );
    assert_eq!(reached.load(Ordering::SeqCst), 1);
    // Another subject is unaffected.
    let bob = bearer(&token("bob"));
    assert_eq!(
        send(&app, request("/", &[&bob])).await.status,
        StatusCode::OK
    );
    assert_eq!(ended.checks.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn the_check_runs_only_for_tokens_that_verified() {
    let ended = Ended::default();
    let app = Router::new()
        .route("/", get(|| async { "protected" }))
        .route_layer(auth(&ended));
    let forged = TokenIssuer::new(SigningKey::hs256([9u8; 32]).unwrap())
        .with_issuer(common::ISSUER)
        .issue("alice", &())
        .unwrap();
    for values in [&[][..], &[&b"Bearer"[..]], &[bearer(&forged).as_slice()]] {
        assert_ne!(
            send(&app, request("/", values)).await.status,
            StatusCode::OK
        );
    }
    assert_eq!(ended.checks.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_store_that_cannot_answer_is_503_not_a_challenge() {
    let ended = Ended::default();
    *ended.store_down.lock().unwrap() = true;
    let app = Router::new()
        .route("/", get(|| async { "protected" }))
        .route_layer(auth(&ended));
    let answer = send(&app, request("/", &[&bearer(&token("alice"))])).await;
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(answer.challenge, None);
    assert_eq!(answer.headers["retry-after"], "30");
}

#[tokio::test]
async fn the_extractor_without_the_layer_runs_the_check_too() {
    let ended = Ended::default();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let auth = auth(&ended)
        .with_refusal_hook(move |refusal| log.lock().unwrap().push(refusal.to_string()));
    let app: Router = Router::new().route("/", get(me)).with_state(auth);
    let alice = bearer(&token("alice"));
    let answer = send(&app, request("/", &[&alice])).await;
    assert_eq!(
        (answer.status, answer.body.as_str()),
        (StatusCode::OK, "alice")
    );
    ended.subjects.lock().unwrap().insert("alice".into());
    assert_eq!(
        send(&app, request("/", &[&alice])).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        *seen.lock().unwrap(),
        ["invalid token: token has been revoked"]
    );
}

#[tokio::test]
async fn the_check_sees_the_token_as_presented() {
    let presented = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&presented);
    let auth: BearerAuth = BearerAuth::new(common::issuer().verifier().with_issuer(common::ISSUER))
        .with_revocation_check(move |token, _claims| {
            record.lock().unwrap().push(token.to_owned());
            async { Ok(()) }
        });
    let app = Router::new()
        .route("/", get(|| async { "protected" }))
        .route_layer(auth);
    let alice = token("alice");
    let answer = send(
        &app,
        request("/", &[format!("bearer   {alice}").as_bytes()]),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(*presented.lock().unwrap(), [alice]);
}

/// Made by python-jose 3.5 as the FastAPI tutorial does (`jwt.encode({"sub": "johndoe",
/// "exp": 4102444800}, SECRET_KEY, algorithm="HS256")`, the FastAPI docs' example
/// `SECRET_KEY`); the demo's `tests/server.rs` uses the same token.
const TUTORIAL_TOKEN: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.\
    eyJzdWIiOiJqb2huZG9lIiwiZXhwIjo0MTAyNDQ0ODAwfQ.4sh0Q1TUl-n_pM9DffzrC-WTE2hGuun7_RrAC6Ce1Rg";
const TUTORIAL_SECRET: &str = "09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7";

/// A migration window: the replaced service's tokens (`typ: JWT`, its own key) beside this
/// service's (`typ: at+jwt`) on one route; each verifier refuses the other's tokens.
#[tokio::test]
async fn per_token_picks_the_verifier_for_each_token() {
    let current = common::issuer().verifier().with_issuer(common::ISSUER);
    let legacy =
        TokenVerifier::new(VerifyingKey::hs256(SecretKey::from_text(TUTORIAL_SECRET)).unwrap())
            .with_access_token_types(["JWT"])
            .with_optional_iat(true);
    assert!(current.verify::<()>(TUTORIAL_TOKEN).is_err());
    assert!(legacy.verify::<()>(&token("alice")).is_err());
    let source = KeySource::per_token(move |token| {
        let typ = dangerous::decode_unverified::<serde::de::IgnoredAny>(token)
            .ok()
            .and_then(|seen| seen.header.typ);
        if typ.as_deref() == Some("JWT") {
            legacy.clone()
        } else {
            current.clone()
        }
    });
    let app: Router = Router::new()
        .route("/", get(me))
        .with_state(BearerAuth::<()>::new(source));
    for (token, subject) in [
        (token("alice"), "alice"),
        (TUTORIAL_TOKEN.to_owned(), "johndoe"),
    ] {
        let answer = send(&app, request("/", &[&bearer(&token)])).await;
        assert_eq!(
            (answer.status, answer.body.as_str()),
            (StatusCode::OK, subject)
        );
    }
}
