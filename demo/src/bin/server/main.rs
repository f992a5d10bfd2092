//! A login server in the shape of the FastAPI tutorial keyward grew from: register, log in at
//! `/token` with an OAuth2 password form, call `/users/me` with the bearer token, refresh it.
//! axum + tokio; accounts and sessions in an embedded SQLite file by default, or in Postgres
//! for several replicas (`keyward_session`'s stores).
//!
//! Run with `cargo run -p keyward-demo --bin server`, then try it with curl (see the README). Settings come
//! from the command line or the environment:
//!
//! | flag | variable | default |
//! |---|---|---|
//! | `--db` | `KEYWARD_DB` | `keyward-server.db` in the working directory: a SQLite file path, or a `postgres://` / `postgresql://` URL |
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
//! | `--reuse-grace` | `KEYWARD_REUSE_GRACE` | 0 s: a refresh token presented again within it gets the same successor instead of ending the session |
//! | `--session-lifetime` | `KEYWARD_SESSION_LIFETIME` | 30 days from login, however often the session refreshes |
//! | `--key-publication-lead` | | 600 s a staged signing key is published before it signs |
//! | `--quiet-registration` | | off: registration answers 201 or 409; on, 202 either way |
//!
//! Every session rule is `keyward_session`'s (see `app.rs`): refresh tokens are opaque and
//! work once (a reused one ends its session), `POST /token/revoke` logs out, a password change
//! ends every session of the account on every replica, failed logins and registrations are
//! throttled with counters in the store. Connections and requests are bounded in time and
//! size (`serve.rs`).
//!
//! **Replicas.** Every replica started with the same Postgres URL shares accounts, sessions,
//! throttle counters and cutoffs. With an asymmetric key (`--signing-key`, or `--asymmetric`)
//! the signing keys live in the store's key ring too, so every replica signs with the same key
//! and publishes the same JWKS. With the HS256 secret, give every replica the same
//! `KEYWARD_SECRET`.
//!
//! Usernames are case-insensitive (`username.rs`).
//!
//! **Rotation.** With an asymmetric key the server publishes its public keys at
//! `GET /.well-known/jwks.json`, each with its RFC 7638 thumbprint as `kid`. To rotate,
//! replace the `--signing-key` file and send any replica `SIGHUP` (or restart one with the
//! new file): the new key is staged in the ring as the next key, published by every replica
//! at once, and signs only after `--key-publication-lead`, when every resource server's cached
//! JWKS has it; the old key stays published until the tokens it signed have expired.

mod app;
mod keys;

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use keyward::password::{Cost, PasswordHasher};
use keyward::token::{
    Algorithm, Clock, KeyError, KeyPairKind, SigningKey, SystemClock, TokenError, TokenIssuer,
    TokenVerifier, VerifyingKey,
};
use keyward::{SecretEncoding, SecretError, SecretKey};
use keyward_session::{ClientId, SessionPolicy, Sessions};

use crate::app::Store;

