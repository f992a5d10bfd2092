//! A login server in the shape of the FastAPI tutorial keyward grew from: register, log in at
//! `/token` with an OAuth2 password form, call `/users/me` with the bearer token, refresh it.
//! axum + tokio, users in an embedded SQLite file (rusqlite, bundled).
//!
//! Run with `cargo run -p keyward-demo --bin server`, then try it with curl (see the README). Settings come
//! from the command line or the environment:
//!
//! | flag | variable | default |
//! |---|---|---|
//! | `--db` | `KEYWARD_DB` | `keyward-server.db` in the working directory |
//! | `--addr` | `KEYWARD_ADDR` | `127.0.0.1:8000` |
//! | `--cost` | `KEYWARD_COST` | 12 |
//! | (none) | `KEYWARD_SECRET` | a generated secret, with a warning |
//! | `--signing-key` | `KEYWARD_SIGNING_KEY` (a path) or `KEYWARD_SIGNING_KEY_PEM` (the PEM itself) | none: HS256 with `KEYWARD_SECRET` |
//! | `--previous-key` | `KEYWARD_PREVIOUS_KEY` | none |
//! | `--asymmetric` | | off: with no `--signing-key`, generate an Ed25519 key, with a warning |
//! | `--audience` | `KEYWARD_AUDIENCE` | `keyward-example-api`: the `aud` of access tokens |
//! | `--client-id` | `KEYWARD_CLIENT_ID` | `keyward-example-client`: their `client_id` |
//! | `--trusted-proxy` | `KEYWARD_TRUSTED_PROXY` | none: the TCP peer is the client |
//! | `--header-timeout` | | 10 s to send a request head |
//! | `--body-timeout` | | 10 s of silence at most inside a body |
//! | `--request-timeout` | | 30 s for a whole request |
//! | `--idle-timeout` | | 30 s before an idle keep-alive connection is closed |
//! | `--max-connections` | | 512 at once; keep below `ulimit -n` |
//!
//! Sessions end: refresh tokens are opaque and work once (a reused one ends its session),
//! `POST /token/revoke` logs out, and a password change ends every session of the account
//! (see `app.rs`). Failed password checks are throttled per account and client address
//! (`throttle.rs`); connections and requests are bounded in time and size (`serve.rs`).
//!
//! Usernames are case-insensitive (`username.rs`). At start, accounts stored under a name not
//! in normalized form (from before that rule) are renamed to it; names that collide are left
//! alone and listed in a warning.
//!
//! With an ES256 or EdDSA signing key (PEM file) the server publishes its public keys at
//! `GET /.well-known/jwks.json` and stamps each token with the key's RFC 7638 thumbprint as
//! `kid`, so other services can verify its tokens without any secret (see
//! `demo/src/bin/resource_server`). To rotate, replace the file given as `--signing-key` and send
//! the server `SIGHUP` (or restart it with `--signing-key new.pem --previous-key old.pem`): new
//! tokens are signed with the new key, tokens signed by the old one keep working, and its public
//! key stays published until they have all expired.

mod app;
mod db;
mod keys;

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use keyward::password::{Cost, PasswordHasher};
use keyward::token::{
    KeyError, KeyPairKind, SigningKey, SystemClock, TokenError, TokenIssuer, TokenVerifier,
    VerifyingKey,
};
use keyward::{SecretEncoding, SecretError, SecretKey};

