//! End to end: the example login server (`demo/src/bin/server`) on 127.0.0.1 with a temporary
//! SQLite store (`keyward_session_sqlite`), driven by a real HTTP client. Time moves by the injected clock, never by sleeping,
//! except where the server's own timeouts are under test (set to a second or less there).

#[path = "../src/bin/server/app.rs"]
mod app;
#[path = "common/mod.rs"]
mod common;
#[path = "../src/bin/server/keys.rs"]
mod keys;

use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use app::Limits;
use keyward::password::{Cost, PasswordHasher};
use keyward::token::{Clock, FixedClock, SigningKey, SystemClock, TokenIssuer};
use keyward_session::{AccountName, Rate, SessionPolicy, Sessions, ThrottlePolicy};
use keyward_session_sqlite::SqliteStore;
use reqwest::StatusCode;
use serde_json::Value;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use common::temp::TempDb;

const SECRET: [u8; 32] = *b"server-test-secret-0123456789abc";
const ISSUER: &str = "keyward-example-server";
const AUDIENCE: &str = "keyward-example-api";
const PASSWORD: &str = "correct horse battery staple";

/// The server's HS256 key, on `clock`, with the audience `main.rs` sets by default.
fn hs256_keys(clock: Arc<dyn Clock>) -> keys::Keys {
    let for_issuer = Arc::clone(&clock);
    keys::Keys::fixed(
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
    throttle: ThrottlePolicy,
    policy: SessionPolicy,
    quiet_registration: bool,
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
            throttle: ThrottlePolicy::default(),
            policy: SessionPolicy::default(),
            quiet_registration: false,
            limits: Limits::default(),
            trusted_proxy: None,
            legacy: None,
        }
    }
}

/// The session rules over the SQLite store in `path`, as `main.rs` opens them.
async fn open_store(path: &Path) -> Sessions<SqliteStore> {
    Sessions::new(SqliteStore::open(path).await.unwrap())
}

