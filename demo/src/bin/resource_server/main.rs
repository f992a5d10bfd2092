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
//! given, and its `jwks_uri`); `--oidc-tenant-id` fills Entra's `{tenantid}` template.
//! DPoP-bound tokens (RFC 9449, with `cnf.jkt`) are accepted as `Authorization: DPoP` with a
//! fresh proof of their key, whose `htu` must be `--public-url` (by default `http://` and the
//! listening address) followed by the request's path; sent as `Bearer`, they are refused.
//! Used proofs are remembered in this process: replicas behind one load balancer need a
//! shared replay store (see `DpopVerifier::with_replay_store`), which this example has not.
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
use keyward::token::{CacheDuration, OidcDiscovery, SystemClock};
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
    /// An OpenID provider's issuer, exactly as its tokens carry it in `iss` (instead of
    /// `--jwks-url` and `--issuer`): its keys are found through
    /// `<issuer>/.well-known/openid-configuration`.
    #[arg(long, env = "KEYWARD_OIDC_ISSUER", conflicts_with_all = ["issuer", "jwks_url"])]
    oidc_issuer: Option<String>,
    /// The tenant (directory GUID or domain) that fills an Entra ID discovery document's
    /// `{tenantid}` issuer template.
    #[arg(long, env = "KEYWARD_OIDC_TENANT_ID", requires = "oidc_issuer")]
    oidc_tenant_id: Option<String>,
    /// The `iss` tokens must carry, with `--jwks-url` [default: keyward-example-server].
    #[arg(long, env = "KEYWARD_ISSUER")]
    issuer: Option<String>,
    /// The URL clients reach this server at (scheme, host, port, and any path prefix a proxy
    /// adds), which DPoP proofs' `htu` must name [default: http:// and the --addr].
    #[arg(long, env = "KEYWARD_PUBLIC_URL")]
    public_url: Option<String>,
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
    let audience = args.audience.clone();
    let cooldown = CacheDuration::from_secs(args.refetch_interval)
        .map_err(|error| format!("--refetch-interval: {error}"))?;
    let jwks = if let Some(issuer) = &args.oidc_issuer {
        let mut discovery = OidcDiscovery::new(issuer)
            .map_err(|error| format!("--oidc-issuer: {}", app::error_chain(&error)))?;
        if let Some(tenant) = &args.oidc_tenant_id {
            discovery = discovery
                .try_with_tenant_id(tenant)
                .map_err(|error| format!("--oidc-tenant-id: {error}"))?;
        }
        // `OidcKeySet` requires the discovered issuer itself.
        app::Jwks::discover(
            discovery,
            cooldown,
            Arc::new(SystemClock),
            move |verifier| verifier.with_audience(audience.clone()),
        )
        .await
        .map_err(|error| format!("OIDC discovery: {}", app::error_chain(&error)))?
    } else {
        let issuer = args
            .issuer
            .clone()
            .unwrap_or_else(|| "keyward-example-server".to_owned());
        app::Jwks::connect(
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
        })?
    };
    let limits = Limits::default()
        .with_max_connections(args.max_connections)
        .with_max_connections_per_client(args.max_connections_per_client)
        .with_header_read_timeout(args.header_read_timeout)
        .with_idle_timeout(args.idle_timeout)
        .with_body_timeout(args.header_read_timeout)
        .with_request_timeout(args.request_timeout);
    let listener = tokio::net::TcpListener::bind(args.addr).await?;
    let addr = listener.local_addr()?;
    let dpop = app::Dpop::new(
        args.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{addr}")),
    );
    tracing::info!(%addr, jwks = %jwks.describe(), public_url = %dpop.public_url(), "listening");
    app::serve_with(listener, &jwks, Some(&dpop), limits, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}
