//! End to end: the example login server (`demo/src/bin/server`) on 127.0.0.1 with a temporary
//! SQLite file, driven by a real HTTP client. Time moves by the injected clock, never by sleeping,
//! except where the server's own timeouts are under test (set to a second or less there).

#[path = "../src/bin/server/app.rs"]
mod app;
#[path = "common/mod.rs"]
mod common;
#[path = "../src/bin/server/db.rs"]
mod db;
#[path = "../src/bin/server/keys.rs"]
mod keys;

use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use app::Limits;
use app::throttle::{Rate, ThrottleConfig};
use keyward::password::{Cost, PasswordHasher};
use keyward::token::{Clock, FixedClock, SigningKey, SystemClock, TokenIssuer};
use reqwest::StatusCode;
use serde_json::Value;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use common::temp::TempDb;

const SECRET: [u8; 32] = *b"server-test-secret-0123456789abc";
const ISSUER: &str = "keyward-example-server";
const AUDIENCE: &str = "keyward-example-api";
const PASSWORD: &str = "correct horse battery staple";

/// The server's HS256 key ring, on `clock`, with the audience `main.rs` sets by default.
fn hs256_keys(clock: Arc<dyn Clock>) -> keys::KeyRing {
    let for_issuer = Arc::clone(&clock);
    keys::KeyRing::new(
        SigningKey::hs256(SECRET).unwrap(),
        clock,
        Box::new(move |key| {
            TokenIssuer::new(key)
                .with_issuer(ISSUER)
                .with_audience(AUDIENCE)
                .with_clock(Arc::clone(&for_issuer))
        }),
    )
}

/// How a test server is set up; `Options::new` is what most tests need.
#[derive(Clone)]
struct Options {
    cost: u32,
    clock: Arc<dyn Clock>,
    permits: usize,
    wait: Duration,
    throttle: ThrottleConfig,
    limits: Limits,
    trusted_proxy: Option<IpAddr>,
    legacy: Option<app::LegacyTokens>,
}

impl Options {
    fn new(clock: &FixedClock) -> Options {
        Options {
            cost: 4,
            clock: Arc::new(clock.clone()),
            permits: 4,
            wait: Duration::from_secs(5),
            throttle: ThrottleConfig::default(),
            limits: Limits::default(),
            trusted_proxy: None,
            legacy: None,
        }
    }
}

/// A running server: its address, and how to stop it.
struct Server {
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
}

impl Server {
    async fn start(db_path: &Path, cost: u32, clock: &FixedClock) -> Server {
        Self::start_opts(
            db_path,
            Options {
                cost,
                ..Options::new(clock)
            },
        )
        .await
    }

    /// `permits` concurrent hashes, each request waiting up to `wait` for one.
    async fn start_with(
        db_path: &Path,
        cost: u32,
        clock: &FixedClock,
        permits: usize,
        wait: Duration,
    ) -> Server {
        let options = Options {
            cost,
            permits,
            wait,
            ..Options::new(clock)
        };
        Self::start_opts(db_path, options).await
    }

