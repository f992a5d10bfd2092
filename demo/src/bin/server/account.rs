//! The account routes: registration, the bearer-authenticated profile and password change,
//! the JWKS; and what they share with the token endpoint: password checks on a bounded pool of
//! threads, and access-token authentication.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::extract::{ConnectInfo, Json, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use keyward::PasswordHash;
use keyward::password::PasswordError;
use keyward_session::{AccountName, AccountRecord, SessionError};
use serde::{Deserialize, Serialize};

use super::access::Caller;
use super::validation::JsonBody;
use super::{ApiError, AppState, Store, store_failed, username};

/// Runs password work on a blocking thread, holding a hashing slot; the work is counted
/// (`AppState::password_work`).
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
    let meter = Arc::clone(&state.password_work);
    let result = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        meter.count(work)
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
/// with the same counted work whatever happens: the checking hasher's floor covers the most
/// expensive stored hash of each algorithm (`passwords.rs`), so an unknown name, a wrong
/// password on a bcrypt account and one on an Argon2id account cost the same. On success,
/// returns the account as read (its credential version is what `Sessions::start` and
/// `change_password` compare against), after upgrading its stored hash if it is outdated; the
/// library writes the rehash only if the credentials are unchanged since the read.
pub(super) async fn check_password<S: Store>(
    state: &AppState<S>,
    account: Option<&str>,
    password: String,
) -> Result<Option<AccountRecord>, ApiError> {
    let account = find(state, account).await?;
    let stored = account.as_ref().map(|a| a.password_hash().to_owned());
    if let Some(hash) = &stored {
        state.password_work.observe(hash);
    }
    let checker = state.password_work.checker(state.hasher);
    let (right, rehash) = with_hashing_slot(state, move || {
        let Some(stored) = stored else {
            // Same work as a real check, so timing does not reveal whether the account exists.
            let _ = checker.dummy_verify(&password);
            return (false, None);
        };
        // A match against an outdated hash (cost, algorithm, format, or a hash of the password
        // as typed before normalization) returns its replacement.
        match checker.verify_and_update(&password, &stored) {
            Ok(rehash) => (true, rehash),
            Err(
                PasswordError::Mismatch
                | PasswordError::TooLong { .. }
                | PasswordError::ContainsNul,
            ) => (false, None),
            Err(error @ PasswordError::RandomnessUnavailable) => {
                // The password matched but its rehash has no salt: the server's trouble.
                tracing::error!(%error, "cannot rehash an outdated password hash");
                (false, None)
            }
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

/// Checks a new password for the account `name` against the rules (`passwords.rs`: 422 with
/// the reason), then hashes it on a hashing slot.
async fn hash_new_password<S: Store>(
    state: &AppState<S>,
    password: String,
    name: &str,
    field: &'static str,
) -> Result<PasswordHash, ApiError> {
    state
        .passwords
        .check_new(&state.hasher, &password, name, field)
        .await?;
    let hasher = state.hasher;
    match with_hashing_slot(state, move || hasher.hash(password)).await? {
        Ok(hash) => {
            state.password_work.observe(hash.as_str());
            Ok(hash)
        }
        // The 72-byte rule and NUL bytes: the client's input, so 422 with keyward's message.
        Err(error @ (PasswordError::TooLong { .. } | PasswordError::ContainsNul)) => {
            Err(ApiError::invalid_field(field, error.to_string()))
        }
        Err(error) => Err(ApiError::internal("hashing failed", error)),
    }
}

/// A registration request.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct Registration {
    /// 3 to 64 letters (any script), digits, `_`, `-` or `.`, after case and width mapping.
    #[schema(min_length = 3, max_length = 64)]
    username: String,
    /// 15 to 256 characters (Unicode code points) in any script by default (NIST SP 800-63B-4;
    /// `--min-password-length` and `--max-password-length` change the range); refused with
    /// 422 and the reason when too short or long, breached, or a context word.
    #[schema(min_length = 15, max_length = 256)]
    password: String,
}

/// An account as the API shows it.
#[derive(Serialize, utoipa::ToSchema)]
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
    JsonBody(body): JsonBody<Registration>,
) -> Result<Response, ApiError> {
    let username = username::for_registration(&body.username)
        .map_err(|reason| ApiError::invalid_field("username", reason))?;
    let name = AccountName::new(username.as_str())
        .map_err(|error| ApiError::invalid_field("username", error.to_string()))?;
    let client = state.client_address(peer, &headers);
    state
        .sessions
        .throttle_registration(client)
        .await
        .map_err(|error| {
            tracing::info!(%client, "registration throttled");
            throttled_or_failed("registration throttle failed", &error)
        })?;
    let hash = hash_new_password(&state, body.password, username.as_str(), "password").await?;
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

/// `GET /users/me`.
pub async fn me(Caller(account): Caller) -> Json<UserView> {
    Json(UserView::from(&account))
}

/// A password change request.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct PasswordChange {
    current_password: String,
    /// 15 to 256 characters (Unicode code points) in any script by default (NIST SP 800-63B-4;
    /// `--min-password-length` and `--max-password-length` change the range); refused with
    /// 422 and the reason when too short or long, breached, or a context word.
    #[schema(min_length = 15, max_length = 256)]
    new_password: String,
}

/// Changes the password of the bearer token's account, after checking the current one
/// (throttled like a login). The library ends every session of the account, this one
/// included, in the same transaction, and on every replica.
pub async fn change_password<S: Store>(
    State(state): State<AppState<S>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Caller(caller): Caller,
    JsonBody(body): JsonBody<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    let name = caller.name().clone();
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
    let hash = hash_new_password(&state, body.new_password, name.as_str(), "new_password").await?;
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
