//! The accept loop and its limits: what keeps slow, idle or oversized clients from holding the
//! server's connections, file descriptors or memory.
//!
//! - **Connection cap**: at most `max_connections` at once. The loop takes a slot *before*
//!   accepting, so over the cap new connections wait in the kernel's backlog and cost the
//!   process no file descriptor; keep the cap below the fd limit (`ulimit -n`) minus headroom
//!   for SQLite and logs.
//! - **Header-read timeout** (hyper): a request head not complete within it closes the
//!   connection, however slowly its bytes trickle in.
//! - **Idle timeout**: a keep-alive connection with no request in flight for this long is
//!   closed; so is a connection that never sends a byte.
//! - **Body timeout** (tower-http): a body whose next bytes do not arrive within it fails
//!   the request (400 from the extractor that was reading it).
//! - **Request timeout** (tower-http): the whole request, body reading included, within it,
//!   or 408. Together with the body timeout this bounds a trickled body.
//! - **Body size**: a `Content-Length` over `max_body_bytes` is 413 at once, before anything is
//!   read; a body without one is cut off at the same size.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::StatusCode;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tower::ServiceExt as _;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};

use super::{AppState, Store, router};

/// Connection and request limits; the defaults suit a server behind nothing.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Time to receive a complete request head.
    pub header_read_timeout: Duration,
    /// Longest silence inside a request body.
    pub body_timeout: Duration,
    /// Longest time for a whole request, body included.
    pub request_timeout: Duration,
    /// Longest time a connection may sit with no request in flight.
    pub idle_timeout: Duration,
    /// Connections served at once.
    pub max_connections: usize,
    /// Largest request body (this API's bodies are a few hundred bytes).
    pub max_body_bytes: usize,
    /// How long shutdown waits for open connections to finish.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    /// Headers in 10 s, bodies silent at most 10 s, requests done in 30 s, idle connections
    /// closed after 30 s, 512 connections, 16 KiB bodies, 10 s to shut down.
    fn default() -> Self {
        Limits {
            header_read_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(30),
            max_connections: 512,
            max_body_bytes: 16 * 1024,
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

impl Limits {
    /// The per-request layers, outermost first: the size check (answers 413 before anything
    /// else runs), the request timeout, the body timeout.
    pub(super) fn request_layers(
        self,
    ) -> (RequestBodyLimitLayer, TimeoutLayer, RequestBodyTimeoutLayer) {
        (
            RequestBodyLimitLayer::new(self.max_body_bytes),
            TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, self.request_timeout),
            RequestBodyTimeoutLayer::new(self.body_timeout),
        )
    }
}

/// When the connection last finished a request, and how many are in flight.
struct Activity {
    started: Instant,
    last_millis: AtomicU64,
    in_flight: AtomicUsize,
}

impl Activity {
    fn touch(&self) {
        let millis = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_millis.store(millis, Ordering::Relaxed);
    }

    fn idle_for(&self) -> Option<Duration> {
        if self.in_flight.load(Ordering::Relaxed) > 0 {
            return None;
        }
        let last = Duration::from_millis(self.last_millis.load(Ordering::Relaxed));
        Some(self.started.elapsed().saturating_sub(last))
    }
}

/// Serves until `shutdown` completes, then lets in-flight requests finish (for at most the
/// shutdown grace period).
pub async fn serve<S: Store>(
    listener: TcpListener,
    state: AppState<S>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = state.limits;
    let app = router(state);
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let (closing, closed) = watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            () = &mut shutdown => break,
            slot = Arc::clone(&slots).acquire_owned() => slot.expect("the semaphore is never closed"),
        };
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, or a connection reset before accept: keep
                    // serving the connections already open, and try again shortly.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let (app, closed) = (app.clone(), closed.clone());
        tokio::spawn(async move {
            connection(stream, peer, app, limits, closed).await;
            drop(slot);
        });
    }
    drop(listener);
    let _ = closing.send(true);
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(limits.shutdown_grace, slots.acquire_many(all)).await;
    Ok(())
}

/// One connection: HTTP/1.1 with the header-read timeout, closed when idle or at shutdown.
async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    app: Router,
    limits: Limits,
    mut closed: watch::Receiver<bool>,
) {
    let activity = Arc::new(Activity {
        started: Instant::now(),
        last_millis: AtomicU64::new(0),
        in_flight: AtomicUsize::new(0),
    });
    let seen = Arc::clone(&activity);
    let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
        let (app, seen) = (app.clone(), Arc::clone(&seen));
        seen.in_flight.fetch_add(1, Ordering::Relaxed);
        async move {
            let mut request = request.map(axum::body::Body::new);
            request.extensions_mut().insert(ConnectInfo(peer));
            let response = app.oneshot(request).await;
            seen.touch();
            seen.in_flight.fetch_sub(1, Ordering::Relaxed);
            response
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    // Check for idleness a few times per idle period.
    let tick = (limits.idle_timeout / 4).max(Duration::from_millis(10));
    let mut closing = false;
    loop {
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(error) = result {
                    tracing::debug!(%peer, %error, "connection ended");
                }
                return;
            }
            changed = closed.changed(), if !closing => {
                let _ = changed;
                closing = true;
                connection.as_mut().graceful_shutdown();
            }
            () = tokio::time::sleep(tick), if !closing => {
                if activity.idle_for().is_some_and(|idle| idle >= limits.idle_timeout) {
                    tracing::debug!(%peer, "idle connection closed");
                    closing = true;
                    connection.as_mut().graceful_shutdown();
                }
            }
        }
    }
}
