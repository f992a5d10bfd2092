//! The accept loop and its limits, shared by the example servers: what keeps slow, idle,
//! re-opening or oversized clients from holding the server's connections, file descriptors or
//! memory.
//!
//! - **Connection cap**: at most [`Limits::with_max_connections`] at once. The loop takes a
//!   slot *before* accepting, so over the cap new connections wait in the kernel's backlog
//!   and cost the process no file descriptor; keep the cap below the fd limit (`ulimit -n`)
//!   minus headroom for the server's own files and outgoing connections.
//! - **Per-client cap**: at most [`Limits::with_max_connections_per_client`] connections
//!   from one client address (an IPv4 address, an IPv6 /64) at once; one more is closed as
//!   soon as it is accepted, so a client that re-opens connections as they close cannot hold
//!   every slot. Behind a reverse proxy every client has the proxy's address: raise it there.
//! - **Header-read timeout** (hyper): a request head not complete within it closes the
//!   connection, however slowly its bytes trickle in.
//! - **Idle timeout**: a keep-alive connection with no request in flight for this long is
//!   closed; so is a connection that never sends a byte.
//! - **Body timeout**: a body whose next bytes do not arrive within it fails the request.
//! - **Request timeout**: the whole request, body reading included, within it, or 408.
//! - **Body size**: a `Content-Length` over the cap is 413 at once; a body without one
//!   (chunked) is cut off at the same size, as it streams.

mod limits;
mod per_client;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tower::ServiceExt as _;

pub use limits::{Limits, parse_duration};
use per_client::PerClient;

/// Serves `app` on `listener` under `limits` until `shutdown` completes, then lets in-flight
/// requests finish (for at most the shutdown grace period). The request limits (body size,
/// body and request timeouts) are added around `app` here. Handlers can read the peer's
/// address with `ConnectInfo<SocketAddr>`.
///
/// # Errors
///
/// None today: a failed `accept` (out of file descriptors, a reset) is logged and retried.
///
/// ```no_run
/// # async fn run() -> std::io::Result<()> {
/// use axum::{Router, routing::get};
/// use keyward_demo::serve::{Limits, serve};
///
/// let app = Router::new().route("/", get(|| async { "hello" }));
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
/// serve(listener, app, Limits::default(), std::future::pending()).await
/// # }
/// ```
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_wrapped(listener, limits.wrap(app), limits, shutdown).await
}

/// [`serve`] for an `app` that already has the request limits ([`Limits::wrap`]) inside its
/// own outer layers: for a server whose error shaping (JSON bodies) or request log must see
/// the limits' own answers (408, 413) too. The connection limits are applied here.
///
/// # Errors
///
/// None today, as for [`serve`].
///
/// ```no_run
/// # async fn run() -> std::io::Result<()> {
/// use axum::{Router, middleware, routing::get};
/// use keyward_demo::serve::{Limits, serve_wrapped};
///
/// let limits = Limits::default();
/// let app = limits
///     .wrap(Router::new().route("/", get(|| async { "hello" })))
///     // Sees the limits' own 408 and 413, e.g. to log them or turn them into JSON.
///     .layer(middleware::from_fn(|request, next: middleware::Next| next.run(request)));
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
/// serve_wrapped(listener, app, limits, std::future::pending()).await
/// # }
/// ```
pub async fn serve_wrapped(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_connections()));
    let clients = Arc::new(PerClient::new(limits.max_connections_per_client()));
    let (closing, closed) = watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            () = &mut shutdown => break,
            slot = Arc::clone(&slots).acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
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
        let Some(client) = clients.admit(peer.ip()) else {
            tracing::debug!(%peer, "per-client connection limit reached: closed");
            drop(stream);
            continue;
        };
        let (app, closed) = (app.clone(), closed.clone());
        tokio::spawn(async move {
            connection(stream, peer, app, limits, closed).await;
            drop(client);
            drop(slot);
        });
    }
    drop(listener);
    let _ = closing.send(true);
    let all = u32::try_from(limits.max_connections()).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(limits.shutdown_grace(), slots.acquire_many(all)).await;
    Ok(())
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
        .header_read_timeout(limits.header_read_timeout());
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    // Check for idleness a few times per idle period.
    let tick = (limits.idle_timeout() / 4).max(Duration::from_millis(10));
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
                if activity.idle_for().is_some_and(|idle| idle >= limits.idle_timeout()) {
                    tracing::debug!(%peer, "idle connection closed");
                    closing = true;
                    connection.as_mut().graceful_shutdown();
                }
            }
        }
    }
}
