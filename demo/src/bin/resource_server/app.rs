//! The resource server's HTTP side: one protected route behind keyward-tower's `BearerAuth`,
//! and the auth server's JWKS behind that, kept by keyward's `RemoteKeySet`; this file
//! supplies only the HTTP fetch (its body capped as it streams). Kept apart from `main.rs`
//! so `tests/multi_service.rs` can run it in-process.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::header;
use axum::response::Json;
use axum::routing::get;
use keyward::token::{
    CacheDuration, CappedBody, Clock, FetchError, JwksResponse, RefreshError, RemoteKeySet,
    TokenVerifier,
};
use keyward_demo::serve::Limits;
use keyward_tower::{BearerAuth, BearerClaims, KeySource, Refusal};
use tokio::net::TcpListener;

/// The auth server's public keys: `RemoteKeySet` decides when to fetch (first use, expiry, an
/// unknown key id at most once per cooldown, one fetch for a burst); this adds the request.
pub struct Jwks {
    url: Arc<str>,
    client: reqwest::Client,
    keys: Arc<RemoteKeySet>,
}

/// The largest JWKS document read from the wire, the same cap `RemoteKeySet` applies.
const MAX_DOCUMENT_BYTES: usize = RemoteKeySet::DEFAULT_MAX_DOCUMENT_BYTES;

/// Fetches the JWKS, holding at most `MAX_DOCUMENT_BYTES` of it whatever the server sends:
/// a declared `Content-Length` over the cap is refused before reading, and a body without
/// one (chunked) is cut off as soon as it passes the cap.
async fn fetch(client: &reqwest::Client, url: &str) -> Result<JwksResponse, FetchError> {
    let mut response = client
        .get(url)
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(FetchError::new)?;
    let mut body = CappedBody::new(MAX_DOCUMENT_BYTES);
    body.check_declared_length(response.content_length())?;
    let cache_control = response
        .headers()
        .get_all(header::CACHE_CONTROL)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .collect::<Vec<_>>()
        .join(", ");
    while let Some(chunk) = response.chunk().await.map_err(FetchError::new)? {
        body.push(&chunk)?;
    }
    body.into_response(Some(cache_control).filter(|value| !value.is_empty()))
}

impl Jwks {
    /// Fetches the JWKS once, so a server that cannot reach the auth server says so at start:
    /// `policy` turns the published keys into a verifier with this server's expectations
    /// (issuer, audience, clock), and `clock` drives the cache's ages and cooldown.
    pub async fn connect(
        url: String,
        cooldown: CacheDuration,
        clock: Arc<dyn Clock>,
        policy: impl Fn(TokenVerifier) -> TokenVerifier + Send + Sync + 'static,
    ) -> Result<Jwks, RefreshError> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .map_err(|error| RefreshError::Fetch(FetchError::new(error)))?;
        let keys = RemoteKeySet::new(move |keys| policy(TokenVerifier::new(keys)))
            .with_cooldown(cooldown)
            .with_clock(clock);
        keys.refresh(|| fetch(&client, &url)).await?;
        Ok(Jwks {
            url: url.into(),
            client,
            keys: Arc::new(keys),
        })
    }

    /// The keys as keyward-tower's source: verification fetches through `fetch` when the
    /// cache says so, and logs each fetch.
    fn source(&self) -> KeySource {
        let (url, client) = (Arc::clone(&self.url), self.client.clone());
        KeySource::remote(Arc::clone(&self.keys), move || {
            let (url, client) = (Arc::clone(&url), client.clone());
            async move {
                let outcome = fetch(&client, &url).await;
                match &outcome {
                    Ok(_) => tracing::info!(%url, "JWKS fetched"),
                    Err(error) => {
                        tracing::warn!(%url, error = %error_chain(error), "JWKS fetch failed");
                    }
                }
                outcome
            }
        })
    }
}

/// An error and its sources, for logs.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// `/orders`, protected by `BearerAuth`; every refusal is logged with its real reason
/// (expired, revoked, unknown key, wrong audience...), which the client is not told.
pub fn router(jwks: &Jwks) -> Router {
    let keys = Arc::clone(&jwks.keys);
    let auth: BearerAuth =
        BearerAuth::new(jwks.source()).with_refusal_hook(move |refusal| match refusal {
            Refusal::KeysUnavailable => {
                let reason = keys.last_refresh_error().map(|error| error_chain(&error));
                tracing::error!(?reason, "no usable JWKS: cannot verify tokens");
            }
            Refusal::MissingCredentials => tracing::debug!("request without credentials"),
            refusal => tracing::info!(reason = %refusal, "access token refused"),
        });
    Router::new()
        .route("/orders", get(orders))
        .route_layer(auth.clone())
        .with_state(auth)
}

async fn orders(BearerClaims(claims): BearerClaims) -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "subject": claims.subject,
        "orders": [{"id": 1, "item": "coffee beans"}, {"id": 2, "item": "grinder"}],
    }))
}

/// Serves `/orders` under the default limits.
#[allow(dead_code)] // `tests/multi_service.rs` serves this way; `main.rs` passes its limits.
pub async fn serve(
    listener: TcpListener,
    jwks: Arc<Jwks>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, &jwks, Limits::default(), shutdown).await
}

/// Serves `/orders` under `limits` (keyward-demo's shared accept loop).
pub async fn serve_with(
    listener: TcpListener,
    jwks: &Jwks,
    limits: Limits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    keyward_demo::serve::serve(listener, router(jwks), limits, shutdown).await
}
