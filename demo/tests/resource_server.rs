//! The resource server binary (`CARGO_BIN_EXE_resource_server`) under abuse, started under a
//! low file-descriptor limit (`sh -c 'ulimit -n 256; exec ...'`) against a JWKS served here:
//! a client re-opening hundreds of idle connections does not starve the others, an endless
//! chunked JWKS is cut off at the cap, and refused tokens are logged with their real reason.
//! Outcomes are counted, and each wait has a generous bound.

#[path = "common/mod.rs"]
mod common;

use std::io::{BufRead as _, BufReader};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use common::raw::{closed_within, connect_from, status_of};
use keyward::token::{Algorithm, FixedClock, SigningKey, TokenIssuer};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

const ATTACKER: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));
const CLIENT: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 3));
const ISSUER: &str = "keyward-example-server";
const AUDIENCE: &str = "keyward-example-api";

fn issuer() -> TokenIssuer {
    let pem = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/keys/p256-1-private.pem"
    ))
    .unwrap();
    TokenIssuer::new(
        SigningKey::from_pem_as(pem, Algorithm::ES256)
            .unwrap()
            .with_key_id("k1"),
    )
    .with_issuer(ISSUER)
    .with_audience(AUDIENCE)
}

/// Serves the issuer's JWKS on 127.0.0.1.
async fn jwks_server() -> SocketAddr {
    let jwks = issuer().verifier().key_set().to_jwks();
    let app = Router::new().route("/jwks", get(move || async move { jwks }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

/// The resource server binary, killed on drop; its log lines collected as they come.
struct Server {
    child: Child,
    addr: SocketAddr,
    log: Arc<Mutex<Vec<String>>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn strip_ansi(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Starts the binary under `ulimit -n 256` with `args`; waits for its "listening" line.
fn start(jwks: &str, args: &str) -> Result<Server, String> {
    start_with(&format!("--jwks-url '{jwks}' {args}"))
}

/// Starts the binary under `ulimit -n 256` with `args` only.
fn start_with(args: &str) -> Result<Server, String> {
    let bin = env!("CARGO_BIN_EXE_resource_server");
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -n 256 && exec '{bin}' --addr 127.0.0.1:0 {args} 2>&1"
        ))
        .env("NO_COLOR", "1")
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let log = Arc::new(Mutex::new(Vec::new()));
    let (found, seen) = std::sync::mpsc::channel();
    let lines = Arc::clone(&log);
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let line = strip_ansi(&line);
            if line.contains("listening")
                && let Some(addr) = line.split("addr=").nth(1)
            {
                let addr = addr
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                let _ = found.send(Some(addr));
            }
            lines.lock().unwrap().push(line);
        }
        let _ = found.send(None);
    });
    if let Ok(Some(addr)) = seen.recv_timeout(Duration::from_secs(30)) {
        Ok(Server {
            child,
            addr: addr.parse().unwrap(),
            log,
        })
    } else {
        let status = child.wait().unwrap();
        Err(format!("{status}: {}", log.lock().unwrap().join("\n")))
    }
}

/// [`start`] off the runtime's threads, so the JWKS server here keeps answering meanwhile.
async fn launch(jwks: String, args: &'static str) -> Result<Server, String> {
    tokio::task::spawn_blocking(move || start(&jwks, args))
        .await
        .unwrap()
}

fn get_orders(authorization: Option<&str>) -> Vec<u8> {
    let mut request = String::from("GET /orders HTTP/1.1\r\nHost: x\r\nConnection: close\r\n");
    if let Some(value) = authorization {
        request = format!("{request}Authorization: {value}\r\n");
    }
    request.push_str("\r\n");
    request.into_bytes()
}

// Issue 20: 300 idle connections from one client, re-opened as they close, under
// `ulimit -n 256` with `--max-connections 200`, made every other request time out. The idle
// timeout is long here so that, without the per-client cap, the attacker's connections hold
// every slot for longer than a client waits (checked: with `--max-connections-per-client
// 300` every request times out).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reopening_client_cannot_starve_the_others_under_a_low_fd_limit() {
    let jwks = jwks_server().await;
    let server = launch(
        format!("http://{jwks}/jwks"),
        "--max-connections 200 --max-connections-per-client 16 --idle-timeout 10s --header-read-timeout 10s",
    )
    .await
    .unwrap();
    let addr = server.addr;
    let stop = Arc::new(AtomicBool::new(false));
    let opened = Arc::new(AtomicU64::new(0));
    let mut attackers = Vec::new();
    for _ in 0..300 {
        let (stop, opened) = (Arc::clone(&stop), Arc::clone(&opened));
        attackers.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                match connect_from(ATTACKER, addr).await {
                    Ok(mut stream) => {
                        opened.fetch_add(1, Ordering::Relaxed);
                        // Idle until the server closes it, then re-open at once.
                        while !stop.load(Ordering::Relaxed)
                            && !closed_within(&mut stream, Duration::from_millis(200)).await
                        {
                        }
                    }
                    Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let token = issuer().issue("alice", &()).unwrap();
    let mut answered = Vec::new();
    for round in 0..20 {
        let request = if round % 2 == 0 {
            get_orders(None)
        } else {
            get_orders(Some(&format!("Bearer {token}")))
        };
        answered.push(status_of(CLIENT, addr, &request, Duration::from_secs(3)).await);
    }
    stop.store(true, Ordering::Relaxed);
    for attacker in attackers {
        let _ = attacker.await;
    }
    let expected: Vec<Option<u16>> = (0..20)
        .map(|round| Some(if round % 2 == 0 { 401 } else { 200 }))
        .collect();
    assert_eq!(answered, expected);
    // The attack ran: far more connections than the server's fd limit were opened.
    assert!(opened.load(Ordering::Relaxed) > 300);
}

// Issue 20: a 2 GB chunked JWKS took the resource server's memory from 12 MB to 2.27 GB.
#[tokio::test]
async fn an_endless_chunked_jwks_is_cut_off_at_the_cap() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let jwks = listener.local_addr().unwrap();
    let sent = Arc::new(AtomicU64::new(0));
    let counted = Arc::clone(&sent);
    tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut head = [0u8; 4096];
        let _ = stream.read(&mut head).await;
        let _ = stream
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
            .await;
        let chunk = format!("10000\r\n{}\r\n", "x".repeat(0x10000));
        // Up to 2 GiB, or until the client hangs up.
        for _ in 0..(2u64 << 30) / 0x10000 {
            if stream.write_all(chunk.as_bytes()).await.is_err() {
                return;
            }
            counted.fetch_add(0x10000, Ordering::Relaxed);
        }
    });
    let outcome = launch(format!("http://{jwks}/jwks"), "").await;
    let Err(log) = outcome else {
        panic!("the server started on an endless JWKS");
    };
    assert!(log.contains("262144-byte cap"), "{log}");
    // The cap is 256 KiB; what the kernel's socket buffers took besides is a few MiB at most.
    let sent = sent.load(Ordering::Relaxed);
    assert!(sent < 32 << 20, "{sent} bytes were read");
}

