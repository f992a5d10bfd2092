//! Schema migrations: run at open, idempotent, in one `BEGIN IMMEDIATE` transaction, so two
//! processes opening one file together apply each step once.

use keyward_session::{StoreError, StoreErrorKind};
use rusqlite::{Connection, TransactionBehavior};

/// Each step, in order; `keyward_session_schema` records how many have run.
const STEPS: &[&str] = &[
    // 1: the session tables. Instants are Unix milliseconds.
    "CREATE TABLE keyward_accounts (
         name               TEXT PRIMARY KEY,
         subject_key        TEXT NOT NULL,
         password_hash      TEXT NOT NULL,
         credential_version INTEGER NOT NULL,
         cutoff_ms          INTEGER,
         created_ms         INTEGER NOT NULL
     );
     CREATE INDEX keyward_accounts_by_subject_key ON keyward_accounts (subject_key);
     CREATE TABLE keyward_refresh_families (
         id         TEXT PRIMARY KEY,
         account    TEXT NOT NULL REFERENCES keyward_accounts (name) ON DELETE CASCADE,
         client_id  TEXT NOT NULL,
         created_ms INTEGER NOT NULL,
         expires_ms INTEGER NOT NULL,
         revoked_ms INTEGER
     );
     CREATE INDEX keyward_refresh_families_by_account ON keyward_refresh_families (account);
     CREATE TABLE keyward_refresh_tokens (
         digest     TEXT PRIMARY KEY,
         family_id  TEXT NOT NULL REFERENCES keyward_refresh_families (id) ON DELETE CASCADE,
         expires_ms INTEGER NOT NULL,
         used_ms    INTEGER,
         sealed     BLOB
     );
     CREATE INDEX keyward_refresh_tokens_by_family ON keyward_refresh_tokens (family_id);
     CREATE TABLE keyward_throttle_buckets (
         key        TEXT PRIMARY KEY,
         tokens     REAL NOT NULL,
         updated_ms INTEGER NOT NULL,
         full_ms    INTEGER NOT NULL
     );
     CREATE TABLE keyward_known_devices (
         key      TEXT PRIMARY KEY,
         until_ms INTEGER NOT NULL
     );
     CREATE TABLE keyward_signing_keys (
         kid             TEXT PRIMARY KEY,
         state           TEXT NOT NULL CHECK (state IN ('next', 'current', 'retired')),
         private_pem     TEXT NOT NULL,
         published_ms    INTEGER NOT NULL,
         retire_until_ms INTEGER
     );
     CREATE UNIQUE INDEX keyward_signing_keys_one_per_state
         ON keyward_signing_keys (state) WHERE state <> 'retired';",
];

pub(crate) fn run(connection: &mut Connection) -> Result<(), StoreError> {
    let failed =
        |error| StoreError::new(StoreErrorKind::Migration, "migrate the schema").with_source(error);
    let transaction = connection
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(failed)?;
    transaction
        .execute_batch(
            "CREATE TABLE IF NOT EXISTS keyward_session_schema (steps INTEGER NOT NULL);
             INSERT INTO keyward_session_schema (steps)
                 SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM keyward_session_schema);",
        )
        .map_err(failed)?;
    let done: i64 = transaction
        .query_row("SELECT steps FROM keyward_session_schema", [], |row| {
            row.get(0)
        })
        .map_err(failed)?;
    let done = usize::try_from(done).unwrap_or(usize::MAX);
    if done > STEPS.len() {
        return Err(
            StoreError::new(StoreErrorKind::Migration, "migrate the schema").with_detail(format!(
                "the database is at schema step {done}, newer than this version's {}",
                STEPS.len()
            )),
        );
    }
    for step in &STEPS[done..] {
        transaction.execute_batch(step).map_err(failed)?;
    }
    transaction
        .execute(
            "UPDATE keyward_session_schema SET steps = ?1",
            [i64::try_from(STEPS.len()).unwrap_or(i64::MAX)],
        )
        .map_err(failed)?;
    transaction.commit().map_err(failed)
}
