//! The resource server (`demo/src/bin/resource_server`) in front of an OpenID provider found
//! by discovery, and taking DPoP-bound tokens (RFC 9449): a fake provider on 127.0.0.1 serves
//! a Keycloak-shaped discovery document and its JWKS (each request counted); clients make
//! proofs with keyward's `DpopProver` and call over real HTTP.

// Each test binary uses part of the resource server.
#[allow(dead_code)]
#[path = "../src/bin/resource_server/app.rs"]
mod resource;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use keyward::token::dpop::{DpopProver, KeyConfirmation, ProofClaims};
use keyward::token::{
    CacheDuration, KeyPairKind, OidcDiscovery, SigningKey, SystemClock, TokenIssuer,
};
use keyward_demo::serve::Limits;
use reqwest::StatusCode;

const AUDIENCE: &str = "keyward-example-api";
const REALM: &str = "/realms/shop";

/// A fake OpenID provider: its issuer URL, and how often its document and keys were fetched.
struct Provider {
    issuer: String,
    documents: Arc<AtomicUsize>,
    key_sets: Arc<AtomicUsize>,
}

fn signer(issuer: &str) -> TokenIssuer {
    let pem = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/keys/p256-1-private.pem"
    ))
    .unwrap();
    TokenIssuer::new(SigningKey::from_pem(pem).unwrap().with_key_id("k1"))
        .with_issuer(issuer)
        .with_audience(AUDIENCE)
}

/// Serves `<issuer>/.well-known/openid-configuration` (whose `issuer` member is what
/// `advertise` makes of the real one) and the `jwks_uri` it names, Keycloak's path.
async fn provider(advertise: impl Fn(&str) -> String) -> Provider {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = format!("http://{}{REALM}", listener.local_addr().unwrap());
    let jwks_uri = format!("{issuer}/protocol/openid-connect/certs");
    let document = serde_json::json!({
        "issuer": advertise(&issuer),
        "jwks_uri": jwks_uri,
        "authorization_endpoint": format!("{issuer}/protocol/openid-connect/auth"),
        "token_endpoint": format!("{issuer}/protocol/openid-connect/token"),
        "dpop_signing_alg_values_supported": ["ES256", "EdDSA", "PS256", "RS256"],
    })
    .to_string();
    let jwks = signer(&issuer).verifier().key_set().to_jwks();
    let (documents, key_sets) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (counted_documents, counted_key_sets) = (Arc::clone(&documents), Arc::clone(&key_sets));
    let app = Router::new()
        .route(
            &format!("{REALM}/.well-known/openid-configuration"),
            get(move || async move {
                counted_documents.fetch_add(1, Ordering::SeqCst);
                document
            }),
        )
        .route(
            &format!("{REALM}/protocol/openid-connect/certs"),
            get(move || async move {
                counted_key_sets.fetch_add(1, Ordering::SeqCst);
                jwks
            }),
        );
    tokio::spawn(async move { axum::serve(listener, app).await });
    Provider {
        issuer,
        documents,
        key_sets,
    }
}

async fn discover(issuer: &str) -> Result<resource::Jwks, String> {
    resource::Jwks::discover(
        OidcDiscovery::new(issuer).unwrap(),
        CacheDuration::from_secs(60).unwrap(),
        Arc::new(SystemClock),
        |verifier| verifier.with_audience(AUDIENCE),
    )
    .await
    .map_err(|error| resource::error_chain(&error))
}

/// The resource server on 127.0.0.1:0 with DPoP on; `public_url` defaults to its own address.
async fn resource_server(jwks: resource::Jwks, public_url: Option<&str>) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let dpop =
        resource::Dpop::new(public_url.map_or_else(|| format!("http://{addr}"), str::to_owned));
    tokio::spawn(async move {
        resource::serve_with(
            listener,
            &jwks,
            Some(&dpop),
            Limits::default(),
            std::future::pending(),
        )
        .await
    });
    addr
}

