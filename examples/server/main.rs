//! A login server in the shape of the FastAPI tutorial keyward grew from: register, log in at
//! `/token` with an OAuth2 password form, call `/users/me` with the bearer token, refresh it.
//! axum + tokio, users in an embedded SQLite file (rusqlite, bundled).
//!
//! Run with `cargo run --example server`, then try it with curl (see the README). Settings come
//! from the command line or the environment:
//!
//! | flag | variable | default |
//! |---|---|---|
//! | `--db` | `KEYWARD_DB` | `keyward-server.db` in the working directory |
//! | `--addr` | `KEYWARD_ADDR` | `127.0.0.1:8000` |
//! | `--cost` | `KEYWARD_COST` | 12 |
//! | (none) | `KEYWARD_SECRET` | a generated secret, with a warning |

mod app;
mod db;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use keyward::password::PasswordHasher;
use keyward::token::TokenIssuer;
use keyward::{SecretError, SecretKey};

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
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let args = Args::parse();

    let secret = match SecretKey::from_env("KEYWARD_SECRET") {
        Ok(secret) => secret,
        Err(SecretError::NotSet { .. }) => {
            tracing::warn!(
                "KEYWARD_SECRET is not set: signing with a random secret generated for this run. \
                 Tokens will NOT survive a restart. Generate one with \
                 `cargo run --example keyward -- gen-secret` and export it as KEYWARD_SECRET."
            );
            SecretKey::generate()?
        }
        Err(error) => return Err(format!("KEYWARD_SECRET: {error}").into()),
    };

    let hasher = PasswordHasher::with_cost(args.cost)?;
    let issuer = TokenIssuer::hs256(secret)?.with_issuer("keyward-example-server");
    let db = db::Db::open(&args.db)?;
    // Twice the cores: enough to keep them busy, few enough that a flood queues instead of
    // starving everything else.
    let permits = std::thread::available_parallelism().map_or(2, |n| n.get() * 2);
    let state = app::AppState::new(db, hasher, issuer, permits, Duration::from_secs(2));

    let listener = tokio::net::TcpListener::bind(args.addr).await?;
    tracing::info!(addr = %listener.local_addr()?, db = %args.db.display(), cost = args.cost, "listening");
    app::serve(listener, state, async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down");
    })
    .await?;
    Ok(())
}
