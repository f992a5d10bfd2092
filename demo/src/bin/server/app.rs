//! The HTTP side of the login server: its state, routes and error responses.
//!
//! Kept apart from `main.rs` so that the tests can start the same app on a random port with a
//! temporary database and a test clock.
//!
//! | route | what it does |
//! |---|---|
//! | `POST /users` | register (JSON `username`, `password`); throttled per client address; 422 with the reason for a refused name (`username.rs`) or password (`passwords.rs`) |
//! | `POST /token` | RFC 6749 token endpoint: `grant_type=password` logs in (a new session), `grant_type=refresh_token` exchanges a refresh token (each works once) |
//! | `POST /token/refresh` | the refresh grant at its older path |
//! | `POST /token/revoke` | log out (RFC 7009: form `token`): ends the token's session |
//! | `GET /users/me`, `/users/me/` | the account of the bearer access token |
//! | `POST /users/me/password` | change password (JSON `current_password`, `new_password`): ends every session; 422 with the reason for a refused new password |
//! | `GET /.well-known/jwks.json` | the public verification keys |
//! | `GET /openapi.json` | the `OpenAPI` 3.1 document of these routes (`openapi.rs`) |
//!
//! Every session rule is `keyward_session`'s, over the store `--db` names (SQLite or
//! Postgres): refresh families that rotate once with reuse detection, revocation, the cutoff a
//! password change sets, failed-login and registration throttling, the shared signing-key
//! ring. This server only reads requests, checks passwords on a bounded pool of threads,
//! calls those rules, and writes responses (`token.rs`, `account.rs`). Bearer tokens are
//! checked by keyward-tower's `BearerAuth`, as at the resource server (`access.rs`), and
//! connections are served by the demo's shared accept loop (`keyward_demo::serve`).

// The test crates include this file and each uses only part of it.
#![cfg_attr(test, allow(dead_code))]

#[path = "access.rs"]
mod access;
#[path = "account.rs"]
mod account;
#[path = "oauth.rs"]
mod oauth;
#[path = "openapi.rs"]
pub mod openapi;
#[path = "passwords.rs"]
pub mod passwords;
#[path = "token.rs"]
mod token;
#[path = "username.rs"]
pub mod username;
#[path = "validation.rs"]
pub mod validation;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::{Duration, Instant};

use axum::Json;
use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use keyward::password::PasswordHasher;
use keyward::token::TokenVerifier;
use keyward_session::{ClientId, SessionError, SessionStore, Sessions};
use keyward_tower::BearerAuth;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::keys::Keys;

pub use keyward_demo::serve::Limits;

/// The `client_id` claim (RFC 9068 §2.2) of tokens from this server's login form, which has
/// one client: the deployment's own front end.
pub const DEFAULT_CLIENT_ID: &str = "keyward-example-client";

/// What a store must be for the server: the session rules' store, shareable across tasks.
pub trait Store: SessionStore + Clone + Send + Sync + 'static {}

impl<S: SessionStore + Clone + Send + Sync + 'static> Store for S {}

/// Everything the handlers share. Cheap to clone: handles and `Arc`s only.
pub struct AppState<S> {
    /// The session rules over the store.
    pub sessions: Sessions<S>,
    /// Hashes new passwords, and decides which stored hashes to upgrade, at the configured cost.
    pub hasher: PasswordHasher,
    /// The signing key and the published verification keys.
    pub keys: Arc<Keys>,
    /// How many times the JWKS document was served (resource servers' fetches).
    pub jwks_requests: Arc<AtomicUsize>,
    /// Bounds concurrent bcrypt work so a login flood cannot take every core.
    pub hashing: Arc<Semaphore>,
    /// How long a request waits for a hashing slot before getting 503.
    pub hashing_wait: Duration,
    /// The rules new passwords must meet (`passwords.rs`).
    passwords: Arc<passwords::Passwords>,
    /// The work floor of failed checks, and the counted work of every hash (`passwords.rs`).
    pub password_work: Arc<passwords::PasswordWork>,
    client_id: ClientId,
    trusted_proxy: Option<IpAddr>,
    limits: Limits,
    /// Registration answers the same whether or not the name was free.
    quiet_registration: bool,
    /// During a migration from the FastAPI tutorial's python-jose service: its tokens, and
    /// the instant after which they are refused whatever their `exp`.
    legacy: Option<Arc<LegacyTokens>>,
    /// The access tokens' authentication (`access.rs`): keyward-tower's, with the store's
    /// cutoff check; rebuilt when the legacy window changes.
    auth: BearerAuth,
}

