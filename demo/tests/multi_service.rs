//! Many services over real HTTP: the auth server (`demo/src/bin/server`) signing with ES256 and
//! publishing its JWKS, and a resource server (`demo/src/bin/resource_server`) that holds no secret,
//! both on 127.0.0.1:0, the resource server keeping the JWKS in keyward's `RemoteKeySet`. One
//! test clock drives token expiry, key retirement, the JWKS cache age and the refetch
//! cooldown; nothing sleeps.

#[path = "../src/bin/server/app.rs"]
mod app;
#[path = "common/mod.rs"]
mod common;
#[path = "../src/bin/server/keys.rs"]
mod keys;
// Each test binary uses part of the resource server.
#[allow(dead_code)]
#[path = "../src/bin/resource_server/app.rs"]
mod resource;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use keyward::password::{Cost, PasswordHasher};
use keyward::token::{Algorithm, CacheDuration, FixedClock, SigningKey, TokenIssuer};
use keyward_session::Sessions;
use keyward_session_sqlite::SqliteStore;
use reqwest::StatusCode;
use serde_json::Value;

const REFETCH_INTERVAL: Duration = Duration::from_secs(60);

/// The audience both example binaries default to: the auth server's `--audience` and the
/// resource server's, so the services are wired here exactly as `cargo run` wires them.
const AUDIENCE: &str = "keyward-example-api";

fn refetch_cooldown() -> CacheDuration {
    CacheDuration::try_from(REFETCH_INTERVAL).unwrap()
}

