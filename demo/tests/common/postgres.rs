//! A throwaway Postgres cluster for the multi-replica tests: `initdb` into a temporary folder
//! (as the `postgres` user when the tests run as root, since `initdb` refuses root), `fsync`
//! off, listening on a free loopback port only, stopped (`pg_ctl stop -m immediate`) and
//! removed when dropped.
//!
//! The binaries come from `KEYWARD_PG_BINDIR`, or Debian's `/usr/lib/postgresql/<version>/bin`
//! (`scripts/postgres-env.sh` installs them). Without them the tests are skipped with a note,
//! except under CI (`CI=true`) or `KEYWARD_REQUIRE_POSTGRES=1`, where that is a failure.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// A running cluster; see the module documentation.
pub struct Postgres {
    bindir: PathBuf,
    dir: PathBuf,
    port: u16,
    as_root: bool,
    databases: std::sync::atomic::AtomicUsize,
}

fn required() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
        || std::env::var("KEYWARD_REQUIRE_POSTGRES").is_ok_and(|v| v == "1")
}

fn bindir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("KEYWARD_PG_BINDIR") {
        return Some(PathBuf::from(dir));
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| entry.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("initdb").exists())
        .collect();
    // The newest major version, by number (10 sorts after 9).
    found.sort_by_key(|bin| {
        bin.parent()
            .and_then(Path::file_name)
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
    });
    found.pop()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Postgres {
    /// Starts a cluster, or `None` (skip) when Postgres is not installed and not required.
    ///
    /// # Panics
    ///
    /// When Postgres is required but missing, or fails to start.
    pub fn start() -> Option<Postgres> {
        let Some(bindir) = bindir() else {
            assert!(
                !required(),
                "Postgres is not installed: run scripts/postgres-env.sh (apt-get install postgresql) \
                 or set KEYWARD_PG_BINDIR"
            );
            eprintln!("skipped: Postgres is not installed (run scripts/postgres-env.sh)");
            return None;
        };
        let as_root = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|out| out.stdout.trim_ascii() == b"0");
        // A free port can be taken between the probe and the server's bind: try a few.
        let mut last = String::new();
        for _ in 0..3 {
            let dir = super::temp::TempDb::new("pg").0.with_extension("d");
            std::fs::create_dir_all(&dir).unwrap();
            let cluster = Postgres {
                bindir: bindir.clone(),
                dir,
                port: free_port(),
                as_root,
                databases: 0.into(),
            };
            match cluster.init_and_start() {
                Ok(()) => return Some(cluster),
                Err(error) => last = error,
            }
        }
        panic!("Postgres did not start: {last}");
    }

    fn command(&self, tool: &str) -> Command {
        let program = self.bindir.join(tool);
        if self.as_root {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        }
    }

    fn run(&self, tool: &str, args: &[&str]) -> Result<(), String> {
        let output = self
            .command(tool)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|error| format!("{tool}: {error}"))?;
        if output.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{tool} failed: {}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ))
        }
    }

    fn init_and_start(&self) -> Result<(), String> {
        if self.as_root {
            let owner = Command::new("chown")
                .arg("postgres:postgres")
                .arg(&self.dir)
                .status()
                .map_err(|error| error.to_string())?;
            if !owner.success() {
                return Err("chown postgres failed".into());
            }
        }
        let data = self.dir.join("data");
        let data = data.to_str().unwrap();
        self.run(
            "initdb",
            &[
                "-D",
                data,
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        )?;
        let options = format!(
            "-c fsync=off -c full_page_writes=off -c listen_addresses=127.0.0.1 -c port={} \
             -c unix_socket_directories={} -c max_connections=300",
            self.port,
            self.dir.display()
        );
        let log = self.dir.join("log");
        self.run(
            "pg_ctl",
            &[
                "-D",
                data,
                "-w",
                "-t",
                "60",
                "-l",
                log.to_str().unwrap(),
                "-o",
                &options,
                "start",
            ],
        )
    }

    /// A new, empty database: its URL. Retries while the server is still starting (SQLSTATE
    /// 57P03, "the database system is starting up": about one start in six).
    pub fn new_database(&self) -> String {
        let n = self
            .databases
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = format!("replicas{n}");
        let port = self.port.to_string();
        let mut last = String::new();
        for _ in 0..100 {
            match self.run(
                "createdb",
                &["-h", "127.0.0.1", "-p", &port, "-U", "postgres", &name],
            ) {
                Ok(()) => return format!("postgres://postgres@127.0.0.1:{}/{name}", self.port),
                Err(error) => last = error,
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("createdb {name}: {last}");
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let data = self.dir.join("data");
        let _ = self.run(
            "pg_ctl",
            &["-D", data.to_str().unwrap(), "-m", "immediate", "stop"],
        );
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
