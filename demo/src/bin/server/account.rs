//! The account routes: registration, the bearer-authenticated profile and password change,
//! the JWKS; and what they share with the token endpoint: password checks on a bounded pool of
//! threads, and access-token authentication.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::extract::{ConnectInfo, FromRequestParts, Json, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use keyward::PasswordHash;
use keyward::password::{Cost, PasswordError, PasswordHasher};
use keyward::token::{Claims, TokenError};
use keyward_session::{AccountName, AccountRecord, SessionError};
use serde::{Deserialize, Serialize};

use super::{ApiError, AppState, Store, store_failed, username};

/// The hasher that checks passwords: the configured one, at the highest cost seen in a stored
/// hash since start (`AppState::highest_cost`), so that failed checks, unknown names included,
/// cost as much as the costliest real check after the configured cost was lowered.
fn checker(hasher: PasswordHasher, highest: &AtomicU32) -> PasswordHasher {
    let seen = highest.load(Ordering::Relaxed);
    match Cost::new(seen) {
        Ok(cost) if cost > hasher.cost() => hasher.with_cost(cost),
        _ => hasher,
    }
}

fn observe_cost(hash: &str, highest: &AtomicU32) {
    if let Some(cost) = hash
        .parse::<PasswordHash>()
        .ok()
        .and_then(|hash| hash.bcrypt_cost())
    {
        highest.fetch_max(cost.get(), Ordering::Relaxed);
    }
}

/// Runs bcrypt work on a blocking thread, holding a hashing slot.
pub(super) async fn with_hashing_slot<S: Store, T: Send + 'static>(
    state: &AppState<S>,
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

/// The account `name` names, if the name is one an account can have.
async fn find<S: Store>(
    state: &AppState<S>,
    name: Option<&str>,
) -> Result<Option<AccountRecord>, ApiError> {
    let Some(name) = name.and_then(|name| AccountName::new(name).ok()) else {
        return Ok(None);
    };
    state
        .sessions
        .find_account(&name)
        .await
        .map_err(|error| store_failed("account lookup failed", &error))
}

/// Checks `password` for `account` (a normalized name, or `None` for a name that cannot exist)
/// with the same bcrypt work whatever happens. On success, returns the account as read (its
/// credential version is what `Sessions::start` and `change_password` compare against), after
/// upgrading its stored hash if the configured cost differs; the library writes the rehash
/// only if the credentials are unchanged since the read.
pub(super) async fn check_password<S: Store>(
    state: &AppState<S>,
    account: Option<&str>,
    password: String,
) -> Result<Option<AccountRecord>, ApiError> {
    let account = find(state, account).await?;
    let stored = account.as_ref().map(|a| a.password_hash().to_owned());
    if let Some(hash) = &stored {
        observe_cost(hash, &state.highest_cost);
    }
    let (hasher, checker) = (state.hasher, checker(state.hasher, &state.highest_cost));
    let (right, rehash) = with_hashing_slot(state, move || {
        let Some(stored) = stored else {
            // Same work as a real check, so timing does not reveal whether the account exists.
            let _ = checker.dummy_verify(&password);
            return (false, None);
        };
        match checker.verify(&password, &stored) {
            Ok(()) => {
                let rehash = hasher
                    .needs_rehash(&stored)
                    .unwrap_or(false)
                    .then(|| hasher.hash(&password).ok())
                    .flatten();
                (true, rehash)
            }
            Err(
                PasswordError::Mismatch
                | PasswordError::TooLong { .. }
                | PasswordError::ContainsNul,
            ) => (false, None),
            Err(error) => {
                // A stored hash keyward cannot use: the operator must look, the client learns nothing.
                tracing::error!(%error, "stored password hash is unusable");
                (false, None)
            }
        }
    })
    .await?;
    let Some(account) = account.filter(|_| right) else {
        return Ok(None);
    };
    if let Some(upgraded) = rehash {
        match state.sessions.update_hash(&account, &upgraded).await {
            Ok(()) => {
                tracing::info!(account = %account.name(), format = ?upgraded.format(), "password hash upgraded");
            }
            // The password changed since the check: the one just checked is no longer the
            // account's, so this attempt fails like a wrong password.
            Err(SessionError::CredentialsChanged { .. }) => return Ok(None),
            Err(error) => return Err(store_failed("rehash failed", &error)),
        }
    }
    Ok(Some(account))
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
async fn hash_new_password<S: Store>(
    state: &AppState<S>,
    password: String,
) -> Result<PasswordHash, ApiError> {
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

impl From<&AccountRecord> for UserView {
    fn from(account: &AccountRecord) -> Self {
        UserView {
            username: account.name().as_str().to_owned(),
            created_at: account.created_at().timestamp(),
        }
    }
}

/// `SessionError::Throttled` as 429 with `Retry-After`; any other as 500.
fn throttled_or_failed(what: &str, error: &SessionError) -> ApiError {
    match error {
        SessionError::Throttled { retry_after } => ApiError::too_many(*retry_after),
        error => store_failed(what, error),
    }
}

/// `POST /users`: throttled per client address group, before any hashing.
pub async fn register<S: Store>(
    State(state): State<AppState<S>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Json(body): Json<Registration>,
) -> Result<Response, ApiError> {
    let username = username::normalize(&body.username)
        .ok_or_else(|| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, username::RULE))?;
    let name = AccountName::new(username.as_str())
        .map_err(|error| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, error.to_string()))?;
    let client = state.client_address(peer, &headers);
    state
        .sessions
        .throttle_registration(client)
        .await
        .map_err(|error| {
            tracing::info!(%client, "registration throttled");
            throttled_or_failed("registration throttle failed", &error)
        })?;
    let hash = hash_new_password(&state, body.password).await?;
    if state.quiet_registration {
        state
            .sessions
            .register_quietly(&name, &hash)
            .await
            .map_err(|error| store_failed("registration failed", &error))?;
        return Ok((
            StatusCode::ACCEPTED,
            Json(serde_json::json!({"detail": "registration received; log in to continue"})),
        )
            .into_response());
    }
    match state.sessions.register(&name, &hash).await {
        Ok(account) => {
            tracing::info!(%username, "registered");
            Ok((StatusCode::CREATED, Json(UserView::from(&account))).into_response())
        }
        Err(SessionError::NameTaken { .. }) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "username already taken",
        )),
        Err(error) => Err(store_failed("registration failed", &error)),
    }
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

