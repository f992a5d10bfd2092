//! A resource server: an API that accepts the auth server's access tokens while holding no
//! secret at all. It verifies bearer tokens against the auth server's JWKS (`demo/src/bin/server`
//! started with an ES256 or EdDSA key), kept by keyward's `RemoteKeySet`: fetched at start,
//! refetched when the auth server's `Cache-Control: max-age` runs out, and when a token names a
//! key id it has not seen (after a rotation), at most once per `--refetch-interval`. If the auth
//! server goes down, the last keys keep working for a day past their expiry. Refresh tokens are
//! refused.
//!
//! With `--oidc-issuer URL` instead of `--jwks-url`, the keys of any OpenID provider are found
//! by discovery (its `/.well-known/openid-configuration`, whose `issuer` must be the URL
//! given, and its `jwks_uri`); `--oidc-tenant-id` fills Entra's `{tenantid}` template. With
//! `--dpop`, DPoP-bound tokens (RFC 9449) are accepted with a fresh proof of their key,
//! whose `htu` must be `--public-url` followed by the request's path.
//!
//! Run the auth server with an asymmetric key first, then this (see the README's "Many
//! services"):
//!
//! ```text
//! cargo run -p keyward-demo --bin server -- --asymmetric &
//! cargo run -p keyward-demo --bin resource_server
//! ```

mod app;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use keyward::token::{CacheDuration, SystemClock};
use keyward_demo::serve::{Limits, parse_duration};

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
    /// This API's name in the tokens' `aud`: the auth server's `--audience`. Tokens for
    /// another API, and refresh tokens, are refused.
    #[arg(long, env = "KEYWARD_AUDIENCE", default_value = "keyward-example-api")]
    audience: String,
    /// Address to listen on.
    #[arg(long, env = "KEYWARD_ADDR", default_value = "127.0.0.1:8001")]
    addr: SocketAddr,
    /// Fetch the JWKS at most once per this many seconds, however many tokens name an
    /// unknown key id (1 to 2592000).
    #[arg(long, default_value_t = 60)]
    refetch_interval: u64,
    /// Connections served at once; more wait in the listen backlog. Keep it below the file
    /// descriptor limit (`ulimit -n`) with room for the JWKS fetch and logs.
    #[arg(long, default_value_t = 512)]
    max_connections: usize,
    /// Connections served at once from one client address (IPv4 address, IPv6 /64); one more
    /// is closed on accept. Raise it behind a reverse proxy.
    #[arg(long, default_value_t = 32)]
    max_connections_per_client: usize,
    /// Time to receive a request's headers (`500ms`, `10s`).
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    header_read_timeout: Duration,
    /// Time a connection may sit with no request in flight before it is closed.
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    idle_timeout: Duration,
    /// Time a whole request may take (then 408).
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    request_timeout: Duration,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let args = Args::parse();
    let (issuer, audience) = (args.issuer.clone(), args.audience.clone());
    let cooldown = CacheDuration::from_secs(args.refetch_interval)
        .map_err(|error| format!("--refetch-interval: {error}"))?;
    let jwks = app::Jwks::connect(
        args.jwks_url.clone(),
        cooldown,
        Arc::new(SystemClock),
        move |verifier| {
            verifier
                .with_issuer(issuer.clone())
                .with_audience(audience.clone())
        },
    )
    .await
    .map_err(|error| {
        format!(
            "{} (is the auth server running with --signing-key or --asymmetric?)",
            app::error_chain(&error)
        )
    })?;
    let limits = Limits::default()
        .with_max_connections(args.max_connections)
        .with_max_connections_per_client(args.max_connections_per_client)
        .with_header_read_timeout(args.header_read_timeout)
        .with_idle_timeout(args.idle_timeout)
        .with_body_timeout(args.header_read_timeout)
        .with_request_timeout(args.request_timeout);
    let listener = tokio::net::TcpListener::bind(args.addr).await?;
    tracing::info!(addr = %listener.local_addr()?, jwks = %args.jwks_url, "listening");
    app::serve_with(listener, &jwks, limits, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}