    async fn start_opts(db_path: &Path, options: Options) -> Server {
        let db = db::Db::open(db_path).unwrap();
        let state = app::AppState::new(
            db,
            PasswordHasher::new().with_cost(Cost::new(options.cost).unwrap()),
            hs256_keys(options.clock),
            options.permits,
            options.wait,
        )
        .with_throttle(options.throttle)
        .with_limits(options.limits)
        .with_trusted_proxy(options.trusted_proxy);
        let state = match options.legacy {
            Some(legacy) => state.with_legacy_tokens(legacy),
            None => state,
        };
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

/// 401 for a request without bearer credentials (or bad login credentials): a bare challenge.
fn assert_bearer_challenge(response: &reqwest::Response) {
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
}

/// 401 for an unusable bearer token: RFC 6750 §3.1's `invalid_token`.
fn assert_invalid_token(response: &reqwest::Response) {
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.headers()["www-authenticate"],
        r#"Bearer error="invalid_token""#
    );
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
    assert_invalid_token(&me(&client, &server, refresh).await);
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
    assert_invalid_token(&me(&client, &server, &tampered).await);
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
    assert_invalid_token(&me(&client, &server, &access).await);
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

/// Logs in and returns (access token, refresh token), asserting success.
async fn tokens(client: &reqwest::Client, server: &Server, username: &str) -> (String, String) {
    tokens_with(client, server, username, PASSWORD).await
}

async fn tokens_with(
    client: &reqwest::Client,
    server: &Server,
    username: &str,
    password: &str,
) -> (String, String) {
    let response = login(client, server, username, password).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    (
        body["access_token"].as_str().unwrap().to_owned(),
        body["refresh_token"].as_str().unwrap().to_owned(),
    )
}

async fn refresh(client: &reqwest::Client, server: &Server, token: &str) -> reqwest::Response {
    client
        .post(server.url("/token/refresh"))
        .form(&[("grant_type", "refresh_token"), ("refresh_token", token)])
        .send()
        .await
        .unwrap()
}

async fn revoke(client: &reqwest::Client, server: &Server, token: &str) -> reqwest::Response {
    client
        .post(server.url("/token/revoke"))
        .form(&[("token", token), ("token_type_hint", "refresh_token")])
        .send()
        .await
        .unwrap()
}

async fn change_password(
    client: &reqwest::Client,
    server: &Server,
    access: &str,
    current: &str,
    new: &str,
) -> reqwest::Response {
    client
        .post(server.url("/users/me/password"))
        .bearer_auth(access)
        .json(&serde_json::json!({"current_password": current, "new_password": new}))
        .send()
        .await
        .unwrap()
}

/// Refresh tokens that work once, logout, and password changes, over HTTP and across restarts.
mod sessions {
    use super::*;

    #[tokio::test]
    async fn a_refresh_token_works_once_and_its_reuse_ends_the_session_even_after_a_restart() {
        let db = TempDb::new("rotation");
        let clock = FixedClock::at(chrono::Utc::now());
        let client = reqwest::Client::new();
        let server = Server::start(&db.0, 4, &clock).await;
        register(&client, &server, "alice", PASSWORD).await;
        let (_, first) = tokens(&client, &server, "alice").await;
        assert_eq!(first.len(), 43, "an opaque token, not a JWT: {first}");

        let renewed = refresh(&client, &server, &first).await;
        assert_eq!(renewed.status(), StatusCode::OK);
        let renewed: Value = renewed.json().await.unwrap();
        let second = renewed["refresh_token"].as_str().unwrap().to_owned();
        assert_ne!(second, first);
        let access = renewed["access_token"].as_str().unwrap();
        assert_eq!(me(&client, &server, access).await.status(), StatusCode::OK);

        // The families live in SQLite: a restart forgets nothing.
        server.stop().await;
        let server = Server::start(&db.0, 4, &clock).await;

        // The first token again: someone else holds it. The whole family is revoked...
        assert_bearer_challenge(&refresh(&client, &server, &first).await);
        // ...so the legitimate holder's newer token is refused too.
        assert_bearer_challenge(&refresh(&client, &server, &second).await);
        // Another session of the same account is untouched.
        let (_, other) = tokens(&client, &server, "alice").await;
        assert_eq!(
            refresh(&client, &server, &other).await.status(),
            StatusCode::OK
        );
        server.stop().await;
    }

    #[tokio::test]
    async fn logout_ends_the_session_and_any_token_gets_200() {
        let db = TempDb::new("logout");
        let clock = FixedClock::at(chrono::Utc::now());
        let client = reqwest::Client::new();
        let server = Server::start(&db.0, 4, &clock).await;
        register(&client, &server, "alice", PASSWORD).await;
        let (access, refresh_token) = tokens(&client, &server, "alice").await;

        let logout = revoke(&client, &server, &refresh_token).await;
        assert_eq!(logout.status(), StatusCode::OK);
        server.stop().await;
        let server = Server::start(&db.0, 4, &clock).await;
        assert_bearer_challenge(&refresh(&client, &server, &refresh_token).await);

        // RFC 7009 §2.2: unknown, malformed and already revoked tokens all get 200.
        for token in [
            refresh_token.as_str(),
            "nonsense",
            access.as_str(),
            &"A".repeat(43),
        ] {
            assert_eq!(
                revoke(&client, &server, token).await.status(),
                StatusCode::OK
            );
        }
        server.stop().await;
    }

    #[tokio::test]
    async fn a_password_change_voids_earlier_access_tokens_and_every_session() {
        let db = TempDb::new("password-change");
        let clock = FixedClock::at(chrono::Utc::now());
        let client = reqwest::Client::new();
        let server = Server::start(&db.0, 4, &clock).await;
        register(&client, &server, "alice", PASSWORD).await;
        let (laptop_access, _) = tokens(&client, &server, "alice").await;
        let (phone_access, phone_refresh) = tokens(&client, &server, "alice").await;
        clock.advance(Duration::from_secs(5));

        let wrong =
            change_password(&client, &server, &laptop_access, "guess", "new password 1").await;
        assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
        let changed =
            change_password(&client, &server, &laptop_access, PASSWORD, "new password 1").await;
        assert_eq!(changed.status(), StatusCode::NO_CONTENT);

        assert_invalid_token(&me(&client, &server, &laptop_access).await);
        assert_invalid_token(&me(&client, &server, &phone_access).await);
        assert_bearer_challenge(&refresh(&client, &server, &phone_refresh).await);

        // The cutoff is in SQLite: still void after a restart.
        server.stop().await;
        let server = Server::start(&db.0, 4, &clock).await;
        assert_invalid_token(&me(&client, &server, &phone_access).await);
        assert_bearer_challenge(&login(&client, &server, "alice", PASSWORD).await);

        clock.advance(Duration::from_secs(1));
        let (access, _) = tokens_with(&client, &server, "alice", "new password 1").await;
        assert_eq!(me(&client, &server, &access).await.status(), StatusCode::OK);
        server.stop().await;
    }

    /// `iat` has whole seconds: tokens from the second of the change are void, so the server
    /// never issues one for that account before the next second starts.
    #[tokio::test]
    async fn tokens_from_the_second_of_a_change_are_void_and_none_is_issued_in_it() {
        let db = TempDb::new("same-second");
        let client = reqwest::Client::new();
        let options = Options {
            clock: Arc::new(SystemClock),
            ..Options::new(&FixedClock::at(chrono::Utc::now()))
        };
        let server = Server::start_opts(&db.0, options).await;
        register(&client, &server, "alice", PASSWORD).await;
        let (old, _) = tokens(&client, &server, "alice").await;
        let changed = change_password(&client, &server, &old, PASSWORD, "new password 1").await;
        assert_eq!(changed.status(), StatusCode::NO_CONTENT);
        let changed_in = chrono::Utc::now().timestamp();

        let (fresh, _) = tokens_with(&client, &server, "alice", "new password 1").await;
        let issued = keyward::token::dangerous::decode_unverified::<Value>(&fresh)
            .unwrap()
            .claims["iat"]
            .as_i64()
            .unwrap();
        assert!(issued >= changed_in, "iat {issued}, change in {changed_in}");
        assert_eq!(me(&client, &server, &fresh).await.status(), StatusCode::OK);
        assert_invalid_token(&me(&client, &server, &old).await);
        server.stop().await;
    }

    /// RFC 9068 claims, and what a third party's JWT library makes of the two tokens.
    #[tokio::test]
    async fn pyjwt_accepts_the_access_token_and_refuses_the_refresh_token() {
        let db = TempDb::new("pyjwt");
        let clock = FixedClock::at(chrono::Utc::now());
        let client = reqwest::Client::new();
        let server = Server::start(&db.0, 4, &clock).await;
        register(&client, &server, "alice", PASSWORD).await;
        let (access, refresh_token) = tokens(&client, &server, "alice").await;
        server.stop().await;

        let decode = |token: &str| {
            serde_json::json!({"token": token, "alg": "HS256", "key": common::python::b64(&SECRET),
                               "audience": AUDIENCE, "issuer": ISSUER})
        };
        let request =
            serde_json::json!({"encode": [], "decode": [decode(&access), decode(&refresh_token)]});
        let Some(answer) = common::python::run(common::python::Venv::Modern, "tokens.py", &request)
        else {
            return;
        };
        let accepted = &answer["decoded"][0];
        assert_eq!(accepted["claims"]["sub"], "alice", "{answer}");
        assert_eq!(accepted["claims"]["aud"], AUDIENCE);
        assert_eq!(accepted["claims"]["client_id"], app::DEFAULT_CLIENT_ID);
        assert!(accepted["claims"]["jti"].is_string());
        assert_eq!(accepted["header"]["typ"], "at+jwt");
        assert!(
            answer["decoded"][1]["error"].is_string(),
            "PyJWT took the refresh token as an access token: {answer}"
        );
    }
}

/// Guess throttling: per account and address, blind to whether the account exists.
mod throttling {
    use super::*;

    fn tight() -> ThrottleConfig {
        let per_minute = |burst| Rate {
            burst,
            every: Duration::from_secs(60),
        };
        ThrottleConfig {
            account_and_address: per_minute(3),
            address: per_minute(20),
            account: per_minute(50),
            max_entries: 1000,
        }
    }

    async fn login_from(
        client: &reqwest::Client,
        server: &Server,
        address: &str,
        username: &str,
        password: &str,
    ) -> reqwest::Response {
        client
            .post(server.url("/token"))
            .header("x-forwarded-for", format!("203.0.113.99, {address}"))
            .form(&[("username", username), ("password", password)])
            .send()
            .await
            .unwrap()
    }

    /// What a client can observe of an answer, apart from timing and the date.
    async fn observed(response: reqwest::Response) -> (StatusCode, Vec<(String, String)>, String) {
        let mut headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .filter(|(name, _)| *name != "date")
            .map(|(name, value)| (name.to_string(), value.to_str().unwrap().to_owned()))
            .collect();
        headers.sort();
        (response.status(), headers, response.text().await.unwrap())
    }

    #[tokio::test]
    async fn guesses_are_throttled_alike_for_real_and_unknown_accounts_and_only_from_their_address()
    {
        let db = TempDb::new("throttle");
        let clock = FixedClock::at(chrono::Utc::now());
        let options = Options {
            throttle: tight(),
            trusted_proxy: Some("127.0.0.1".parse().unwrap()),
            ..Options::new(&clock)
        };
        let server = Server::start_opts(&db.0, options).await;
        let client = reqwest::Client::new();
        register(&client, &server, "alice", PASSWORD).await;

        let mut real = Vec::new();
        let mut unknown = Vec::new();
        for _ in 0..5 {
            real.push(
                observed(login_from(&client, &server, "192.0.2.1", "alice", "guess").await).await,
            );
            unknown.push(
                observed(login_from(&client, &server, "192.0.2.2", "mallory", "guess").await).await,
            );
        }
        let statuses: Vec<StatusCode> = real.iter().map(|(status, ..)| *status).collect();
        assert_eq!(statuses[..3], [StatusCode::UNAUTHORIZED; 3]);
        assert_eq!(statuses[3..], [StatusCode::TOO_MANY_REQUESTS; 2]);
        let retry_after = real[3]
            .1
            .iter()
            .find(|(name, _)| name == "retry-after")
            .unwrap();
        assert_eq!(retry_after.1, "60");
        assert_eq!(
            real, unknown,
            "an unknown name must be throttled exactly like a real one"
        );

        // Even the right password waits at the locked address: no oracle for the guesser...
        let locked = login_from(&client, &server, "192.0.2.1", "alice", PASSWORD).await;
        assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
        // ...while alice, from her own address, is not locked out.
        let elsewhere = login_from(&client, &server, "198.51.100.7", "Alice", PASSWORD).await;
        assert_eq!(elsewhere.status(), StatusCode::OK);
        // The header counts only from the trusted proxy: this peer is 127.0.0.1, the proxy.
        server.stop().await;
    }

    #[tokio::test]
    async fn forwarded_for_is_ignored_from_an_untrusted_peer() {
        let db = TempDb::new("untrusted");
        let clock = FixedClock::at(chrono::Utc::now());
        let options = Options {
            throttle: tight(),
            trusted_proxy: Some("127.0.0.2".parse().unwrap()),
            ..Options::new(&clock)
        };
        let server = Server::start_opts(&db.0, options).await;
        let client = reqwest::Client::new();
        // A client spoofing a new address on each guess is still one address: 127.0.0.1.
        let mut statuses = Vec::new();
        for i in 0..4 {
            let response =
                login_from(&client, &server, &format!("192.0.2.{i}"), "alice", "guess").await;
            statuses.push(response.status());
        }
        assert_eq!(statuses[3], StatusCode::TOO_MANY_REQUESTS, "{statuses:?}");
        server.stop().await;
    }
}

/// Connection and request limits, with the timeouts shortened.
mod limits {
    use std::time::Instant;

    use tokio::net::TcpStream;

    use super::*;

    fn short() -> Limits {
        Limits {
            header_read_timeout: Duration::from_millis(500),
            body_timeout: Duration::from_millis(500),
            request_timeout: Duration::from_secs(2),
            idle_timeout: Duration::from_millis(500),
            ..Limits::default()
        }
    }

    async fn start(name: &str) -> (TempDb, Server) {
        let db = TempDb::new(name);
        let clock = FixedClock::at(chrono::Utc::now());
        let options = Options {
            limits: short(),
            ..Options::new(&clock)
        };
        let server = Server::start_opts(&db.0, options).await;
        (db, server)
    }

    /// Sends raw bytes (tokio's `io-util` is not in the build; `try_write` is enough).
    async fn send(stream: &TcpStream, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            stream.writable().await.unwrap();
            match stream.try_write(bytes) {
                Ok(n) => bytes = &bytes[n..],
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) => panic!("{e}"),
            }
        }
    }

