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

use axum::extract::rejection::RawFormRejection;
use axum::extract::{ConnectInfo, RawForm, State};
use axum::http::HeaderMap;

use super::oauth::{OAuthError, Params, authenticate_client, no_store};
use super::{
    AppState, Arc, Duration, Instant, IntoResponse, Json, OpaqueToken, Response, Serialize,
    SocketAddr, StatusCode, TokenDigest, TokenResponse, blocking, check_password, username,
};
use crate::db::Exchange;

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
    fn read(
        state: &AppState,
        headers: &HeaderMap,
        form: Result<RawForm, RawFormRejection>,
    ) -> Result<Self, OAuthError> {
        let params = Params::from_form(form)?;
        let client_id = authenticate_client(headers, &params, &state.client_id)?;
        Ok(Request { params, client_id })
    }
}

/// `POST /token`: the password grant or the refresh grant, by `grant_type`.
pub async fn token(
    State(state): State<AppState>,
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
pub async fn refresh(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<RawForm, RawFormRejection>,
) -> Result<Response, OAuthError> {
    let request = Request::read(&state, &headers, form)?;
    match request.params.get("grant_type") {
        None | Some("refresh_token") => refresh_grant(&state, request).await,
        Some(other) => Err(OAuthError::unsupported_grant_type(other)),
    }
}

/// A token response, never cached (RFC 6749 §5.1).
fn issued(response: TokenResponse) -> Response {
    let mut response = Json(response).into_response();
    no_store(response.headers_mut());
    response
}

/// RFC 6749 §4.3: the resource owner's username and password.
async fn password_grant(
    state: &AppState,
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
    // Names that cannot exist are throttled like any other, under their mapped form (bounded
    // in length so the table's memory is too).
    let key = account.clone().unwrap_or_else(|| {
        username::map(&name)
            .chars()
            .take(*username::LENGTH.end() + 1)
            .collect()
    });
    let client = state.client_address(peer, headers);
    let attempt = state.throttle.attempt(&key, client).map_err(|wait| {
        tracing::info!(%client, "throttled");
        OAuthError::throttled(wait)
    })?;
    if !check_password(state, account, password)
        .await
        .map_err(super::ApiError::into_oauth)?
    {
        return Err(OAuthError::invalid_grant(BAD_CREDENTIALS));
    }
    state.throttle.succeeded(attempt);
    let username = key;
    wait_past_cutoff(state, &username).await?;

    let (refresh, digest) = new_refresh_token()?;
    let family = new_refresh_token()?.1;
    let now = state.keys.now().timestamp();
    let expires = now.saturating_add(state.keys.issuer().refresh_ttl().as_secs().cast_signed());
    let (db, name, client_id) = (
        state.db.clone(),
        username.clone(),
        Arc::clone(&state.client_id),
    );
    blocking("session start failed", move || {
        let _ = db.purge_expired(now);
        db.create_family(&family, &name, &client_id, &digest, now, expires)
    })
    .await
    .map_err(super::ApiError::into_oauth)?;
    Ok(issued(token_response(
        state,
        &username,
        &state.client_id,
        &refresh,
    )?))
}

/// RFC 6749 §6: a refresh token for a new pair; each works once.
async fn refresh_grant(state: &AppState, mut request: Request) -> Result<Response, OAuthError> {
    let presented = request.params.take("refresh_token")?;
    if let Some(scope) = request.params.get("scope") {
        return Err(OAuthError::invalid_scope(scope));
    }
    let refused = || OAuthError::invalid_grant(BAD_REFRESH_TOKEN);
    let presented = TokenDigest::of_presented(&presented)
        .map_err(|_| refused())?
        .to_string();
    let (successor, successor_digest) = new_refresh_token()?;
    let now = state.keys.now().timestamp();
    let expires = now.saturating_add(state.keys.issuer().refresh_ttl().as_secs().cast_signed());
    let db = state.db.clone();
    let exchange = blocking("refresh failed", move || {
        db.exchange(&presented, &successor_digest, now, expires)
    })
    .await
    .map_err(super::ApiError::into_oauth)?;
    match exchange {
        Exchange::Rotated {
            username,
            client_id,
        } => {
            // RFC 6749 §6: a refresh token is good only for the client it was issued to.
            if request
                .client_id
                .as_ref()
                .is_some_and(|id| *id != client_id)
            {
                tracing::warn!(%username, "refresh token presented by another client");
                return Err(refused());
            }
            wait_past_cutoff(state, &username).await?;
            Ok(issued(token_response(
                state, &username, &client_id, &successor,
            )?))
        }
        Exchange::Reused { username, family } => {
            tracing::warn!(%username, %family, "refresh token reused: session revoked");
            Err(refused())
        }
        Exchange::Refused => Err(refused()),
    }
}

/// `POST /token/revoke`, logout (RFC 7009): ends the session of a refresh token. Access tokens
/// are not revocable one by one; they expire within their 15 minutes (a password change voids
/// them all). 200 for any token, even unknown (§2.2): the answer must not tell a guesser
/// anything; 400 `invalid_request` without one (§2.2.1, RFC 6749 §5.2).
pub async fn revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<RawForm, RawFormRejection>,
) -> Result<Response, OAuthError> {
    let mut request = Request::read(&state, &headers, form)?;
    // `token_type_hint` is only a hint (§2.1): the token is looked up whatever it says.
    let token = request.params.take("token")?;
    if let Ok(digest) = TokenDigest::of_presented(&token) {
        let (db, now) = (state.db.clone(), state.keys.now().timestamp());
        let digest = digest.to_string();
        if let Some(username) = blocking("revoke failed", move || db.revoke_family_of(&digest, now))
            .await
            .map_err(super::ApiError::into_oauth)?
        {
            tracing::info!(%username, "session ended");
        }
    }
    let mut response = StatusCode::OK.into_response();
    no_store(response.headers_mut());
    Ok(response)
}

/// Waits, at most about a second, until tokens issued for `username` fall after its cutoff
/// second (see `app.rs`).
async fn wait_past_cutoff(state: &AppState, username: &str) -> Result<(), OAuthError> {
    let Some(cutoff) = state.cutoff(username) else {
        return Ok(());
    };
    let deadline = Instant::now() + Duration::from_millis(1500);
    while state.keys.now().timestamp() <= cutoff {
        if Instant::now() >= deadline {
            return Err(OAuthError::busy("password just changed, retry in a second"));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

/// A fresh refresh token and its digest's text, for the database.
fn new_refresh_token() -> Result<(OpaqueToken, String), OAuthError> {
    let token =
        OpaqueToken::generate().map_err(|error| OAuthError::internal("no randomness", error))?;
    let digest = token.digest().to_string();
    Ok((token, digest))
}

/// An access token for `username` and the response carrying it with `refresh`.
fn token_response(
    state: &AppState,
    username: &str,
    client_id: &str,
    refresh: &OpaqueToken,
) -> Result<TokenResponse, OAuthError> {
    let issuer = state.keys.issuer();
    let access = issuer
        .issue(username, &AccessClaims { client_id })
        .map_err(|error| OAuthError::internal("token issue failed", error))?;
    Ok(TokenResponse::new(access, issuer.ttl()).with_refresh_token(refresh.expose_secret()))
}
