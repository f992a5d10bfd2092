//! The tower layer and its service.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{Request, Response};
use pin_project_lite::pin_project;
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
/// use keyward::token::{SigningKey, TokenIssuer};
/// use keyward_tower::BearerAuth;
/// use tower_layer::Layer;
///
/// let auth: BearerAuth = BearerAuth::new(TokenIssuer::new(SigningKey::hs256([7u8; 32])?).verifier());
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

pin_project! {
    /// The response future of [`BearerAuthService`]: the inner service's, a refusal answered
    /// at once, or (for a key set that may need a fetch) the verification and then the inner
    /// service's, boxed.
    pub struct ResponseFuture<F, B, E> {
        #[pin]
        state: State<F, B, E>,
    }
}

pin_project! {
    #[project = StateProjection]
    enum State<F, B, E> {
        Inner { #[pin] future: F },
        Refused { response: Option<Response<B>> },
        Deferred { future: BoxFuture<Response<B>, E> },
    }
}

impl<F, B, E> Future for ResponseFuture<F, B, E>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().state.project() {
            StateProjection::Inner { future } => future.poll(cx),
            // Polled again after it completed: a caller's bug; it never completes again.
            StateProjection::Refused { response } => match response.take() {
                Some(response) => Poll::Ready(Ok(response)),
                None => Poll::Pending,
            },
            StateProjection::Deferred { future } => future.as_mut().poll(cx),
        }
    }
}

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
    type Future = ResponseFuture<S::Future, ResBody, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<ReqBody>) -> Self::Future {
        // Keys in memory: verified here, and the ready inner service called directly.
        if let Some(outcome) =
            self.auth
                .authenticate_now(request.method(), request.uri(), request.headers())
        {
            let state = match outcome {
                Ok(claims) => {
                    request.extensions_mut().insert(claims);
                    State::Inner {
                        future: self.inner.call(request),
                    }
                }
                Err(refusal) => State::Refused {
                    response: Some(self.auth.refuse(&refusal).map(ResBody::from)),
                },
            };
            return ResponseFuture { state };
        }
        // A key set that may need a fetch: awaited in a boxed future. The inner service polled
        // ready is the one moved into it; a fresh clone stays behind (tower's usual dance).
        let fresh = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, fresh);
        let auth = self.auth.clone();
        let future: BoxFuture<Response<ResBody>, S::Error> = Box::pin(async move {
            match auth
                .authenticate_request(request.method(), request.uri(), request.headers())
                .await
            {
                Ok(claims) => {
                    request.extensions_mut().insert(claims);
                    inner.call(request).await
                }
                Err(refusal) => Ok(auth.refuse(&refusal).map(ResBody::from)),
            }
        });
        ResponseFuture {
            state: State::Deferred { future },
        }
    }
}
