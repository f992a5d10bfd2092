//! What only the SQLite store has: its file, migrations and durability.

use std::path::PathBuf;
use std::process::Command;

use keyward_session::testing::{Harness, unique};
use keyward_session::{AccountName, SessionError, StoreErrorKind};
use keyward_session_sqlite::{Durability, SqliteStore};

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "keyward-sqlite-store-{}-{}",
        std::process::id(),
        unique(name)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("sessions.db")
}

/// Opening again runs no migration twice and keeps the data; two stores opening one new
/// file at once both succeed.
#[tokio::test(flavor = "multi_thread")]
async fn migrations_are_idempotent_and_safe_together() {
    let path = scratch("migrate");
    let (a, b) = tokio::join!(SqliteStore::open(&path), SqliteStore::open(&path));
    let (a, _b) = (a.unwrap(), b.unwrap());
    let name = Harness::new(a).account("kept", "a password").await;
    let reopened = SqliteStore::open(&path).await.unwrap();
    let h = Harness::new(reopened);
    assert!(
        h.sessions
            .find_account(name.name())
            .await
            .unwrap()
            .is_some()
    );
}

/// A file migrated by a newer version is refused, not downgraded.
#[tokio::test]
async fn a_newer_schema_is_refused() {
    let path = scratch("newer");
    drop(SqliteStore::open(&path).await.unwrap());
    let connection = rusqlite::Connection::open(&path).unwrap();
    connection
        .execute("UPDATE keyward_session_schema SET steps = steps + 1", [])
        .unwrap();
    drop(connection);
    match SqliteStore::open(&path).await {
        Err(SessionError::Store(error)) => assert_eq!(error.kind(), StoreErrorKind::Migration),
        other => panic!("wanted a migration error, got {other:?}"),
    }
}

/// The durability setting shows in `Debug`, so a weaker one is visible in logs.
#[tokio::test]
async fn durability_is_visible() {
    let store = SqliteStore::open_with_durability(scratch("debug"), Durability::ProcessCrash)
        .await
        .unwrap();
    assert!(format!("{store:?}").contains("ProcessCrash"));
}

/// A child process registers accounts and prints each name once its registration is
/// acknowledged; it is killed with SIGKILL mid-burst. Every acknowledged name is there.
#[test]
fn nothing_acknowledged_is_lost_to_a_killed_process() {
    if let Ok(path) = std::env::var("KEYWARD_SQLITE_CHILD_DB") {
        child(&path);
        return;
    }
    let path = scratch("kill");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "nothing_acknowledged_is_lost_to_a_killed_process",
            "--nocapture",
        ])
        .env("KEYWARD_SQLITE_CHILD_DB", &path)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut acknowledged = Vec::new();
    {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout).lines() {
            let line = line.unwrap();
            if let Some(name) = line.strip_prefix("ACK ") {
                acknowledged.push(name.to_owned());
                if acknowledged.len() == 200 {
                    break;
                }
            }
        }
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert_eq!(acknowledged.len(), 200, "the child stopped early");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let h = Harness::new(SqliteStore::open(&path).await.unwrap());
        for name in &acknowledged {
            let name = AccountName::new(name.as_str()).unwrap();
            assert!(
                h.sessions.find_account(&name).await.unwrap().is_some(),
                "{name} was acknowledged, then lost"
            );
        }
    });
}

fn child(path: &str) {
    use std::io::Write;
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let h = Harness::new(SqliteStore::open(path).await.unwrap());
        let hash = keyward_session::testing::hash("a password");
        for n in 0.. {
            let name = AccountName::new(format!("user{n}")).unwrap();
            h.sessions.register(&name, &hash).await.unwrap();
            let mut out = std::io::stdout().lock();
            writeln!(out, "ACK {name}").unwrap();
            out.flush().unwrap();
        }
    });
}