#[derive(Parser)]
#[command(about = "keyward's example login server")]
struct Args {
    /// SQLite database file (created if missing).
    #[arg(long, env = "KEYWARD_DB", default_value = "keyward-server.db")]
    db: PathBuf,
    /// Address to listen on.
    #[arg(long, env = "KEYWARD_ADDR", default_value = "127.0.0.1:8000")]
    addr: SocketAddr,
    /// bcrypt cost for new hashes; stored hashes with another cost are upgraded at login.
    #[arg(long, env = "KEYWARD_COST", default_value_t = 12)]
    cost: u32,
    /// Sign with this private key (PEM: RSA, P-256 or Ed25519; the algorithm is found from the
    /// key) and publish its public key as a JWKS.
    #[arg(long, env = "KEYWARD_SIGNING_KEY")]
    signing_key: Option<PathBuf>,
    /// The previous signing key (PEM, private or public), kept valid and published after a rotation.
    #[arg(long, env = "KEYWARD_PREVIOUS_KEY", requires = "signing_key")]
    previous_key: Option<PathBuf>,
    /// Without --signing-key: sign with an Ed25519 key generated for this run.
    #[arg(long, conflicts_with = "signing_key")]
    asymmetric: bool,
    /// How `KEYWARD_SECRET` (the HS256 secret) is written: never guessed, since the same text
    /// means different bytes as base64, hex or text.
    #[arg(long, env = "KEYWARD_SECRET_ENCODING", value_enum, default_value_t = Encoding::Base64)]
    secret_encoding: Encoding,
    /// The `aud` claim of access tokens: the API they are for (RFC 9068 §3).
    #[arg(long, env = "KEYWARD_AUDIENCE", default_value = "keyward-example-api")]
    audience: String,
    /// The `client_id` claim of access tokens (RFC 9068 §2.2).
    #[arg(long, env = "KEYWARD_CLIENT_ID", default_value = app::DEFAULT_CLIENT_ID)]
    client_id: String,
    /// A reverse proxy's address: for requests from it, the client is the rightmost
    /// `X-Forwarded-For` entry. From any other peer the header is ignored.
    #[arg(long, env = "KEYWARD_TRUSTED_PROXY")]
    trusted_proxy: Option<IpAddr>,
    /// Seconds a client has to send a complete request head.
    #[arg(long, default_value_t = 10)]
    header_timeout: u64,
    /// Longest silence, in seconds, inside a request body.
    #[arg(long, default_value_t = 10)]
    body_timeout: u64,
    /// Seconds a whole request may take, body included.
    #[arg(long, default_value_t = 30)]
    request_timeout: u64,
    /// Seconds before a keep-alive connection with no request is closed.
    #[arg(long, default_value_t = 30)]
    idle_timeout: u64,
    /// Connections served at once; more wait in the listen backlog.
    #[arg(long, default_value_t = 512)]
    max_connections: usize,
    /// Migrating from the FastAPI tutorial's service: the environment variable holding its
    /// `SECRET_KEY`, taken as text as python-jose does. Its HS256 tokens (`typ: JWT`, no `iat`)
    /// are accepted at `/users/me` until --legacy-until.
    #[arg(long, requires = "legacy_until")]
    legacy_secret_env: Option<String>,
    /// When the migration window closes (RFC 3339, e.g. 2026-12-01T00:00:00Z): after it, the
    /// old service's tokens are refused whatever their `exp`.
    #[arg(long, requires = "legacy_secret_env")]
    legacy_until: Option<chrono::DateTime<chrono::Utc>>,
}

/// The migration window's verifier for the replaced service's tokens.
fn legacy_tokens(args: &Args) -> Result<Option<app::LegacyTokens>, Box<dyn std::error::Error>> {
    let (Some(name), Some(until)) = (&args.legacy_secret_env, args.legacy_until) else {
        return Ok(None);
    };
    let secret = SecretKey::from_env(name, SecretEncoding::Text)
        .map_err(|error| format!("--legacy-secret-env: {error}"))?;
    let key = VerifyingKey::hs256(secret).map_err(|error| {
        format!(
            "{name}: {error}; a secret this short (the tutorial's placeholder) can be guessed, \
             so its tokens cannot be trusted: let those users log in again instead"
        )
    })?;
    let verifier = TokenVerifier::new(key)
        .with_access_token_types(["JWT"])
        .with_optional_iat(true);
    tracing::warn!(
        window_ends = %until,
        "accepting the replaced service's HS256 tokens (typ JWT, no iat) until the window ends"
    );
    Ok(Some(app::LegacyTokens { verifier, until }))
}

/// The `--secret-encoding` values.
#[derive(Clone, Copy, clap::ValueEnum)]
enum Encoding {
    /// Base64 (what `keyward gen-secret` prints).
    Base64,
    /// Hex digits (what `openssl rand -hex 32` prints).
    Hex,
    /// The text's own bytes (what python-jose and PyJWT use).
    Text,
}

impl From<Encoding> for SecretEncoding {
    fn from(encoding: Encoding) -> Self {
        match encoding {
            Encoding::Base64 => SecretEncoding::Base64,
            Encoding::Hex => SecretEncoding::Hex,
            Encoding::Text => SecretEncoding::Text,
        }
    }
}

/// Reads a key file, naming the file in the error.
fn read_key_file(path: &Path) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    std::fs::read(path).map_err(|error| format!("{}: {error}", path.display()).into())
}

/// A private key of any kind keyward reads (RSA, P-256, Ed25519), its algorithm found from it.
fn signing_key_from_pem(
    pem: &[u8],
    origin: &str,
) -> Result<SigningKey, Box<dyn std::error::Error>> {
    SigningKey::from_pem(pem).map_err(|error| format!("{origin}: {error}").into())
}

fn load_signing_key(path: &Path) -> Result<SigningKey, Box<dyn std::error::Error>> {
    signing_key_from_pem(&read_key_file(path)?, &path.display().to_string())
}

/// The public half of a key given as a private or public PEM.
fn load_verifying_key(path: &Path) -> Result<VerifyingKey, Box<dyn std::error::Error>> {
    let pem = zeroize::Zeroizing::new(read_key_file(path)?);
    match SigningKey::from_pem(&*pem) {
        Ok(key) => Ok(key.verifying_key()),
        Err(TokenError::InvalidKey(KeyError::WrongPemType { .. })) => VerifyingKey::from_pem(&*pem)
            .map_err(|error| format!("{}: {error}", path.display()).into()),
        Err(error) => Err(format!("{}: {error}", path.display()).into()),
    }
}

