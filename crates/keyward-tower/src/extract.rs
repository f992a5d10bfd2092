//! The axum extractor.

use axum_core::extract::{FromRef, FromRequestParts};
use axum_core::response::{IntoResponse, Response};
use http::request::Parts;
use keyward::token::Claims;
use serde::de::DeserializeOwned;

use crate::{BearerAuth, Refusal};

/// An axum extractor: the verified [`Claims<T>`] of the request's bearer token.
///
/// Behind the [`BearerAuth`] layer it takes the claims the layer verified (no second
/// verification; they leave the request's extensions). Without the layer it verifies the token itself with the `BearerAuth<T>` of
/// the router's state (`BearerAuth<T>: FromRef<S>`: the state itself, or a field of a
/// `#[derive(FromRef)]` state), and a refusal is answered as the layer would.
///
/// A router whose state holds no `BearerAuth` can still read the layer's claims with
/// `axum::Extension<Claims<T>>`.
///
/// ```
/// use axum::{Router, routing::get};
/// use keyward::token::{SigningKey, TokenIssuer};
/// use keyward_tower::{BearerAuth, BearerClaims};
///
/// async fn me(BearerClaims(claims): BearerClaims) -> String {
///     claims.subject
/// }
///
/// let auth: BearerAuth = BearerAuth::new(TokenIssuer::new(SigningKey::hs256([7u8; 32])?).verifier());
/// let app: Router = Router::new().route("/me", get(me)).with_state(auth);
/// # let _ = app;
/// # Ok::<(), keyward::token::TokenError>(())
/// ```
#[derive(Debug, Clone)]
pub struct BearerClaims<T = ()>(pub Claims<T>);

/// A refused [`BearerClaims`] extraction: answers as the [`BearerAuth`] layer would.
///
/// ```
/// # use keyward::token::{SigningKey, TokenIssuer};
/// # use keyward_tower::{BearerAuth, Refusal};
/// use axum_core::response::IntoResponse;
/// # let auth: BearerAuth = BearerAuth::new(TokenIssuer::new(SigningKey::hs256([7u8; 32])?).verifier());
/// # let rejection = keyward_tower::Rejection::new(&auth, Refusal::MissingCredentials);
/// assert_eq!(rejection.refusal(), &Refusal::MissingCredentials);
/// assert_eq!(rejection.into_response().status(), 401);
/// # Ok::<(), keyward::token::TokenError>(())
/// ```
#[derive(Debug)]
pub struct Rejection {
    refusal: Refusal,
    response: http::Response<bytes::Bytes>,
}

impl Rejection {
    /// The rejection of `refusal`, answered as `auth` answers it (calls its refusal hook).
    ///
    /// ```
    /// # use keyward::token::{SigningKey, TokenIssuer};
    /// # use keyward_tower::{BearerAuth, Refusal, Rejection};
    /// # let auth: BearerAuth = BearerAuth::new(TokenIssuer::new(SigningKey::hs256([7u8; 32])?).verifier());
    /// let rejection = Rejection::new(&auth, Refusal::KeysUnavailable);
    /// # let _ = rejection;
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn new<T>(auth: &BearerAuth<T>, refusal: Refusal) -> Self {
        let response = auth.refuse(&refusal);
        Rejection { refusal, response }
    }

    /// Why the request was refused.
    ///
    /// ```
    /// # use keyward::token::{SigningKey, TokenIssuer};
    /// # use keyward_tower::{BearerAuth, Refusal, Rejection};
    /// # let auth: BearerAuth = BearerAuth::new(TokenIssuer::new(SigningKey::hs256([7u8; 32])?).verifier());
    /// assert_eq!(Rejection::new(&auth, Refusal::KeysUnavailable).refusal(), &Refusal::KeysUnavailable);
    /// # Ok::<(), keyward::token::TokenError>(())
    /// ```
    pub fn refusal(&self) -> &Refusal {
        &self.refusal
    }
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        self.response.map(axum_core::body::Body::from)
    }
}

impl<S, T> FromRequestParts<S> for BearerClaims<T>
where
    BearerAuth<T>: FromRef<S>,
    S: Send + Sync,
    T: DeserializeOwned + Clone + Send + Sync + 'static,
{
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        // Taken, not cloned: a second `BearerClaims` in the same handler verifies again.
        if let Some(claims) = parts.extensions.remove::<Claims<T>>() {
            return Ok(BearerClaims(claims));
        }
        let auth = BearerAuth::<T>::from_ref(state);
        match auth
            .authenticate_request(&parts.method, &parts.uri, &parts.headers)
            .await
        {
            Ok(claims) => Ok(BearerClaims(claims)),
            Err(refusal) => Err(Rejection::new(&auth, refusal)),
        }
    }
}
