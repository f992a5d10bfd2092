//! The HTTP side of the login server: routes, handlers and error responses.
//!
//! Kept apart from `main.rs` so that `tests/server.rs` can start the same app on a random port
//! with a temporary database and a test clock.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Form, FromRequestParts, Json, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use keyward::password::{PasswordError, PasswordHasher};
use keyward::token::TokenResponse;
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::db::Db;
use crate::keys::KeyRing;

/// Everything the handlers share. Cheap to clone: handles and `Arc`s only.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub hasher: PasswordHasher,
    /// The signing key and the published verification keys.
    pub keys: Arc<KeyRing>,
    /// How many times the JWKS document was served (resource servers' fetches).
    pub jwks_requests: Arc<AtomicUsize>,
    /// Bounds concurrent bcrypt work so a login flood cannot take every core.
    pub hashing: Arc<Semaphore>,
    /// How long a request waits for a hashing slot before getting 503.
    pub hashing_wait: Duration,
}

impl AppState {
    /// `permits` concurrent hashes at most; requests wait up to `wait` for a slot.
    pub fn new(
        db: Db,
        hasher: PasswordHasher,
        keys: KeyRing,
        permits: usize,
        wait: Duration,
    ) -> Self {
        AppState {
            db,
            hasher,
            keys: Arc::new(keys),
            jwks_requests: Arc::default(),
            hashing: Arc::new(Semaphore::new(permits)),
            hashing_wait: wait,
        }
    }
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/users", post(register))
        .route("/users/me", get(me))
        .route("/token", post(login))
        .route("/token/refresh", post(refresh))
        .route("/.well-known/jwks.json", get(jwks))
        .layer(middleware::from_fn(log_request))
        .with_state(state)
}

/// Serves until `shutdown` completes, then lets in-flight requests finish.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
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

/// A JSON error body in FastAPI's shape (`{"detail": ...}`), with `WWW-Authenticate: Bearer` on
/// 401 as RFC 6750 §3 requires.
pub struct ApiError {
    status: StatusCode,
    detail: String,
}

impl ApiError {
    fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        ApiError {
            status,
            detail: detail.into(),
        }
    }

    fn unauthorized(detail: &str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, detail)
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
            Json(serde_json::json!({ "detail": self.detail })),
        )
            .into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }
}

/// The one answer for every failed login, whether the user exists or not.
const BAD_CREDENTIALS: &str = "Incorrect username or password";

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

#[derive(Deserialize)]
pub struct Registration {
    username: String,
    password: String,
}

#[derive(Serialize)]
pub struct UserView {
    username: String,
    created_at: i64,
}

fn valid_username(name: &str) -> bool {
    (3..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

async fn register(
    State(state): State<AppState>,
    Json(body): Json<Registration>,
) -> Result<Response, ApiError> {
    if !valid_username(&body.username) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "username must be 3 to 64 characters of letters, digits, '_', '-' or '.'",
        ));
    }
    if body.password.chars().count() < 8 {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "password must be at least 8 characters",
        ));
    }
    let hasher = state.hasher;
    let password = body.password;
    let outcome = with_hashing_slot(&state, move || hasher.hash(password)).await?;
    let hash = match outcome {
        Ok(hash) => hash,
        // The 72-byte rule and NUL bytes: the client's input, so 422 with keyward's message.
        Err(error @ (PasswordError::TooLong { .. } | PasswordError::ContainsNul)) => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                error.to_string(),
            ));
        }
        Err(error) => return Err(ApiError::internal("hashing failed", error)),
    };
    let created_at = chrono::Utc::now().timestamp();
    let (db, username) = (state.db.clone(), body.username.clone());
    let inserted =
        tokio::task::spawn_blocking(move || db.insert_user(&username, hash.as_str(), created_at))
            .await
            .map_err(|error| ApiError::internal("insert task failed", error))?
            .map_err(|error| ApiError::internal("insert failed", error))?;
    if !inserted {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "username already taken",
        ));
    }
    tracing::info!(username = %body.username, "registered");
    Ok((
        StatusCode::CREATED,
        Json(UserView {
            username: body.username,
            created_at,
        }),
    )
        .into_response())
}

