//! Who a bearer access token speaks for, on the routes that need one (`/users/me`,
//! `/users/me/password`): keyward-tower's `BearerAuth`, the resource server's too, so both
//! servers answer every `Authorization` header alike (RFC 6750 §3), plus what only the store
//! knows, asked on every request through the layer's revocation check:
//!
//! - the verifier: this server's own tokens (`typ: at+jwt`, the current key ring), or during a
//!   migration window the replaced FastAPI service's (`typ: JWT`, its secret), picked per
//!   token by `typ`; each refuses the other's;
//! - the cutoff a password change sets (`Sessions::is_access_voided`), on every replica;
//! - the account the token names ([`Caller`]).
//!
//! Every refusal is logged with its real reason (expired, wrong key, voided by a password
//! change...) and, for the store's, the verifier that accepted the token; the client gets
//! RFC 6750's code and a fixed description.

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use keyward::token::{Claims, TokenError, TokenVerifier, dangerous, parse_bearer};
use keyward_session::{AccountRecord, SessionError, Sessions};
use keyward_tower::{BearerAuth, BearerClaims, KeySource, Refusal, Rejection};

use super::{AppState, LegacyTokens, Store};
use crate::keys::Keys;

/// Whether `token` is the replaced service's kind (`typ: JWT`), when a window is configured.
/// Read unverified: only to pick a verifier, each of which refuses the other's tokens.
fn is_legacy(token: &str, legacy: Option<&LegacyTokens>) -> bool {
    legacy.is_some()
        && dangerous::decode_unverified::<serde::de::IgnoredAny>(token)
            .is_ok_and(|seen| seen.header.typ.as_deref() == Some("JWT"))
}

/// The verifier for `token`: the legacy one while its window is open, else the current ring's.
fn verifier_for(token: &str, keys: &Keys, legacy: Option<&LegacyTokens>) -> TokenVerifier {
    match legacy {
        Some(window) if is_legacy(token, legacy) && keys.now() < window.until => {
            window.verifier.clone()
        }
        _ => keys.verifier(),
    }
}

/// Logs a refusal the store decided, with the verifier that had accepted the token.
fn refused(reason: &dyn std::fmt::Display, verifier: &'static str) -> Refusal {
    tracing::info!(%reason, verifier, "access token refused");
    Refusal::InvalidToken(TokenError::Revoked)
}

/// A store that cannot answer: the token was not checked (503, like a key set that cannot
/// be fetched).
fn unavailable(what: &str, error: &SessionError) -> Refusal {
    tracing::error!(%error, "{what}");
    Refusal::KeysUnavailable
}

/// The access tokens' `BearerAuth` for this server's state.
pub(super) fn bearer_auth<S: Store>(
    sessions: &Sessions<S>,
    keys: &Arc<Keys>,
    legacy: Option<&Arc<LegacyTokens>>,
) -> BearerAuth {
    let (chooser_keys, chooser_legacy) = (Arc::clone(keys), legacy.cloned());
    let source = KeySource::per_token(move |token| {
        verifier_for(token, &chooser_keys, chooser_legacy.as_deref())
    });
    let (sessions, legacy) = (sessions.clone(), legacy.cloned());
    BearerAuth::new(source)
        .with_revocation_check(move |token, claims: &Claims<()>| {
            let sessions = sessions.clone();
            let legacy = is_legacy(token, legacy.as_deref());
            let (subject, issued_at) = (claims.subject.clone(), claims.issued_at);
            async move {
                let (name, issued_at, verifier) = if legacy {
                    // The old service kept names as typed: the subject must name exactly one
                    // account, and its tokens (no trusted `iat`) are void once any cutoff is set.
                    match sessions.resolve_subject(&subject).await {
                        Ok(account) => (account.name().as_str().to_owned(), None, "legacy"),
                        Err(error @ SessionError::SubjectUnresolved { .. }) => {
                            return Err(refused(&error, "legacy"));
                        }
                        Err(error) => return Err(unavailable("subject lookup failed", &error)),
                    }
                } else {
                    (subject, issued_at, "current")
                };
                match sessions.is_access_voided(&name, issued_at).await {
                    Ok(false) => Ok(()),
                    Ok(true) => Err(refused(&"voided by a password change", verifier)),
                    Err(error) => Err(unavailable("cutoff lookup failed", &error)),
                }
            }
        })
        .with_refusal_hook(|refusal| match refusal {
            // Logged by the revocation check, with the verifier.
            Refusal::InvalidToken(TokenError::Revoked) | Refusal::KeysUnavailable => {}
            Refusal::MissingCredentials => tracing::debug!("request without credentials"),
            refusal => tracing::info!(reason = %refusal, "access token refused"),
        })
}

impl<S> FromRef<AppState<S>> for BearerAuth {
    fn from_ref(state: &AppState<S>) -> Self {
        state.auth.clone()
    }
}

/// The account of the request's verified access token: behind the `BearerAuth` layer, the
/// claims it verified; without it, verified here as the layer would.
pub struct Caller(pub AccountRecord);

impl<S: Store> FromRequestParts<AppState<S>> for Caller {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState<S>,
    ) -> Result<Self, Self::Rejection> {
        let BearerClaims(claims) = BearerClaims::<()>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let gone = |reason: &dyn std::fmt::Display, verifier| {
            Rejection::new(&state.auth, refused(reason, verifier)).into_response()
        };
        if presented(&parts.headers).is_some_and(|token| is_legacy(token, state.legacy.as_deref()))
        {
            let account = match state.sessions.resolve_subject(&claims.subject).await {
                Ok(account) => account,
                Err(error @ SessionError::SubjectUnresolved { .. }) => {
                    return Err(gone(&error, "legacy"));
                }
                Err(error) => {
                    let refusal = unavailable("subject lookup failed", &error);
                    return Err(Rejection::new(&state.auth, refusal).into_response());
                }
            };
            if let Some(window) = &state.legacy {
                tracing::info!(
                    account = %account.name(),
                    window_ends = %window.until,
                    "accepted a legacy access token"
                );
            }
            return Ok(Caller(account));
        }
        let name = keyward_session::AccountName::new(claims.subject.as_str());
        let found = match name {
            Ok(name) => state.sessions.find_account(&name).await,
            Err(_) => Ok(None),
        };
        match found {
            Ok(Some(account)) => Ok(Caller(account)),
            Ok(None) => Err(gone(&"no such account", "current")),
            Err(error) => {
                let refusal = unavailable("account lookup failed", &error);
                Err(Rejection::new(&state.auth, refusal).into_response())
            }
        }
    }
}

/// The bearer token as presented (the layer has already judged the header).
fn presented(headers: &HeaderMap) -> Option<&str> {
    let values = headers.get_all(header::AUTHORIZATION).iter();
    parse_bearer(values.map(axum::http::HeaderValue::as_bytes))
        .ok()
        .flatten()
}
