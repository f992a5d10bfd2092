//! DPoP-bound tokens through the layer (RFC 9449 §7): accepted only with a fresh proof of the
//! bound key for this request, every refusal answered with its status and challenge.

mod common;

use axum::Router;
use axum::body::Body;
use axum::routing::{get, post};
use common::{Answer, send};
use http::{Request, StatusCode};
use keyward::token::dpop::{
    DpopNonces, DpopProver, DpopVerifier, Freshness, KeyConfirmation, ProofClaims, ReplayKey,
    ReplayStore, ReplayStoreError,
};
use keyward::token::{FixedClock, KeyPairKind, SigningKey};
use keyward_tower::{BearerAuth, BearerClaims, Refusal};

const PUBLIC: &str = "https://api.example.com";
const ALGS: &str = "ES256 EdDSA PS256 RS256";

fn prover() -> DpopProver {
    DpopProver::new(SigningKey::generate(KeyPairKind::P256).unwrap()).unwrap()
}

/// An access token bound to `client`'s key.
fn bound_token(client: &DpopProver) -> String {
    common::issuer()
        .issue("alice", &KeyConfirmation::new(client.thumbprint()))
        .unwrap()
}

fn auth_with(verifier: DpopVerifier) -> BearerAuth {
    BearerAuth::new(common::issuer().verifier().with_issuer(common::ISSUER))
        .try_with_dpop(verifier, PUBLIC)
        .unwrap()
}

fn app(auth: BearerAuth) -> Router {
    Router::new()
        .route(
            "/orders",
            get(|BearerClaims(claims): BearerClaims| async move { claims.subject }),
        )
        .route("/orders", post(|| async { "posted" }))
        .route_layer(auth.clone())
        .with_state(auth)
}

fn request(method: &str, path: &str, authorization: &str, proofs: &[&str]) -> Request<Body> {
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        // What a client may claim; the layer compares `htu` with the public URL only.
        .header(http::header::HOST, "evil.example.net")
        .header(http::header::AUTHORIZATION, authorization);
    for proof in proofs {
        request = request.header("DPoP", *proof);
    }
    request.body(Body::empty()).unwrap()
}

fn proof_for(client: &DpopProver, method: &str, path: &str, token: &str) -> String {
    client
        .proof_for(&ProofClaims::new(method, &format!("{PUBLIC}{path}")).with_access_token(token))
        .unwrap()
}

fn challenges(answer: &Answer) -> Vec<String> {
    answer
        .headers
        .get_all(http::header::WWW_AUTHENTICATE)
        .iter()
        .map(|value| value.to_str().unwrap().to_owned())
        .collect()
}