    /// Reads what is there: `None` once the server has closed the connection.
    async fn read_some(stream: &TcpStream) -> Option<Vec<u8>> {
        let mut buffer = [0u8; 4096];
        loop {
            stream.readable().await.unwrap();
            match stream.try_read(&mut buffer) {
                Ok(0) => return None,
                Ok(n) => return Some(buffer[..n].to_vec()),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return None,
                Err(e) => panic!("{e}"),
            }
        }
    }

    /// Reads until the server closes the connection (bounded at 10 s); what it sent, and when.
    async fn until_closed(stream: &TcpStream) -> (String, Duration) {
        let started = Instant::now();
        let mut received = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(10), async {
            while let Some(bytes) = read_some(stream).await {
                received.extend(bytes);
            }
        });
        assert!(read.await.is_ok(), "still open after 10 s");
        (
            String::from_utf8_lossy(&received).into_owned(),
            started.elapsed(),
        )
    }

    #[tokio::test]
    async fn a_half_sent_header_and_a_silent_connection_are_closed_in_time() {
        let (_db, server) = start("slowloris").await;
        let half = TcpStream::connect(server.addr).await.unwrap();
        send(&half, b"POST /token HTTP/1.1\r\nHost: x\r\nContent-Ty").await;
        let silent = TcpStream::connect(server.addr).await.unwrap();

        let (_, waited) = until_closed(&half).await;
        assert!(
            waited < Duration::from_secs(3),
            "half a header kept {waited:?}"
        );
        let (sent, waited) = until_closed(&silent).await;
        assert!(
            waited < Duration::from_secs(3),
            "a silent connection kept {waited:?}"
        );
        assert!(!sent.contains("200"), "{sent}");
        server.stop().await;
    }

    #[tokio::test]
    async fn a_stalled_body_is_cut_off_in_time() {
        let (_db, server) = start("trickle").await;
        let stream = TcpStream::connect(server.addr).await.unwrap();
        send(&stream, b"POST /token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nusername=al").await;
        let (sent, waited) = until_closed(&stream).await;
        // The body timeout fails the form extractor, which axum answers with 400.
        assert!(sent.starts_with("HTTP/1.1 400"), "{sent}");
        assert!(
            sent.contains("not received within the designated timeout"),
            "{sent}"
        );
        assert!(waited < Duration::from_secs(3), "{waited:?}");
        server.stop().await;
    }

    #[tokio::test]
    async fn a_10_gb_body_is_refused_with_413_before_it_is_read() {
        let (_db, server) = start("huge").await;
        let stream = TcpStream::connect(server.addr).await.unwrap();
        send(&stream, b"POST /users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10737418240\r\n\r\n").await;
        let head = tokio::time::timeout(Duration::from_secs(2), read_some(&stream))
            .await
            .expect("an answer without waiting for the body")
            .unwrap_or_default();
        let head = String::from_utf8_lossy(&head);
        // 413 is the answer from the Content-Length alone: had the server waited for the body,
        // its 500 ms body timeout would have answered 400 instead. The status, not a stopwatch,
        // is the proof, so a busy machine cannot fail this test.
        assert!(head.starts_with("HTTP/1.1 413"), "{head}");
        server.stop().await;
    }
}