#[derive(Parser)]
#[command(about = "keyward's example login server")]
struct Args {
    /// Where accounts and sessions live: a SQLite file (created if missing), or a
    /// `postgres://` / `postgresql://` URL shared by every replica.
    #[arg(long, env = "KEYWARD_DB", default_value = "keyward-server.db")]
    db: String,
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
    /// Seconds within which a refresh token presented again (a client that sent two refreshes
    /// at once) gets the same successor instead of ending the session; 0 (the default) treats
    /// every second presentation as theft. At most 60.
    #[arg(long, env = "KEYWARD_REUSE_GRACE", default_value_t = 0)]
    reuse_grace: u64,
    /// Seconds a session lives from its login, however often it refreshes.
    #[arg(long, env = "KEYWARD_SESSION_LIFETIME", default_value_t = 30 * 86_400)]
    session_lifetime: u64,
    /// Seconds a staged signing key is published before it may sign: keep it above twice the
    /// JWKS cache lifetime of your resource servers.
    #[arg(long, default_value_t = 600)]
    key_publication_lead: u64,
    /// Answer every registration with 202 and the same body, whether the name was free or
    /// taken, so that registration tells nobody which names exist.
    #[arg(long)]
    quiet_registration: bool,
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

/// Where `--db` points.
enum Database {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Database {
    fn parse(db: &str) -> Self {
        if db.starts_with("postgres://") || db.starts_with("postgresql://") {
            Database::Postgres(db.to_owned())
        } else {
            Database::Sqlite(PathBuf::from(db))
        }
    }
}

/// The session policy the flags ask for.
fn policy(args: &Args) -> Result<SessionPolicy, Box<dyn std::error::Error>> {
    Ok(SessionPolicy::default()
        .try_with_reuse_grace(Duration::from_secs(args.reuse_grace))
        .map_err(|error| format!("--reuse-grace: {error}"))?
        .try_with_family_lifetime(Duration::from_secs(args.session_lifetime))
        .map_err(|error| format!("--session-lifetime: {error}"))?
        .try_with_key_publication_lead(Duration::from_secs(args.key_publication_lead))
        .map_err(|error| format!("--key-publication-lead: {error}"))?)
}

fn is_secret(key: &SigningKey) -> bool {
    matches!(
        key.algorithm(),
        Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512
    )
}

/// The keys to sign with: the HS256 secret as it is, or an asymmetric key through the store's
/// ring. The first replica to start installs its key; the others find it there. A configured
/// key that differs from the ring's is staged as the next key (a restart with a new key file
/// is a rotation); a generated one (`--asymmetric`) yields to the stored ring.
async fn keys<S: Store>(
    args: &Args,
    sessions: &Sessions<S>,
    make_issuer: keys::MakeIssuer,
    clock: Arc<dyn Clock>,
) -> Result<keys::Keys, Box<dyn std::error::Error>> {
    let key = signing_key(args)?;
    let keys = if is_secret(&key) {
        keys::Keys::fixed(key, clock, make_issuer)
    } else {
        let key = key.try_with_thumbprint_key_id()?;
        if !sessions.install_signing_key(&key).await? {
            let ring = sessions.key_ring().await?;
            let current = ring.signing_key().and_then(SigningKey::key_id);
            let configured = key.key_id();
            if current != configured && ring.next_kid() != configured && !args.asymmetric {
                if !sessions.stage_next_key(&key).await? {
                    return Err(format!(
                        "--signing-key {} is neither the ring's current key nor its next one, \
                         and another next key is staged: wait for that rotation, then restart",
                        configured.unwrap_or("-")
                    )
                    .into());
                }
                tracing::warn!(
                    current = current.unwrap_or("-"),
                    staged = configured.unwrap_or("-"),
                    lead_secs = args.key_publication_lead,
                    "the ring signs with another key: the configured key is staged as the next \
                     one and signs once it has been published for the publication lead"
                );
            }
        }
        let ring = sessions.key_ring().await?;
        keys::Keys::from_ring(&ring, clock, make_issuer).ok_or("the key ring has no signing key")?
    };
    match &args.previous_key {
        Some(previous) => Ok(keys.with_previous(load_verifying_key(previous)?)),
        None => Ok(keys),
    }
}

/// Every few seconds, one step of the ring (`Keys::sync`): a rotation by any replica, or a
/// staged key whose publication lead has passed, reaches this one.
fn maintain_ring<S: Store>(sessions: Sessions<S>, keys: Arc<keys::Keys>, every: Duration) {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(every).await;
            match keys.sync(&sessions).await {
                Ok(Some(kid)) => tracing::info!(%kid, "signing with the ring's current key"),
                Ok(None) => {}
                Err(error) => {
                    tracing::warn!(%error, "cannot read the key ring; signing with the last one read");
                }
            }
        }
    });
}