fn prover() -> DpopProver {
    DpopProver::new(SigningKey::generate(KeyPairKind::P256).unwrap()).unwrap()
}

/// What `/orders` answered: status, `WWW-Authenticate` values, body.
struct Answer {
    status: StatusCode,
    challenges: Vec<String>,
    body: String,
}

async fn orders(addr: SocketAddr, authorization: &str, proofs: &[&str]) -> Answer {
    let mut request = reqwest::Client::new()
        .get(format!("http://{addr}/orders"))
        .header(reqwest::header::AUTHORIZATION, authorization);
    for proof in proofs {
        request = request.header("DPoP", *proof);
    }
    let response = tokio::time::timeout(Duration::from_secs(10), request.send())
        .await
        .unwrap()
        .unwrap();
    let status = response.status();
    let challenges = response
        .headers()
        .get_all(reqwest::header::WWW_AUTHENTICATE)
        .iter()
        .map(|value| value.to_str().unwrap().to_owned())
        .collect();
    Answer {
        status,
        challenges,
        body: response.text().await.unwrap(),
    }
}

/// The `error` of the answer's `DPoP` challenge, if any.
fn dpop_error(answer: &Answer) -> Option<String> {
    answer
        .challenges
        .iter()
        .find(|value| value.starts_with("DPoP"))
        .and_then(|value| value.split("error=\"").nth(1))
        .and_then(|rest| rest.split('"').next())
        .map(str::to_owned)
}

#[tokio::test]
async fn a_provider_found_by_discovery_verifies_its_tokens() {
    let provider = provider(str::to_owned).await;
    let jwks = discover(&provider.issuer).await.unwrap();
    assert!(
        jwks.describe()
            .ends_with("/protocol/openid-connect/certs (discovered)")
    );
    let addr = resource_server(jwks, None).await;

    let token = signer(&provider.issuer).issue("alice", &()).unwrap();
    let answer = orders(addr, &format!("Bearer {token}"), &[]).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert!(answer.body.contains("alice"), "{}", answer.body);

    // The same key, another issuer: the discovered issuer is required.
    let elsewhere = signer("http://127.0.0.1:1/realms/other")
        .issue("alice", &())
        .unwrap();
    let answer = orders(addr, &format!("Bearer {elsewhere}"), &[]).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);

    // Ten more requests, known key: nothing more is fetched.
    for _ in 0..10 {
        assert_eq!(
            orders(addr, &format!("Bearer {token}"), &[]).await.status,
            StatusCode::OK
        );
    }
    assert_eq!(provider.documents.load(Ordering::SeqCst), 1);
    assert_eq!(provider.key_sets.load(Ordering::SeqCst), 1);
}