fn key_file(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../tests/keys/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

struct Services {
    auth: SocketAddr,
    auth_state: app::AppState<SqliteStore>,
    resource: SocketAddr,
    clock: FixedClock,
    client: reqwest::Client,
    _db: common::temp::TempDb,
}

async fn start() -> Services {
    let clock = FixedClock::at(chrono::Utc::now());
    let db = common::temp::TempDb::new("multi");
    let for_issuer = clock.clone();
    // The key ring lives in the store, as `main.rs` sets it up for `--signing-key`.
    let sessions = Sessions::new(SqliteStore::open(&db.0).await.unwrap()).with_clock(clock.clone());
    let key = SigningKey::from_pem_as(key_file("p256-1-private.pem"), Algorithm::ES256)
        .unwrap()
        .try_with_thumbprint_key_id()
        .unwrap();
    assert!(sessions.install_signing_key(&key).await.unwrap());
    let keys = keys::Keys::from_ring(
        &sessions.key_ring().await.unwrap(),
        Arc::new(clock.clone()),
        Box::new(move |key| {
            TokenIssuer::new(key)
                .with_issuer("keyward-example-server")
                .with_audience(AUDIENCE)
                .with_clock(for_issuer.clone())
        }),
    )
    .unwrap();
    let auth_state = app::AppState::new(
        sessions,
        PasswordHasher::new().with_cost(Cost::new(4).unwrap()),
        keys,
        4,
        Duration::from_secs(5),
    );
    let auth_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let auth = auth_listener.local_addr().unwrap();
    tokio::spawn(app::serve(
        auth_listener,
        auth_state.clone(),
        std::future::pending(),
    ));

    let verifier_clock = clock.clone();
    let jwks = resource::Jwks::connect(
        format!("http://{auth}/.well-known/jwks.json"),
        refetch_cooldown(),
        Arc::new(clock.clone()),
        move |verifier| {
            verifier
                .with_issuer("keyward-example-server")
                .with_audience(AUDIENCE)
                .with_clock(verifier_clock.clone())
        },
    )
    .await
    .unwrap();
    let resource_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let resource = resource_listener.local_addr().unwrap();
    tokio::spawn(resource::serve(
        resource_listener,
        Arc::new(jwks),
        std::future::pending(),
    ));

    Services {
        auth,
        auth_state,
        resource,
        clock,
        client: reqwest::Client::new(),
        _db: db,
    }
}

impl Services {
    async fn login(&self, username: &str) -> Value {
        let password = "correct horse battery staple";
        let url = format!("http://{}/users", self.auth);
        self.client
            .post(url)
            .json(&serde_json::json!({"username": username, "password": password}))
            .send()
            .await
            .unwrap();
        let url = format!("http://{}/token", self.auth);
        let response = self
            .client
            .post(url)
            .form(&[("username", username), ("password", password)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    async fn orders(&self, token: &str) -> StatusCode {
        self.orders_with(Some(&format!("Bearer {token}"))).await.0
    }

    /// `/orders` with this `Authorization` value: the status and the `WWW-Authenticate` challenge.
    async fn orders_with(&self, authorization: Option<&str>) -> (StatusCode, Option<String>) {
        let url = format!("http://{}/orders", self.resource);
        let mut request = self.client.get(url);
        if let Some(value) = authorization {
            request = request.header(reqwest::header::AUTHORIZATION, value);
        }
        let response = request.send().await.unwrap();
        let challenge = response
            .headers()
            .get(reqwest::header::WWW_AUTHENTICATE)
            .map(|value| value.to_str().unwrap().to_owned());
        (response.status(), challenge)
    }

    fn jwks_fetches(&self) -> usize {
        self.auth_state.jwks_requests.load(Ordering::SeqCst)
    }

    async fn published_kids(&self) -> Vec<String> {
        let url = format!("http://{}/.well-known/jwks.json", self.auth);
        let document: Value = self
            .client
            .get(url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        document["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|key| key["kid"].as_str().unwrap().to_owned())
            .collect()
    }
}

#[tokio::test]
async fn the_resource_server_accepts_access_tokens_only() {
    let services = start().await;
    let tokens = services.login("alice").await;
    assert_eq!(
        services
            .orders(tokens["access_token"].as_str().unwrap())
            .await,
        StatusCode::OK
    );
    assert_eq!(
        services
            .orders(tokens["refresh_token"].as_str().unwrap())
            .await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(services.orders("garbage").await, StatusCode::UNAUTHORIZED);
}

/// RFC 6750 §3.1: no error code without credentials, `invalid_token` for a token that fails,
/// 400 `invalid_request` for a malformed `Authorization: Bearer` header, as keyward's one
/// bearer parser (`parse_bearer`) sorts them.
#[tokio::test]
async fn refusals_carry_the_rfc_6750_challenge() {
    let services = start().await;
    let bare = Some("Bearer".to_owned());
    assert_eq!(
        services.orders_with(None).await,
        (StatusCode::UNAUTHORIZED, bare.clone())
    );
    assert_eq!(
        services.orders_with(Some("Basic YWxpY2U6cHc=")).await,
        (StatusCode::UNAUTHORIZED, bare),
        "another scheme is no bearer credentials at all"
    );
    // `1*SP` (RFC 6750 §2.1): two spaces are a separator, and the token is then checked.
    for invalid in ["Bearer garbage", "bearer  two-spaces"] {
        let (status, challenge) = services.orders_with(Some(invalid)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{invalid:?}");
        assert!(
            challenge
                .unwrap()
                .starts_with(r#"Bearer error="invalid_token", error_description=""#),
            "{invalid:?}"
        );
    }
    for malformed in [
        "Bearer",
        "Bearer ",
        "Bearer a b",
        "Bearer\ttab",
        "Bearer tok,en",
    ] {
        let (status, challenge) = services.orders_with(Some(malformed)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{malformed:?}");
        assert!(
            challenge
                .unwrap()
                .starts_with(r#"Bearer error="invalid_request""#),
            "{malformed:?}"
        );
    }
}

#[tokio::test]
async fn the_jwks_is_cacheable_and_holds_only_public_keys() {
    let services = start().await;
    let url = format!("http://{}/.well-known/jwks.json", services.auth);
    let response = services.client.get(url).send().await.unwrap();
    assert_eq!(response.headers()["cache-control"], "public, max-age=300");
    let document: Value = response.json().await.unwrap();
    let key = &document["keys"][0];
    assert_eq!(
        (
            key["kty"].as_str(),
            key["alg"].as_str(),
            key["use"].as_str()
        ),
        (Some("EC"), Some("ES256"), Some("sig"))
    );
    assert!(key.get("d").is_none());
    // The kid is the key's RFC 7638 thumbprint.
    let thumbprint = SigningKey::from_pem_as(key_file("p256-1-private.pem"), Algorithm::ES256)
        .unwrap()
        .verifying_key()
        .thumbprint();
    assert_eq!(key["kid"].as_str(), thumbprint.as_deref());
}

#[tokio::test]
async fn unpublished_keys_are_refused_and_invented_kids_cost_one_fetch_per_interval() {
    let services = start().await;
    assert_eq!(
        services.jwks_fetches(),
        1,
        "the resource server fetched once at start"
    );
    let rogue = SigningKey::from_pem_as(key_file("p256-2-private.pem"), Algorithm::ES256).unwrap();
    let forged: Vec<String> = (0..25)
        .map(|i| {
            TokenIssuer::new(rogue.clone().with_key_id(format!("invented-{i}")))
                .with_issuer("keyward-example-server")
                .with_audience(AUDIENCE)
                .with_clock(services.clock.clone())
                .issue("mallory", &())
                .unwrap()
        })
        .collect();
    for token in &forged {
        assert_eq!(services.orders(token).await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        services.jwks_fetches(),
        1,
        "still inside the interval: no refetch at all"
    );
    services.clock.advance(REFETCH_INTERVAL);
    for token in &forged {
        assert_eq!(services.orders(token).await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        services.jwks_fetches(),
        2,
        "one refetch for the whole burst"
    );
}

/// A rotation through the ring: the next key is published at once and signs only after the
/// publication lead, longer than the resource server's JWKS cache lifetime, so the resource
/// server has it before the first token it signs, without refetching on an unknown `kid`.
#[tokio::test]
async fn a_rotation_through_the_ring_never_shows_the_resource_server_an_unknown_kid() {
    let services = start().await;
    let sessions = &services.auth_state.sessions;
    let keys = &services.auth_state.keys;
    let old = services.login("alice").await;
    let old_access = old["access_token"].as_str().unwrap().to_owned();
    let old_refresh = old["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(services.orders(&old_access).await, StatusCode::OK);
    let fetches_before = services.jwks_fetches();

    // Stage the next key: published at once, signing nothing yet.
    let next = SigningKey::from_pem_as(key_file("p256-2-private.pem"), Algorithm::ES256)
        .unwrap()
        .try_with_thumbprint_key_id()
        .unwrap();
    assert!(sessions.stage_next_key(&next).await.unwrap());
    assert_eq!(
        keys.sync(sessions).await.unwrap(),
        None,
        "too early to sign"
    );
    assert_eq!(services.published_kids().await.len(), 2);
    let still_old = services.login("bob").await;
    assert_eq!(
        services
            .orders(still_old["access_token"].as_str().unwrap())
            .await,
        StatusCode::OK
    );

    // After the publication lead the ring rotates; the resource server's cached JWKS
    // (five minutes) has long expired, so it holds the new key before its first token.
    services
        .clock
        .advance(sessions.policy().key_publication_lead());
    assert_eq!(keys.sync(sessions).await.unwrap().as_deref(), next.key_id());
    let new = services.login("carol").await;
    let new_access = new["access_token"].as_str().unwrap().to_owned();
    assert_eq!(services.orders(&new_access).await, StatusCode::OK);
    assert_eq!(
        services.jwks_fetches(),
        fetches_before + 2,
        "one fetch by age after the lead, and the one `published_kids` made: none for an \
         unknown kid"
    );

    // The old key's refresh token still works (opaque: no key signs it), and answers with
    // the new key.
    let url = format!("http://{}/token", services.auth);
    let renewed = services
        .client
        .post(url)
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", old_refresh.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(renewed.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_restart_with_the_previous_key_keeps_its_tokens_valid() {
    let services = start().await;
    let before_restart = services.login("alice").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();

    // What `--signing-key new.pem --previous-key old.pem` builds at start around a key the
    // ring did not hold.
    let clock = services.clock.clone();
    let restarted = keys::Keys::fixed(
        SigningKey::from_pem_as(key_file("p256-2-private.pem"), Algorithm::ES256)
            .unwrap()
            .try_with_thumbprint_key_id()
            .unwrap(),
        Arc::new(clock.clone()),
        Box::new(move |key| {
            TokenIssuer::new(key)
                .with_issuer("keyward-example-server")
                .with_audience(AUDIENCE)
                .with_clock(clock.clone())
        }),
    );
    assert!(restarted.verifier().verify::<()>(&before_restart).is_err());
    let previous = SigningKey::from_pem_as(key_file("p256-1-private.pem"), Algorithm::ES256)
        .unwrap()
        .verifying_key();
    let restarted = restarted.with_previous(previous);
    assert_eq!(
        restarted
            .verifier()
            .verify::<()>(&before_restart)
            .unwrap()
            .subject,
        "alice"
    );
    let published: Value = serde_json::from_str(&restarted.jwks()).unwrap();
    assert_eq!(published["keys"].as_array().unwrap().len(), 2);
}

/// What one server answered to one request: status, challenge, body.
type Answer = (StatusCode, Option<String>, String);

/// A GET of `url` with these raw `Authorization` values (none, one, or several fields).
async fn answer(client: &reqwest::Client, url: &str, values: &[Vec<u8>]) -> Answer {
    let mut headers = reqwest::header::HeaderMap::new();
    for value in values {
        headers.append(
            reqwest::header::AUTHORIZATION,
            reqwest::header::HeaderValue::from_bytes(value).unwrap(),
        );
    }
    let response = client.get(url).headers(headers).send().await.unwrap();
    let challenge = response
        .headers()
        .get(reqwest::header::WWW_AUTHENTICATE)
        .map(|value| value.to_str().unwrap().to_owned());
    (response.status(), challenge, response.text().await.unwrap())
}

/// A header case: its name, the `Authorization` values sent, the status both servers must
/// answer, and how their challenge must start (`None`: no challenge).
type Case = (&'static str, Vec<Vec<u8>>, StatusCode, Option<&'static str>);

/// The cases, around `valid`, a valid access token. The grammar is RFC 6750 §2.1's
/// (`"Bearer" 1*SP b64token`, the scheme in any case) and RFC 9110 §11.6.2's (one field).
fn header_cases(valid: &str) -> Vec<Case> {
    let one = |value: &[u8]| vec![value.to_vec()];
    let with = |value: String| vec![value.into_bytes()];
    let bare = Some("Bearer");
    let invalid_request = Some(
        r#"Bearer error="invalid_request", error_description="Malformed Authorization header""#,
    );
    let invalid_token = Some(r#"Bearer error="invalid_token", error_description="#);
    let (ok, bad) = (StatusCode::OK, StatusCode::BAD_REQUEST);
    let unauthorized = StatusCode::UNAUTHORIZED;
    let twice = vec![format!("Bearer {valid}").into_bytes(); 2];
    let (big, huge) = ("a".repeat(12 * 1024), "a".repeat(100 * 1024));
    vec![
        ("no header", vec![], unauthorized, bare),
        ("a valid token", with(format!("Bearer {valid}")), ok, None),
        (
            "the scheme in lower case",
            with(format!("bearer {valid}")),
            ok,
            None,
        ),
        (
            "two spaces after the scheme",
            with(format!("Bearer  {valid}")),
            ok,
            None,
        ),
        (
            "another scheme",
            one(b"Basic YWxpY2U6aHVudGVyMg=="),
            unauthorized,
            bare,
        ),
        ("the header twice", twice, bad, invalid_request),
        ("Bearer with no token", one(b"Bearer"), bad, invalid_request),
        ("Bearer and a space", one(b"Bearer "), bad, invalid_request),
        (
            "a tab after the scheme",
            with(format!("Bearer\t{valid}")),
            bad,
            invalid_request,
        ),
        (
            "a comma after the scheme",
            with(format!("Bearer,{valid}")),
            bad,
            invalid_request,
        ),
        (
            "a quoted token",
            with(format!("Bearer \"{valid}\"")),
            bad,
            invalid_request,
        ),
        (
            "a second word",
            with(format!("Bearer {valid} extra")),
            bad,
            invalid_request,
        ),
        (
            "a non-ASCII byte",
            one(b"Bearer abc\xff"),
            bad,
            invalid_request,
        ),
        (
            "UTF-8 text",
            one("Bearer jéton".as_bytes()),
            bad,
            invalid_request,
        ),
        (
            "a garbage token",
            one(b"Bearer  x"),
            unauthorized,
            invalid_token,
        ),
        (
            "a 12 KiB token",
            with(format!("Bearer {big}")),
            unauthorized,
            invalid_token,
        ),
        // Under hyper's limit on a request head, far over the verifier's on a token.
        (
            "a 100 KiB header",
            with(format!("Bearer {huge}")),
            unauthorized,
            invalid_token,
        ),
    ]
}

/// Issue 20: the two servers answered `Bearer  x` differently (401 at one, 400 at the
/// other). Both now read the header with keyward's one parser through keyward-tower, so every
/// malformed or odd header gets the same status, challenge and body at the login server's
/// `/users/me` and the resource server's `/orders`. The cases are RFC 6750 §2.1's grammar
/// (`"Bearer" 1*SP b64token`, the scheme in any case) and RFC 9110 §11.6.2 (one field).
#[tokio::test]
async fn both_servers_answer_every_malformed_header_alike() {
    let services = start().await;
    let tokens = services.login("alice").await;
    let valid = tokens["access_token"].as_str().unwrap().to_owned();
    let ok = StatusCode::OK;
    let login = format!("http://{}/users/me", services.auth);
    let resource = format!("http://{}/orders", services.resource);
    for (name, values, status, challenge) in header_cases(&valid) {
        let at_login = answer(&services.client, &login, &values).await;
        let at_resource = answer(&services.client, &resource, &values).await;
        assert_eq!(at_login.0, status, "{name}: {at_login:?}");
        match challenge {
            Some(start) => assert!(
                at_login.1.as_deref().is_some_and(|c| c.starts_with(start)),
                "{name}: {at_login:?}"
            ),
            None => assert_eq!(at_login.1, None, "{name}"),
        }
        if status == ok {
            // The handlers differ; the authentication does not.
            assert_eq!(at_resource.0, ok, "{name}: {at_resource:?}");
        } else {
            assert_eq!(at_login, at_resource, "{name}");
        }
    }
}
