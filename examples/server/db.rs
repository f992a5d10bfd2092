//! The users table in an embedded SQLite file, through `rusqlite`.
//!
//! rusqlite is synchronous, which suits this server: every call already runs on a blocking
//! thread next to the bcrypt work it belongs to, so nothing async is gained by an async driver,
//! and the `bundled` feature compiles SQLite in, so the example needs no system library.

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::{Connection, OptionalExtension, params};

/// A shared connection. One connection behind a mutex is plenty for an example: every query
/// is a primary-key lookup or a single-row write.
#[derive(Clone)]
pub struct Db {
    connection: Arc<Mutex<Connection>>,
}

/// A stored account.
pub struct User {
    pub username: String,
    pub password_hash: String,
    pub created_at: i64,
}

impl Db {
    /// Opens (creating if needed) the database file and its table.
    pub fn open(path: &Path) -> rusqlite::Result<Db> {
        let connection = Connection::open(path)?;
        connection.execute_batch(
            "PRAGMA journal_mode = WAL;
             CREATE TABLE IF NOT EXISTS users (
                 username      TEXT PRIMARY KEY,
                 password_hash TEXT NOT NULL,
                 created_at    INTEGER NOT NULL
             );",
        )?;
        Ok(Db {
            connection: Arc::new(Mutex::new(connection)),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written; keep serving.
        self.connection
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Inserts a user; `false` when the name is taken.
    pub fn insert_user(
        &self,
        username: &str,
        password_hash: &str,
        created_at: i64,
    ) -> rusqlite::Result<bool> {
        let inserted = self.lock().execute(
            "INSERT OR IGNORE INTO users (username, password_hash, created_at) VALUES (?1, ?2, ?3)",
            params![username, password_hash, created_at],
        )?;
        Ok(inserted == 1)
    }

    pub fn find_user(&self, username: &str) -> rusqlite::Result<Option<User>> {
        self.lock()
            .query_row(
                "SELECT username, password_hash, created_at FROM users WHERE username = ?1",
                params![username],
                |row| {
                    Ok(User {
                        username: row.get(0)?,
                        password_hash: row.get(1)?,
                        created_at: row.get(2)?,
                    })
                },
            )
            .optional()
    }

    pub fn update_password_hash(
        &self,
        username: &str,
        password_hash: &str,
    ) -> rusqlite::Result<()> {
        self.lock().execute(
            "UPDATE users SET password_hash = ?2 WHERE username = ?1",
            params![username, password_hash],
        )?;
        Ok(())
    }
}