#[tokio::test]
async fn a_refused_token_is_logged_with_its_real_reason() {
    let jwks = jwks_server().await;
    let server = launch(format!("http://{jwks}/jwks"), "").await.unwrap();
    let past = FixedClock::at(chrono::Utc::now() - chrono::TimeDelta::hours(2));
    let expired = issuer().with_clock(past).issue("alice", &()).unwrap();
    let other_key = TokenIssuer::new(
        SigningKey::from_pem_as(
            std::fs::read(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../tests/keys/p256-2-private.pem"
            ))
            .unwrap(),
            Algorithm::ES256,
        )
        .unwrap()
        .with_key_id("k1"),
    )
    .with_issuer(ISSUER)
    .with_audience(AUDIENCE)
    .issue("alice", &())
    .unwrap();
    for token in [&expired, &other_key] {
        let request = get_orders(Some(&format!("Bearer {token}")));
        assert_eq!(
            status_of(CLIENT, server.addr, &request, Duration::from_secs(10)).await,
            Some(401)
        );
    }
    let wanted = ["token expired at", "token signature is invalid"];
    let found = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let log = server.log.lock().unwrap().join("\n");
            if wanted.iter().all(|reason| log.contains(reason)) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    assert!(found.is_ok(), "{}", server.log.lock().unwrap().join("\n"));
}

/// Serves `<issuer>/.well-known/openid-configuration` and its `jwks_uri` on 127.0.0.1; the
/// issuer URL.
async fn oidc_provider() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = format!("http://{}/realms/shop", listener.local_addr().unwrap());
    let document =
        serde_json::json!({"issuer": issuer, "jwks_uri": format!("{issuer}/certs")}).to_string();
    let jwks = issuer_for(&issuer).verifier().key_set().to_jwks();
    let app = Router::new()
        .route(
            "/realms/shop/.well-known/openid-configuration",
            get(move || async move { document }),
        )
        .route("/realms/shop/certs", get(move || async move { jwks }));
    tokio::spawn(async move { axum::serve(listener, app).await });
    issuer
}

fn issuer_for(iss: &str) -> TokenIssuer {
    issuer().with_issuer(iss)
}

// Issue 21: `--oidc-issuer` instead of `--jwks-url`, and DPoP proofs naming `--public-url`.
#[tokio::test]
async fn the_binary_finds_keys_by_discovery_and_takes_dpop_bound_tokens() {
    use keyward::token::dpop::{DpopProver, KeyConfirmation, ProofClaims};
    use keyward::token::{KeyPairKind, SigningKey};

    let issuer = oidc_provider().await;
    let public = "https://api.example.com";
    let args = format!("--oidc-issuer '{issuer}' --public-url {public}");
    let server = tokio::task::spawn_blocking(move || start_with(&args))
        .await
        .unwrap()
        .unwrap();
    let client = DpopProver::new(SigningKey::generate(KeyPairKind::Ed25519).unwrap()).unwrap();
    let token = issuer_for(&issuer)
        .issue("alice", &KeyConfirmation::new(client.thumbprint()))
        .unwrap();
    let proof = client
        .proof_for(&ProofClaims::new("GET", &format!("{public}/orders")).with_access_token(&token))
        .unwrap();
    let http = reqwest::Client::new();
    let call = |authorization: String, proof: Option<&str>| {
        let mut request = http
            .get(format!("http://{}/orders", server.addr))
            .header("Authorization", authorization)
            .timeout(Duration::from_secs(10));
        if let Some(proof) = proof {
            request = request.header("DPoP", proof);
        }
        request.send()
    };
    let ok = call(format!("DPoP {token}"), Some(&proof)).await.unwrap();
    assert_eq!(ok.status(), 200);
    let bearer = call(format!("Bearer {token}"), None).await.unwrap();
    assert_eq!(bearer.status(), 401);
    let challenges: Vec<_> = bearer
        .headers()
        .get_all("www-authenticate")
        .iter()
        .map(|value| value.to_str().unwrap().to_owned())
        .collect();
    assert!(
        challenges
            .iter()
            .any(|value| value.starts_with("DPoP error=\"invalid_token\"")),
        "{challenges:?}"
    );
    let replayed = call(format!("DPoP {token}"), Some(&proof)).await.unwrap();
    assert_eq!(replayed.status(), 401);
}