fn dpop_refusal(error: &str, description: &str) -> Vec<String> {
    vec![
        "Bearer".to_owned(),
        format!(r#"DPoP error="{error}", error_description="{description}", algs="{ALGS}""#),
    ]
}

async fn refused_proof(app: &Router, request: Request<Body>, description: &str) {
    let answer = send(app, request).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{}", answer.body);
    assert_eq!(
        challenges(&answer),
        dpop_refusal("invalid_dpop_proof", description)
    );
}

#[tokio::test]
async fn a_bound_token_with_a_fresh_proof_of_its_key_is_accepted() {
    let client = prover();
    let token = bound_token(&client);
    let app = app(auth_with(DpopVerifier::new()));
    let proof = proof_for(&client, "GET", "/orders", &token);
    let answer = send(
        &app,
        request("GET", "/orders?page=2", &format!("DPoP {token}"), &[&proof]),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body, "alice");
}

#[tokio::test]
async fn the_extractor_alone_checks_the_proof_too() {
    let client = prover();
    let token = bound_token(&client);
    let auth = auth_with(DpopVerifier::new());
    let app: Router = Router::new()
        .route(
            "/orders",
            get(|BearerClaims(claims): BearerClaims| async move { claims.subject }),
        )
        .with_state(auth);
    let proof = proof_for(&client, "GET", "/orders", &token);
    let answer = send(
        &app,
        request("GET", "/orders", &format!("DPoP {token}"), &[&proof]),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    let answer = send(
        &app,
        request("GET", "/orders", &format!("DPoP {token}"), &[]),
    )
    .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
}

// RFC 9449 §7.2: a bound token presented as a bearer token is refused.
#[tokio::test]
async fn a_bound_token_sent_as_bearer_is_refused() {
    let client = prover();
    let token = bound_token(&client);
    let app = app(auth_with(DpopVerifier::new()));
    let proof = proof_for(&client, "GET", "/orders", &token);
    let answer = send(
        &app,
        request("GET", "/orders", &format!("Bearer {token}"), &[&proof]),
    )
    .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        challenges(&answer),
        dpop_refusal(
            "invalid_token",
            "The access token is bound to a key: send it with the DPoP scheme and a proof"
        )
    );
}

#[tokio::test]
async fn unbound_bearer_tokens_still_work_and_no_credentials_get_both_challenges() {
    let app = app(auth_with(DpopVerifier::new()));
    let token = common::token("bob");
    let answer = send(
        &app,
        request("GET", "/orders", &format!("Bearer {token}"), &[]),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body, "bob");

    let bare = Request::get("/orders").body(Body::empty()).unwrap();
    let answer = send(&app, bare).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        challenges(&answer),
        ["Bearer".to_owned(), format!(r#"DPoP algs="{ALGS}""#)]
    );
}

#[tokio::test]
async fn an_unbound_token_sent_as_dpop_is_refused() {
    let client = prover();
    let token = common::token("bob");
    let proof = proof_for(&client, "GET", "/orders", &token);
    let answer = send(
        &app(auth_with(DpopVerifier::new())),
        request("GET", "/orders", &format!("DPoP {token}"), &[&proof]),
    )
    .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        challenges(&answer),
        dpop_refusal(
            "invalid_token",
            "The access token is not bound to a DPoP key"
        )
    );
}

#[tokio::test]
async fn an_invalid_token_sent_as_dpop_is_invalid_token_on_the_dpop_challenge() {
    let client = prover();
    // Signed with another secret than the layer's.
    let token =
        keyward::token::TokenIssuer::new(keyward::token::SigningKey::hs256([43u8; 32]).unwrap())
            .with_issuer(common::ISSUER)
            .issue("alice", &KeyConfirmation::new(client.thumbprint()))
            .unwrap();
    let proof = proof_for(&client, "GET", "/orders", &token);
    let answer = send(
        &app(auth_with(DpopVerifier::new())),
        request("GET", "/orders", &format!("DPoP {token}"), &[&proof]),
    )
    .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        challenges(&answer),
        dpop_refusal(
            "invalid_token",
            "The access token's signature does not verify"
        )
    );
}

#[tokio::test]
async fn a_missing_or_repeated_proof_is_refused() {
    let client = prover();
    let token = bound_token(&client);
    let app = app(auth_with(DpopVerifier::new()));
    let authorization = format!("DPoP {token}");
    refused_proof(
        &app,
        request("GET", "/orders", &authorization, &[]),
        "The request carries no DPoP proof",
    )
    .await;
    let one = proof_for(&client, "GET", "/orders", &token);
    let two = proof_for(&client, "GET", "/orders", &token);
    refused_proof(
        &app,
        request("GET", "/orders", &authorization, &[&one, &two]),
        "The request carries more than one DPoP proof",
    )
    .await;
}

#[tokio::test]
async fn a_malformed_proof_is_refused() {
    let client = prover();
    let token = bound_token(&client);
    let app = app(auth_with(DpopVerifier::new()));
    let authorization = format!("DPoP {token}");
    refused_proof(
        &app,
        request("GET", "/orders", &authorization, &["not-a-jws"]),
        "The DPoP proof is invalid",
    )
    .await;
}

// RFC 9449 §11.1: a proof is good for one request.
#[tokio::test]
async fn a_replayed_proof_is_refused() {
    let client = prover();
    let token = bound_token(&client);
    let app = app(auth_with(DpopVerifier::new()));
    let proof = proof_for(&client, "GET", "/orders", &token);
    let authorization = format!("DPoP {token}");
    let first = send(&app, request("GET", "/orders", &authorization, &[&proof])).await;
    assert_eq!(first.status, StatusCode::OK);
    refused_proof(
        &app,
        request("GET", "/orders", &authorization, &[&proof]),
        "The DPoP proof was already used",
    )
    .await;
}

