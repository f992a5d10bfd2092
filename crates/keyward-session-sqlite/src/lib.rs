//! The SQLite store for [`keyward_session`]: the embedded default, one file, no server.
//!
//! ```no_run
//! use keyward_session::Sessions;
//! use keyward_session_sqlite::SqliteStore;
//!
//! # async fn f() -> Result<(), keyward_session::SessionError> {
//! let store = SqliteStore::open("sessions.db").await?; // creates it, runs the migrations
//! let sessions = Sessions::new(store);
//! # let _ = sessions; Ok(()) }
//! ```
//!
//! One connection serves every call, on Tokio's blocking threads: SQLite runs one writer at a
//! time anyway, and every operation is a short transaction. Write transactions begin with
//! `BEGIN IMMEDIATE`, so two of them (even from two processes sharing the file) run one after
//! the other rather than failing on a lock upgrade.
//!
//! **Durability.** The database is in WAL mode. With [`Durability::Full`] (the default)
//! every commit is on disk before it is acknowledged (`synchronous = FULL`): nothing
//! acknowledged is lost to a killed process or a power cut. [`Durability::ProcessCrash`]
//! (`synchronous = NORMAL`) is faster: in WAL mode a commit is in the operating system's
//! hands before it is acknowledged, so a killed process loses nothing either, but a power cut
//! or kernel crash can lose the last commits.
//!
//! The file holds password hashes and, in the signing-key ring, private keys: protect it as a
//! secret.

mod accounts;
mod connection;
mod keys;
mod migrate;
mod refresh;
mod throttle;
mod time;

pub use connection::{Durability, SqliteStore};
