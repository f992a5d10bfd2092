//! What each kind of request is answered (RFC 6750 §3), through the layer.

mod common;

use axum::Router;
use axum::routing::get;
use common::{bearer, get as request, send, token};
use http::StatusCode;
use keyward::token::{FixedClock, Lifetime};
use keyward_tower::{BearerAuth, ErrorBody, InsufficientScope, Refusal};
use std::sync::{Arc, Mutex};

fn app(auth: BearerAuth) -> Router {
    Router::new()
        .route("/", get(|| async { "protected" }))
        .route_layer(auth)
}

fn auth() -> BearerAuth {
    BearerAuth::new(common::issuer().verifier().with_issuer(common::ISSUER))
}

#[tokio::test]
async fn a_valid_token_reaches_the_handler() {
    let answer = send(&app(auth()), request("/", &[&bearer(&token("alice"))])).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body, "protected");
}

// RFC 6750 §3.1: no authentication information, or another scheme: no error code.
#[tokio::test]
async fn no_credentials_get_a_bare_challenge() {
    for values in [&[][..], &[&b"Basic YWxpY2U6aHVudGVyMg=="[..]]] {
        let answer = send(&app(auth()), request("/", values)).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        assert_eq!(answer.challenge.as_deref(), Some("Bearer"));
        assert_eq!(answer.body, r#"{"detail":"Not authenticated"}"#);
    }
}

#[tokio::test]
async fn a_malformed_bearer_header_is_invalid_request() {
    for value in [
        &b"Bearer"[..],
        b"Bearer\tabc",
        b"Bearer a\"b",
        b"Bearer abc\xff",
    ] {
        let answer = send(&app(auth()), request("/", &[value])).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{value:?}");
        assert_eq!(
            answer.challenge.as_deref(),
            Some(
                r#"Bearer error="invalid_request", error_description="Malformed Authorization header""#
            )
        );
    }
    let valid = bearer(&token("alice"));
    let answer = send(&app(auth()), request("/", &[&valid, &valid])).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
}

// Issue 20: `Bearer  x` (two spaces) got 401 at one server and 400 at the other; RFC 6750
// §2.1's `1*SP` makes it a bearer credential, checked like any other.
#[tokio::test]
async fn two_spaces_are_a_separator() {
    let answer = send(
        &app(auth()),
        request("/", &[format!("Bearer  {}", token("alice")).as_bytes()]),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    let answer = send(&app(auth()), request("/", &[b"Bearer  x"])).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert!(
        answer
            .challenge
            .unwrap()
            .contains(r#"error="invalid_token""#)
    );
}

#[tokio::test]
async fn an_invalid_token_says_which_kind_of_invalid() {
    let clock = FixedClock::at_unix_seconds(1_700_000_000);
    let issuer = common::issuer()
        .with_clock(clock.clone())
        .with_ttl(Lifetime::from_secs(60).unwrap());
    let expired = issuer.issue("alice", &()).unwrap();
    let cases = [
        (expired, "The access token expired"),
        (
            keyward::token::TokenIssuer::new(keyward::token::SigningKey::hs256([1u8; 32]).unwrap())
                .with_issuer(common::ISSUER)
                .issue("alice", &())
                .unwrap(),
            "The access token's signature does not verify",
        ),
        ("a.b.c".to_owned(), "The access token is malformed"),
    ];
    for (token, description) in cases {
        let answer = send(&app(auth()), request("/", &[&bearer(&token)])).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            answer.challenge.unwrap(),
            format!(r#"Bearer error="invalid_token", error_description="{description}""#)
        );
        assert_eq!(answer.headers["cache-control"], "no-store");
    }
}

#[tokio::test]
async fn a_refused_claims_check_is_insufficient_scope_with_the_scope() {
    let auth = auth().with_claims_check(|claims| {
        if claims.subject == "alice" {
            Ok(())
        } else {
            // A scope with bytes RFC 6750 does not allow in the header: left out of it.
            Err(InsufficientScope::new().with_scope("orders:read \"x\\y\r\n"))
        }
    });
    let ok = send(
        &app(auth.clone()),
        request("/", &[&bearer(&token("alice"))]),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK);
    let answer = send(&app(auth), request("/", &[&bearer(&token("bob"))])).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_eq!(
        answer.challenge.as_deref(),
        Some(
            r#"Bearer error="insufficient_scope", error_description="The access token does not grant this request", scope="orders:read xy""#
        )
    );
}

#[tokio::test]
async fn the_realm_is_in_every_challenge() {
    let auth = auth().try_with_realm("orders api").unwrap();
    let answer = send(&app(auth.clone()), request("/", &[])).await;
    assert_eq!(
        answer.challenge.as_deref(),
        Some(r#"Bearer realm="orders api""#)
    );
    let answer = send(&app(auth), request("/", &[b"Bearer x"])).await;
    assert!(
        answer
            .challenge
            .unwrap()
            .starts_with(r#"Bearer realm="orders api", error="invalid_token""#)
    );
}

// A quoted-string must not carry a sender's (or a careless operator's) bytes raw.
#[test]
fn a_realm_that_would_break_the_quoted_string_is_refused() {
    for (realm, offset) in [
        ("a\"b", 1),
        ("a\\b", 1),
        ("ab\r\n", 2),
        ("é", 0),
        ("\u{0}", 0),
    ] {
        assert_eq!(
            auth().try_with_realm(realm).unwrap_err().offset(),
            offset,
            "{realm:?}"
        );
    }
}

#[tokio::test]
async fn the_service_shapes_the_error_body_and_sees_the_real_reason() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let auth = auth()
        .with_error_body(|refusal| {
            ErrorBody::json(&serde_json::json!({"error": refusal.error_code(), "status": refusal.status().as_u16()}))
        })
        .with_refusal_hook(move |refusal: &Refusal| log.lock().unwrap().push(refusal.to_string()));
    let answer = send(&app(auth), request("/", &[b"Bearer a.b.c"])).await;
    assert_eq!(answer.body, r#"{"error":"invalid_token","status":401}"#);
    assert_eq!(answer.headers["content-type"], "application/json");
    assert_eq!(
        *seen.lock().unwrap(),
        ["invalid token: token is malformed: bad header"]
    );
}
