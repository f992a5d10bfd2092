//! Several issuers, each with its own keys and policy, picked by the token's `iss`; and a
//! remote key set fetched asynchronously.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::routing::get;
use common::{bearer, get as request, send};
use http::StatusCode;
use keyward::token::{
    FetchError, JwksResponse, RemoteKeySet, SigningKey, TokenIssuer, TokenVerifier,
};
use keyward_tower::{BearerAuth, Issuers, KeySource};

const STAFF: &str = "https://staff.example.com";
const PARTNERS: &str = "https://partners.example.com";

fn staff() -> TokenIssuer {
    TokenIssuer::new(SigningKey::hs256([1u8; 32]).unwrap()).with_issuer(STAFF)
}

fn partners() -> TokenIssuer {
    TokenIssuer::new(
        SigningKey::from_pem(std::fs::read("../../tests/keys/ed25519-private.pem").unwrap())
            .unwrap()
            .with_key_id("p1"),
    )
    .with_issuer(PARTNERS)
}

fn app(auth: BearerAuth) -> Router {
    Router::new()
        .route("/", get(|| async { "ok" }))
        .route_layer(auth)
}

fn two_issuers() -> BearerAuth {
    BearerAuth::by_issuer(
        Issuers::new()
            .with_issuer(STAFF, staff().verifier().with_issuer(STAFF))
            .with_issuer(
                PARTNERS,
                partners()
                    .verifier()
                    .with_issuer(PARTNERS)
                    .with_audience("orders"),
            ),
    )
}

#[tokio::test]
async fn each_issuer_s_tokens_pass_with_its_own_policy() {
    let app = app(two_issuers());
    let staff_token = staff().issue("alice", &()).unwrap();
    assert_eq!(
        send(&app, request("/", &[&bearer(&staff_token)]))
            .await
            .status,
        StatusCode::OK
    );
    let partner_token = partners()
        .with_audience("orders")
        .issue("bob", &())
        .unwrap();
    assert_eq!(
        send(&app, request("/", &[&bearer(&partner_token)]))
            .await
            .status,
        StatusCode::OK
    );
    // The partners' policy wants an audience; the staff's does not.
    let no_audience = partners().issue("bob", &()).unwrap();
    assert_eq!(
        send(&app, request("/", &[&bearer(&no_audience)]))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

// A token that names one issuer but is signed by another's key: picked by `iss`, refused by
// the picked verifier's keys.
#[tokio::test]
async fn a_token_is_never_checked_with_another_issuer_s_keys() {
    let app = app(two_issuers());
    let forged = TokenIssuer::new(SigningKey::hs256([1u8; 32]).unwrap())
        .with_issuer(PARTNERS)
        .issue("eve", &())
        .unwrap();
    let answer = send(&app, request("/", &[&bearer(&forged)])).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    for token in [
        TokenIssuer::new(SigningKey::hs256([1u8; 32]).unwrap())
            .issue("eve", &())
            .unwrap(),
        TokenIssuer::new(SigningKey::hs256([1u8; 32]).unwrap())
            .with_issuer("https://STAFF.example.com")
            .issue("eve", &())
            .unwrap(),
    ] {
        let answer = send(&app, request("/", &[&bearer(&token)])).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        assert!(answer.challenge.unwrap().contains("not for this service"));
    }
}

#[tokio::test]
async fn a_remote_key_set_is_fetched_once_and_its_outage_is_503() {
    let jwks = partners().verifier().key_set().to_jwks();
    let fetches = Arc::new(AtomicUsize::new(0));
    let keys = Arc::new(RemoteKeySet::new(|keys| {
        TokenVerifier::new(keys).with_issuer(PARTNERS)
    }));
    let counted = Arc::clone(&fetches);
    let source = KeySource::remote(Arc::clone(&keys), move || {
        let (jwks, counted) = (jwks.clone(), Arc::clone(&counted));
        async move {
            counted.fetch_add(1, Ordering::SeqCst);
            Ok::<_, FetchError>(JwksResponse::new(jwks))
        }
    });
    let app = app(BearerAuth::new(source));
    for _ in 0..5 {
        let token = partners().issue("bob", &()).unwrap();
        assert_eq!(
            send(&app, request("/", &[&bearer(&token)])).await.status,
            StatusCode::OK
        );
    }
    assert_eq!(fetches.load(Ordering::SeqCst), 1);

    let down = Arc::new(RemoteKeySet::new(TokenVerifier::new));
    let app = self::app(BearerAuth::new(KeySource::remote(down, || async {
        Err::<JwksResponse, _>(FetchError::new("connection refused"))
    })));
    let token = partners().issue("bob", &()).unwrap();
    let answer = send(&app, request("/", &[&bearer(&token)])).await;
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(answer.headers["retry-after"], "30");
    assert_eq!(answer.challenge, None);
}

// An issuer whose keys are remote, beside one whose keys are in memory: each token is checked
// by its own, the remote one fetched (awaited) only for its issuer's tokens.
#[tokio::test]
async fn issuers_may_mix_remote_and_local_keys() {
    let jwks = partners().verifier().key_set().to_jwks();
    let fetches = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&fetches);
    let keys = Arc::new(RemoteKeySet::new(|keys| {
        TokenVerifier::new(keys).with_issuer(PARTNERS)
    }));
    let remote = KeySource::remote(keys, move || {
        let (jwks, counted) = (jwks.clone(), Arc::clone(&counted));
        async move {
            counted.fetch_add(1, Ordering::SeqCst);
            Ok::<_, FetchError>(JwksResponse::new(jwks))
        }
    });
    let app = app(BearerAuth::by_issuer(
        Issuers::new()
            .with_issuer(STAFF, staff().verifier().with_issuer(STAFF))
            .with_issuer(PARTNERS, remote),
    ));
    let staff_token = staff().issue("alice", &()).unwrap();
    assert_eq!(
        send(&app, request("/", &[&bearer(&staff_token)]))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(fetches.load(Ordering::SeqCst), 0);
    let partner_token = partners().issue("bob", &()).unwrap();
    assert_eq!(
        send(&app, request("/", &[&bearer(&partner_token)]))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(fetches.load(Ordering::SeqCst), 1);
    let forged = TokenIssuer::new(SigningKey::hs256([1u8; 32]).unwrap())
        .with_issuer(PARTNERS)
        .issue("eve", &())
        .unwrap();
    assert_eq!(
        send(&app, request("/", &[&bearer(&forged)])).await.status,
        StatusCode::UNAUTHORIZED
    );
}

// A rotating key ring: the source answers with whatever verifier is current.
#[tokio::test]
async fn a_current_source_follows_a_rotation() {
    use std::sync::RwLock;
    let (old, new) = (
        staff(),
        TokenIssuer::new(SigningKey::hs256([9u8; 32]).unwrap()).with_issuer(STAFF),
    );
    let ring = Arc::new(RwLock::new(old.verifier()));
    let current = Arc::clone(&ring);
    let app = app(BearerAuth::new(KeySource::current(move || {
        current.read().unwrap().clone()
    })));
    let (old_token, new_token) = (old.issue("a", &()).unwrap(), new.issue("b", &()).unwrap());
    assert_eq!(
        send(&app, request("/", &[&bearer(&old_token)]))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        send(&app, request("/", &[&bearer(&new_token)]))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    *ring.write().unwrap() = new.verifier();
    assert_eq!(
        send(&app, request("/", &[&bearer(&old_token)]))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        send(&app, request("/", &[&bearer(&new_token)]))
            .await
            .status,
        StatusCode::OK
    );
}
