//! The resource server's HTTP side: one protected route, and the cache of the auth server's
//! JWKS behind it. Kept apart from `main.rs` so `tests/multi_service.rs` can run it in-process.

use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use chrono::{DateTime, TimeDelta, Utc};
use keyward::token::{Claims, Clock, KeySet, TokenError, TokenVerifier, bearer_token};
use tokio::net::TcpListener;

/// The auth server's public keys, refetched when a token names a key id this server has not
/// seen, but at most once per `min_interval`: a flood of tokens with invented `kid`s cannot
/// turn into a flood of requests to the auth server.
pub struct JwksCache {
    url: String,
    client: reqwest::Client,
    verifier: RwLock<Arc<TokenVerifier>>,
    last_fetch: Mutex<DateTime<Utc>>,
    min_interval: TimeDelta,
    clock: Arc<dyn Clock>,
}

/// Why the cache could not get keys.
#[derive(Debug)]
pub enum FetchError {
    Http(reqwest::Error),
    Keys(TokenError),
}

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FetchError::Http(error) => write!(f, "JWKS request failed: {error}"),
            FetchError::Keys(error) => write!(f, "JWKS document unusable: {error}"),
        }
    }
}

impl std::error::Error for FetchError {}

async fn fetch(client: &reqwest::Client, url: &str) -> Result<String, FetchError> {
    let response = client
        .get(url)
        .send()
        .await
        .and_then(reqwest::Response::error_for_status);
    response
        .map_err(FetchError::Http)?
        .text()
        .await
        .map_err(FetchError::Http)
}

impl JwksCache {
    /// Fetches the JWKS once and builds the verifier: `policy` turns the published keys into a
    /// verifier with this server's expectations (issuer, audience, clock).
    pub async fn connect(
        url: String,
        min_interval: Duration,
        clock: Arc<dyn Clock>,
        policy: impl FnOnce(TokenVerifier) -> TokenVerifier,
    ) -> Result<JwksCache, FetchError> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .map_err(FetchError::Http)?;
        let document = fetch(&client, &url).await?;
        let verifier = policy(TokenVerifier::from_jwks(&document).map_err(FetchError::Keys)?);
        Ok(JwksCache {
            url,
            client,
            verifier: RwLock::new(Arc::new(verifier)),
            last_fetch: Mutex::new(clock.now()),
            min_interval: TimeDelta::from_std(min_interval).unwrap_or(TimeDelta::MAX),
            clock,
        })
    }

    fn current(&self) -> Arc<TokenVerifier> {
        // The lock is held only to clone the Arc; verification itself runs unlocked.
        Arc::clone(
            &self
                .verifier
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }

    /// Claims the right to refetch now, if the last fetch is at least `min_interval` old.
    fn may_refetch(&self) -> bool {
        let now = self.clock.now();
        let mut last = self
            .last_fetch
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if now - *last < self.min_interval {
            return false;
        }
        *last = now;
        true
    }

    async fn refetch(&self) -> Result<(), FetchError> {
        let document = fetch(&self.client, &self.url).await?;
        let refreshed = self
            .current()
            .as_ref()
            .clone()
            .with_key_set(KeySet::from_jwks(&document).map_err(FetchError::Keys)?);
        *self
            .verifier
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(refreshed);
        tracing::info!(url = %self.url, "JWKS refetched");
        Ok(())
    }

    /// Verifies an access token, refetching the keys once if it names an unknown key id.
    pub async fn verify(&self, token: &str) -> Result<Claims<()>, TokenError> {
        match self.current().verify::<()>(token) {
            Err(TokenError::UnknownKeyId { .. }) if self.may_refetch() => {
                if let Err(error) = self.refetch().await {
                    tracing::warn!(%error, "keeping the cached keys");
                }
                self.current().verify::<()>(token)
            }
            result => result,
        }
    }
}

pub fn router(cache: Arc<JwksCache>) -> Router {
    Router::new()
        .route("/orders", get(orders))
        .with_state(cache)
}

pub async fn serve(
    listener: TcpListener,
    cache: Arc<JwksCache>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(cache))
        .with_graceful_shutdown(shutdown)
        .await
}

fn unauthorized() -> Response {
    let mut response = (
        StatusCode::UNAUTHORIZED,
        Json(serde_json::json!({ "detail": "Could not validate credentials" })),
    )
        .into_response();
    // RFC 6750 §3.1: tell the client its token is the problem.
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(r#"Bearer error="invalid_token""#),
    );
    response
}

async fn orders(State(cache): State<Arc<JwksCache>>, headers: HeaderMap) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .map(bearer_token);
    let Some(Ok(token)) = token else {
        return unauthorized();
    };
    match cache.verify(token).await {
        Ok(claims) => Json(serde_json::json!({
            "subject": claims.subject,
            "orders": [{"id": 1, "item": "coffee beans"}, {"id": 2, "item": "grinder"}],
        }))
        .into_response(),
        Err(error) => {
            tracing::info!(%error, "token refused");
            unauthorized()
        }
    }
}
