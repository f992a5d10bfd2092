//! The Postgres store for [`keyward_session`]: one database, many replicas.
//!
//! ```no_run
//! use keyward_session::Sessions;
//! use keyward_session_postgres::PostgresStore;
//!
//! # async fn f() -> Result<(), keyward_session::SessionError> {
//! // Connects (retrying while the server starts up) and runs the migrations.
//! let store = PostgresStore::connect("postgres://keyward@127.0.0.1/keyward").await?;
//! let sessions = Sessions::new(store);
//! # let _ = sessions; Ok(()) }
//! ```
//!
//! Every operation is one transaction on a pooled connection (tokio-postgres, with a
//! deadpool pool of [`PostgresStore::DEFAULT_POOL_SIZE`] connections), at Postgres's default
//! `READ COMMITTED` isolation, with row locks where a rule needs them:
//!
//! - an exchange is `UPDATE … WHERE used_ms IS NULL … RETURNING`: concurrent exchanges of one
//!   token queue on its row, and all but the first find it used. The family row is then read
//!   `FOR SHARE`, so a concurrent revocation (a password change, a detected reuse) either
//!   commits first and refuses the exchange, or waits for it and revokes its successor too;
//! - a session start reads the account row `FOR SHARE` with the credential version it was
//!   given: a password change (which updates that row) waits for starts in flight and then
//!   revokes their families, and starts after it find the version moved;
//! - a throttle attempt updates each bucket with one `INSERT … ON CONFLICT DO UPDATE … WHERE
//!   level >= 1`, all in one transaction, rolled back if any bucket is empty.
//!
//! Migrations run at connect, under `pg_advisory_xact_lock`, so replicas starting together
//! apply each step once. Acknowledged writes are committed (`synchronous_commit` as the
//! server is configured: keep its default, `on`).
//!
//! Connections are made without TLS ([`PostgresStore::connect`]): for a database reached over
//! an untrusted network, build a pool with a TLS connector and use
//! [`PostgresStore::from_pool`]. The database holds password hashes and private signing keys.

mod accounts;
mod connection;
mod keys;
mod migrate;
mod refresh;
mod throttle;
mod time;

pub use connection::PostgresStore;

#[cfg(feature = "testing")]
pub mod testing;