#[tokio::test]
async fn a_proof_from_another_key_is_refused() {
    let client = prover();
    let thief = prover();
    let token = bound_token(&client);
    let proof = proof_for(&thief, "GET", "/orders", &token);
    refused_proof(
        &app(auth_with(DpopVerifier::new())),
        request("GET", "/orders", &format!("DPoP {token}"), &[&proof]),
        "The DPoP proof's key is not the one the token is bound to",
    )
    .await;
}

#[tokio::test]
async fn a_proof_for_another_method_or_url_is_refused() {
    let client = prover();
    let token = bound_token(&client);
    let app = app(auth_with(DpopVerifier::new()));
    let authorization = format!("DPoP {token}");
    let for_post = proof_for(&client, "POST", "/orders", &token);
    refused_proof(
        &app,
        request("GET", "/orders", &authorization, &[&for_post]),
        "The DPoP proof was made for another request",
    )
    .await;
    let elsewhere = proof_for(&client, "GET", "/admin", &token);
    refused_proof(
        &app,
        request("GET", "/orders", &authorization, &[&elsewhere]),
        "The DPoP proof was made for another request",
    )
    .await;
    // The Host header is the client's choice: a proof made for it is for another URL.
    let made_for_host = client
        .proof_for(
            &ProofClaims::new("GET", "https://evil.example.net/orders").with_access_token(&token),
        )
        .unwrap();
    refused_proof(
        &app,
        request("GET", "/orders", &authorization, &[&made_for_host]),
        "The DPoP proof was made for another request",
    )
    .await;
}

#[tokio::test]
async fn a_stale_proof_is_refused() {
    let token_holder = prover();
    let token = bound_token(&token_holder);
    // The same key, with a clock ten minutes behind.
    let stale_clock = FixedClock::at(chrono::Utc::now() - chrono::TimeDelta::minutes(10));
    let proof = token_holder
        .with_clock(stale_clock)
        .proof_for(&ProofClaims::new("GET", &format!("{PUBLIC}/orders")).with_access_token(&token))
        .unwrap();
    refused_proof(
        &app(auth_with(DpopVerifier::new())),
        request("GET", "/orders", &format!("DPoP {token}"), &[&proof]),
        "The DPoP proof is not fresh",
    )
    .await;
}

#[tokio::test]
async fn a_proof_for_another_token_is_refused() {
    let client = prover();
    let token = bound_token(&client);
    let other = bound_token(&client);
    assert_ne!(token, other);
    let proof = proof_for(&client, "GET", "/orders", &other);
    refused_proof(
        &app(auth_with(DpopVerifier::new())),
        request("GET", "/orders", &format!("DPoP {token}"), &[&proof]),
        "The DPoP proof was made for another access token",
    )
    .await;
}

struct Nonce;

impl DpopNonces for Nonce {
    fn current(&self) -> String {
        "nonce-1".to_owned()
    }
    fn accepts(&self, nonce: &str) -> bool {
        nonce == "nonce-1"
    }
}

// RFC 9449 §9: a proof without the server's nonce gets `use_dpop_nonce` and the nonce.
#[tokio::test]
async fn a_proof_without_the_nonce_gets_use_dpop_nonce_and_the_nonce() {
    let client = prover();
    let token = bound_token(&client);
    let app = app(auth_with(DpopVerifier::new().with_nonces(Nonce)));
    let authorization = format!("DPoP {token}");
    let proof = proof_for(&client, "GET", "/orders", &token);
    let answer = send(&app, request("GET", "/orders", &authorization, &[&proof])).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        challenges(&answer),
        dpop_refusal(
            "use_dpop_nonce",
            "The DPoP proof must carry the nonce in the DPoP-Nonce header"
        )
    );
    assert_eq!(answer.headers["dpop-nonce"], "nonce-1");

    let url = format!("{PUBLIC}/orders");
    let proof = client
        .proof_for(
            &ProofClaims::new("GET", &url)
                .with_access_token(&token)
                .with_nonce("nonce-1"),
        )
        .unwrap();
    let answer = send(&app, request("GET", "/orders", &authorization, &[&proof])).await;
    assert_eq!(answer.status, StatusCode::OK);
}

