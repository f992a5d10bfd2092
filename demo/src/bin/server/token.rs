//! The token endpoint (RFC 6749 §3.2) and the revocation endpoint (RFC 7009).
//!
//! `POST /token` takes `grant_type=password` (§4.3: `username`, `password`) and
//! `grant_type=refresh_token` (§6: `refresh_token`). A form without `grant_type` is the
//! password grant, as FastAPI's `OAuth2PasswordRequestForm` (the tutorial's) takes it, so the
//! tutorial's clients keep working. `POST /token/refresh` is the older path
//! for the second, kept as an alias: there `grant_type` may be left out. Requests are read and
//! errors written as `oauth.rs` says.
//!
//! | case | status | `error` |
//! |---|---|---|
//! | a missing or repeated parameter, a body that is not a form | 400 | `invalid_request` |
//! | a `grant_type` other than the two | 400 | `unsupported_grant_type` |
//! | a `scope` (none is offered) | 400 | `invalid_scope` |
//! | wrong username or password; an unknown, used, expired or revoked refresh token | 400 | `invalid_grant` |
//! | another `client_id`, or a client secret | 401 | `invalid_client` |
//! | too many failed logins | 429 | `temporarily_unavailable`, with `Retry-After` |
//! | no hashing slot free | 503 | `temporarily_unavailable`, with `Retry-After` |

use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::rejection::RawFormRejection;
use axum::extract::{ConnectInfo, RawForm, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Json, Response};
use chrono::{DateTime, Utc};
use keyward::token::TokenResponse;
use keyward_session::{AccountName, ClientId, RefreshToken, SessionError};
use serde::Serialize;

use super::account::check_password;
use super::oauth::{OAuthError, Params, authenticate_client, no_store};
use super::{ApiError, AppState, Store, username};

/// The one answer for every failed login, whether the user exists or not.
pub const BAD_CREDENTIALS: &str = "Incorrect username or password";

/// The one answer for every refresh token that does not buy a new pair.
const BAD_REFRESH_TOKEN: &str = "refresh token is invalid, expired, used or revoked";

/// The private claims of an access token (RFC 9068 §2.2).
#[derive(Serialize)]
struct AccessClaims<'a> {
    client_id: &'a str,
}

/// What the grant's request carried besides its own parameters.
struct Request {
    params: Params,
    client_id: Option<String>,
}

impl Request {
    fn read<S: Store>(
        state: &AppState<S>,
        headers: &HeaderMap,
        form: Result<RawForm, RawFormRejection>,
    ) -> Result<Self, OAuthError> {
        let params = Params::from_form(form)?;
        let client_id = authenticate_client(headers, &params, state.client_id.as_str())?;
        Ok(Request { params, client_id })
    }
}

impl ApiError {
    /// The same failure at the token endpoint, in RFC 6749 §5.2's shape: what the shared
    /// helpers (hashing slots, store calls) answer there. Their errors are only 503 (busy)
    /// and 500 (already logged).
    fn into_oauth(self) -> OAuthError {
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            OAuthError::busy(self.detail.to_string())
        } else {
            OAuthError::internal("token endpoint", &self.detail)
        }
    }
}

/// `POST /token`: the password grant or the refresh grant, by `grant_type`.
pub async fn token<S: Store>(
    State(state): State<AppState<S>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    form: Result<RawForm, RawFormRejection>,
) -> Result<Response, OAuthError> {
    let request = Request::read(&state, &headers, form)?;
    // FastAPI's `OAuth2PasswordRequestForm`, which the tutorial's clients were written
    // against, takes a form without `grant_type` as the password grant; so does this server.
    match request.params.get("grant_type").unwrap_or("password") {
        "password" => password_grant(&state, peer, &headers, request).await,
        "refresh_token" => refresh_grant(&state, request).await,
        other => Err(OAuthError::unsupported_grant_type(other)),
    }
}

/// `POST /token/refresh`: the refresh grant at the older path; `grant_type` optional.
pub async fn refresh<S: Store>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    form: Result<RawForm, RawFormRejection>,
) -> Result<Response, OAuthError> {
    let request = Request::read(&state, &headers, form)?;
    match request.params.get("grant_type") {
        None | Some("refresh_token") => refresh_grant(&state, request).await,
        Some(other) => Err(OAuthError::unsupported_grant_type(other)),
    }
}

/// A session rule's error where the client is not at fault: 500, logged.
fn failed(what: &str, error: &SessionError) -> OAuthError {
    OAuthError::internal(what, error)
}

