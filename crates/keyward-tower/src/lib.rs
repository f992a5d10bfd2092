//! Bearer-token authentication for [tower] and [axum] services, with
//! [keyward](keyward::token)'s verifiers: a [`BearerAuth`] layer that answers RFC 6750 §3
//! challenges, and a [`BearerClaims`] extractor that hands handlers the verified
//! [`Claims<T>`](keyward::token::Claims).
//!
//! - **No credentials** (no `Authorization` header, another scheme): `401`,
//!   `WWW-Authenticate: Bearer` (with `realm` if set), no error code.
//! - **Malformed** `Bearer` header: `400`, `error="invalid_request"`.
//! - **Invalid token** (expired, revoked, bad signature, wrong audience...): `401`,
//!   `error="invalid_token"` with an `error_description`.
//! - **Claims check refused** (a scope, a role): `403`, `error="insufficient_scope"`, with
//!   `scope` when the check names it.
//! - **Issuer's keys unavailable** (a [`KeySource::remote`] that cannot fetch): `503` with
//!   `Retry-After`: the token was not checked.
//!
//! The header is read by keyward's one parser, [`keyward::token::parse_bearer`], so every
//! keyward service answers a header the same way. Keys come from a
//! [`TokenVerifier`](keyward::token::TokenVerifier) or a
//! [`RemoteKeySet`](keyward::token::RemoteKeySet) whose fetch is the caller's async HTTP
//! client; tokens of several issuers are checked by the one their `iss` names ([`Issuers`]).
//!
//! ```
//! use axum::{Router, routing::get};
//! use keyward::token::{SigningKey, TokenIssuer};
//! use keyward_tower::{BearerAuth, BearerClaims};
//!
//! async fn orders(BearerClaims(claims): BearerClaims) -> String {
//!     format!("orders of {}", claims.subject)
//! }
//!
//! # let verifier = TokenIssuer::new(SigningKey::hs256([7u8; 32])?).verifier();
//! let auth: BearerAuth = BearerAuth::new(verifier);
//! // Every route of this router needs a valid token; handlers read the claims.
//! let app: Router = Router::new()
//!     .route("/orders", get(orders))
//!     .route_layer(auth.clone())
//!     .with_state(auth);
//! # let _ = app;
//! # Ok::<(), keyward::token::TokenError>(())
//! ```
//!
//! [tower]: https://docs.rs/tower
//! [axum]: https://docs.rs/axum

mod auth;
mod body;
mod dpop;
#[cfg(feature = "axum")]
mod extract;
mod issuers;
mod layer;
mod refusal;
mod source;

pub use auth::BearerAuth;
pub use body::ErrorBody;
pub use dpop::InvalidPublicUrl;
#[cfg(feature = "axum")]
pub use extract::{BearerClaims, Rejection};
pub use issuers::Issuers;
pub use layer::{BearerAuthService, ResponseFuture};
pub use refusal::{InsufficientScope, InvalidRealm, Refusal};
pub use source::KeySource;

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
