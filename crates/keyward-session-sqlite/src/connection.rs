//! The connection, its settings, and running calls on blocking threads.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use keyward_session::{SessionError, StoreError, StoreErrorKind};
use rusqlite::{Connection, Transaction, TransactionBehavior};

use crate::migrate;

/// How durable a commit is before it is acknowledged; see the [crate docs](crate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Durability {
    /// `synchronous = FULL`: survives a killed process and a power cut. The default.
    #[default]
    Full,
    /// `synchronous = NORMAL`: survives a killed process; a power cut can lose the last
    /// commits. A named opt-in, visible in `Debug`.
    ProcessCrash,
}

/// A [`keyward_session::SessionStore`] in one SQLite file. Cheap to clone: clones share the
/// connection.
#[derive(Clone)]
pub struct SqliteStore {
    connection: Arc<Mutex<Connection>>,
    path: Arc<PathBuf>,
    durability: Durability,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .field("durability", &self.durability)
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` with [`Durability::Full`], and runs
    /// the schema migrations (idempotent, in one transaction).
    ///
    /// # Errors
    ///
    /// [`SessionError::Store`] when the file cannot be opened or migrated.
    pub async fn open(path: impl AsRef<Path>) -> Result<Self, SessionError> {
        Self::open_with_durability(path, Durability::Full).await
    }

    /// As [`open`](Self::open), with `durability`.
    ///
    /// # Errors
    ///
    /// As [`open`](Self::open).
    pub async fn open_with_durability(
        path: impl AsRef<Path>,
        durability: Durability,
    ) -> Result<Self, SessionError> {
        let path = path.as_ref().to_owned();
        let opened = path.clone();
        let connection = tokio::task::spawn_blocking(move || open(&opened, durability))
            .await
            .map_err(|error| {
                StoreError::new(StoreErrorKind::Unavailable, "open the database").with_source(error)
            })??;
        Ok(SqliteStore {
            connection: Arc::new(Mutex::new(connection)),
            path: Arc::new(path),
            durability,
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `work` with the connection on a blocking thread.
    pub(crate) async fn call<T: Send + 'static>(
        &self,
        operation: &'static str,
        work: impl FnOnce(&mut Connection) -> rusqlite::Result<Result<T, StoreError>> + Send + 'static,
    ) -> Result<T, StoreError> {
        let connection = Arc::clone(&self.connection);
        tokio::task::spawn_blocking(move || {
            // A panic while holding the lock cannot leave SQLite half-written: an open
            // transaction is rolled back when its guard drops.
            let mut connection = connection
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            work(&mut connection)
        })
        .await
        .map_err(|error| {
            StoreError::new(StoreErrorKind::Unavailable, operation).with_source(error)
        })?
        .map_err(|error| query_error(operation, error))?
    }

    /// Runs `work` in a write transaction (`BEGIN IMMEDIATE`) committed when it returns
    /// `Ok(Ok(_))`, rolled back otherwise.
    pub(crate) async fn write<T: Send + 'static>(
        &self,
        operation: &'static str,
        work: impl FnOnce(&Transaction<'_>) -> rusqlite::Result<Result<T, StoreError>> + Send + 'static,
    ) -> Result<T, StoreError> {
        self.call(operation, move |connection| {
            let transaction =
                connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let result = work(&transaction)?;
            if result.is_ok() {
                transaction.commit()?;
            }
            Ok(result)
        })
        .await
    }
}

fn open(path: &Path, durability: Durability) -> Result<Connection, StoreError> {
    let unavailable = |error| {
        StoreError::new(StoreErrorKind::Unavailable, "open the database").with_source(error)
    };
    let mut connection = Connection::open(path).map_err(unavailable)?;
    connection
        .busy_timeout(StdDuration::from_secs(5))
        .map_err(unavailable)?;
    let synchronous = match durability {
        Durability::Full => "FULL",
        Durability::ProcessCrash => "NORMAL",
    };
    connection
        .execute_batch(&format!(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = {synchronous}; PRAGMA foreign_keys = ON;"
        ))
        .map_err(unavailable)?;
    migrate::run(&mut connection)?;
    Ok(connection)
}

pub(crate) fn query_error(operation: &'static str, error: rusqlite::Error) -> StoreError {
    StoreError::new(StoreErrorKind::Query, operation).with_source(error)
}