/// The stored password hash of `name`.
async fn stored_hash(path: &Path, name: &str) -> String {
    open_store(path)
        .await
        .find_account(&AccountName::new(name).unwrap())
        .await
        .unwrap()
        .unwrap()
        .password_hash()
        .to_owned()
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
        let sessions = open_store(db_path)
            .await
            .with_clock(Arc::clone(&options.clock))
            .with_throttle(options.throttle)
            .with_policy(options.policy);
        let state = app::AppState::new(
            sessions,
            PasswordHasher::new().with_cost(Cost::new(options.cost).unwrap()),
            hs256_keys(options.clock),
            options.permits,
            options.wait,
        )
        .with_limits(options.limits)
        .with_quiet_registration(options.quiet_registration)
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

/// 400 `invalid_grant` (RFC 6749 §5.2): wrong credentials, or a refresh token that buys
/// nothing; never cached, and with the FastAPI tutorial's `detail` beside the OAuth fields.
async fn assert_invalid_grant(response: reqwest::Response) -> Value {
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert!(response.headers().get("www-authenticate").is_none());
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant", "{body}");
    assert_eq!(body["detail"], body["error_description"], "{body}");
    body
}

/// 401 for an unusable bearer token: RFC 6750 §3.1's `invalid_token`, with keyward-tower's
/// fixed description of its kind.
fn assert_invalid_token(response: &reqwest::Response) {
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let challenge = response.headers()["www-authenticate"].to_str().unwrap();
    assert!(
        challenge.starts_with(r#"Bearer error="invalid_token", error_description=""#),
        "{challenge}"
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
    assert_invalid_grant(wrong_kind).await;
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
        bodies.push(assert_invalid_grant(response).await);
    }
    assert_eq!(bodies[0], bodies[1]);
    assert_eq!(bodies[0], bodies[2]);
    assert_eq!(bodies[0]["detail"], "Incorrect username or password");
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
    // With plain bcrypt (this harness's hasher): the policy names the settings that allow it,
    // in FastAPI's shape, at the field.
    assert_eq!(
        body["detail"][0]["loc"],
        serde_json::json!(["body", "password"])
    );
    assert_eq!(body["detail"][0]["type"], "value_error");
    assert_eq!(
        body["detail"][0]["msg"],
        "password is 74 bytes in UTF-8, over plain bcrypt's 72; \
         LongPasswords::PreHash or PasswordAlgorithm::Argon2id would allow it"
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
    let before = stored_hash(&db.0, "alice").await;
    assert!(before.starts_with("$2b$04$"), "{before}");
    assert_eq!(
        login(&client, &second, "alice", "correct horse battery staple")
            .await
            .status(),
        StatusCode::OK
    );
    let after = stored_hash(&db.0, "alice").await;
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
        assert_invalid_grant(refresh(&client, &server, &first).await).await;
        // ...so the legitimate holder's newer token is refused too.
        assert_invalid_grant(refresh(&client, &server, &second).await).await;
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
        assert_invalid_grant(refresh(&client, &server, &refresh_token).await).await;

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

        let wrong = change_password(
            &client,
            &server,
            &laptop_access,
            "guess",
            "new password one",
        )
        .await;
        assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
        let changed = change_password(
            &client,
            &server,
            &laptop_access,
            PASSWORD,
            "new password one",
        )
        .await;
        assert_eq!(changed.status(), StatusCode::NO_CONTENT);

        assert_invalid_token(&me(&client, &server, &laptop_access).await);
        assert_invalid_token(&me(&client, &server, &phone_access).await);
        assert_invalid_grant(refresh(&client, &server, &phone_refresh).await).await;

        // The cutoff is in SQLite: still void after a restart.
        server.stop().await;
        let server = Server::start(&db.0, 4, &clock).await;
        assert_invalid_token(&me(&client, &server, &phone_access).await);
        assert_invalid_grant(login(&client, &server, "alice", PASSWORD).await).await;

        clock.advance(Duration::from_secs(1));
        let (access, _) = tokens_with(&client, &server, "alice", "new password one").await;
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
        let changed = change_password(&client, &server, &old, PASSWORD, "new password one").await;
        assert_eq!(changed.status(), StatusCode::NO_CONTENT);
        let changed_in = chrono::Utc::now().timestamp();

        let (fresh, _) = tokens_with(&client, &server, "alice", "new password one").await;
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

    fn tight() -> ThrottlePolicy {
        let per_minute = |burst| Rate::new(burst, Duration::from_secs(60)).unwrap();
        ThrottlePolicy::default()
            .with_account_and_address(per_minute(3))
            .with_address(per_minute(20))
            .with_account(per_minute(50))
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
        assert_eq!(statuses[..3], [StatusCode::BAD_REQUEST; 3]);
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
    use tokio::net::TcpStream;

    use super::*;

    /// Longer than any test waits: a connection closed within a test was closed by the one
    /// limit set short, never by another. The proofs are what happened (closed, or the status
    /// and text only that limit produces), not how long it took.
    const LONG: Duration = Duration::from_secs(60);
    const SHORT: Duration = Duration::from_millis(300);

    /// Every timeout long, then `shorten` sets the one under test to `SHORT`.
    fn only(shorten: impl FnOnce(Limits) -> Limits) -> Limits {
        shorten(
            Limits::default()
                .with_header_read_timeout(LONG)
                .with_body_timeout(LONG)
                .with_request_timeout(LONG)
                .with_idle_timeout(LONG),
        )
    }

    async fn start(name: &str, limits: Limits) -> (TempDb, Server) {
        let db = TempDb::new(name);
        let clock = FixedClock::at(chrono::Utc::now());
        let options = Options {
            limits,
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

    /// Reads until the server closes the connection: what it sent. The bound (20 s) is the
    /// test's own timeout, a third of `LONG`: only the short limit can close it before.
    async fn until_closed(stream: &TcpStream) -> String {
        let mut received = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(20), async {
            while let Some(bytes) = read_some(stream).await {
                received.extend(bytes);
            }
        });
        assert!(read.await.is_ok(), "still open after 20 s");
        String::from_utf8_lossy(&received).into_owned()
    }

    #[tokio::test]
    async fn a_half_sent_header_is_closed_by_the_header_timeout() {
        let limits = only(|limits| limits.with_header_read_timeout(SHORT));
        let (_db, server) = start("slowloris", limits).await;
        let half = TcpStream::connect(server.addr).await.unwrap();
        send(&half, b"POST /token HTTP/1.1\r\nHost: x\r\nContent-Ty").await;
        let sent = until_closed(&half).await;
        assert!(!sent.contains("200"), "{sent}");
        server.stop().await;
    }

    #[tokio::test]
    async fn a_silent_connection_is_closed_by_the_idle_timeout() {
        let limits = only(|limits| limits.with_idle_timeout(SHORT));
        let (_db, server) = start("silent", limits).await;
        let silent = TcpStream::connect(server.addr).await.unwrap();
        assert_eq!(until_closed(&silent).await, "");
        server.stop().await;
    }

    #[tokio::test]
    async fn a_stalled_body_is_cut_off_by_the_body_timeout() {
        let limits = only(|limits| limits.with_body_timeout(SHORT));
        let (_db, server) = start("trickle", limits).await;
        let stream = TcpStream::connect(server.addr).await.unwrap();
        send(&stream, b"POST /users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"username\":").await;
        let sent = until_closed(&stream).await;
        // The body timeout fails the JSON extractor, which answers 400 with this text; the
        // request timeout (long here) would have been 408.
        assert!(sent.starts_with("HTTP/1.1 400"), "{sent}");
        assert!(
            sent.contains("not received within the designated timeout"),
            "{sent}"
        );
        server.stop().await;
    }

    // Issue 20: one client re-opening idle connections as they closed held every slot of
    // the login server, even with `--max-connections 200`. On the shared accept loop, past its
    // share each new connection from it is closed on accept, and others are served.
    #[tokio::test]
    async fn one_client_holds_at_most_its_share_of_connections() {
        use common::raw::{closed_within, connect_from, status_of};
        let attacker: IpAddr = "127.0.0.2".parse().unwrap();
        let client: IpAddr = "127.0.0.3".parse().unwrap();
        let limits = only(|limits| limits.with_max_connections_per_client(3));
        let (_db, server) = start("per-client", limits).await;
        let mut held = Vec::new();
        for _ in 0..8 {
            held.push(connect_from(attacker, server.addr).await.unwrap());
        }
        let mut closed_at_once = 0;
        for stream in &mut held {
            if closed_within(stream, Duration::from_millis(200)).await {
                closed_at_once += 1;
            }
        }
        assert_eq!(closed_at_once, 5);
        let jwks = b"GET /.well-known/jwks.json HTTP/1.1\r\nHost: x\r\n\r\n";
        let answered = status_of(client, server.addr, jwks, Duration::from_secs(20)).await;
        assert_eq!(answered, Some(200));
        drop(held);
        server.stop().await;
    }

    #[tokio::test]
    async fn a_10_gb_body_is_refused_with_413_before_it_is_read() {
        let limits = only(|limits| limits.with_body_timeout(SHORT));
        let (_db, server) = start("huge", limits).await;
        let stream = TcpStream::connect(server.addr).await.unwrap();
        send(&stream, b"POST /users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10737418240\r\n\r\n").await;
        let head = tokio::time::timeout(Duration::from_secs(20), read_some(&stream))
            .await
            .expect("an answer")
            .unwrap_or_default();
        let head = String::from_utf8_lossy(&head);
        // 413 is the answer from the Content-Length alone: had the server waited for the body,
        // its short body timeout would have answered 400 instead. The status, not a stopwatch,
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

    /// FastAPI's 422 for a request body: `detail` lists `{loc, msg, type}`.
    async fn assert_field_error(response: reqwest::Response, loc: Value, kind: &str) {
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(response.headers()["content-type"], "application/json");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["detail"][0]["loc"], loc, "{body}");
        assert_eq!(body["detail"][0]["type"], kind, "{body}");
        assert!(
            body["detail"][0]["msg"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
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
        let at_end = serde_json::json!(["body", 0]);
        assert_field_error(bad_json.await.unwrap(), at_end, "json_invalid").await;
        let missing = post("/users")
            .json(&serde_json::json!({"username": "alice"}))
            .send();
        let password = serde_json::json!(["body", "password"]);
        assert_field_error(missing.await.unwrap(), password, "missing").await;
        // FastAPI reads the body whatever its content type says.
        let untyped = post("/users")
            .body(r#"{"username":5,"password":"x"}"#)
            .send();
        let username = serde_json::json!(["body", "username"]);
        assert_field_error(untyped.await.unwrap(), username, "string_type").await;
        let not_an_object = post("/users").json(&serde_json::json!([1])).send();
        let body = serde_json::json!(["body"]);
        assert_field_error(not_an_object.await.unwrap(), body, "model_attributes_type").await;
        let wrong_type = post("/token").body("username=a&password=b").send();
        assert_json_error(wrong_type.await.unwrap(), StatusCode::BAD_REQUEST).await;
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
            refused.json::<Value>().await.unwrap()["detail"][0]["msg"],
            app::username::RULE
        );
        server.stop().await;
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
        // The log gives the reason the legacy verifier refused it, not the current one's
        // (which would be a signature error: the tutorial's secret is not the server's).
        let log = Captured::default();
        let guard = log.install();
        assert_invalid_token(&me(&client, &server, TUTORIAL_TOKEN).await);
        assert_invalid_token(&me(&client, &server, access).await);
        drop(guard);
        let log = log.text();
        assert!(
            log.contains(r#"reason=voided by a password change verifier="legacy""#),
            "{log}"
        );
        assert!(
            log.contains(r#"reason=voided by a password change verifier="current""#),
            "{log}"
        );
        assert!(!log.contains("signature"), "{log}");
        server.stop().await;
    }

    /// The log lines of this thread (the test's runtime is current-thread, so the server's
    /// handlers run on it), captured while the guard lives.
    #[derive(Clone, Default)]
    struct Captured(Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Captured {
        fn install(&self) -> tracing::subscriber::DefaultGuard {
            let writer = self.clone();
            let subscriber = tracing_subscriber::fmt()
                .with_writer(move || writer.clone())
                .with_ansi(false)
                .finish();
            tracing::subscriber::set_default(subscriber)
        }

        fn text(&self) -> String {
            String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
        }
    }
}

/// The token endpoint as RFC 6749 and RFC 7009 say, checked by hand for the details and by
/// two standard clients (authlib, requests-oauthlib) for what clients actually do.
mod token_endpoint {
    use super::*;

    async fn post_form(server: &Server, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        reqwest::Client::new()
            .post(server.url(path))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// The RFC 6749 §5.2 error code, checking the shape and the headers every error shares.
    async fn oauth_error(response: reqwest::Response, status: StatusCode) -> String {
        assert_eq!(response.status(), status);
        assert_eq!(response.headers()["cache-control"], "no-store");
        assert_eq!(response.headers()["pragma"], "no-cache");
        let body: Value = response.json().await.unwrap();
        let description = body["error_description"].as_str().unwrap_or_default();
        assert!(!description.is_empty(), "{body}");
        assert_eq!(
            body["detail"], description,
            "FastAPI's detail beside it: {body}"
        );
        body["error"].as_str().unwrap().to_owned()
    }

    async fn started(name: &str) -> (TempDb, Server) {
        let db = TempDb::new(name);
        let clock = FixedClock::at(chrono::Utc::now());
        let server = Server::start(&db.0, 4, &clock).await;
        let client = reqwest::Client::new();
        assert_eq!(
            register(&client, &server, "alice", PASSWORD).await.status(),
            StatusCode::CREATED
        );
        (db, server)
    }

    #[tokio::test]
    async fn both_grants_at_token_and_their_answers_are_never_cached() {
        let (_db, server) = started("grants").await;
        let login = post_form(
            &server,
            "/token",
            &[
                ("grant_type", "password"),
                ("username", "alice"),
                ("password", PASSWORD),
                ("client_id", app::DEFAULT_CLIENT_ID),
            ],
        )
        .await;
        assert_eq!(login.status(), StatusCode::OK);
        assert_eq!(login.headers()["cache-control"], "no-store");
        assert_eq!(login.headers()["pragma"], "no-cache");
        let tokens: Value = login.json().await.unwrap();
        let first = tokens["refresh_token"].as_str().unwrap();

        let renewed = post_form(
            &server,
            "/token",
            &[("grant_type", "refresh_token"), ("refresh_token", first)],
        )
        .await;
        assert_eq!(renewed.status(), StatusCode::OK);
        assert_eq!(renewed.headers()["cache-control"], "no-store");
        let renewed: Value = renewed.json().await.unwrap();
        assert_ne!(renewed["refresh_token"], tokens["refresh_token"]);
        // The old path is an alias of the same grant: the first token is spent there too.
        let reused = post_form(&server, "/token/refresh", &[("refresh_token", first)]).await;
        assert_eq!(
            oauth_error(reused, StatusCode::BAD_REQUEST).await,
            "invalid_grant"
        );
        server.stop().await;
    }

    /// A form, and the status and error code it must get.
    type Case<'a> = (&'a [(&'a str, &'a str)], StatusCode, &'a str);

    #[tokio::test]
    async fn malformed_requests_get_the_rfc_6749_codes() {
        let (_db, server) = started("codes").await;
        let cases: [Case; 7] = [
            (
                &[("grant_type", "client_credentials")],
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
            ),
            (
                &[("grant_type", "refresh_token")],
                StatusCode::BAD_REQUEST,
                "invalid_request",
            ),
            (
                &[("grant_type", "password"), ("username", "alice")],
                StatusCode::BAD_REQUEST,
                "invalid_request",
            ),
            // RFC 6749 §3.1: no parameter twice.
            (
                &[
                    ("grant_type", "password"),
                    ("grant_type", "refresh_token"),
                    ("username", "alice"),
                    ("password", PASSWORD),
                ],
                StatusCode::BAD_REQUEST,
                "invalid_request",
            ),
            (
                &[
                    ("username", "alice"),
                    ("password", PASSWORD),
                    ("scope", "admin"),
                ],
                StatusCode::BAD_REQUEST,
                "invalid_scope",
            ),
            (
                &[
                    ("username", "alice"),
                    ("password", PASSWORD),
                    ("client_id", "someone-else"),
                ],
                StatusCode::UNAUTHORIZED,
                "invalid_client",
            ),
            (
                &[
                    ("username", "alice"),
                    ("password", PASSWORD),
                    ("client_secret", "s3cret"),
                ],
                StatusCode::UNAUTHORIZED,
                "invalid_client",
            ),
        ];
        for (form, status, code) in cases {
            let response = post_form(&server, "/token", form).await;
            assert_eq!(oauth_error(response, status).await, code, "{form:?}");
        }
        // A JSON body is not the form RFC 6749 §4.3.2 asks for.
        let json = reqwest::Client::new()
            .post(server.url("/token"))
            .json(&serde_json::json!({"username": "alice", "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            oauth_error(json, StatusCode::BAD_REQUEST).await,
            "invalid_request"
        );
        // A client that authenticated with the header is challenged for it (§5.2).
        let basic = reqwest::Client::new()
            .post(server.url("/token"))
            .basic_auth("someone-else", Some(""))
            .form(&[("username", "alice"), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(
            basic.headers()["www-authenticate"],
            r#"Basic realm="token""#
        );
        assert_eq!(
            oauth_error(basic, StatusCode::UNAUTHORIZED).await,
            "invalid_client"
        );
        server.stop().await;
    }

    #[tokio::test]
    async fn revocation_without_a_token_is_400_and_me_answers_with_a_trailing_slash() {
        let (_db, server) = started("revoke-400").await;
        let missing = post_form(
            &server,
            "/token/revoke",
            &[("token_type_hint", "refresh_token")],
        );
        assert_eq!(
            oauth_error(missing.await, StatusCode::BAD_REQUEST).await,
            "invalid_request"
        );
        let client = reqwest::Client::new();
        let (access, _) = tokens(&client, &server, "alice").await;
        let profile = client
            .get(server.url("/users/me/"))
            .bearer_auth(&access)
            .send()
            .await
            .unwrap();
        assert_eq!(profile.status(), StatusCode::OK);
        assert_eq!(profile.json::<Value>().await.unwrap()["username"], "alice");
        server.stop().await;
    }

    /// authlib and requests-oauthlib log in, refresh, log out and are refused as RFC 6749
    /// says (`demo/tests/interop/oauth_clients.py`, pinned in `requirements-oauth.txt`).
    #[tokio::test]
    async fn authlib_and_requests_oauthlib_log_in_refresh_and_are_refused() {
        let db = TempDb::new("oauth-clients");
        let server = Server::start_opts(
            &db.0,
            Options {
                clock: Arc::new(SystemClock),
                ..Options::new(&FixedClock::at(chrono::Utc::now()))
            },
        )
        .await;
        let client = reqwest::Client::new();
        for name in ["alice", "bob"] {
            assert_eq!(
                register(&client, &server, name, PASSWORD).await.status(),
                StatusCode::CREATED
            );
        }
        let request = serde_json::json!({
            "base": format!("http://{}", server.addr),
            "client_id": app::DEFAULT_CLIENT_ID,
            "authlib": {"username": "alice", "password": PASSWORD},
            "requests_oauthlib": {"username": "bob", "password": PASSWORD},
        });
        let answer = tokio::task::spawn_blocking(move || {
            common::python::run_in(
                common::python::Venv::OAuth,
                common::python::Scripts::Demo,
                "oauth_clients.py",
                &request,
            )
        })
        .await
        .unwrap();
        server.stop().await;
        let Some(answer) = answer else { return };

        for (client, user) in [("authlib", "alice"), ("requests_oauthlib", "bob")] {
            let seen = &answer[client];
            assert_eq!(seen["login"]["token_type"], "bearer", "{client}: {seen}");
            assert_eq!(seen["login"]["expires_in"], 900, "{client}: {seen}");
            assert_eq!(seen["login"]["has_access_token"], true, "{client}: {seen}");
            assert_eq!(seen["me"]["status"], 200, "{client}: {seen}");
            assert_eq!(seen["me"]["username"], user, "{client}: {seen}");
            assert_ne!(
                seen["refresh"]["refresh_token"], seen["login"]["refresh_token"],
                "{client}: {seen}"
            );
            assert_eq!(seen["reuse"]["error"], "invalid_grant", "{client}: {seen}");
            assert_eq!(
                seen["wrong_password"]["error"], "invalid_grant",
                "{client}: {seen}"
            );
            assert_eq!(
                seen["wrong_password"]["description"], "Incorrect username or password",
                "{client}: {seen}"
            );
        }
        let authlib = &answer["authlib"];
        assert_eq!(authlib["me_after_refresh"]["status"], 200, "{authlib}");
        assert_eq!(
            authlib["successor_after_reuse"]["error"], "invalid_grant",
            "{authlib}"
        );
        assert_eq!(
            authlib["other_client"]["error"], "invalid_client",
            "{authlib}"
        );
        assert_eq!(authlib["revoke"]["status"], 200, "{authlib}");
        assert_eq!(authlib["revoke"]["cache_control"], "no-store", "{authlib}");
        assert_eq!(
            authlib["refresh_after_revoke"]["error"], "invalid_grant",
            "{authlib}"
        );
        let oauthlib = &answer["requests_oauthlib"];
        assert_eq!(
            oauthlib["with_a_secret"]["error"], "invalid_client",
            "{oauthlib}"
        );
    }
}

/// The attacker's findings of issue 19, end to end through the server: each rule is the
/// library's, and each must hold at the HTTP surface.
mod findings {
    use super::*;

    async fn start_with(options: Options) -> (TempDb, Server) {
        let db = TempDb::new("findings");
        let server = Server::start_opts(&db.0, options).await;
        (db, server)
    }

    fn through_proxy(clock: &FixedClock) -> Options {
        Options {
            trusted_proxy: Some("127.0.0.1".parse().unwrap()),
            ..Options::new(clock)
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
            .header("x-forwarded-for", address)
            .form(&[("username", username), ("password", password)])
            .send()
            .await
            .unwrap()
    }

    /// Logins that read the old hash while a password change commits: whatever the
    /// interleaving, no session they got outlives the change, and no rehash of theirs writes
    /// the old password back (the server's cost is above the stored one, so every successful
    /// login rehashes).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn logins_racing_a_password_change_keep_no_session_and_write_no_old_hash() {
        let db = TempDb::new("login-race");
        let clock = FixedClock::at(chrono::Utc::now());
        let client = reqwest::Client::new();
        // Each login holds one of the pair's failure allowances while it hashes: room for all
        // twelve and the change, so that the race, not the throttle, decides the outcome. (A
        // bucket keeps its level across restarts, so both servers get the same policy.)
        let options = |cost| Options {
            cost,
            throttle: ThrottlePolicy::default()
                .with_account_and_address(Rate::new(16, Duration::from_secs(60)).unwrap()),
            ..Options::new(&clock)
        };
        // Register at cost 4, serve at cost 5: a successful login rehashes.
        let first = Server::start_opts(&db.0, options(4)).await;
        register(&client, &first, "alice", PASSWORD).await;
        let (access, _) = tokens(&client, &first, "alice").await;
        first.stop().await;
        let server = Arc::new(Server::start_opts(&db.0, options(5)).await);

        let mut logins = Vec::new();
        for _ in 0..12 {
            let (client, server) = (client.clone(), Arc::clone(&server));
            logins.push(tokio::spawn(async move {
                login(&client, &server, "alice", PASSWORD).await
            }));
        }
        let changed =
            change_password(&client, &server, &access, PASSWORD, "a brand new password").await;
        assert_eq!(changed.status(), StatusCode::NO_CONTENT);
        let mut sessions = Vec::new();
        for login in logins {
            let response = login.await.unwrap();
            if response.status() == StatusCode::OK {
                let body: Value = response.json().await.unwrap();
                sessions.push(body);
            }
        }
        for session in &sessions {
            let access = session["access_token"].as_str().unwrap();
            let refresh_token = session["refresh_token"].as_str().unwrap();
            assert_invalid_token(&me(&client, &server, access).await);
            assert_invalid_grant(refresh(&client, &server, refresh_token).await).await;
        }
        // The stored hash is the new password's: no login's rehash wrote the old one back.
        assert_invalid_grant(login(&client, &server, "alice", PASSWORD).await).await;
        clock.advance(Duration::from_secs(1));
        tokens_with(&client, &server, "alice", "a brand new password").await;
    }

    /// A legacy token's `sub` maps to exactly one account, or the token is refused: with
    /// `alice` and `Alice` both stored (a case-sensitive old service), no spelling of the
    /// name gets in.
    #[tokio::test]
    async fn a_legacy_subject_matching_two_accounts_is_refused() {
        let db = TempDb::new("legacy-two");
        let clock = FixedClock::at(chrono::Utc::now());
        let secret = b"legacy-service-secret-0123456789";
        let verifier = keyward::token::TokenVerifier::new(
            keyward::token::VerifyingKey::hs256(keyward::SecretKey::from_text(
                std::str::from_utf8(secret).unwrap(),
            ))
            .unwrap(),
        )
        .with_access_token_types(["JWT"])
        .with_optional_iat(true)
        .with_clock(clock.clone());
        let until = chrono::DateTime::from_timestamp(clock.now().timestamp() + 3600, 0).unwrap();
        let options = Options {
            legacy: Some(app::LegacyTokens { verifier, until }),
            ..Options::new(&clock)
        };
        let server = Server::start_opts(&db.0, options).await;
        let client = reqwest::Client::new();
        register(&client, &server, "alice", PASSWORD).await;
        register(&client, &server, "bob", PASSWORD).await;
        // The old service's second account, stored under its own spelling.
        let hash = PasswordHasher::new()
            .with_cost(Cost::new(4).unwrap())
            .hash(PASSWORD)
            .unwrap();
        open_store(&db.0)
            .await
            .register(&AccountName::new("Alice").unwrap(), &hash)
            .await
            .unwrap();

        // Tokens as python-jose/PyJWT write them: typ JWT, no iat.
        let exp = clock.now().timestamp() + 1800;
        let encode = |sub: &str| {
            serde_json::json!({"alg": "HS256", "key": common::python::b64(secret),
                               "claims": {"sub": sub, "exp": exp}})
        };
        let subjects = ["alice", "Alice", "ALICE", "ａｌｉｃｅ", "bob", "BOB"];
        let request = serde_json::json!({
            "encode": subjects.iter().map(|s| encode(s)).collect::<Vec<_>>(),
            "decode": [],
        });
        let answer = common::python::run(common::python::Venv::Modern, "tokens.py", &request);
        let Some(answer) = answer else {
            server.stop().await;
            return;
        };
        for (subject, token) in subjects.iter().zip(answer["encoded"].as_array().unwrap()) {
            let status = me(&client, &server, token.as_str().unwrap()).await.status();
            let expected = if subject.eq_ignore_ascii_case("bob") {
                StatusCode::OK
            } else {
                StatusCode::UNAUTHORIZED
            };
            assert_eq!(status, expected, "sub {subject:?}");
        }
        server.stop().await;
    }

    /// Registration is throttled per address group; with `--quiet-registration`, a taken
    /// name and a free one get the same answer.
    #[tokio::test]
    async fn registration_is_throttled_and_can_be_quiet() {
        let clock = FixedClock::at(chrono::Utc::now());
        let (_db, server) = start_with(Options {
            quiet_registration: true,
            ..through_proxy(&clock)
        })
        .await;
        let client = reqwest::Client::new();
        let register_from = |address: &'static str, name: &'static str| {
            client
                .post(server.url("/users"))
                .header("x-forwarded-for", address)
                .json(&serde_json::json!({"username": name, "password": PASSWORD}))
                .send()
        };
        let free = register_from("192.0.2.1", "alice").await.unwrap();
        let taken = register_from("192.0.2.1", "Alice").await.unwrap();
        assert_eq!(free.status(), StatusCode::ACCEPTED);
        assert_eq!(taken.status(), StatusCode::ACCEPTED);
        assert_eq!(free.text().await.unwrap(), taken.text().await.unwrap());
        let burst = ThrottlePolicy::default().registration().burst();
        let mut statuses = Vec::new();
        for _ in 3..=burst {
            statuses.push(
                register_from("192.0.2.1", "someone")
                    .await
                    .unwrap()
                    .status(),
            );
        }
        assert!(
            statuses.iter().all(|s| *s == StatusCode::ACCEPTED),
            "{statuses:?}"
        );
        let over = register_from("192.0.2.1", "another").await.unwrap();
        assert_eq!(over.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(over.headers().contains_key("retry-after"));
        // Another address is not held back.
        assert_eq!(
            register_from("198.51.100.1", "carol")
                .await
                .unwrap()
                .status(),
            StatusCode::ACCEPTED
        );
        server.stop().await;
    }

    /// IPv6 clients are one client per /56: hopping between /64s of one /56 buys no guesses.
    /// And an attacker who spends the account's ceiling from many networks does not lock the
    /// owner out of a network the owner has logged in from.
    #[tokio::test]
    async fn ipv6_prefixes_share_a_budget_and_the_owner_keeps_a_known_network() {
        let clock = FixedClock::at(chrono::Utc::now());
        let per_minute = |burst| Rate::new(burst, Duration::from_secs(60)).unwrap();
        let policy = ThrottlePolicy::default()
            .with_account_and_address(per_minute(5))
            .with_account(per_minute(8));
        let (_db, server) = start_with(Options {
            throttle: policy,
            ..through_proxy(&clock)
        })
        .await;
        let client = reqwest::Client::new();
        register(&client, &server, "alice", PASSWORD).await;
        // The owner logs in from home once: that network is now known to the account.
        let home = login_from(&client, &server, "192.0.2.200", "alice", PASSWORD).await;
        assert_eq!(home.status(), StatusCode::OK);

        let mut statuses = Vec::new();
        for subnet in 0..6 {
            let address = format!("2001:db8:0:{subnet:x}::1");
            let response = login_from(&client, &server, &address, "alice", "guess").await;
            statuses.push(response.status());
        }
        assert_eq!(statuses[..5], [StatusCode::BAD_REQUEST; 5], "{statuses:?}");
        assert_eq!(
            statuses[5],
            StatusCode::TOO_MANY_REQUESTS,
            "six /64s of one /56 are one client"
        );

        // Many networks spend the account-wide ceiling...
        let mut last = StatusCode::OK;
        for network in 0..12 {
            let address = format!("203.0.113.{network}");
            last = login_from(&client, &server, &address, "alice", "guess")
                .await
                .status();
        }
        assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
        // ...but the owner, from the known network, still gets in.
        let owner = login_from(&client, &server, "192.0.2.200", "alice", PASSWORD).await;
        assert_eq!(owner.status(), StatusCode::OK);
        server.stop().await;
    }

    /// The reuse grace interval (off by default) lets a client that sent two refreshes at
    /// once keep its session; the absolute lifetime ends a session however often it
    /// refreshes.
    #[tokio::test]
    async fn a_grace_interval_forgives_a_double_refresh_and_sessions_end_at_their_lifetime() {
        let clock = FixedClock::at(chrono::Utc::now());
        let policy = SessionPolicy::default()
            .try_with_reuse_grace(Duration::from_secs(5))
            .unwrap()
            .try_with_family_lifetime(Duration::from_secs(3600))
            .unwrap();
        let (_db, server) = start_with(Options {
            policy,
            ..Options::new(&clock)
        })
        .await;
        let client = reqwest::Client::new();
        register(&client, &server, "alice", PASSWORD).await;
        let (_, first) = tokens(&client, &server, "alice").await;
        let (one, two) = tokio::join!(
            refresh(&client, &server, &first),
            refresh(&client, &server, &first)
        );
        assert_eq!(
            (one.status(), two.status()),
            (StatusCode::OK, StatusCode::OK)
        );
        let one: Value = one.json().await.unwrap();
        let two: Value = two.json().await.unwrap();
        assert_eq!(
            one["refresh_token"], two["refresh_token"],
            "the same successor"
        );
        // Past the grace interval, presenting it again is theft as usual.
        clock.advance(Duration::from_secs(6));
        assert_invalid_grant(refresh(&client, &server, &first).await).await;

        // A session refreshed every ten minutes still ends an hour after its login.
        let (_, mut current) = tokens(&client, &server, "alice").await;
        for _ in 0..5 {
            clock.advance(Duration::from_secs(600));
            let renewed = refresh(&client, &server, &current).await;
            assert_eq!(renewed.status(), StatusCode::OK);
            current = renewed.json::<Value>().await.unwrap()["refresh_token"]
                .as_str()
                .unwrap()
                .to_owned();
        }
        clock.advance(Duration::from_secs(600));
        assert_invalid_grant(refresh(&client, &server, &current).await).await;
        server.stop().await;
    }
}
