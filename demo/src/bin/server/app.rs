//! The HTTP side of the login server: routes, handlers and error responses.
//!
//! Kept apart from `main.rs` so that the tests can start the same app on a random port with a
//! temporary database and a test clock.
//!
//! | route | what it does |
//! |---|---|
//! | `POST /users` | register (JSON `username`, `password`) |
//! | `POST /token` | log in (OAuth2 password form): an access token and a refresh token, a new session |
//! | `POST /token/refresh` | exchange a refresh token (form `refresh_token`) for a new pair; each works once |
//! | `POST /token/revoke` | log out (RFC 7009: form `token`): ends the token's session; always 200 |
//! | `GET /users/me` | the account of the bearer access token |
//! | `POST /users/me/password` | change password (JSON `current_password`, `new_password`): ends every session |
//! | `GET /.well-known/jwks.json` | the public verification keys |
//!
//! Sessions: a login starts a *family* of opaque refresh tokens, stored as SHA-256 digests.
//! Each exchange marks the presented token used and hands out its successor. Presenting a used
//! token again means two parties hold it, one of them a thief, and the server cannot tell which:
//! it revokes the whole family, so both the thief and the legitimate holder must log in again
//! (RFC 9700 §4.14.2), and logs a warning.
//!
//! Password change and the `iat` rule: access tokens are stateless, so a password change voids
//! them by a per-account cutoff second `C` (the change's Unix second, in SQLite and cached in
//! memory): a token whose `iat` is `C` or earlier is refused. `iat` has whole-second resolution,
//! so tokens issued later in that same second would be void too; no such token is ever handed
//! out, because issuing for that account waits until second `C + 1` (at most one second, and
//! only right after a change).

// The test crates include this file and each uses only part of it.
#![cfg_attr(test, allow(dead_code))]

#[path = "oauth.rs"]
mod oauth;
#[path = "serve.rs"]
mod serve;
#[path = "throttle.rs"]
pub mod throttle;
#[path = "token.rs"]
mod token;
#[path = "username.rs"]
pub mod username;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Json, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use keyward::PasswordHash;
use keyward::password::{Cost, PasswordError, PasswordHasher};
use keyward::token::{Claims, OpaqueToken, TokenDigest, TokenError, TokenResponse, TokenVerifier};
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;

use crate::db::Db;
use crate::keys::KeyRing;

pub use serve::{Limits, serve};
use throttle::{Throttle, ThrottleConfig};

/// The `client_id` claim (RFC 9068 §2.2) of tokens from this server's login form, which has
/// one client: the deployment's own front end.
pub const DEFAULT_CLIENT_ID: &str = "keyward-example-client";

/// Everything the handlers share. Cheap to clone: handles and `Arc`s only.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    /// Hashes new passwords, and decides which stored hashes to upgrade, at the configured cost.
    pub hasher: PasswordHasher,
    /// Checks passwords at the highest cost among the configured and the stored hashes, so a
    /// failed check costs the same whether the account exists or not, and whatever its hash's
    /// cost (a cost lowered from 12 to 10 must not make unknown names answer faster).
    checker: PasswordHasher,
    /// The signing key and the published verification keys.
    pub keys: Arc<KeyRing>,
    /// How many times the JWKS document was served (resource servers' fetches).
    pub jwks_requests: Arc<AtomicUsize>,
    /// Bounds concurrent bcrypt work so a login flood cannot take every core.
    pub hashing: Arc<Semaphore>,
    /// How long a request waits for a hashing slot before getting 503.
    pub hashing_wait: Duration,
    /// Per-account cutoff seconds: access tokens with `iat` at or before are void.
    cutoffs: Arc<RwLock<HashMap<String, i64>>>,
    throttle: Arc<Throttle>,
    client_id: Arc<str>,
    trusted_proxy: Option<IpAddr>,
    limits: Limits,
    /// During a migration from the FastAPI tutorial's python-jose service: its tokens, and
    /// the instant after which they are refused whatever their `exp`.
    legacy: Option<Arc<LegacyTokens>>,
}

/// The migration window for tokens of the service keyward replaces.
#[derive(Clone)]
pub struct LegacyTokens {
    /// Verifies the old service's tokens (its secret, `typ: JWT`, no `iat`).
    pub verifier: TokenVerifier,
    /// When the window closes.
    pub until: chrono::DateTime<chrono::Utc>,
}

