//! Users and sessions in an embedded SQLite file, through `rusqlite`.
//!
//! Tables:
//! - `users`: the account key (the normalized username), its password hash, its creation time.
//! - `refresh_families`: one per login. Every refresh token a login leads to belongs to its
//!   family; revoking the family (logout, reuse detected, password change) ends the session.
//! - `refresh_tokens`: the SHA-256 digest (hex) of each refresh token ever handed out, never
//!   the token itself, with its expiry and, once exchanged, when it was used. A used token
//!   presented again is the sign of a stolen token (RFC 9700 §4.14.2).
//! - `session_cutoffs`: per user, the last second (Unix time) whose access tokens are void,
//!   set by a password change.
//!
//! rusqlite is synchronous, which suits this server: every call already runs on a blocking
//! thread next to the bcrypt work it belongs to, so nothing async is gained by an async driver,
//! and the `bundled` feature compiles SQLite in, so the example needs no system library.

// The test crates include this file and each uses only part of it.
#![cfg_attr(test, allow(dead_code))]

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::{Connection, OptionalExtension, Transaction, params};

/// A shared connection. One connection behind a mutex is plenty for an example: every query
/// is a primary-key lookup or a single-row write.
#[derive(Clone)]
pub struct Db {
    connection: Arc<Mutex<Connection>>,
}

