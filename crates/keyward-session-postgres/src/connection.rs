//! The pool, connecting with retries, and error mapping.

use std::str::FromStr;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use keyward_session::{SessionError, StoreError, StoreErrorKind};
use tokio_postgres::NoTls;
use tokio_postgres::error::SqlState;

use crate::migrate;

/// A [`keyward_session::SessionStore`] in a Postgres database. Cheap to clone: clones share
/// the pool.
#[derive(Clone)]
pub struct PostgresStore {
    pool: Pool,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let status = self.pool.status();
        f.debug_struct("PostgresStore")
            .field("pool_size", &status.max_size)
            .finish_non_exhaustive()
    }
}

impl PostgresStore {
    /// Connections in the pool made by [`connect`](Self::connect).
    pub const DEFAULT_POOL_SIZE: usize = 16;

    /// How long [`connect`](Self::connect) keeps retrying a server that is starting up or not
    /// accepting connections yet.
    pub const CONNECT_PATIENCE: Duration = Duration::from_secs(30);

    /// Connects to `url` (`postgres://user:password@host:port/database`, or any form
    /// tokio-postgres reads), with a pool of [`DEFAULT_POOL_SIZE`](Self::DEFAULT_POOL_SIZE),
    /// and runs the migrations. The first connection is retried for
    /// [`CONNECT_PATIENCE`](Self::CONNECT_PATIENCE) while the server refuses it as starting
    /// up (SQLSTATE 57P03) or is not listening yet.
    ///
    /// # Errors
    ///
    /// [`SessionError::Invalid`] for a URL that does not parse; [`SessionError::Store`] when
    /// the server cannot be reached in time or the migrations fail.
    pub async fn connect(url: &str) -> Result<Self, SessionError> {
        Self::connect_with_pool_size(url, Self::DEFAULT_POOL_SIZE).await
    }

    /// As [`connect`](Self::connect), with `size` pooled connections (at least 1).
    ///
    /// # Errors
    ///
    /// As [`connect`](Self::connect).
    pub async fn connect_with_pool_size(url: &str, size: usize) -> Result<Self, SessionError> {
        let config = tokio_postgres::Config::from_str(url).map_err(|_| SessionError::Invalid {
            what: "Postgres URL",
            problem: "does not parse, wanted postgres://user@host:port/database".to_owned(),
        })?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(size.max(1))
            .build()
            .map_err(|error| {
                StoreError::new(StoreErrorKind::Unavailable, "build the pool").with_source(error)
            })?;
        Self::from_pool(pool).await
    }

    /// A store on a pool built by the caller (for TLS, or other pool settings); runs the
    /// migrations, retrying the first connection as [`connect`](Self::connect) does.
    ///
    /// # Errors
    ///
    /// [`SessionError::Store`] when the server cannot be reached in time or the migrations
    /// fail.
    pub async fn from_pool(pool: Pool) -> Result<Self, SessionError> {
        let store = PostgresStore { pool };
        let deadline = tokio::time::Instant::now() + Self::CONNECT_PATIENCE;
        let mut client = loop {
            match store.pool.get().await {
                Ok(client) => break client,
                Err(error) if starting_up(&error) && tokio::time::Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(error) => {
                    return Err(StoreError::new(
                        StoreErrorKind::Unavailable,
                        "connect to the database",
                    )
                    .with_source(error)
                    .into());
                }
            }
        };
        migrate::run(&mut client).await?;
        Ok(store)
    }

    /// A pooled connection.
    pub(crate) async fn client(
        &self,
        operation: &'static str,
    ) -> Result<deadpool_postgres::Client, StoreError> {
        self.pool.get().await.map_err(|error| {
            StoreError::new(StoreErrorKind::Unavailable, operation).with_source(error)
        })
    }
}

/// Whether connecting failed only because the server is not ready yet: starting up
/// (57P03, "cannot connect now"), or not listening (a refused TCP connection).
fn starting_up(error: &deadpool_postgres::PoolError) -> bool {
    let deadpool_postgres::PoolError::Backend(error) = error else {
        return false;
    };
    if error.code() == Some(&SqlState::CANNOT_CONNECT_NOW) {
        return true;
    }
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            return matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionRefused | std::io::ErrorKind::NotFound
            );
        }
        source = cause.source();
    }
    false
}

/// Maps a driver error to a query failure of `operation`.
pub(crate) fn query(operation: &'static str) -> impl Fn(tokio_postgres::Error) -> StoreError {
    move |error| StoreError::new(StoreErrorKind::Query, operation).with_source(error)
}
