//! The keyward-session conformance suite on SQLite: a fresh database file per case.

use keyward_session::testing::StoreFactory;
use keyward_session_sqlite::SqliteStore;

struct Factory;

impl StoreFactory for Factory {
    type Store = SqliteStore;

    async fn fresh(&self) -> SqliteStore {
        let dir = std::env::temp_dir().join(format!(
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
