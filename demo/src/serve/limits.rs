//! The connection and request limits, and the request layers that enforce the latter.

use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};

/// Connection and request limits; the defaults suit a server behind nothing. Every setter
/// clamps instead of failing: durations to at least 1 ms, counts to at least 1.
///
/// ```
/// use std::time::Duration;
/// use keyward_demo::serve::Limits;
///
/// let limits = Limits::default()
///     .with_max_connections(200)
///     .with_max_connections_per_client(16)
///     .with_idle_timeout(Duration::from_secs(5));
/// assert_eq!(limits.max_connections(), 200);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    header_read_timeout: Duration,
    body_timeout: Duration,
    request_timeout: Duration,
    idle_timeout: Duration,
    max_connections: usize,
    max_connections_per_client: usize,
    max_body_bytes: usize,
    shutdown_grace: Duration,
}

impl Default for Limits {
    /// Headers in 10 s, bodies silent at most 10 s, requests done in 30 s, idle connections
    /// closed after 30 s, 512 connections, 32 from one client, 16 KiB bodies, 10 s to shut
    /// down.
    fn default() -> Self {
        Limits {
            header_read_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(30),
            max_connections: 512,
            max_connections_per_client: 32,
            max_body_bytes: 16 * 1024,
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

const MIN_DURATION: Duration = Duration::from_millis(1);

macro_rules! setting {
    ($(#[$doc:meta])* $field:ident, $with:ident, $type:ty, $min:expr) => {
        $(#[$doc])*
        #[must_use]
        pub fn $with(mut self, value: $type) -> Self {
            self.$field = value.max($min);
            self
        }

        /// The current setting (see the setter of the same name).
        pub fn $field(&self) -> $type {
            self.$field
        }
    };
}

impl Limits {
    setting!(
        /// Time to receive a complete request head.
        header_read_timeout, with_header_read_timeout, Duration, MIN_DURATION
    );
    setting!(
        /// Longest silence inside a request body.
        body_timeout, with_body_timeout, Duration, MIN_DURATION
    );
    setting!(
        /// Longest time for a whole request, body included (then 408).
        request_timeout, with_request_timeout, Duration, MIN_DURATION
    );
    setting!(
        /// Longest time a connection may sit with no request in flight.
        idle_timeout, with_idle_timeout, Duration, MIN_DURATION
    );
    setting!(
        /// Connections served at once; more wait in the listen backlog.
        max_connections, with_max_connections, usize, 1
    );
    setting!(
        /// Connections served at once from one client address (IPv4 address, IPv6 /64).
        max_connections_per_client, with_max_connections_per_client, usize, 1
    );
    setting!(
        /// Largest request body, chunked or not.
        max_body_bytes, with_max_body_bytes, usize, 1
    );
    setting!(
        /// How long shutdown waits for open connections to finish.
        shutdown_grace, with_shutdown_grace, Duration, MIN_DURATION
    );

    /// `app` inside the per-request limits, outermost first: the request timeout (408), the
    /// body timeout, the size check. The size check answers a `Content-Length` over the cap
    /// with 413 before the handler runs; innermost, its cut-off of a longer body (chunked)
    /// reaches the handler's extractor as itself, so that too is 413.
    pub fn wrap(self, app: Router) -> Router {
        app.layer(RequestBodyLimitLayer::new(self.max_body_bytes))
            .layer(RequestBodyTimeoutLayer::new(self.body_timeout))
            .layer(TimeoutLayer::with_status_code(
                StatusCode::REQUEST_TIMEOUT,
                self.request_timeout,
            ))
    }
}

/// Reads a duration flag: a whole number followed by `ms` or `s` (`500ms`, `30s`).
///
/// # Errors
///
/// A message saying what was found and what was wanted.
///
/// ```
/// use std::time::Duration;
/// use keyward_demo::serve::parse_duration;
///
/// assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
/// assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
/// assert!(parse_duration("30").is_err());
/// ```
pub fn parse_duration(value: &str) -> Result<Duration, String> {
    let wanted = || format!("{value:?} is not a duration like 500ms or 30s");
    let (number, unit) = value
        .find(|c: char| !c.is_ascii_digit())
        .map(|at| value.split_at(at))
        .ok_or_else(wanted)?;
    let number: u64 = number.parse().map_err(|_| wanted())?;
    match unit {
        "ms" => Ok(Duration::from_millis(number)),
        "s" => Ok(Duration::from_secs(number)),
        _ => Err(wanted()),
    }
}
