//! The resource server's HTTP side: one protected route behind keyward-tower's `BearerAuth`
//! (DPoP-bound tokens too, when asked), and the issuer's JWKS behind that, kept by keyward's
//! `RemoteKeySet`, at a URL given or found by OIDC discovery (`OidcKeySet`); this file
//! supplies only the HTTP fetch (its body capped as it streams). Kept apart from `main.rs`
//! so `tests/multi_service.rs` can run it in-process.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::header;
use axum::response::Json;
use axum::routing::get;
use keyward::token::dpop::DpopVerifier;
use keyward::token::{
    CacheDuration, CappedBody, Clock, FetchError, JwksResponse, OidcDiscovery, OidcKeySet,
    RefreshError, RemoteKeySet, TokenVerifier,
};
use keyward_demo::serve::Limits;
use keyward_tower::{BearerAuth, BearerClaims, KeySource, Refusal};
use tokio::net::TcpListener;

/// The issuer's public keys: `RemoteKeySet` decides when to fetch (first use, expiry, an
/// unknown key id at most once per cooldown, one fetch for a burst); this adds the request.
pub struct Jwks {
    client: reqwest::Client,
    keys: Keys,
}

enum Keys {
    /// At a JWKS URL given.
    Url {
        url: Arc<str>,
        keys: Arc<RemoteKeySet>,
    },
    /// At the `jwks_uri` of the issuer's discovery document.
    Discovered(Arc<OidcKeySet>),
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
        let client = client()?;
        let keys = RemoteKeySet::new(move |keys| policy(TokenVerifier::new(keys)))
            .with_cooldown(cooldown)
            .with_clock(clock);
        keys.refresh(|| fetch(&client, &url)).await?;
        Ok(Jwks {
            client,
            keys: Keys::Url {
                url: url.into(),
                keys: Arc::new(keys),
            },
        })
    }

    /// Discovers the OpenID provider `discovery` names (its document's `issuer` must be the
    /// one configured, its `jwks_uri` HTTPS unless on loopback) and fetches its JWKS once,
    /// as [`connect`](Self::connect) does. Tokens must carry the discovered issuer.
    pub async fn discover(
        discovery: OidcDiscovery,
        cooldown: CacheDuration,
        clock: Arc<dyn Clock>,
        policy: impl Fn(TokenVerifier) -> TokenVerifier + Send + Sync + 'static,
    ) -> Result<Jwks, RefreshError> {
        let client = client()?;
        let remote = RemoteKeySet::new(move |keys| policy(TokenVerifier::new(keys)))
            .with_cooldown(cooldown)
            .with_clock(clock);
        let keys = OidcKeySet::new(discovery, remote);
        keys.refresh(|url| {
            let client = client.clone();
            async move { fetch(&client, &url).await }
        })
        .await?;
        Ok(Jwks {
            client,
            keys: Keys::Discovered(Arc::new(keys)),
        })
    }

    /// Where the keys come from, for the log.
    pub fn describe(&self) -> String {
        match &self.keys {
            Keys::Url { url, .. } => url.to_string(),
            Keys::Discovered(keys) => keys.metadata().map_or_else(
                || "OIDC discovery".to_owned(),
                |metadata| format!("{} (discovered)", metadata.jwks_uri()),
            ),
        }
    }

    /// The keys as keyward-tower's source: verification fetches through `fetch` when the
    /// cache says so, and logs each fetch.
    fn source(&self) -> KeySource {
        let client = self.client.clone();
        match &self.keys {
            Keys::Url { url, keys } => {
                let url = Arc::clone(url);
                KeySource::remote(Arc::clone(keys), move || {
                    logged_fetch(client.clone(), url.to_string())
                })
            }
            Keys::Discovered(keys) => KeySource::oidc(Arc::clone(keys), move |url| {
                logged_fetch(client.clone(), url)
            }),
        }
    }
}

fn client() -> Result<reqwest::Client, RefreshError> {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .map_err(|error| RefreshError::Fetch(FetchError::new(error)))
}

async fn logged_fetch(client: reqwest::Client, url: String) -> Result<JwksResponse, FetchError> {
    let outcome = fetch(&client, &url).await;
    match &outcome {
        Ok(_) => tracing::info!(%url, "fetched"),
        Err(error) => tracing::warn!(%url, error = %error_chain(error), "fetch failed"),
    }
    outcome
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

/// DPoP-bound tokens accepted (RFC 9449), their proofs' `htu` compared with this public URL
/// (scheme, host and port clients use; a path prefix a proxy adds) and the request's path.
#[derive(Clone, Debug)]
pub struct Dpop {
    public_url: String,
}

impl Dpop {
    /// DPoP on, for clients reaching this server at `public_url`.
    pub fn new(public_url: impl Into<String>) -> Self {
        Dpop {
            public_url: public_url.into(),
        }
    }

    /// The URL proofs' `htu` is compared with (before the request's path).
    pub fn public_url(&self) -> &str {
        &self.public_url
    }
}

/// `/orders`, protected by `BearerAuth` (and DPoP with `dpop`); every refusal is logged with
/// its real reason (expired, revoked, unknown key, wrong audience, a replayed proof...),
/// which the client is not told.
///
/// # Errors
///
/// A DPoP public URL that is not an absolute http(s) URL.
pub fn router(jwks: &Jwks, dpop: Option<&Dpop>) -> Result<Router, keyward_tower::InvalidPublicUrl> {
    let reasons = Arc::new(match &jwks.keys {
        Keys::Url { keys, .. } => Reasons::Url(Arc::clone(keys)),
        Keys::Discovered(keys) => Reasons::Discovered(Arc::clone(keys)),
    });
    let mut auth: BearerAuth =
        BearerAuth::new(jwks.source()).with_refusal_hook(move |refusal| match refusal {
            Refusal::KeysUnavailable => {
                let reason = reasons
                    .remote()
                    .last_refresh_error()
                    .map(|error| error_chain(&error));
                tracing::error!(?reason, "no usable JWKS: cannot verify tokens");
            }
            Refusal::MissingCredentials => tracing::debug!("request without credentials"),
            Refusal::InvalidDpopProof(error @ keyward::token::dpop::DpopError::ReplayStore(_)) => {
                tracing::error!(error = %error_chain(error), "DPoP replay store failed");
            }
            refusal => tracing::info!(reason = %refusal, "access token refused"),
        });
    if let Some(dpop) = dpop {
        auth = auth.try_with_dpop(DpopVerifier::new(), &dpop.public_url)?;
    }
    Ok(Router::new()
        .route("/orders", get(orders))
        .route_layer(auth.clone())
        .with_state(auth))
}

/// What the refusal hook holds to say why no keys are usable.
enum Reasons {
    Url(Arc<RemoteKeySet>),
    Discovered(Arc<OidcKeySet>),
}

impl Reasons {
    fn remote(&self) -> &RemoteKeySet {
        match self {
            Reasons::Url(keys) => keys,
            Reasons::Discovered(keys) => keys.remote(),
        }
    }
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
    serve_with(listener, &jwks, None, Limits::default(), shutdown).await
}

/// Serves `/orders` under `limits` (keyward-demo's shared accept loop), DPoP-bound tokens
/// too with `dpop`.
pub async fn serve_with(
    listener: TcpListener,
    jwks: &Jwks,
    dpop: Option<&Dpop>,
    limits: Limits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let router = router(jwks, dpop).map_err(std::io::Error::other)?;
    keyward_demo::serve::serve(listener, router, limits, shutdown).await
}
