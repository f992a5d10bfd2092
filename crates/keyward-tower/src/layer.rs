//! The tower layer and its service.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{Request, Response};
use serde::de::DeserializeOwned;
use tower_layer::Layer;
use tower_service::Service;

use crate::BearerAuth;

impl<S, T> Layer<S> for BearerAuth<T> {
    type Service = BearerAuthService<S, T>;

    fn layer(&self, inner: S) -> Self::Service {
        BearerAuthService {
            inner,
            auth: self.clone(),
        }
    }
}

/// The service [`BearerAuth`] wraps another in: requests whose bearer token verifies go on
/// with the verified [`Claims<T>`](keyward::token::Claims) in their extensions; the others
/// are answered with the refusal's response, and never reach the inner service.
///
/// ```
/// use keyward::token::TokenIssuer;
/// use keyward_tower::BearerAuth;
/// use tower_layer::Layer;
///
/// let auth: BearerAuth = BearerAuth::new(TokenIssuer::hs256([7u8; 32])?.verifier());
/// let service = auth.layer(tower::service_fn(|_request: http::Request<()>| async {
///     Ok::<_, std::convert::Infallible>(http::Response::new(bytes::Bytes::new()))
/// }));
/// # let _ = service;
/// # Ok::<(), keyward::token::TokenError>(())
/// ```
#[derive(Clone, Debug)]
pub struct BearerAuthService<S, T = ()> {
    inner: S,
    auth: BearerAuth<T>,
}

type BoxFuture<R, E> = Pin<Box<dyn Future<Output = Result<R, E>> + Send>>;

impl<S, T, ReqBody, ResBody> Service<Request<ReqBody>> for BearerAuthService<S, T>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send,
    ReqBody: Send + 'static,
    ResBody: From<Bytes>,
    T: DeserializeOwned + Clone + Send + Sync + 'static,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = BoxFuture<Self::Response, Self::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<ReqBody>) -> Self::Future {
        // The inner service polled ready is this one; a fresh clone stays behind (tower's
        // usual dance, so the ready one is the one called).
        let fresh = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, fresh);
        let auth = self.auth.clone();
        Box::pin(async move {
            match auth.authenticate(request.headers()).await {
                Ok(claims) => {
                    request.extensions_mut().insert(claims);
                    inner.call(request).await
                }
                Err(refusal) => Ok(auth.refuse(&refusal).map(ResBody::from)),
            }
        })
    }
}