/// What presenting a refresh token led to.
#[derive(Debug, PartialEq, Eq)]
pub enum Exchange {
    /// The token was current: it is now used, and its successor is stored.
    Rotated {
        /// The account.
        username: String,
        /// The client the session was issued to.
        client_id: String,
    },
    /// The token had already been exchanged: its whole family is now revoked.
    Reused {
        /// The account whose session was ended.
        username: String,
        /// The family revoked.
        family: String,
    },
    /// Unknown, expired, or of a revoked family: refused, nothing changed.
    Refused,
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
             );
             CREATE TABLE IF NOT EXISTS refresh_families (
                 id         TEXT PRIMARY KEY,
                 username   TEXT NOT NULL,
                 client_id  TEXT NOT NULL,
                 created_at INTEGER NOT NULL,
                 revoked_at INTEGER
             );
             CREATE INDEX IF NOT EXISTS refresh_families_by_user ON refresh_families (username);
             CREATE TABLE IF NOT EXISTS refresh_tokens (
                 digest     TEXT PRIMARY KEY,
                 family_id  TEXT NOT NULL REFERENCES refresh_families (id),
                 expires_at INTEGER NOT NULL,
                 used_at    INTEGER
             );
             CREATE INDEX IF NOT EXISTS refresh_tokens_by_family ON refresh_tokens (family_id);
             CREATE TABLE IF NOT EXISTS session_cutoffs (
                 username TEXT PRIMARY KEY,
                 void_through INTEGER NOT NULL
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

    /// Every stored password hash, to find the highest cost in use.
    pub fn password_hashes(&self) -> rusqlite::Result<Vec<String>> {
        let connection = self.lock();
        let mut statement = connection.prepare("SELECT password_hash FROM users")?;
        statement
            .query_map([], |row| row.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()
    }

    /// Renames every account whose name is not in normalized form (see `username.rs`) to that
    /// form, so that a database from before case-insensitive names keeps working. Two rows
    /// that normalize to the same name (`alice` and `Alice`) cannot both be kept under one
    /// key: the one already normalized (or else the older one) keeps the name, the others keep
    /// their old spelling, unreachable by login, and are returned for the operator to settle.
    pub fn normalize_usernames(
        &self,
        normalize: impl Fn(&str) -> Option<String>,
    ) -> rusqlite::Result<Vec<String>> {
        let mut connection = self.lock();
        let transaction = connection.transaction()?;
        let names: Vec<String> = {
            let mut statement =
                transaction.prepare("SELECT username FROM users ORDER BY created_at, username")?;
            statement
                .query_map([], |row| row.get(0))?
                .collect::<rusqlite::Result<_>>()?
        };
        let mut stranded = Vec::new();
        for name in names {
            let Some(normal) = normalize(&name) else {
                stranded.push(name);
                continue;
            };
            if normal == name {
                continue;
            }
            let renamed = transaction.execute(
                "UPDATE OR IGNORE users SET username = ?2 WHERE username = ?1",
                params![name, normal],
            )?;
            if renamed == 1 {
                for table in ["refresh_families", "session_cutoffs"] {
                    transaction.execute(
                        &format!("UPDATE OR IGNORE {table} SET username = ?2 WHERE username = ?1"),
                        params![name, normal],
                    )?;
                }
            } else {
                stranded.push(name);
            }
        }
        transaction.commit()?;
        Ok(stranded)
    }

    /// Starts a session: a new family holding one refresh token.
    pub fn create_family(
        &self,
        family: &str,
        username: &str,
        client_id: &str,
        digest: &str,
        now: i64,
        expires_at: i64,
    ) -> rusqlite::Result<()> {
        let mut connection = self.lock();
        let transaction = connection.transaction()?;
        transaction.execute(
            "INSERT INTO refresh_families (id, username, client_id, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![family, username, client_id, now],
        )?;
        transaction.execute(
            "INSERT INTO refresh_tokens (digest, family_id, expires_at) VALUES (?1, ?2, ?3)",
            params![digest, family, expires_at],
        )?;
        transaction.commit()
    }

    /// Exchanges the refresh token whose digest is `presented` for the one whose digest is
    /// `successor`, in one transaction: of two concurrent exchanges of one token, one rotates
    /// and the other is a reuse.
    pub fn exchange(
        &self,
        presented: &str,
        successor: &str,
        now: i64,
        expires_at: i64,
    ) -> rusqlite::Result<Exchange> {
        let mut connection = self.lock();
        let transaction = connection.transaction()?;
        let row = transaction
            .query_row(
                "SELECT t.family_id, t.expires_at, t.used_at, f.username, f.client_id, f.revoked_at
                 FROM refresh_tokens t JOIN refresh_families f ON f.id = t.family_id
                 WHERE t.digest = ?1",
                params![presented],
                |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, i64>(1)?,
                        row.get::<_, Option<i64>>(2)?,
                        row.get::<_, String>(3)?,
                        row.get::<_, String>(4)?,
                        row.get::<_, Option<i64>>(5)?,
                    ))
                },
            )
            .optional()?;
        let Some((family, token_expires, used_at, username, client_id, revoked_at)) = row else {
            return Ok(Exchange::Refused);
        };
        if revoked_at.is_some() || token_expires <= now {
            return Ok(Exchange::Refused);
        }
        if used_at.is_some() {
            revoke_family(&transaction, &family, now)?;
            transaction.commit()?;
            return Ok(Exchange::Reused { username, family });
        }
        transaction.execute(
            "UPDATE refresh_tokens SET used_at = ?2 WHERE digest = ?1",
            params![presented, now],
        )?;
        transaction.execute(
            "INSERT INTO refresh_tokens (digest, family_id, expires_at) VALUES (?1, ?2, ?3)",
            params![successor, family, expires_at],
        )?;
        transaction.commit()?;
        Ok(Exchange::Rotated {
            username,
            client_id,
        })
    }

    /// Revokes the family of the refresh token whose digest is `digest` (logout). Returns the
    /// account, or `None` for a token never issued.
    pub fn revoke_family_of(&self, digest: &str, now: i64) -> rusqlite::Result<Option<String>> {
        let mut connection = self.lock();
        let transaction = connection.transaction()?;
        let found = transaction
            .query_row(
                "SELECT f.id, f.username FROM refresh_tokens t
                 JOIN refresh_families f ON f.id = t.family_id WHERE t.digest = ?1",
                params![digest],
                |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)),
            )
            .optional()?;
        if let Some((family, _)) = &found {
            revoke_family(&transaction, family, now)?;
        }
        transaction.commit()?;
        Ok(found.map(|(_, username)| username))
    }

    /// Stores a new password hash, voids every access token issued up to and including the
    /// second `void_through`, and revokes every session of the account, in one transaction.
    pub fn change_password(
        &self,
        username: &str,
        password_hash: &str,
        void_through: i64,
        now: i64,
    ) -> rusqlite::Result<()> {
        let mut connection = self.lock();
        let transaction = connection.transaction()?;
        transaction.execute(
            "UPDATE users SET password_hash = ?2 WHERE username = ?1",
            params![username, password_hash],
        )?;
        transaction.execute(
            "INSERT INTO session_cutoffs (username, void_through) VALUES (?1, ?2)
             ON CONFLICT (username) DO UPDATE SET void_through = MAX(void_through, excluded.void_through)",
            params![username, void_through],
        )?;
        transaction.execute(
            "UPDATE refresh_families SET revoked_at = ?2 WHERE username = ?1 AND revoked_at IS NULL",
            params![username, now],
        )?;
        transaction.commit()
    }

    /// Every account's cutoff: access tokens with `iat` at or before it are void.
    pub fn session_cutoffs(&self) -> rusqlite::Result<Vec<(String, i64)>> {
        let connection = self.lock();
        let mut statement =
            connection.prepare("SELECT username, void_through FROM session_cutoffs")?;
        statement
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect()
    }

    /// Forgets refresh tokens expired before `now`, and families left with none. Reuse of an
    /// expired token is not detected, and needs not be: it is refused as expired anyway.
    pub fn purge_expired(&self, now: i64) -> rusqlite::Result<usize> {
        let mut connection = self.lock();
        let transaction = connection.transaction()?;
        let tokens = transaction.execute(
            "DELETE FROM refresh_tokens WHERE expires_at <= ?1",
            params![now],
        )?;
        transaction.execute(
            "DELETE FROM refresh_families
             WHERE NOT EXISTS (SELECT 1 FROM refresh_tokens t WHERE t.family_id = refresh_families.id)",
            [],
        )?;
        transaction.commit()?;
        Ok(tokens)
    }
}

fn revoke_family(transaction: &Transaction<'_>, family: &str, now: i64) -> rusqlite::Result<()> {
    transaction.execute(
        "UPDATE refresh_families SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
        params![family, now],
    )?;
    Ok(())
}