impl AppState {
    /// `permits` concurrent hashes at most; requests wait up to `wait` for a slot. Throttle,
    /// limits and proxy take their defaults; see the `with_*` methods.
    ///
    /// # Panics
    ///
    /// If the database cannot be read: a server that cannot load its revocation cutoffs must
    /// not start and accept revoked tokens.
    pub fn new(
        db: Db,
        hasher: PasswordHasher,
        keys: KeyRing,
        permits: usize,
        wait: Duration,
    ) -> Self {
        let cutoffs = db
            .session_cutoffs()
            .expect("read session cutoffs")
            .into_iter()
            .collect();
        let highest_stored = db
            .password_hashes()
            .expect("read password hashes")
            .iter()
            .filter_map(|hash| hash.parse::<PasswordHash>().ok())
            .filter_map(|hash| hash.bcrypt_cost())
            .map(Cost::get)
            .max();
        let checker = match highest_stored.map(Cost::new) {
            Some(Ok(stored)) if stored > hasher.cost() => {
                tracing::info!(
                    stored = stored.get(),
                    configured = hasher.cost().get(),
                    "failed password checks will cost as much as the costliest stored hash"
                );
                hasher.with_cost(stored)
            }
            _ => hasher,
        };
        AppState {
            db,
            hasher,
            checker,
            keys: Arc::new(keys),
            jwks_requests: Arc::default(),
            hashing: Arc::new(Semaphore::new(permits)),
            hashing_wait: wait,
            cutoffs: Arc::new(RwLock::new(cutoffs)),
            throttle: Arc::new(Throttle::new(ThrottleConfig::default())),
            client_id: DEFAULT_CLIENT_ID.into(),
            trusted_proxy: None,
            limits: Limits::default(),
            legacy: None,
        }
    }

    /// Also accepts the replaced service's access tokens until `legacy.until`; see
    /// [`LegacyTokens`]. A password change voids them like any other access token.
    #[allow(dead_code)] // the tests and the binary's --legacy-* flags use it
    #[must_use]
    pub fn with_legacy_tokens(mut self, legacy: LegacyTokens) -> Self {
        self.legacy = Some(Arc::new(legacy));
        self
    }

    /// Replaces the guess-throttling buckets.
    // The binary keeps the defaults; the tests tighten them.
    #[allow(dead_code)]
    #[must_use]
    pub fn with_throttle(mut self, config: ThrottleConfig) -> Self {
        self.throttle = Arc::new(Throttle::new(config));
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

    /// The `client_id` claim of the access tokens.
    #[must_use]
    pub fn with_client_id(mut self, client_id: &str) -> Self {
        self.client_id = client_id.into();
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

    fn cutoff(&self, username: &str) -> Option<i64> {
        self.cutoffs
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(username)
            .copied()
    }

    /// The access-token verifier: the key ring's, refusing tokens voided by a password change.
    pub fn access_verifier(&self) -> TokenVerifier {
        let cutoffs = Arc::clone(&self.cutoffs);
        self.keys.verifier().with_revocation_check(move |token| {
            let cutoffs = cutoffs
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            cutoffs.get(token.subject).is_some_and(|&cutoff| {
                token
                    .issued_at
                    .is_none_or(|issued| issued.timestamp() <= cutoff)
            })
        })
    }
}

/// The routes, with every error answered as JSON, and the request limits.
pub fn router(state: AppState) -> Router {
    let limits = state.limits;
    Router::new()
        .route("/users", post(register))
        .route("/users/me", get(me))
        .route("/users/me/password", post(change_password))
        .route("/users/me/", get(me))
        .route("/token", post(token::token))
        .route("/token/refresh", post(token::refresh))
        .route("/token/revoke", post(token::revoke))
        .route("/.well-known/jwks.json", get(jwks))
        .layer(limits.request_layers())
        .layer(middleware::from_fn(json_errors))
        .layer(middleware::from_fn(log_request))
        .with_state(state)
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

/// A JSON error body in FastAPI's shape (`{"detail": ...}`), with the headers its status needs.
pub struct ApiError {
    status: StatusCode,
    detail: String,
    /// `WWW-Authenticate` on 401 (RFC 6750 §3).
    challenge: &'static str,
    retry_after: Option<u64>,
}

impl ApiError {
    fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        ApiError {
            status,
            detail: detail.into(),
            challenge: "Bearer",
            retry_after: (status == StatusCode::SERVICE_UNAVAILABLE).then_some(1),
        }
    }

    /// 401 for a request without bearer credentials: a challenge with no error code (RFC 6750
    /// §3.1), and the answer of the token endpoints to bad credentials.
    fn unauthorized(detail: &str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, detail)
    }

    /// 401 for a bearer token that is expired, revoked, forged or otherwise unusable.
    fn invalid_token() -> Self {
        ApiError {
            challenge: r#"Bearer error="invalid_token""#,
            ..Self::unauthorized("Could not validate credentials")
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

    /// The same failure at the token endpoint, in RFC 6749 §5.2's shape: what the shared
    /// helpers (hashing slots, database calls) answer there. Their errors are only 503 (busy)
    /// and 500 (already logged).
    fn into_oauth(self) -> oauth::OAuthError {
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            oauth::OAuthError::busy(self.detail)
        } else {
            oauth::OAuthError::internal("token endpoint", self.detail)
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (
            self.status,
            Json(serde_json::json!({ "detail": self.detail })),
        )
            .into_response();
        let headers = response.headers_mut();
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(self.challenge),
            );
        }
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// Runs bcrypt work (and the queries around it) on a blocking thread, holding a hashing slot.
async fn with_hashing_slot<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    let permit = tokio::time::timeout(
        state.hashing_wait,
        Arc::clone(&state.hashing).acquire_owned(),
    )
    .await
    .map_err(|_| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "server busy, retry shortly",
        )
    })?
    .map_err(|error| ApiError::internal("hashing semaphore closed", error))?;
    let result = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        work()
    })
    .await;
    result.map_err(|error| ApiError::internal("hashing task failed", error))
}