/// Logs why an access token was refused, by the verifier that judged it, and answers 401.
fn refused(reason: &dyn std::fmt::Display, verifier: &'static str) -> ApiError {
    tracing::info!(%reason, verifier, "access token refused");
    ApiError::invalid_token()
}

/// Verifies a bearer access token, then asks the store whether a password change (on any
/// replica) voided it; during a migration window, a token of the replaced service too. The
/// verifier is chosen by the token's `typ` (this server's are `at+jwt`, the replaced
/// service's `JWT`), so the log names the reason the right verifier refused it.
pub(super) async fn authenticate<S: Store>(
    state: &AppState<S>,
    token: &str,
) -> Result<AccountRecord, ApiError> {
    let legacy = state.legacy.as_ref().filter(|legacy| {
        keyward::token::dangerous::decode_unverified::<serde::de::IgnoredAny>(token)
            .is_ok_and(|seen| seen.header.typ.as_deref() == Some("JWT"))
            && state.keys.now() < legacy.until
    });
    let (account, issued_at, verifier) = if let Some(legacy) = legacy {
        let claims: Claims<()> = legacy
            .verifier
            .verify(token)
            .map_err(|error| refused(&error, "legacy"))?;
        // The old service kept names as typed: the subject must name exactly one account.
        let account = match state.sessions.resolve_subject(&claims.subject).await {
            Ok(account) => account,
            Err(error @ SessionError::SubjectUnresolved { .. }) => {
                return Err(refused(&error, "legacy"));
            }
            Err(error) => return Err(store_failed("subject lookup failed", &error)),
        };
        tracing::info!(
            account = %account.name(),
            window_ends = %legacy.until,
            "accepted a legacy access token"
        );
        (account, None, "legacy")
    } else {
        let claims: Claims<()> = state
            .keys
            .verifier()
            .verify(token)
            .map_err(|error: TokenError| refused(&error, "current"))?;
        let account = find(state, Some(&claims.subject))
            .await?
            .ok_or_else(|| refused(&"no such account", "current"))?;
        (account, claims.issued_at, "current")
    };
    let voided = state
        .sessions
        .is_access_voided(account.name().as_str(), issued_at)
        .await
        .map_err(|error| store_failed("cutoff lookup failed", &error))?;
    if voided {
        return Err(refused(&"voided by a password change", verifier));
    }
    Ok(account)
}

/// `GET /users/me`.
pub async fn me<S: Store>(
    State(state): State<AppState<S>>,
    Bearer(token): Bearer,
) -> Result<Json<UserView>, ApiError> {
    let account = authenticate(&state, &token).await?;
    Ok(Json(UserView::from(&account)))
}

/// A password change request.
#[derive(Deserialize)]
pub struct PasswordChange {
    current_password: String,
    new_password: String,
}

/// Changes the password of the bearer token's account, after checking the current one
/// (throttled like a login). The library ends every session of the account, this one
/// included, in the same transaction, and on every replica.
pub async fn change_password<S: Store>(
    State(state): State<AppState<S>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Bearer(token): Bearer,
    Json(body): Json<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    let name = authenticate(&state, &token).await?.name().clone();
    let client = state.client_address(peer, &headers);
    let attempt = state
        .sessions
        .throttle_login(name.as_str(), client)
        .await
        .map_err(|error| throttled_or_failed("throttle failed", &error))?;
    let Some(account) = check_password(&state, Some(name.as_str()), body.current_password).await?
    else {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "current password is incorrect",
        ));
    };
    state
        .sessions
        .login_succeeded(attempt)
        .await
        .map_err(|error| store_failed("throttle refund failed", &error))?;
    let hash = hash_new_password(&state, body.new_password).await?;
    match state.sessions.change_password(&account, &hash).await {
        Ok(_) => {
            tracing::info!(account = %name, "password changed: every session ended");
            Ok(StatusCode::NO_CONTENT)
        }
        Err(SessionError::CredentialsChanged { .. }) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "the password was changed meanwhile; check the current password again",
        )),
        Err(error) => Err(store_failed("password change failed", &error)),
    }
}

/// The public verification keys (RFC 7517 §5), for resource servers. Cacheable for half the
/// ring's publication lead, five minutes at most: a next key is in every cached copy before
/// it signs anything.
pub async fn jwks<S: Store>(State(state): State<AppState<S>>) -> Response {
    state.jwks_requests.fetch_add(1, Ordering::Relaxed);
    let mut response = state.keys.jwks().into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    let max_age = (state.sessions.policy().key_publication_lead() / 2)
        .as_secs()
        .min(300);
    let cache = HeaderValue::try_from(format!("public, max-age={max_age}"))
        .unwrap_or(HeaderValue::from_static("no-cache"));
    headers.insert(header::CACHE_CONTROL, cache);
    response
}
