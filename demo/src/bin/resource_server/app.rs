//! The resource server's HTTP side: one protected route, and the auth server's JWKS behind it,
//! kept by keyward's `RemoteKeySet`; this file supplies only the HTTP fetch. Kept apart from
//! `main.rs` so `tests/multi_service.rs` can run it in-process.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use keyward::token::{
    CacheDuration, Claims, Clock, FetchError, JwksResponse, RefreshError, RemoteKeySet, TokenError,
    TokenVerifier, bearer_token,
};
use tokio::net::TcpListener;

/// The auth server's public keys: `RemoteKeySet` decides when to fetch (first use, expiry, an
/// unknown key id at most once per cooldown, one fetch for a burst); this adds the request.
pub struct Jwks {
    url: String,
    client: reqwest::Client,
    keys: RemoteKeySet,
}

/// The largest JWKS document read from the wire, the same cap `RemoteKeySet` applies.
const MAX_DOCUMENT_BYTES: usize = RemoteKeySet::DEFAULT_MAX_DOCUMENT_BYTES;

async fn fetch(client: &reqwest::Client, url: &str) -> Result<JwksResponse, FetchError> {
    let response = client
        .get(url)
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(FetchError::new)?;
    // Refuse an oversized body before reading it when the server says how long it is.
    if response
        .content_length()
        .is_some_and(|len| len > MAX_DOCUMENT_BYTES as u64)
    {
        return Err(FetchError::new("JWKS document too large"));
    }
    let cache_control = response
        .headers()
        .get_all(header::CACHE_CONTROL)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .collect::<Vec<_>>()
        .join(", ");
    let body = response.text().await.map_err(FetchError::new)?;
    Ok(JwksResponse::new(body).with_cache_control(cache_control))
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
        Ok(Jwks { url, client, keys })
    }

    /// Verifies an access token, fetching the keys first if the cache says so.
    pub async fn verify(&self, token: &str) -> Result<Claims<()>, TokenError> {
        self.keys
            .verify(token, || async {
                let outcome = fetch(&self.client, &self.url).await;
                match &outcome {
                    Ok(_) => tracing::info!(url = %self.url, "JWKS fetched"),
                    Err(error) => tracing::warn!(url = %self.url, error = %error_chain(error), "JWKS fetch failed"),
                }
                outcome
            })
            .await
    }

    /// Why the last fetch failed, if it did (an unreachable server, an unusable document).
    pub fn last_refresh_error(&self) -> Option<RefreshError> {
        self.keys.last_refresh_error()
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

pub fn router(jwks: Arc<Jwks>) -> Router {
    Router::new().route("/orders", get(orders)).with_state(jwks)
}

pub async fn serve(
    listener: TcpListener,
    jwks: Arc<Jwks>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(jwks))
        .with_graceful_shutdown(shutdown)
        .await
}

/// A refusal with its RFC 6750 §3 challenge.
fn challenge(status: StatusCode, challenge: &'static str, detail: &str) -> Response {
    let mut response = (status, Json(serde_json::json!({ "detail": detail }))).into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(challenge),
    );
    response
}

/// What the `Authorization` header holds, as RFC 6750 §3.1 sorts requests.
enum Credentials<'a> {
    /// No header, or another scheme (`Basic ...`): the client did not try a bearer token.
    None,
    /// `Bearer` with something that is not a token, or a header that is not text.
    Malformed,
    Bearer(&'a str),
}

fn credentials(headers: &HeaderMap) -> Credentials<'_> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Credentials::None;
    };
    let Ok(value) = value.to_str() else {
        return Credentials::Malformed;
    };
    if let Ok(token) = bearer_token(value) {
        return Credentials::Bearer(token);
    }
    let scheme = value.split(' ').next().unwrap_or_default();
    if scheme.eq_ignore_ascii_case("bearer") {
        Credentials::Malformed
    } else {
        Credentials::None
    }
}

async fn orders(State(jwks): State<Arc<Jwks>>, headers: HeaderMap) -> Response {
    let token = match credentials(&headers) {
        // RFC 6750 §3.1: no error code when the request has no authentication information.
        Credentials::None => {
            return challenge(StatusCode::UNAUTHORIZED, "Bearer", "Not authenticated");
        }
        Credentials::Malformed => {
            return challenge(
                StatusCode::BAD_REQUEST,
                r#"Bearer error="invalid_request""#,
                "Malformed Authorization header",
            );
        }
        Credentials::Bearer(token) => token,
    };
    match jwks.verify(token).await {
        Ok(claims) => Json(serde_json::json!({
            "subject": claims.subject,
            "orders": [{"id": 1, "item": "coffee beans"}, {"id": 2, "item": "grinder"}],
        }))
        .into_response(),
        // The token may be fine; this server cannot check it until the auth server answers.
        Err(TokenError::KeySetUnavailable { .. }) => {
            let reason = jwks.last_refresh_error().map(|error| error_chain(&error));
            tracing::error!(?reason, "no usable JWKS: cannot verify tokens");
            let mut response = (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({ "detail": "Cannot verify tokens right now" })),
            )
                .into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
            response
        }
        Err(error) => {
            tracing::info!(%error, "token refused");
            challenge(
                StatusCode::UNAUTHORIZED,
                r#"Bearer error="invalid_token""#,
                "Could not validate credentials",
            )
        }
    }
}