/// OAuth2's password grant form (RFC 6749 §4.3.2), as FastAPI's `OAuth2PasswordRequestForm`.
#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
}

async fn login(
    State(state): State<AppState>,
    Form(form): Form<LoginForm>,
) -> Result<Json<TokenResponse>, ApiError> {
    let (db, hasher, username) = (state.db.clone(), state.hasher, form.username.clone());
    let password = form.password;
    let checked = with_hashing_slot(&state, move || -> rusqlite::Result<bool> {
        let Some(user) = db.find_user(&username)? else {
            // Same work as a real check, so timing does not reveal whether the account exists.
            let _ = hasher.dummy_verify(&password);
            return Ok(false);
        };
        match hasher.verify_and_update(&password, &user.password_hash) {
            Ok(Some(upgraded)) => {
                db.update_password_hash(&username, upgraded.as_str())?;
                tracing::info!(username = %username, cost = upgraded.cost().get(), "password hash upgraded");
                Ok(true)
            }
            Ok(None) => Ok(true),
            Err(PasswordError::Mismatch | PasswordError::TooLong { .. } | PasswordError::ContainsNul) => Ok(false),
            Err(error) => {
                // A stored hash keyward cannot use: the operator must look, the client learns nothing.
                tracing::error!(username = %username, %error, "stored password hash is unusable");
                Ok(false)
            }
        }
    })
    .await?
    .map_err(|error| ApiError::internal("user lookup failed", error))?;
    if !checked {
        return Err(ApiError::unauthorized(BAD_CREDENTIALS));
    }
    let response = state
        .keys
        .issuer()
        .issue_response(&form.username, &())
        .map_err(|error| ApiError::internal("token issue failed", error))?;
    Ok(Json(response))
}

/// The bearer token of an `Authorization: Bearer <token>` header (RFC 6750 §2.1).
pub struct Bearer(String);

impl<S: Send + Sync> FromRequestParts<S> for Bearer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
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

async fn me(
    State(state): State<AppState>,
    Bearer(token): Bearer,
) -> Result<Json<UserView>, ApiError> {
    let claims = state
        .keys
        .verifier()
        .verify::<()>(&token)
        .map_err(|error| {
            tracing::info!(%error, "access token refused");
            ApiError::unauthorized("Could not validate credentials")
        })?;
    let db = state.db.clone();
    let user = tokio::task::spawn_blocking(move || db.find_user(&claims.subject))
        .await
        .map_err(|error| ApiError::internal("lookup task failed", error))?
        .map_err(|error| ApiError::internal("lookup failed", error))?
        .ok_or_else(|| ApiError::unauthorized("Could not validate credentials"))?;
    Ok(Json(UserView {
        username: user.username,
        created_at: user.created_at,
    }))
}

/// OAuth2's refresh grant form (RFC 6749 §6).
#[derive(Deserialize)]
pub struct RefreshForm {
    refresh_token: String,
}

async fn refresh(
    State(state): State<AppState>,
    Form(form): Form<RefreshForm>,
) -> Result<Json<TokenResponse>, ApiError> {
    let claims = state
        .keys
        .verifier()
        .verify_refresh::<()>(&form.refresh_token)
        .map_err(|error| {
            tracing::info!(%error, "refresh token refused");
            ApiError::unauthorized("Could not validate credentials")
        })?;
    let db = state.db.clone();
    let subject = claims.subject.clone();
    let exists = tokio::task::spawn_blocking(move || db.find_user(&subject))
        .await
        .map_err(|error| ApiError::internal("lookup task failed", error))?
        .map_err(|error| ApiError::internal("lookup failed", error))?
        .is_some();
    if !exists {
        return Err(ApiError::unauthorized("Could not validate credentials"));
    }
    let response = state
        .keys
        .issuer()
        .issue_response(&claims.subject, &())
        .map_err(|error| ApiError::internal("token issue failed", error))?;
    Ok(Json(response))
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