/// Every error is `{"detail": ...}` JSON, the framework's own rejections included.
mod errors {
    use super::*;

    async fn assert_json_error(response: reqwest::Response, status: StatusCode) {
        assert_eq!(response.status(), status);
        assert_eq!(response.headers()["content-type"], "application/json");
        let body: Value = response.json().await.unwrap();
        assert!(
            body["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "{body}"
        );
    }

    #[tokio::test]
    async fn rejections_and_unknown_routes_answer_json() {
        let db = TempDb::new("errors");
        let clock = FixedClock::at(chrono::Utc::now());
        let server = Server::start(&db.0, 4, &clock).await;
        let client = reqwest::Client::new();
        let post = |path: &str| client.post(server.url(path));

        let bad_json = post("/users")
            .header("content-type", "application/json")
            .body("{")
            .send();
        assert_json_error(bad_json.await.unwrap(), StatusCode::BAD_REQUEST).await;
        let missing = post("/users")
            .json(&serde_json::json!({"username": "alice"}))
            .send();
        assert_json_error(missing.await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY).await;
        let wrong_type = post("/token").body("username=a&password=b").send();
        assert_json_error(
            wrong_type.await.unwrap(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        )
        .await;
        let nowhere = client.get(server.url("/nowhere")).send();
        assert_json_error(nowhere.await.unwrap(), StatusCode::NOT_FOUND).await;
        let wrong_method = client.get(server.url("/token")).send();
        assert_json_error(wrong_method.await.unwrap(), StatusCode::METHOD_NOT_ALLOWED).await;
        server.stop().await;
    }
}

/// Case-insensitive, Unicode-normalized usernames.
mod usernames {
    use super::*;

    #[tokio::test]
    async fn case_and_unicode_spellings_reach_one_account() {
        let db = TempDb::new("names");
        let clock = FixedClock::at(chrono::Utc::now());
        let server = Server::start(&db.0, 4, &clock).await;
        let client = reqwest::Client::new();

        assert_eq!(
            register(&client, &server, "alice", PASSWORD).await.status(),
            StatusCode::CREATED
        );
        for taken in ["Alice", "ALICE", "ａｌｉｃｅ"] {
            assert_eq!(
                register(&client, &server, taken, PASSWORD).await.status(),
                StatusCode::CONFLICT,
                "{taken}"
            );
        }
        let (access, _) = tokens(&client, &server, "Alice").await;
        let profile: Value = me(&client, &server, &access).await.json().await.unwrap();
        assert_eq!(profile["username"], "alice");

        let zoe = register(&client, &server, "Zoë", PASSWORD).await;
        assert_eq!(zoe.status(), StatusCode::CREATED);
        assert_eq!(zoe.json::<Value>().await.unwrap()["username"], "zoë");
        // Upper case, and ë as e + combining diaeresis (NFD): the same account.
        tokens(&client, &server, "ZOË").await;
        tokens(&client, &server, "Zoe\u{308}").await;

        let refused = register(&client, &server, "bad name!", PASSWORD).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            refused.json::<Value>().await.unwrap()["detail"],
            app::username::RULE
        );
        server.stop().await;
    }

    #[test]
    fn names_stored_before_the_rule_are_renamed_unless_they_clash() {
        let db = TempDb::new("migrate");
        let store = db::Db::open(&db.0).unwrap();
        for (name, at) in [("Bob", 1), ("alice", 2), ("Alice", 3)] {
            assert!(store.insert_user(name, "$2b$04$x", at).unwrap());
        }
        let stranded = store.normalize_usernames(app::username::normalize).unwrap();
        assert_eq!(stranded, ["Alice"]);
        assert!(store.find_user("bob").unwrap().is_some());
        assert!(store.find_user("Bob").unwrap().is_none());
        assert!(store.find_user("alice").unwrap().is_some());
    }
}

/// The key ring's retired keys end at their deadline, judged on each request.
mod key_ring {
    use keyward::token::{TokenError, VerifyingKey};