/// On `SIGHUP`, reads the signing key file again and stages a new key in the ring; the ring
/// task rotates to it after the publication lead.
fn stage_on_hangup<S: Store>(path: PathBuf, sessions: Sessions<S>) -> std::io::Result<()> {
    let mut hangups = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())?;
    tokio::spawn(async move {
        while hangups.recv().await.is_some() {
            let key = match load_signing_key(&path)
                .and_then(|key| Ok(key.try_with_thumbprint_key_id()?))
            {
                Ok(key) => key,
                Err(error) => {
                    tracing::error!(%error, "SIGHUP: cannot load the new signing key");
                    continue;
                }
            };
            let ring = match sessions.key_ring().await {
                Ok(ring) => ring,
                Err(error) => {
                    tracing::error!(%error, "SIGHUP: cannot read the key ring");
                    continue;
                }
            };
            let kid = key.key_id();
            if ring.signing_key().and_then(SigningKey::key_id) == kid || ring.next_kid() == kid {
                tracing::info!("SIGHUP: signing key unchanged");
                continue;
            }
            match sessions.stage_next_key(&key).await {
                Ok(true) => tracing::info!(
                    kid = kid.unwrap_or("-"),
                    "SIGHUP: new key staged; published now, signing after the publication lead"
                ),
                Ok(false) => tracing::warn!("SIGHUP: another next key is already staged"),
                Err(error) => tracing::error!(%error, "SIGHUP: cannot stage the new key"),
            }
        }
    });
    Ok(())
}

/// Deletes expired refresh tokens and ended sessions every ten minutes.
fn purge_now_and_then<S: Store>(sessions: Sessions<S>) {
    tokio::spawn(async move {
        loop {
            match sessions.purge_expired().await {
                Ok(0) => {}
                Ok(purged) => tracing::info!(purged, "expired refresh tokens purged"),
                Err(error) => tracing::warn!(%error, "purge failed"),
            }
            tokio::time::sleep(Duration::from_secs(600)).await;
        }
    });
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let args = Args::parse();
    match Database::parse(&args.db) {
        Database::Sqlite(path) => {
            let store = keyward_session_sqlite::SqliteStore::open(&path)
                .await
                .map_err(|error| format!("--db {}: {error}", path.display()))?;
            run(args, store).await
        }
        Database::Postgres(url) => {
            let store = keyward_session_postgres::PostgresStore::connect(&url)
                .await
                .map_err(|error| format!("--db (Postgres): {error}"))?;
            run(args, store).await
        }
    }
}

async fn run<S: Store>(args: Args, store: S) -> Result<(), Box<dyn std::error::Error>> {
    let sessions = Sessions::new(store).with_policy(policy(&args)?);
    let hasher = PasswordHasher::new().with_cost(Cost::new(args.cost)?);
    let audience = args.audience.clone();
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let make_issuer: keys::MakeIssuer = Box::new(move |key| {
        TokenIssuer::new(key)
            .with_issuer("keyward-example-server")
            .with_audience(audience.clone())
    });
    let keys = keys(&args, &sessions, make_issuer, clock).await?;
    let in_ring = !matches!(
        keys.issuer().algorithm(),
        Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512
    );
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
    let client_id =
        ClientId::new(args.client_id.as_str()).map_err(|error| format!("--client-id: {error}"))?;
    let state = app::AppState::new(
        sessions.clone(),
        hasher,
        keys,
        permits,
        Duration::from_secs(2),
    )
    .with_limits(limits)
    .with_trusted_proxy(args.trusted_proxy)
    .with_client_id(client_id)
    .with_quiet_registration(args.quiet_registration);
    let state = match legacy_tokens(&args)? {
        Some(legacy) => state.with_legacy_tokens(legacy),
        None => state,
    };

    if in_ring {
        // A quarter of the lead, a few seconds at most: every replica has a staged key long
        // before it may sign.
        let every = (Duration::from_secs(args.key_publication_lead) / 4)
            .clamp(Duration::from_millis(200), Duration::from_secs(5));
        maintain_ring(sessions.clone(), Arc::clone(&state.keys), every);
        if let Some(path) = args.signing_key.clone() {
            stage_on_hangup(path, sessions.clone())?;
        }
    }
    purge_now_and_then(sessions);

    let listener = tokio::net::TcpListener::bind(args.addr).await?;
    let store = if args.db.starts_with("postgres") {
        "postgres"
    } else {
        "sqlite"
    };
    tracing::info!(addr = %listener.local_addr()?, store, cost = args.cost, "listening");
    app::serve(listener, state, async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down");
    })
    .await?;
    Ok(())
}
