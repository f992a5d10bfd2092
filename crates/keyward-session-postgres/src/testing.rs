//! A throwaway Postgres cluster per test binary (feature `testing`).
//!
//! [`TestCluster::shared`] starts one cluster the first time a test asks (initdb into a
//! temporary folder, as the `postgres` user when run as root, on a free loopback port, fsync
//! off), through the script `scripts/postgres.sh` embedded in this crate. A watcher process
//! stops the server and removes the folder once the test binary exits. Each test then takes a
//! database of its own with [`TestCluster::fresh_database`].
//!
//! With `KEYWARD_POSTGRES_URL` set, that server is used instead and nothing is started.
//! Without Postgres binaries, the tests are skipped with a message on stderr, unless
//! `CI=true` or `KEYWARD_REQUIRE_POSTGRES=1`, where they fail saying how to install it.
//!
//! ```no_run
//! use keyward_session_postgres::{PostgresStore, testing::TestCluster};
//!
//! # async fn f() {
//! let Some(cluster) = TestCluster::shared() else { return }; // skipped, and said so
//! let store = PostgresStore::connect(&cluster.fresh_database().await).await.unwrap();
//! # let _ = store; }
//! ```

// Test code: the helpers panic, with a message, when the cluster cannot be used.
#![allow(clippy::missing_panics_doc)]

use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The cluster script, also at the repository's `scripts/postgres.sh`.
pub const SCRIPT: &str = include_str!("../scripts/postgres.sh");

/// A running Postgres server for tests.
#[derive(Debug)]
pub struct TestCluster {
    url: String,
    dir: Option<String>,
}

impl TestCluster {
    /// Whether Postgres tests must run rather than skip: `CI=true` or
    /// `KEYWARD_REQUIRE_POSTGRES=1`.
    pub fn required() -> bool {
        std::env::var("CI").is_ok_and(|value| value == "true")
            || std::env::var("KEYWARD_REQUIRE_POSTGRES").is_ok_and(|value| value == "1")
    }

    /// The cluster of this test binary, started on first use; `None` (after saying why on
    /// stderr) when Postgres is not available and not [`required`](Self::required).
    ///
    /// # Panics
    ///
    /// When Postgres is required and cannot be started.
    pub fn shared() -> Option<&'static TestCluster> {
        static CLUSTER: OnceLock<Result<TestCluster, String>> = OnceLock::new();
        match CLUSTER.get_or_init(TestCluster::start_watched) {
            Ok(cluster) => Some(cluster),
            Err(reason) if Self::required() => {
                panic!(
                    "Postgres is required here (CI=true or KEYWARD_REQUIRE_POSTGRES=1): {reason}"
                )
            }
            Err(reason) => {
                eprintln!(
                    "SKIPPED: no Postgres ({reason}); set KEYWARD_REQUIRE_POSTGRES=1 to fail instead"
                );
                None
            }
        }
    }

    /// Starts a cluster (or takes `KEYWARD_POSTGRES_URL`) that is stopped and removed once
    /// this process exits.
    fn start_watched() -> Result<TestCluster, String> {
        if let Ok(url) = std::env::var("KEYWARD_POSTGRES_URL") {
            return Ok(TestCluster { url, dir: None });
        }
        let script = std::env::temp_dir().join(format!(
            "keyward-postgres-{}-{}.sh",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::write(&script, SCRIPT).map_err(|error| format!("write the script: {error}"))?;
        let output = Command::new("bash")
            .arg(&script)
            .arg("start")
            .arg("--watch")
            .arg(std::process::id().to_string())
            .output();
        let _ = std::fs::remove_file(&script);
        let output = output.map_err(|error| format!("run bash: {error}"))?;
        if !output.status.success() {
            return Err(String::from_utf8_lossy(&output.stderr).trim().to_owned());
        }
        let stdout = String::from_utf8_lossy(&output.stdout);
        let value = |name: &str| {
            stdout
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .map(str::to_owned)
        };
        Ok(TestCluster {
            url: value("KEYWARD_POSTGRES_URL=").ok_or("the script printed no URL")?,
            dir: value("KEYWARD_POSTGRES_DIR="),
        })
    }

    /// The server's URL (its `postgres` database).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The cluster's folder, when this process started it.
    pub fn dir(&self) -> Option<&str> {
        self.dir.as_deref()
    }

    /// Creates a new, empty database and returns its URL. The first connection is retried
    /// while the server is starting up (SQLSTATE 57P03).
    pub async fn fresh_database(&self) -> String {
        let name = format!(
            "keyward_test_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let client = connect_retrying(&self.url).await;
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create a test database");
        with_database(&self.url, &name)
    }
}

static NEXT: AtomicU64 = AtomicU64::new(0);

/// `url` with its database replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let authority_end = base.find("://").map_or(0, |scheme| scheme + 3);
    let base = match base[authority_end..].find('/') {
        Some(slash) => &base[..authority_end + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}

/// A connection to `url`, retried for 30 s while the server refuses it as starting up.
pub async fn connect_retrying(url: &str) -> tokio_postgres::Client {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        match tokio_postgres::connect(url, tokio_postgres::NoTls).await {
            Ok((client, connection)) => {
                tokio::spawn(connection);
                return client;
            }
            Err(error) if tokio::time::Instant::now() < deadline => {
                let starting =
                    error.code() == Some(&tokio_postgres::error::SqlState::CANNOT_CONNECT_NOW);
                eprintln!(
                    "connecting to the test cluster: {error} (starting up: {starting}); retrying"
                );
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(error) => panic!("connect to the test cluster at {url}: {error}"),
        }
    }
}
