//! End to end: the example login server (`examples/server`) on 127.0.0.1 with a temporary
//! SQLite file, driven by a real HTTP client. Time moves by the injected clock, never by sleeping.

#[path = "../examples/server/app.rs"]
mod app;
#[path = "common/mod.rs"]
mod common;
#[path = "../examples/server/db.rs"]
mod db;
// Rotation is exercised in tests/multi_service.rs; here only HS256 is used.
#[allow(dead_code)]
#[path = "../examples/server/keys.rs"]
mod keys;

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use keyward::password::{Cost, PasswordHasher};
use keyward::token::{FixedClock, SigningKey, TokenIssuer};
use reqwest::StatusCode;
use serde_json::Value;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use common::temp::TempDb;

const SECRET: [u8; 32] = *b"server-test-secret-0123456789abc";

/// The server's HS256 key ring, on the test clock.
fn hs256_keys(clock: &FixedClock) -> keys::KeyRing {
    let for_issuer = clock.clone();
    keys::KeyRing::new(
        SigningKey::hs256(SECRET).unwrap(),
        std::sync::Arc::new(clock.clone()),
        Box::new(move |key| {
            TokenIssuer::new(key)
                .with_issuer("keyward-example-server")
                .with_clock(for_issuer.clone())
        }),
    )
}

/// A running server: its address, and how to stop it.
struct Server {
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
}

impl Server {
    async fn start(db_path: &Path, cost: u32, clock: &FixedClock) -> Server {
        Self::start_with(db_path, cost, clock, 4, Duration::from_secs(5)).await
    }

