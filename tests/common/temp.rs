//! Temporary SQLite database files for the server tests.

use std::path::PathBuf;

/// A fresh database path in the system temp directory; the file and SQLite's `-wal`/`-shm`
/// companions are removed when dropped.
pub struct TempDb(pub PathBuf);

impl TempDb {
    pub fn new(name: &str) -> TempDb {
        use std::hash::{BuildHasher, RandomState};
        let unique = RandomState::new().hash_one(std::time::SystemTime::now());
        TempDb(std::env::temp_dir().join(format!(
            "keyward-{name}-{}-{unique:x}.db",
            std::process::id()
        )))
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.0.display()));
        }
    }
}