impl<S: Clone> Clone for AppState<S> {
    fn clone(&self) -> Self {
        AppState {
            sessions: self.sessions.clone(),
            hasher: self.hasher,
            keys: Arc::clone(&self.keys),
            jwks_requests: Arc::clone(&self.jwks_requests),
            hashing: Arc::clone(&self.hashing),
            hashing_wait: self.hashing_wait,
            passwords: Arc::clone(&self.passwords),
            password_work: Arc::clone(&self.password_work),
            client_id: self.client_id.clone(),
            trusted_proxy: self.trusted_proxy,
            limits: self.limits,
            quiet_registration: self.quiet_registration,
            legacy: self.legacy.clone(),
            auth: self.auth.clone(),
        }
    }
}

/// The migration window for tokens of the service keyward replaces.
#[derive(Clone)]
pub struct LegacyTokens {
    /// Verifies the old service's tokens (its secret, `typ: JWT`, no `iat`).
    pub verifier: TokenVerifier,
    /// When the window closes.
    pub until: chrono::DateTime<chrono::Utc>,
}

impl<S: Store> AppState<S> {
    /// `permits` concurrent hashes at most; requests wait up to `wait` for a slot. Limits,
    /// proxy and client take their defaults; see the `with_*` methods.
    pub fn new(
        sessions: Sessions<S>,
        hasher: PasswordHasher,
        keys: Keys,
        permits: usize,
        wait: Duration,
    ) -> Self {
        let keys = Arc::new(keys);
        AppState {
            auth: access::bearer_auth(&sessions, &keys, None),
            sessions,
            hasher,
            keys,
            jwks_requests: Arc::default(),
            hashing: Arc::new(Semaphore::new(permits)),
            hashing_wait: wait,
            passwords: Arc::default(),
            password_work: Arc::default(),
            client_id: ClientId::new(DEFAULT_CLIENT_ID).expect("a valid client id"),
            trusted_proxy: None,
            limits: Limits::default(),
            quiet_registration: false,
            legacy: None,
        }
    }

    /// Also accepts the replaced service's access tokens until `legacy.until`; see
    /// [`LegacyTokens`]. A password change voids them like any other access token.
    #[must_use]
    pub fn with_legacy_tokens(mut self, legacy: LegacyTokens) -> Self {
        self.legacy = Some(Arc::new(legacy));
        self.auth = access::bearer_auth(&self.sessions, &self.keys, self.legacy.as_ref());
        self
    }

    /// Replaces the rules for new passwords (default: [`passwords::Passwords::default`]).
    #[must_use]
    pub fn with_passwords(mut self, passwords: passwords::Passwords) -> Self {
        self.passwords = Arc::new(passwords);
        self
    }

    /// Starts failed checks at `floor` (the startup scan of the stored hashes).
    #[must_use]
    pub fn with_work_floor(mut self, floor: keyward::password::WorkFloor) -> Self {
        self.password_work = Arc::new(passwords::PasswordWork::new(floor));
        self
    }

    /// Replaces the connection and request limits.
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Trusts `X-Forwarded-For` from this address only; see [`AppState::client_address`].
    #[must_use]
    pub fn with_trusted_proxy(mut self, proxy: Option<IpAddr>) -> Self {
        self.trusted_proxy = proxy.map(|ip| ip.to_canonical());
        self
    }

    /// The `client_id` claim of the access tokens, and the one client the token endpoint
    /// knows.
    #[must_use]
    pub fn with_client_id(mut self, client_id: ClientId) -> Self {
        self.client_id = client_id;
        self
    }

    /// Answers every registration alike (202, the same body) whether the name was free or
    /// taken, so that registering tells nobody which names exist.
    #[must_use]
    pub fn with_quiet_registration(mut self, quiet: bool) -> Self {
        self.quiet_registration = quiet;
        self
    }

    /// The address the throttle counts: the TCP peer, unless the peer is the trusted proxy,
    /// then the rightmost entry of the last `X-Forwarded-For` header (the one the proxy itself
    /// appended; entries to its left are whatever the client wrote). A request through the
    /// proxy without a readable entry counts as the proxy's own.
    pub fn client_address(&self, peer: SocketAddr, headers: &HeaderMap) -> IpAddr {
        let peer = peer.ip().to_canonical();
        if Some(peer) != self.trusted_proxy {
            return peer;
        }
        headers
            .get_all("x-forwarded-for")
            .iter()
            .next_back()
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.rsplit(',').next())
            .map(str::trim)
            .and_then(|entry| {
                entry
                    .parse::<IpAddr>()
                    .ok()
                    .or_else(|| entry.parse::<SocketAddr>().ok().map(|a| a.ip()))
            })
            .map_or(peer, |ip| ip.to_canonical())
    }
}