/// Runs a database call on a blocking thread.
async fn blocking<T: Send + 'static>(
    what: &'static str,
    work: impl FnOnce() -> rusqlite::Result<T> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|error| ApiError::internal(what, error))?
        .map_err(|error| ApiError::internal(what, error))
}

/// Checks `password` for `account` (a normalized name, or `None` for a name that cannot
/// exist) at the checker's cost whatever happens, and upgrades the stored hash on success if
/// the configured cost differs.
async fn check_password(
    state: &AppState,
    account: Option<String>,
    password: String,
) -> Result<bool, ApiError> {
    let (db, hasher, checker) = (state.db.clone(), state.hasher, state.checker);
    with_hashing_slot(state, move || -> rusqlite::Result<bool> {
        let user = match &account {
            Some(name) => db.find_user(name)?,
            None => None,
        };
        let Some(user) = user else {
            // Same work as a real check, so timing does not reveal whether the account exists.
            let _ = checker.dummy_verify(&password);
            return Ok(false);
        };
        match checker.verify(&password, &user.password_hash) {
            Ok(()) => {
                if hasher.needs_rehash(&user.password_hash).unwrap_or(false) {
                    match hasher.hash(&password) {
                        Ok(upgraded) => {
                            db.update_password_hash(&user.username, upgraded.as_str())?;
                            tracing::info!(username = %user.username, format = ?upgraded.format(), "password hash upgraded");
                        }
                        Err(error) => tracing::error!(%error, "rehash failed"),
                    }
                }
                Ok(true)
            }
            Err(PasswordError::Mismatch | PasswordError::TooLong { .. } | PasswordError::ContainsNul) => Ok(false),
            Err(error) => {
                // A stored hash keyward cannot use: the operator must look, the client learns nothing.
                tracing::error!(username = %user.username, %error, "stored password hash is unusable");
                Ok(false)
            }
        }
    })
    .await?
    .map_err(|error| ApiError::internal("user lookup failed", error))
}

/// Takes a throttle attempt for `account` from the request's client, or answers 429.
fn throttle_attempt(
    state: &AppState,
    account: &str,
    peer: SocketAddr,
    headers: &HeaderMap,
) -> Result<throttle::Attempt, ApiError> {
    let client = state.client_address(peer, headers);
    state.throttle.attempt(account, client).map_err(|wait| {
        tracing::info!(%client, "throttled");
        ApiError::too_many(wait)
    })
}

/// Checks a new password the way `hash` would, with a readable message.
fn validate_new_password(password: &str) -> Result<(), ApiError> {
    if password.chars().count() < 8 {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "password must be at least 8 characters",
        ));
    }
    Ok(())
}

/// Hashes a new password on a hashing slot; the client's input errors are 422.
async fn hash_new_password(state: &AppState, password: String) -> Result<PasswordHash, ApiError> {
    validate_new_password(&password)?;
    let hasher = state.hasher;
    match with_hashing_slot(state, move || hasher.hash(password)).await? {
        Ok(hash) => Ok(hash),
        // The 72-byte rule and NUL bytes: the client's input, so 422 with keyward's message.
        Err(error @ (PasswordError::TooLong { .. } | PasswordError::ContainsNul)) => Err(
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, error.to_string()),
        ),
        Err(error) => Err(ApiError::internal("hashing failed", error)),
    }
}

/// A registration request.
#[derive(Deserialize)]
pub struct Registration {
    username: String,
    password: String,
}

/// An account as the API shows it.
#[derive(Serialize)]
pub struct UserView {
    username: String,
    created_at: i64,
}

async fn register(
    State(state): State<AppState>,
    Json(body): Json<Registration>,
) -> Result<Response, ApiError> {
    let username = username::normalize(&body.username)
        .ok_or_else(|| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, username::RULE))?;
    let hash = hash_new_password(&state, body.password).await?;
    let created_at = state.keys.now().timestamp();
    let (db, name) = (state.db.clone(), username.clone());
    let inserted = blocking("insert failed", move || {
        db.insert_user(&name, hash.as_str(), created_at)
    })
    .await?;
    if !inserted {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "username already taken",
        ));
    }
    tracing::info!(%username, "registered");
    Ok((
        StatusCode::CREATED,
        Json(UserView {
            username,
            created_at,
        }),
    )
        .into_response())
}