/// RFC 6749 §4.3: the resource owner's username and password.
async fn password_grant<S: Store>(
    state: &AppState<S>,
    peer: SocketAddr,
    headers: &HeaderMap,
    mut request: Request,
) -> Result<Response, OAuthError> {
    let name = request.params.take("username")?;
    let password = request.params.take("password")?;
    if let Some(scope) = request.params.get("scope") {
        return Err(OAuthError::invalid_scope(scope));
    }
    let account = username::normalize(&name);
    // Names that cannot exist are throttled like any other, under their mapped form.
    let key = account.clone().unwrap_or_else(|| username::map(&name));
    let client = state.client_address(peer, headers);
    let attempt = match state.sessions.throttle_login(&key, client).await {
        Ok(attempt) => attempt,
        Err(SessionError::Throttled { retry_after }) => {
            tracing::info!(%client, "throttled");
            return Err(OAuthError::throttled(retry_after));
        }
        Err(error) => return Err(failed("throttle failed", &error)),
    };
    let Some(account) = check_password(state, account.as_deref(), password)
        .await
        .map_err(ApiError::into_oauth)?
    else {
        return Err(OAuthError::invalid_grant(BAD_CREDENTIALS));
    };
    state
        .sessions
        .login_succeeded(attempt)
        .await
        .map_err(|error| failed("throttle refund failed", &error))?;
    // Refused when the password changed since it was checked: a login in flight during a
    // password change gets no session.
    let started = match state.sessions.start(&account, &state.client_id).await {
        Ok(started) => started,
        Err(SessionError::CredentialsChanged { .. }) => {
            tracing::info!(account = %account.name(), "login raced a password change: no session");
            return Err(OAuthError::invalid_grant(BAD_CREDENTIALS));
        }
        Err(error) => return Err(failed("session start failed", &error)),
    };
    wait_until(state, started.access_not_before()).await?;
    issued(
        state,
        account.name(),
        &state.client_id,
        started.refresh_token(),
    )
}

/// RFC 6749 §6: a refresh token for a new pair; each works once.
async fn refresh_grant<S: Store>(
    state: &AppState<S>,
    mut request: Request,
) -> Result<Response, OAuthError> {
    let presented = request.params.take("refresh_token")?;
    if let Some(scope) = request.params.get("scope") {
        return Err(OAuthError::invalid_scope(scope));
    }
    let refused = || OAuthError::invalid_grant(BAD_REFRESH_TOKEN);
    let rotated = match state.sessions.exchange(&presented).await {
        Ok(rotated) => rotated,
        Err(SessionError::RefreshReused { account, family }) => {
            tracing::warn!(%account, %family, "refresh token reused: session revoked");
            return Err(refused());
        }
        Err(SessionError::RefreshRefused) => return Err(refused()),
        Err(error) => return Err(failed("refresh failed", &error)),
    };
    // RFC 6749 §6: a refresh token is good only for the client it was issued to.
    if request
        .client_id
        .as_deref()
        .is_some_and(|id| id != rotated.client().as_str())
    {
        tracing::warn!(account = %rotated.account(), "refresh token presented by another client");
        return Err(refused());
    }
    if rotated.replayed() {
        tracing::info!(account = %rotated.account(), "refresh retried within the grace interval");
    }
    wait_until(state, rotated.access_not_before()).await?;
    issued(
        state,
        rotated.account(),
        rotated.client(),
        rotated.refresh_token(),
    )
}

/// `POST /token/revoke`, logout (RFC 7009): ends the session of a refresh token. Access tokens
/// are not revocable one by one; they expire within their 15 minutes (a password change voids
/// them all). 200 for any token, even unknown (§2.2): the answer must not tell a guesser
/// anything; 400 `invalid_request` without one (§2.2.1, RFC 6749 §5.2).
pub async fn revoke<S: Store>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    form: Result<RawForm, RawFormRejection>,
) -> Result<Response, OAuthError> {
    let mut request = Request::read(&state, &headers, form)?;
    // `token_type_hint` is only a hint (§2.1): the token is looked up whatever it says.
    let token = request.params.take("token")?;
    match state.sessions.revoke(&token).await {
        Ok(Some((account, family))) => tracing::info!(%account, %family, "session ended"),
        Ok(None) => {}
        Err(error) => return Err(failed("revoke failed", &error)),
    }
    let mut response = StatusCode::OK.into_response();
    no_store(response.headers_mut());
    Ok(response)
}

/// Waits until `instant` (the library's `access_not_before`: right after a password change,
/// tokens issued in the cutoff's own second would be void), a second and a half at most.
async fn wait_until<S: Store>(
    state: &AppState<S>,
    instant: Option<DateTime<Utc>>,
) -> Result<(), OAuthError> {
    let Some(instant) = instant else {
        return Ok(());
    };
    let deadline = tokio::time::Instant::now() + Duration::from_millis(1500);
    while state.keys.now() < instant {
        if tokio::time::Instant::now() >= deadline {
            return Err(OAuthError::busy("password just changed, retry in a second"));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

/// The token response for `account`: an access token, and `refresh`; never cached (RFC 6749
/// §5.1).
fn issued<S: Store>(
    state: &AppState<S>,
    account: &AccountName,
    client: &ClientId,
    refresh: &RefreshToken,
) -> Result<Response, OAuthError> {
    let issuer = state.keys.issuer();
    let access = issuer
        .issue(
            account.as_str(),
            &AccessClaims {
                client_id: client.as_str(),
            },
        )
        .map_err(|error| OAuthError::internal("token issue failed", error))?;
    let response =
        TokenResponse::new(access, issuer.ttl()).with_refresh_token(refresh.expose_secret());
    let mut response = Json(response).into_response();
    no_store(response.headers_mut());
    Ok(response)
}
