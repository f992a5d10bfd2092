//! The login server's `/openapi.json` (`demo/src/bin/server/openapi.rs`): it describes every
//! route the server serves and the OAuth 2.0 password flow, and schemathesis (pinned in
//! `demo/tests/interop/requirements-schemathesis.txt`, installed by `scripts/interop-env.sh`)
//! finds no failure running it against the live server on 127.0.0.1: no 5xx, every status,
//! header, content type and body as documented, schema-valid requests accepted and
//! schema-invalid ones refused (with the exceptions `interop/schemathesis.toml` gives reasons
//! for). It is `#[ignore]`d with the reason, so a plain `cargo test` lists it as ignored;
//! `scripts/test.sh` makes the environments and runs it (`--include-ignored`). The run is
//! bounded: a fixed seed, a few dozen cases per operation, one worker, and a
//! hard timeout after which it is killed and the test fails.

#[path = "../src/bin/server/app.rs"]
mod app;
#[path = "common/mod.rs"]
mod common;
#[path = "../src/bin/server/keys.rs"]
mod keys;

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use keyward::password::{Cost, PasswordHasher};
use keyward::token::{Clock, SigningKey, SystemClock, TokenIssuer};
use keyward_session::Sessions;
use keyward_session_sqlite::SqliteStore;
use reqwest::StatusCode;
use serde_json::Value;

use common::temp::TempDb;

const PASSWORD: &str = "correct horse battery staple";

/// The server on 127.0.0.1:0 with a fresh SQLite store, bcrypt cost 4 and the real clock
/// (schemathesis's requests carry a token that must be valid in real time).
async fn start(db: &TempDb) -> SocketAddr {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let sessions = Sessions::new(SqliteStore::open(&db.0).await.unwrap());
    let keys = keys::Keys::fixed(
        SigningKey::hs256(*b"openapi-test-secret-0123456789ab").unwrap(),
        clock,
        Box::new(|key| {
            TokenIssuer::new(key)
                .with_issuer("keyward-example-server")
                .with_audience("keyward-example-api")
        }),
    );
    let state = app::AppState::new(
        sessions,
        PasswordHasher::new().with_cost(Cost::new(4).unwrap()),
        keys,
        4,
        Duration::from_secs(5),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(app::serve(listener, state, std::future::pending()));
    addr
}

/// Registers `alice` and returns an access token of hers.
async fn access_token(client: &reqwest::Client, addr: SocketAddr) -> String {
    let registered = client
        .post(format!("http://{addr}/users"))
        .json(&serde_json::json!({"username": "alice", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(registered.status(), StatusCode::CREATED);
    let tokens: Value = client
        .post(format!("http://{addr}/token"))
        .form(&[("username", "alice"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    tokens["access_token"].as_str().unwrap().to_owned()
}

/// Every route of `app::router`, as (method, path).
const ROUTES: [(&str, &str); 9] = [
    ("post", "/users"),
    ("post", "/token"),
    ("post", "/token/refresh"),
    ("post", "/token/revoke"),
    ("get", "/users/me"),
    ("get", "/users/me/"),
    ("post", "/users/me/password"),
    ("get", "/.well-known/jwks.json"),
    ("get", "/openapi.json"),
];

#[tokio::test]
async fn the_document_describes_every_route_and_the_password_flow() {
    let db = TempDb::new("openapi-doc");
    let addr = start(&db).await;
    let client = reqwest::Client::new();
    let response = client
        .get(format!("http://{addr}/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/json");
    let document: Value = response.json().await.unwrap();
    assert_eq!(document["openapi"], "3.1.0");

    let documented: BTreeSet<(String, String)> = document["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |method| (method.clone(), path.clone()))
        })
        .collect();
    let served: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(method, path)| ((*method).to_owned(), (*path).to_owned()))
        .collect();
    assert_eq!(documented, served);
    // Each is served: neither 404 nor 405 (the list above cannot drift from the router).
    for (method, path) in ROUTES {
        let url = format!("http://{addr}{path}");
        let request = match method {
            "get" => client.get(url),
            _ => client.post(url),
        };
        let status = request.send().await.unwrap().status();
        assert!(
            status != StatusCode::NOT_FOUND && status != StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}: {status}"
        );
    }

    // The OAuth 2.0 password flow at /token, refreshed there too (FastAPI's "Authorize").
    let flow = &document["components"]["securitySchemes"]["OAuth2PasswordBearer"];
    assert_eq!(flow["type"], "oauth2");
    assert_eq!(flow["flows"]["password"]["tokenUrl"], "/token");
    assert_eq!(flow["flows"]["password"]["refreshUrl"], "/token");
    let me = &document["paths"]["/users/me"]["get"];
    assert_eq!(
        me["security"][0]["OAuth2PasswordBearer"],
        serde_json::json!([])
    );
    for status in ["400", "401"] {
        assert!(
            me["responses"][status]["headers"]["WWW-Authenticate"].is_object(),
            "{status}"
        );
    }
    let token = &document["paths"]["/token"]["post"];
    assert!(token["requestBody"]["content"]["application/x-www-form-urlencoded"].is_object());
    assert!(token["responses"]["429"]["headers"]["Retry-After"].is_object());
}

/// How long schemathesis may run before it is killed and the test fails; a run takes about
/// 10 s on an idle machine.
const SCHEMATHESIS_BOUND: Duration = Duration::from_secs(300);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the interop environments: scripts/interop-env.sh (scripts/test.sh runs these)"]
async fn schemathesis_finds_no_failure() {
    let schemathesis = common::python::tool(common::python::Venv::Schemathesis, "schemathesis")
        .expect("venv-schemathesis is missing: run scripts/interop-env.sh");
    let db = TempDb::new("openapi-schemathesis");
    let addr = start(&db).await;
    let token = access_token(&reqwest::Client::new(), addr).await;
    let config = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/interop/schemathesis.toml"
    );
    // Its working directory (caches, reports), removed afterwards.
    let reports = db.0.with_extension("schemathesis");
    std::fs::create_dir_all(&reports).unwrap();
    // Output to a file, not a pipe: a long report cannot fill a pipe and stall the run.
    let log_path = db.0.with_extension("schemathesis-log");
    let log = std::fs::File::create(&log_path).unwrap();
    let mut child = Command::new(schemathesis)
        .args(["--config-file", config, "run"])
        .arg(format!("http://{addr}/openapi.json"))
        .args(["--checks", "all", "--max-examples", "30", "--seed", "20"])
        .args(["--workers", "1", "--request-timeout", "10", "--no-color"])
        // No example database: nothing written beside the sources, each run the same.
        .args(["--generation-database", "none"])
        .current_dir(&reports)
        .arg("--header")
        .arg(format!("Authorization: Bearer {token}"))
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
    let started = Instant::now();
    let outcome = tokio::task::spawn_blocking(move || {
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return Some(status);
            }
            if started.elapsed() > SCHEMATHESIS_BOUND {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    })
    .await
    .unwrap();
    let report = std::fs::read_to_string(&log_path).unwrap_or_default();
    let _ = std::fs::remove_file(&log_path);
    let _ = std::fs::remove_dir_all(&reports);
    let Some(status) = outcome else {
        panic!("schemathesis still running after {SCHEMATHESIS_BOUND:?}: killed\n{report}");
    };
    assert!(status.success(), "schemathesis found failures:\n{report}");
    assert!(report.contains("passed"), "{report}");
    eprintln!(
        "{}",
        report.lines().rev().take(6).collect::<Vec<_>>().join("\n")
    );
}
