//! A resource server: an API that accepts the auth server's access tokens while holding no
//! secret at all. At start it fetches the auth server's JWKS (`examples/server` started with an
//! ES256 or EdDSA key), verifies bearer tokens with a `TokenVerifier` built from it, and refetches
//! the JWKS when a token names a key id it has not seen (after a rotation), at most once per
//! interval. Refresh tokens are refused.
//!
//! Run the auth server with an asymmetric key first, then this (see the README's "Many
//! services"):
//!
//! ```text
//! cargo run --example server -- --asymmetric &
//! cargo run --example resource_server
//! ```

mod app;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use keyward::token::SystemClock;

#[derive(Parser)]
#[command(about = "keyward's example resource server")]
struct Args {
    /// The auth server's JWKS document.
    #[arg(
        long,
        env = "KEYWARD_JWKS_URL",
        default_value = "http://127.0.0.1:8000/.well-known/jwks.json"
    )]
    jwks_url: String,
    /// The `iss` tokens must carry.
    #[arg(long, env = "KEYWARD_ISSUER", default_value = "keyward-example-server")]
    issuer: String,
    /// Address to listen on.
    #[arg(long, env = "KEYWARD_ADDR", default_value = "127.0.0.1:8001")]
    addr: SocketAddr,
    /// Refetch the JWKS for an unknown key id at most once per this many seconds.
    #[arg(long, default_value_t = 60)]
    refetch_interval: u64,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let args = Args::parse();
    let issuer = args.issuer.clone();
    let cache = app::JwksCache::connect(
        args.jwks_url.clone(),
        Duration::from_secs(args.refetch_interval),
        Arc::new(SystemClock),
        move |verifier| verifier.with_issuer(issuer),
    )
    .await
    .map_err(|error| {
        format!("{error} (is the auth server running with --signing-key or --asymmetric?)")
    })?;
    let listener = tokio::net::TcpListener::bind(args.addr).await?;
    tracing::info!(addr = %listener.local_addr()?, jwks = %args.jwks_url, "listening");
    app::serve(listener, Arc::new(cache), async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}
