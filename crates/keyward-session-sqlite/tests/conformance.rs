//! The keyward-session conformance suite on SQLite: a fresh database file per case.

use keyward_session::testing::StoreFactory;
use keyward_session_sqlite::SqliteStore;

struct Factory;

impl StoreFactory for Factory {
    type Store = SqliteStore;

    async fn fresh(&self) -> SqliteStore {
        // Under target/tmp (Cargo's scratch folder for integration tests), one file per case.
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "keyward-session-sqlite-{}-{}",
            std::process::id(),
            keyward_session::testing::unique("case")
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        SqliteStore::open(dir.join("sessions.db"))
            .await
            .expect("open")
    }
}

keyward_session::conformance_tests!(Factory);