/// The routes, with every error answered as JSON, and the request limits. The routes that
/// need an access token are behind keyward-tower's `BearerAuth` layer (`access.rs`).
pub fn router<S: Store>(state: AppState<S>) -> Router {
    let limits = state.limits;
    let protected = Router::new()
        .route("/users/me", get(account::me))
        .route("/users/me/", get(account::me))
        .route("/users/me/password", post(account::change_password::<S>))
        .route_layer(state.auth.clone());
    let app = Router::new()
        .route("/users", post(account::register::<S>))
        .route("/token", post(token::token::<S>))
        .route("/token/refresh", post(token::refresh::<S>))
        .route("/token/revoke", post(token::revoke::<S>))
        .route("/.well-known/jwks.json", get(account::jwks::<S>))
        .route("/openapi.json", get(openapi::document))
        .merge(protected)
        .with_state(state);
    limits
        .wrap(app)
        .layer(middleware::from_fn(json_errors))
        .layer(middleware::from_fn(log_request))
}

/// Serves the app on `listener` with the demo's shared accept loop and connection limits
/// (`keyward_demo::serve`) until `shutdown` completes.
///
/// # Errors
///
/// None today (see `keyward_demo::serve::serve`).
pub async fn serve<S: Store>(
    listener: TcpListener,
    state: AppState<S>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = state.limits;
    keyward_demo::serve::serve_wrapped(listener, router(state), limits, shutdown).await
}

/// One structured log line per request.
async fn log_request(request: Request, next: Next) -> Response {
    let (method, path) = (request.method().clone(), request.uri().path().to_owned());
    let started = Instant::now();
    let response = next.run(request).await;
    tracing::info!(
        %method,
        %path,
        status = response.status().as_u16(),
        latency = ?started.elapsed(),
        "request"
    );
    response
}

/// Turns every error that is not already JSON (axum's extractor rejections, 404, 405, the
/// limit layers' 408 and 413) into the app's `{"detail": ...}` shape, keeping its text.
async fn json_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 4096).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&text);
    let detail = match text.trim() {
        "" => status.canonical_reason().unwrap_or("error").to_owned(),
        text => text.to_owned(),
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    let body = serde_json::json!({ "detail": detail }).to_string();
    Response::from_parts(parts, Body::from(body))
}

/// A JSON error body in FastAPI's shape (`{"detail": ...}`: a message, or for a 422 the list
/// of field errors), with the headers its status needs.
pub struct ApiError {
    status: StatusCode,
    detail: Detail,
    retry_after: Option<u64>,
}

/// FastAPI's `detail`: a message, or the field errors of a request body.
enum Detail {
    Message(String),
    Fields(Vec<validation::FieldError>),
}

impl std::fmt::Display for Detail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Detail::Message(message) => f.write_str(message),
            Detail::Fields(fields) => {
                for (i, field) in fields.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    write!(f, "{field}")?;
                }
                Ok(())
            }
        }
    }
}

impl ApiError {
    fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        ApiError {
            status,
            detail: Detail::Message(detail.into()),
            retry_after: (status == StatusCode::SERVICE_UNAVAILABLE).then_some(1),
        }
    }

    fn with_fields(status: StatusCode, fields: Vec<validation::FieldError>) -> Self {
        ApiError {
            detail: Detail::Fields(fields),
            ..Self::new(status, "")
        }
    }

    fn too_many(wait: Duration) -> Self {
        ApiError {
            retry_after: Some(wait.as_secs() + u64::from(wait.subsec_nanos() > 0)),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too many failed attempts, retry later",
            )
        }
    }

    fn internal(what: &str, error: impl std::fmt::Display) -> Self {
        tracing::error!(%error, "{what}");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (
            self.status,
            Json(match self.detail {
                Detail::Message(message) => serde_json::json!({ "detail": message }),
                Detail::Fields(fields) => serde_json::json!({ "detail": fields }),
            }),
        )
            .into_response();
        let headers = response.headers_mut();
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// A session rule's error that is the server's trouble, not the client's: logged, 500.
fn store_failed(what: &str, error: &SessionError) -> ApiError {
    ApiError::internal(what, error)
}
