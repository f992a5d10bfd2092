//! Schema migrations: at connect, in one transaction under an advisory lock, so replicas
//! starting together apply each step once.

use keyward_session::{StoreError, StoreErrorKind};

/// The advisory lock's key: "keyward" in ASCII, as a number no other migration tool uses.
const LOCK: i64 = 0x006b_6579_7761_7264;

/// Each step, in order; `keyward_session_schema` records how many have run.
const STEPS: &[&str] = &[
    // 1: the session tables. Instants are Unix milliseconds.
    "CREATE TABLE keyward_accounts (
         name               TEXT PRIMARY KEY,
         subject_key        TEXT NOT NULL,
         password_hash      TEXT NOT NULL,
         credential_version BIGINT NOT NULL,
         cutoff_ms          BIGINT,
         created_ms         BIGINT NOT NULL
     );
     CREATE INDEX keyward_accounts_by_subject_key ON keyward_accounts (subject_key);
     CREATE TABLE keyward_refresh_families (
         id         TEXT PRIMARY KEY,
         account    TEXT NOT NULL REFERENCES keyward_accounts (name) ON DELETE CASCADE,
         client_id  TEXT NOT NULL,
         created_ms BIGINT NOT NULL,
         expires_ms BIGINT NOT NULL,
         revoked_ms BIGINT
     );
     CREATE INDEX keyward_refresh_families_by_account ON keyward_refresh_families (account);
     CREATE TABLE keyward_refresh_tokens (
         digest     TEXT PRIMARY KEY,
         family_id  TEXT NOT NULL REFERENCES keyward_refresh_families (id) ON DELETE CASCADE,
         expires_ms BIGINT NOT NULL,
         used_ms    BIGINT,
         sealed     BYTEA
     );
     CREATE INDEX keyward_refresh_tokens_by_family ON keyward_refresh_tokens (family_id);
     CREATE TABLE keyward_throttle_buckets (
         key        TEXT PRIMARY KEY,
         tokens     DOUBLE PRECISION NOT NULL,
         updated_ms BIGINT NOT NULL,
         full_ms    BIGINT NOT NULL
     );
     CREATE TABLE keyward_known_devices (
         key      TEXT PRIMARY KEY,
         until_ms BIGINT NOT NULL
     );
     CREATE TABLE keyward_signing_keys (
         kid             TEXT PRIMARY KEY,
         state           TEXT NOT NULL CHECK (state IN ('next', 'current', 'retired')),
         private_pem     TEXT NOT NULL,
         published_ms    BIGINT NOT NULL,
         retire_until_ms BIGINT
     );
     CREATE UNIQUE INDEX keyward_signing_keys_one_per_state
         ON keyward_signing_keys (state) WHERE state <> 'retired';",
];

pub(crate) async fn run(client: &mut deadpool_postgres::Client) -> Result<(), StoreError> {
    let failed =
        |error| StoreError::new(StoreErrorKind::Migration, "migrate the schema").with_source(error);
    let transaction = client.transaction().await.map_err(failed)?;
    transaction
        .execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK])
        .await
        .map_err(failed)?;
    transaction
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS keyward_session_schema (steps BIGINT NOT NULL);
             INSERT INTO keyward_session_schema (steps)
                 SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM keyward_session_schema);",
        )
        .await
        .map_err(failed)?;
    let done: i64 = transaction
        .query_one("SELECT steps FROM keyward_session_schema", &[])
        .await
        .map_err(failed)?
        .get(0);
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
        transaction.batch_execute(step).await.map_err(failed)?;
    }
    let steps = i64::try_from(STEPS.len()).unwrap_or(i64::MAX);
    transaction
        .execute("UPDATE keyward_session_schema SET steps = $1", &[&steps])
        .await
        .map_err(failed)?;
    transaction.commit().await.map_err(failed)
}