/// On `SIGHUP`, reads the signing key file again and, if it holds a new key, rotates to it.
fn reload_on_hangup(path: PathBuf, keys: Arc<keys::KeyRing>) -> std::io::Result<()> {
    let mut hangups = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())?;
    tokio::spawn(async move {
        while hangups.recv().await.is_some() {
            match load_signing_key(&path) {
                Ok(key) if key.verifying_key().thumbprint() == current_thumbprint(&keys) => {
                    tracing::info!("SIGHUP: signing key unchanged");
                }
                Ok(key) => {
                    if let Err(error) = keys.rotate(key) {
                        tracing::error!(%error, "SIGHUP: rotation failed; still signing with the old key");
                    }
                }
                Err(error) => tracing::error!(%error, "SIGHUP: cannot load the new signing key"),
            }
        }
    });
    Ok(())
}

fn current_thumbprint(keys: &keys::KeyRing) -> Option<String> {
    keys.issuer()
        .verifier()
        .key_set()
        .keys()
        .first()
        .and_then(VerifyingKey::thumbprint)
}

/// The signing key: a PEM file, a generated key pair, or the HS256 secret.
fn signing_key(args: &Args) -> Result<SigningKey, Box<dyn std::error::Error>> {
    if let Some(path) = &args.signing_key {
        return load_signing_key(path);
    }
    // For platforms that hand secrets over as variables rather than files.
    if let Ok(pem) = std::env::var("KEYWARD_SIGNING_KEY_PEM") {
        return signing_key_from_pem(
            zeroize::Zeroizing::new(pem).as_bytes(),
            "KEYWARD_SIGNING_KEY_PEM",
        );
    }
    if args.asymmetric {
        tracing::warn!(
            "no --signing-key: signing with an Ed25519 key generated for this run. Tokens will NOT \
             survive a restart, and resource servers must refetch the JWKS after it."
        );
        return Ok(SigningKey::generate(KeyPairKind::Ed25519)?);
    }
    let secret = match SecretKey::from_env("KEYWARD_SECRET", args.secret_encoding.into()) {
        Ok(secret) => secret,
        Err(SecretError::NotSet { .. }) => {
            tracing::warn!(
                "KEYWARD_SECRET is not set: signing with a random secret generated for this run. \
                 Tokens will NOT survive a restart. Generate one with \
                 `cargo run -p keyward-demo --bin keyward -- gen-secret` and export it as KEYWARD_SECRET."
            );
            SecretKey::generate()?
        }
        Err(error) => return Err(format!("KEYWARD_SECRET: {error}").into()),
    };
    Ok(SigningKey::hs256(secret)?)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let args = Args::parse();

    let hasher = PasswordHasher::new().with_cost(Cost::new(args.cost)?);
    let audience = args.audience.clone();
    let keys = keys::KeyRing::new(
        signing_key(&args)?,
        Arc::new(SystemClock),
        Box::new(move |key| {
            TokenIssuer::new(key)
                .with_issuer("keyward-example-server")
                .with_audience(audience.clone())
        }),
    );
    if let Some(previous) = &args.previous_key {
        keys.retain(load_verifying_key(previous)?)?;
    }
    let db = db::Db::open(&args.db)?;
    let stranded = db.normalize_usernames(app::username::normalize)?;
    if !stranded.is_empty() {
        tracing::warn!(
            ?stranded,
            "these accounts clash with another under case-insensitive names (or are no longer \
             valid names) and cannot log in; rename or merge them in the database"
        );
    }
    // Twice the cores: enough to keep them busy, few enough that a flood queues instead of
    // starving everything else.
    let permits = std::thread::available_parallelism().map_or(2, |n| n.get() * 2);
    let limits = app::Limits {
        header_read_timeout: Duration::from_secs(args.header_timeout),
        body_timeout: Duration::from_secs(args.body_timeout),
        request_timeout: Duration::from_secs(args.request_timeout),
        idle_timeout: Duration::from_secs(args.idle_timeout),
        max_connections: args.max_connections,
        ..app::Limits::default()
    };
    let state = app::AppState::new(db, hasher, keys, permits, Duration::from_secs(2))
        .with_limits(limits)
        .with_trusted_proxy(args.trusted_proxy)
        .with_client_id(&args.client_id);
    let state = match legacy_tokens(&args)? {
        Some(legacy) => state.with_legacy_tokens(legacy),
        None => state,
    };

    if let Some(path) = args.signing_key.clone() {
        reload_on_hangup(path, Arc::clone(&state.keys))?;
    }

    let listener = tokio::net::TcpListener::bind(args.addr).await?;
    tracing::info!(addr = %listener.local_addr()?, db = %args.db.display(), cost = args.cost, "listening");
    app::serve(listener, state, async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down");
    })
    .await?;
    Ok(())
}