// go-oidc #203: an issuer that differs by a trailing slash is another issuer.
#[tokio::test]
async fn a_document_naming_another_issuer_is_refused_at_start_with_both_strings() {
    let provider = provider(|issuer| format!("{issuer}/")).await;
    let error = discover(&provider.issuer).await.err().unwrap();
    assert!(
        error.contains(&format!("\"{}/\"", provider.issuer)),
        "{error}"
    );
    assert!(
        error.contains(&format!("\"{}\"", provider.issuer)),
        "{error}"
    );
    assert_eq!(provider.key_sets.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_dpop_bound_token_works_only_with_a_fresh_proof_of_its_key() {
    let provider = provider(str::to_owned).await;
    let addr = resource_server(discover(&provider.issuer).await.unwrap(), None).await;
    let client = prover();
    let token = signer(&provider.issuer)
        .issue("alice", &KeyConfirmation::new(client.thumbprint()))
        .unwrap();
    let url = format!("http://{addr}/orders");
    let proof = |client: &DpopProver, method: &str, url: &str| {
        client
            .proof_for(&ProofClaims::new(method, url).with_access_token(&token))
            .unwrap()
    };
    let dpop = format!("DPoP {token}");

    let fresh = proof(&client, "GET", &url);
    let answer = orders(addr, &dpop, &[&fresh]).await;
    assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.challenges);
    assert!(answer.body.contains("alice"));

    // Each refusal: 401 with the DPoP challenge's error.
    let refusals: Vec<(&str, String, Vec<String>, &str)> = vec![
        (
            "the same proof again",
            dpop.clone(),
            vec![fresh],
            "invalid_dpop_proof",
        ),
        ("no proof", dpop.clone(), vec![], "invalid_dpop_proof"),
        (
            "a proof of another key",
            dpop.clone(),
            vec![proof(&prover(), "GET", &url)],
            "invalid_dpop_proof",
        ),
        (
            "a proof for another method",
            dpop.clone(),
            vec![proof(&client, "POST", &url)],
            "invalid_dpop_proof",
        ),
        (
            "a proof for another URL",
            dpop.clone(),
            vec![proof(&client, "GET", &format!("http://{addr}/admin"))],
            "invalid_dpop_proof",
        ),
        (
            "a proof without ath",
            dpop.clone(),
            vec![client.proof("GET", &url).unwrap()],
            "invalid_dpop_proof",
        ),
        (
            "two proofs",
            dpop.clone(),
            vec![proof(&client, "GET", &url), proof(&client, "GET", &url)],
            "invalid_dpop_proof",
        ),
        (
            "the bound token sent as Bearer",
            format!("Bearer {token}"),
            vec![proof(&client, "GET", &url)],
            "invalid_token",
        ),
    ];
    for (case, authorization, proofs, error) in refusals {
        let proofs: Vec<&str> = proofs.iter().map(String::as_str).collect();
        let answer = orders(addr, &authorization, &proofs).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{case}");
        assert_eq!(
            dpop_error(&answer).as_deref(),
            Some(error),
            "{case}: {:?}",
            answer.challenges
        );
        assert!(
            answer
                .challenges
                .iter()
                .any(|value| value.contains("algs=\"ES256 EdDSA PS256 RS256\"")),
            "{case}: {:?}",
            answer.challenges
        );
    }

    // An unbound token is still a bearer token; sent as DPoP, it is refused.
    let plain = signer(&provider.issuer).issue("bob", &()).unwrap();
    assert_eq!(
        orders(addr, &format!("Bearer {plain}"), &[]).await.status,
        StatusCode::OK
    );
    let answer = orders(
        addr,
        &format!("DPoP {plain}"),
        &[&client
            .proof_for(&ProofClaims::new("GET", &url).with_access_token(&plain))
            .unwrap()],
    )
    .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(dpop_error(&answer).as_deref(), Some("invalid_token"));
}

// rauthy #132: `htu` rebuilt by the server (there, always https) refused every proxied client.
#[tokio::test]
async fn behind_a_proxy_proofs_name_the_public_url() {
    let provider = provider(str::to_owned).await;
    let public = "https://api.example.com/shop";
    let addr = resource_server(discover(&provider.issuer).await.unwrap(), Some(public)).await;
    let client = prover();
    let token = signer(&provider.issuer)
        .issue("alice", &KeyConfirmation::new(client.thumbprint()))
        .unwrap();
    let proof = |url: &str| {
        client
            .proof_for(&ProofClaims::new("GET", url).with_access_token(&token))
            .unwrap()
    };
    let dpop = format!("DPoP {token}");

    let answer = orders(addr, &dpop, &[&proof(&format!("{public}/orders"))]).await;
    assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.challenges);
    // The address the proxy reached, or the public URL without its prefix, is not the one
    // clients use.
    for url in [
        format!("http://{addr}/orders"),
        "https://api.example.com/orders".to_owned(),
    ] {
        let answer = orders(addr, &dpop, &[&proof(&url)]).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{url}");
        assert_eq!(dpop_error(&answer).as_deref(), Some("invalid_dpop_proof"));
    }
}