struct Broken;

impl ReplayStore for Broken {
    fn record(
        &self,
        _: &ReplayKey,
        _: chrono::DateTime<chrono::Utc>,
        _: chrono::DateTime<chrono::Utc>,
    ) -> Result<Freshness, ReplayStoreError> {
        Err(ReplayStoreError::new("connection reset"))
    }
}

// The proof could not be checked for reuse: a server fault, not the client's.
#[tokio::test]
async fn a_failing_replay_store_is_503_without_a_challenge() {
    let client = prover();
    let token = bound_token(&client);
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = std::sync::Arc::clone(&seen);
    let auth = auth_with(DpopVerifier::new().with_replay_store(Broken))
        .with_refusal_hook(move |refusal| log.lock().unwrap().push(refusal.clone()));
    let proof = proof_for(&client, "GET", "/orders", &token);
    let answer = send(
        &app(auth),
        request("GET", "/orders", &format!("DPoP {token}"), &[&proof]),
    )
    .await;
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(challenges(&answer).is_empty());
    assert_eq!(answer.headers["retry-after"], "30");
    assert!(matches!(
        seen.lock().unwrap().as_slice(),
        [Refusal::InvalidDpopProof(
            keyward::token::dpop::DpopError::ReplayStore(_)
        )]
    ));
}

#[tokio::test]
async fn without_dpop_the_layer_answers_as_before() {
    let client = prover();
    let token = bound_token(&client);
    let auth = BearerAuth::new(common::issuer().verifier().with_issuer(common::ISSUER));
    let proof = proof_for(&client, "GET", "/orders", &token);
    let answer = send(
        &app(auth),
        request("GET", "/orders", &format!("DPoP {token}"), &[&proof]),
    )
    .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(challenges(&answer), ["Bearer"]);
}

#[test]
fn a_public_url_must_be_an_absolute_http_url() {
    let auth = || BearerAuth::<()>::new(common::issuer().verifier());
    for bad in [
        "api.example.com",
        "ftp://api.example.com",
        "https://api.example.com/?q=1",
        "https://user@api.example.com",
        "/orders",
    ] {
        let error = auth().try_with_dpop(DpopVerifier::new(), bad).unwrap_err();
        assert_eq!(error.url(), bad);
    }
    for good in ["https://api.example.com/", "http://127.0.0.1:8080/api"] {
        assert!(auth().try_with_dpop(DpopVerifier::new(), good).is_ok());
    }
}

#[tokio::test]
async fn a_path_prefix_in_the_public_url_is_part_of_htu() {
    let client = prover();
    let token = bound_token(&client);
    let auth = BearerAuth::new(common::issuer().verifier().with_issuer(common::ISSUER))
        .try_with_dpop(DpopVerifier::new(), "https://gateway.example.com/api/")
        .unwrap();
    let proof = client
        .proof_for(
            &ProofClaims::new("GET", "https://gateway.example.com/api/orders")
                .with_access_token(&token),
        )
        .unwrap();
    let answer = send(
        &app(auth),
        request("GET", "/orders", &format!("DPoP {token}"), &[&proof]),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
}

#[tokio::test]
async fn a_malformed_dpop_header_is_invalid_request() {
    let app = app(auth_with(DpopVerifier::new()));
    for value in ["DPoP", "DPoP\ta.b.c", "DPoP a\"b"] {
        let answer = send(&app, request("GET", "/orders", value, &[])).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{value:?}");
        assert_eq!(
            challenges(&answer),
            [
                r#"Bearer error="invalid_request", error_description="Malformed Authorization header""#
                    .to_owned(),
                format!(r#"DPoP algs="{ALGS}""#)
            ]
        );
    }
}