    /// `permits` concurrent hashes, each request waiting up to `wait` for one.
    async fn start_with(
        db_path: &Path,
        cost: u32,
        clock: &FixedClock,
        permits: usize,
        wait: Duration,
    ) -> Server {
        let db = db::Db::open(db_path).unwrap();
        let state = app::AppState::new(
            db,
            PasswordHasher::new().with_cost(Cost::new(cost).unwrap()),
            hs256_keys(clock),
            permits,
            wait,
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(app::serve(listener, state, async {
            let _ = stopped.await;
        }));
        Server { addr, stop, task }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    async fn stop(self) {
        let _ = self.stop.send(());
        self.task.await.unwrap().unwrap();
    }
}

async fn register(
    client: &reqwest::Client,
    server: &Server,
    username: &str,
    password: &str,
) -> reqwest::Response {
    client
        .post(server.url("/users"))
        .json(&serde_json::json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap()
}

async fn login(
    client: &reqwest::Client,
    server: &Server,
    username: &str,
    password: &str,
) -> reqwest::Response {
    client
        .post(server.url("/token"))
        .form(&[("username", username), ("password", password)])
        .send()
        .await
        .unwrap()
}

async fn me(client: &reqwest::Client, server: &Server, token: &str) -> reqwest::Response {
    client
        .get(server.url("/users/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

fn assert_bearer_challenge(response: &reqwest::Response) {
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
}

#[tokio::test]
async fn register_login_me_refresh() {
    let db = TempDb::new("flow");
    let clock = FixedClock::at(chrono::Utc::now());
    let server = Server::start(&db.0, 4, &clock).await;
    let client = reqwest::Client::new();

    let created = register(&client, &server, "alice", "correct horse battery staple").await;
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(
        register(&client, &server, "alice", "another password")
            .await
            .status(),
        StatusCode::CONFLICT
    );

    let response = login(&client, &server, "alice", "correct horse battery staple").await;
    assert_eq!(response.status(), StatusCode::OK);
    let tokens: Value = response.json().await.unwrap();
    assert_eq!(tokens["token_type"], "bearer");
    assert_eq!(tokens["expires_in"], 900);
    let access = tokens["access_token"].as_str().unwrap();
    let refresh = tokens["refresh_token"].as_str().unwrap();

    let profile = me(&client, &server, access).await;
    assert_eq!(profile.status(), StatusCode::OK);
    assert_eq!(profile.json::<Value>().await.unwrap()["username"], "alice");

    // The refresh token is not an access token...
    assert_bearer_challenge(&me(&client, &server, refresh).await);
    // ...but buys a new pair.
    let renewed = client
        .post(server.url("/token/refresh"))
        .form(&[("refresh_token", refresh)])
        .send()
        .await
        .unwrap();
    assert_eq!(renewed.status(), StatusCode::OK);
    let renewed: Value = renewed.json().await.unwrap();
    assert_eq!(
        me(&client, &server, renewed["access_token"].as_str().unwrap())
            .await
            .status(),
        StatusCode::OK
    );
    // And an access token is not a refresh token.
    let wrong_kind = client
        .post(server.url("/token/refresh"))
        .form(&[("refresh_token", access)])
        .send()
        .await
        .unwrap();
    assert_bearer_challenge(&wrong_kind);
    server.stop().await;
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_answer() {
    let db = TempDb::new("creds");
    let clock = FixedClock::at(chrono::Utc::now());
    let server = Server::start(&db.0, 4, &clock).await;
    let client = reqwest::Client::new();
    register(&client, &server, "alice", "correct horse battery staple").await;

    let wrong = login(&client, &server, "alice", "Tr0ub4dor&3").await;
    let unknown = login(&client, &server, "mallory", "Tr0ub4dor&3").await;
    let too_long = login(&client, &server, "alice", &"x".repeat(100)).await;
    let mut bodies = Vec::new();
    for response in [wrong, unknown, too_long] {
        assert_bearer_challenge(&response);
        bodies.push(response.text().await.unwrap());
    }
    assert_eq!(bodies[0], bodies[1]);
    assert_eq!(bodies[0], bodies[2]);
    assert_eq!(bodies[0], r#"{"detail":"Incorrect username or password"}"#);
    server.stop().await;
}

#[tokio::test]
async fn registration_validates_input_and_explains_the_72_byte_limit() {
    let db = TempDb::new("validate");
    let clock = FixedClock::at(chrono::Utc::now());
    let server = Server::start(&db.0, 4, &clock).await;
    let client = reqwest::Client::new();

    let too_long = register(&client, &server, "alice", &"é".repeat(37)).await; // 74 bytes
    assert_eq!(too_long.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = too_long.json().await.unwrap();
    assert_eq!(
        body["detail"],
        "password is 74 bytes long; at most 72 bytes are allowed"
    );

    assert_eq!(
        register(&client, &server, "alice", "short").await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        register(&client, &server, "a", "long enough password")
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        register(&client, &server, "bad name!", "long enough password")
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        register(&client, &server, "alice", &"x".repeat(72))
            .await
            .status(),
        StatusCode::CREATED
    );
    server.stop().await;
}

#[tokio::test]
async fn expired_tampered_and_missing_tokens_are_401() {
    let db = TempDb::new("tokens");
    let clock = FixedClock::at(chrono::Utc::now());
    let server = Server::start(&db.0, 4, &clock).await;
    let client = reqwest::Client::new();
    register(&client, &server, "alice", "correct horse battery staple").await;
    let tokens: Value = login(&client, &server, "alice", "correct horse battery staple")
        .await
        .json()
        .await
        .unwrap();
    let access = tokens["access_token"].as_str().unwrap().to_owned();

    let (input, signature) = access.rsplit_once('.').unwrap();
    let flipped = if signature.starts_with('A') { 'B' } else { 'A' };
    let tampered = format!("{input}.{flipped}{}", &signature[1..]);
    assert_bearer_challenge(&me(&client, &server, &tampered).await);
    assert_bearer_challenge(&client.get(server.url("/users/me")).send().await.unwrap());
    assert_bearer_challenge(
        &client
            .get(server.url("/users/me"))
            .header("authorization", format!("Basic {access}"))
            .send()
            .await
            .unwrap(),
    );

    assert_eq!(me(&client, &server, &access).await.status(), StatusCode::OK);
    clock.advance(Duration::from_secs(15 * 60));
    assert_bearer_challenge(&me(&client, &server, &access).await);
    server.stop().await;
}

#[tokio::test]
async fn data_survives_a_restart_and_outdated_hashes_are_upgraded_at_login() {
    let db = TempDb::new("restart");
    let clock = FixedClock::at(chrono::Utc::now());
    let client = reqwest::Client::new();

    let first = Server::start(&db.0, 4, &clock).await;
    assert_eq!(
        register(&client, &first, "alice", "correct horse battery staple")
            .await
            .status(),
        StatusCode::CREATED
    );
    first.stop().await;

    // Same file, a higher configured cost.
    let second = Server::start(&db.0, 5, &clock).await;
    let before = db::Db::open(&db.0)
        .unwrap()
        .find_user("alice")
        .unwrap()
        .unwrap()
        .password_hash;
    assert!(before.starts_with("$2b$04$"), "{before}");
    assert_eq!(
        login(&client, &second, "alice", "correct horse battery staple")
            .await
            .status(),
        StatusCode::OK
    );
    let after = db::Db::open(&db.0)
        .unwrap()
        .find_user("alice")
        .unwrap()
        .unwrap()
        .password_hash;
    assert!(after.starts_with("$2b$05$"), "{after}");
    assert_eq!(
        login(&client, &second, "alice", "correct horse battery staple")
            .await
            .status(),
        StatusCode::OK
    );
    second.stop().await;
}

#[tokio::test]
async fn a_saturated_hashing_pool_answers_503() {
    let db = TempDb::new("busy");
    let clock = FixedClock::at(chrono::Utc::now());
    // No hashing slot at all, and no patience: every hashing request must be turned away.
    let server = Server::start_with(&db.0, 4, &clock, 0, Duration::from_millis(50)).await;
    let response = login(&reqwest::Client::new(), &server, "alice", "whatever").await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()["retry-after"], "1");
    server.stop().await;
}