/// The bearer token of an `Authorization: Bearer <token>` header (RFC 6750 §2.1).
pub struct Bearer(String);

impl<S: Send + Sync> FromRequestParts<S> for Bearer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        // No bearer credentials at all (or another scheme): a bare challenge, RFC 6750 §3.1.
        let missing = || ApiError::unauthorized("Not authenticated");
        let value = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or_else(missing)?;
        let value = value.to_str().map_err(|_| missing())?;
        keyward::token::bearer_token(value)
            .map(|token| Bearer(token.to_owned()))
            .map_err(|_| missing())
    }
}

/// Verifies a bearer access token, password-change cutoff included; during a migration
/// window, a token of the replaced service too. The verifier is chosen by the token's `typ`
/// (this server's are `at+jwt`, the replaced service's `JWT`), so the log names the reason
/// the right verifier refused it, never the other's.
fn authenticate(state: &AppState, token: &str) -> Result<Claims<()>, ApiError> {
    let refused = |error: TokenError, which: &'static str| {
        let reason = match error {
            TokenError::Revoked => "voided by a password change".to_owned(),
            error => error.to_string(),
        };
        tracing::info!(%reason, verifier = which, "access token refused");
        ApiError::invalid_token()
    };
    let legacy = state.legacy.as_ref().filter(|legacy| {
        keyward::token::dangerous::decode_unverified::<serde::de::IgnoredAny>(token)
            .is_ok_and(|seen| seen.header.typ.as_deref() == Some("JWT"))
            && state.keys.now() < legacy.until
    });
    let Some(legacy) = legacy else {
        return state
            .access_verifier()
            .verify::<()>(token)
            .map_err(|error| refused(error, "current"));
    };
    let cutoffs = Arc::clone(&state.cutoffs);
    let mut claims = legacy
        .verifier
        .clone()
        .with_revocation_check(move |token| {
            // A legacy token has no `iat`: any password change voids it.
            username::normalize(token.subject).is_some_and(|name| {
                cutoffs
                    .read()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .contains_key(&name)
            })
        })
        .verify::<()>(token)
        .map_err(|error| refused(error, "legacy"))?;
    // The old service kept names as typed; accounts here are normalized.
    claims.subject = username::normalize(&claims.subject).ok_or_else(ApiError::invalid_token)?;
    tracing::info!(
        subject = %claims.subject,
        window_ends = %legacy.until,
        "accepted a legacy access token"
    );
    Ok(claims)
}

async fn me(
    State(state): State<AppState>,
    Bearer(token): Bearer,
) -> Result<Json<UserView>, ApiError> {
    let claims = authenticate(&state, &token)?;
    let db = state.db.clone();
    let user = blocking("lookup failed", move || db.find_user(&claims.subject))
        .await?
        .ok_or_else(ApiError::invalid_token)?;
    Ok(Json(UserView {
        username: user.username,
        created_at: user.created_at,
    }))
}

/// A password change request.
#[derive(Deserialize)]
pub struct PasswordChange {
    current_password: String,
    new_password: String,
}

/// Changes the password of the bearer token's account, after checking the current one
/// (throttled like a login), then ends every session of the account, this one included: every
/// refresh family is revoked and every access token issued up to now is void.
async fn change_password(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Bearer(token): Bearer,
    Json(body): Json<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    let username = authenticate(&state, &token)?.subject;
    let attempt = throttle_attempt(&state, &username, peer, &headers)?;
    if !check_password(&state, Some(username.clone()), body.current_password).await? {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "current password is incorrect",
        ));
    }
    state.throttle.succeeded(attempt);
    let hash = hash_new_password(&state, body.new_password).await?;
    let now = state.keys.now().timestamp();
    let (db, name) = (state.db.clone(), username.clone());
    blocking("password change failed", move || {
        db.change_password(&name, hash.as_str(), now, now)
    })
    .await?;
    state
        .cutoffs
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .entry(username.clone())
        .and_modify(|cutoff| *cutoff = (*cutoff).max(now))
        .or_insert(now);
    tracing::info!(%username, "password changed: every session ended");
    Ok(StatusCode::NO_CONTENT)
}

/// The public verification keys (RFC 7517 §5), for resource servers. Cacheable for five
/// minutes: a resource server that meets an unknown `kid` refetches sooner anyway.
async fn jwks(State(state): State<AppState>) -> Response {
    state.jwks_requests.fetch_add(1, Ordering::Relaxed);
    let mut response = state.keys.jwks().into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    response
}