    use super::*;

    fn es256(name: &str) -> SigningKey {
        let pem = std::fs::read(format!(
            "{}/../tests/keys/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        SigningKey::es256_pem(pem).unwrap()
    }

    #[test]
    fn a_retired_key_is_refused_after_its_deadline_without_any_rotation() {
        let clock = FixedClock::at(chrono::Utc::now());
        let for_issuer = clock.clone();
        let make = move |key| TokenIssuer::new(key).with_clock(for_issuer.clone());
        let old = make(
            es256("p256-1-private.pem")
                .try_with_thumbprint_key_id()
                .unwrap(),
        );
        let token = old.issue("alice", &()).unwrap();

        let ring = keys::KeyRing::new(
            es256("p256-2-private.pem"),
            Arc::new(clock.clone()),
            Box::new(make),
        );
        let retired: VerifyingKey = old.verifying_key();
        ring.retain(retired).unwrap();
        assert!(ring.verifier().verify::<()>(&token).is_ok());

        // One second before the deadline (the access-token lifetime): still accepted.
        clock.advance(Duration::from_secs(14 * 60 + 59));
        // Tokens from the old key are themselves still valid only until their own exp; check
        // the key alone with a token issued now by the old key.
        let late = old.issue("alice", &()).unwrap();
        assert!(ring.verifier().verify::<()>(&late).is_ok());
        assert!(ring.jwks().contains(old.key_id().unwrap()));

        clock.advance(Duration::from_secs(1));
        assert!(matches!(
            ring.verifier().verify::<()>(&late),
            Err(TokenError::UnknownKeyId { .. })
        ));
        assert!(!ring.jwks().contains(old.key_id().unwrap()));
    }
}

/// Migrating from the FastAPI tutorial's python-jose service: its tokens are accepted during a
/// window that ends at a set instant, whatever their `exp`, and a password change voids them.
mod migration_window {
    use super::*;
    use keyward::SecretKey;
    use keyward::token::{TokenVerifier, VerifyingKey};

    /// Made by python-jose 3.5 as the tutorial does (`jwt.encode({"sub": "johndoe", "exp":
    /// 4102444800}, SECRET_KEY, algorithm="HS256")`, the FastAPI docs' example `SECRET_KEY`);
    /// `tests/jose_interop.rs` checks python-jose still writes exactly this string.
    const TUTORIAL_TOKEN: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.\
        eyJzdWIiOiJqb2huZG9lIiwiZXhwIjo0MTAyNDQ0ODAwfQ.4sh0Q1TUl-n_pM9DffzrC-WTE2hGuun7_RrAC6Ce1Rg";
    const TUTORIAL_SECRET: &str =
        "09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7";

    async fn start(db: &TempDb, clock: &FixedClock, until_secs: i64) -> Server {
        let verifier =
            TokenVerifier::new(VerifyingKey::hs256(SecretKey::from_text(TUTORIAL_SECRET)).unwrap())
                .with_access_token_types(["JWT"])
                .with_optional_iat(true)
                .with_clock(clock.clone());
        let until = chrono::DateTime::from_timestamp(clock.now().timestamp() + until_secs, 0);
        let options = Options {
            legacy: Some(app::LegacyTokens {
                verifier,
                until: until.unwrap(),
            }),
            ..Options::new(clock)
        };
        Server::start_opts(&db.0, options).await
    }

    #[tokio::test]
    async fn tutorial_tokens_work_until_the_window_closes() {
        let db = TempDb::new("legacy-window");
        let clock = FixedClock::at(chrono::Utc::now());
        let server = start(&db, &clock, 3600).await;
        let client = reqwest::Client::new();
        assert_eq!(
            register(&client, &server, "johndoe", PASSWORD)
                .await
                .status(),
            StatusCode::CREATED
        );
        let response = me(&client, &server, TUTORIAL_TOKEN).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.json::<Value>().await.unwrap()["username"],
            "johndoe"
        );
        // A token signed with another secret is not a tutorial token.
        let forged = TUTORIAL_TOKEN.replace("4sh0Q1TU", "5sh0Q1TU");
        assert_invalid_token(&me(&client, &server, &forged).await);
        // Past the window, refused although its `exp` is in 2100.
        clock.advance(Duration::from_secs(3600));
        assert_invalid_token(&me(&client, &server, TUTORIAL_TOKEN).await);
        server.stop().await;
    }

    #[tokio::test]
    async fn a_password_change_voids_tutorial_tokens() {
        let db = TempDb::new("legacy-cutoff");
        let clock = FixedClock::at(chrono::Utc::now());
        let server = start(&db, &clock, 3600).await;
        let client = reqwest::Client::new();
        register(&client, &server, "johndoe", PASSWORD).await;
        let tokens: Value = login(&client, &server, "johndoe", PASSWORD)
            .await
            .json()
            .await
            .unwrap();
        let access = tokens["access_token"].as_str().unwrap();
        let changed =
            change_password(&client, &server, access, PASSWORD, "another long password").await;
        assert_eq!(changed.status(), StatusCode::NO_CONTENT);
        assert_invalid_token(&me(&client, &server, TUTORIAL_TOKEN).await);
        server.stop().await;
    }
}
