//! The layer works wherever it sits in a middleware stack (axum-login #140): before or after
//! other layers, as `layer` or `route_layer`, on nested and merged routers, and with the
//! extractor with or without it.

mod common;

use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};
use common::{bearer, get as request, send, token};
use http::{HeaderValue, StatusCode};
use keyward::token::Claims;
use keyward_tower::{BearerAuth, BearerClaims};

fn auth() -> BearerAuth {
    BearerAuth::new(common::issuer().verifier().with_issuer(common::ISSUER))
}

/// Another layer: stamps every response it sees, so the test knows it ran.
async fn stamp(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    response
        .headers_mut()
        .insert("x-stamp", HeaderValue::from_static("1"));
    response
}

async fn whoami(Extension(claims): Extension<Claims<()>>) -> String {
    claims.subject
}

async fn extracted(BearerClaims(claims): BearerClaims) -> String {
    claims.subject
}

/// Every arrangement answers: a valid token reaches the handler with its claims, no token is
/// 401, and the other layer still runs on both.
async fn check(name: &str, app: Router, path: &str, stamped: bool) {
    let ok = send(&app, request(path, &[&bearer(&token("alice"))])).await;
    assert_eq!(
        (ok.status, ok.body.as_str()),
        (StatusCode::OK, "alice"),
        "{name}"
    );
    let refused = send(&app, request(path, &[])).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{name}");
    assert_eq!(refused.challenge.as_deref(), Some("Bearer"), "{name}");
    assert_eq!(ok.headers.contains_key("x-stamp"), stamped, "{name}");
    assert_eq!(refused.headers.contains_key("x-stamp"), stamped, "{name}");
}

#[tokio::test]
async fn the_layer_works_in_any_position() {
    let inner_auth = Router::new()
        .route("/me", get(whoami))
        .layer(auth())
        .layer(middleware::from_fn(stamp));
    check("auth inside another layer", inner_auth, "/me", true).await;

    let outer_auth = Router::new()
        .route("/me", get(whoami))
        .layer(middleware::from_fn(stamp))
        .layer(auth());
    // The refusal is answered before the other layer runs.
    let ok = send(&outer_auth, request("/me", &[&bearer(&token("alice"))])).await;
    assert_eq!(
        (ok.status, ok.headers.contains_key("x-stamp")),
        (StatusCode::OK, true)
    );
    let refused = send(&outer_auth, request("/me", &[])).await;
    assert_eq!(
        (refused.status, refused.headers.contains_key("x-stamp")),
        (StatusCode::UNAUTHORIZED, false)
    );

    let route_layer = Router::new()
        .route("/me", get(whoami))
        .route_layer(auth())
        .layer(middleware::from_fn(stamp));
    check("route_layer", route_layer, "/me", true).await;

    let on_the_route = Router::new()
        .route("/me", get(whoami).layer(auth()))
        .route("/open", get(|| async { "open" }));
    check("on one method router", on_the_route.clone(), "/me", false).await;
    let open = send(&on_the_route, request("/open", &[])).await;
    assert_eq!(open.status, StatusCode::OK);

    let nested = Router::new()
        .nest(
            "/api",
            Router::new().route("/me", get(whoami)).route_layer(auth()),
        )
        .route("/health", get(|| async { "ok" }))
        .layer(middleware::from_fn(stamp));
    check("nested", nested.clone(), "/api/me", true).await;
    assert_eq!(
        send(&nested, request("/health", &[])).await.status,
        StatusCode::OK
    );

    let around_nest = Router::new()
        .nest("/api", Router::new().route("/me", get(whoami)))
        .layer(auth());
    check("around a nest", around_nest, "/api/me", false).await;

    let merged = Router::new()
        .merge(Router::new().route("/me", get(whoami)).route_layer(auth()))
        .route("/open", get(|| async { "open" }));
    check("merged", merged.clone(), "/me", false).await;
    assert_eq!(
        send(&merged, request("/open", &[])).await.status,
        StatusCode::OK
    );
}

// A route_layer leaves unmatched paths as 404, as axum documents; a layer answers 401 first.
#[tokio::test]
async fn route_layer_and_layer_differ_only_on_unmatched_paths() {
    let route_layer = Router::new().route("/me", get(whoami)).route_layer(auth());
    assert_eq!(
        send(&route_layer, request("/nope", &[])).await.status,
        StatusCode::NOT_FOUND
    );
    let layer = Router::new().route("/me", get(whoami)).layer(auth());
    assert_eq!(
        send(&layer, request("/nope", &[])).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn the_extractor_works_with_and_without_the_layer() {
    let without = Router::new()
        .route("/me", get(extracted))
        .with_state(auth());
    check("extractor alone", without, "/me", false).await;
    let with = Router::new()
        .route("/me", get(extracted))
        .route_layer(auth())
        .with_state(auth());
    check("extractor behind the layer", with, "/me", false).await;
    let malformed = Router::new()
        .route("/me", get(extracted))
        .with_state(auth());
    let answer = send(&malformed, request("/me", &[b"Bearer "])).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
}

// Behind the layer, the extractor takes the layer's claims: a state whose verifier would
// refuse every token proves no second verification happens.
#[tokio::test]
async fn behind_the_layer_the_extractor_does_not_verify_again() {
    let refuses_all: BearerAuth = BearerAuth::new(
        keyward::token::TokenIssuer::new(keyward::token::SigningKey::hs256([1u8; 32]).unwrap())
            .verifier(),
    );
    let app = Router::new()
        .route("/me", get(extracted))
        .route_layer(auth())
        .with_state(refuses_all.clone());
    let ok = send(&app, request("/me", &[&bearer(&token("alice"))])).await;
    assert_eq!(ok.status, StatusCode::OK);
    let alone = Router::new()
        .route("/me", get(extracted))
        .with_state(refuses_all);
    let refused = send(&alone, request("/me", &[&bearer(&token("alice"))])).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
}
