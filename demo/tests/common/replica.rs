//! The demo's server binaries (`CARGO_BIN_EXE_server`, `CARGO_BIN_EXE_resource_server`) as
//! child processes on 127.0.0.1, each one's address read from its own "listening" log line,
//! killed (`SIGKILL`) when dropped.

use std::io::{BufRead as _, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A running server process.
pub struct Replica {
    child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
    log: Arc<Mutex<String>>,
}

/// Drops terminal escape sequences (`ESC [ ... letter`) from a log line.
fn plain(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

impl Replica {
    /// Starts `<binary> --addr 127.0.0.1:0 <args>` with `env`, and waits (30 s at most) for it
    /// to listen.
    ///
    /// # Panics
    ///
    /// When it exits or stays silent instead.
    pub fn spawn(binary: &str, args: &[&str], env: &[(&str, &str)]) -> Replica {
        let mut child = Command::new(binary)
            .args(["--addr", "127.0.0.1:0"])
            .args(args)
            .envs(env.iter().copied())
            .env("NO_COLOR", "1")
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the server binary");
        let log = Arc::new(Mutex::new(String::new()));
        let (found, listening) = mpsc::channel();
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let (log, found) = (Arc::clone(&log), found.clone());
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines() {
                    let Ok(line) = line else { break };
                    let line = plain(&line);
                    if line.contains("listening") {
                        let addr = line
                            .split_whitespace()
                            .find_map(|word| word.strip_prefix("addr="))
                            .and_then(|addr| addr.parse::<SocketAddr>().ok());
                        if let Some(addr) = addr {
                            let _ = found.send(addr);
                        }
                    }
                    let mut log = log.lock().unwrap();
                    log.push_str(&line);
                    log.push('\n');
                }
            });
        }
        if let Ok(addr) = listening.recv_timeout(Duration::from_secs(30)) {
            return Replica { child, addr, log };
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("the server did not start:\n{}", log.lock().unwrap());
    }

    /// `http://<addr><path>`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Everything it logged so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// `SIGKILL`: no shutdown, no flush; what the store acknowledged must survive it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Sends a signal by name (`HUP`) with `kill(1)`.
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.child.id().to_string())
            .status()
            .unwrap();
        assert!(status.success(), "kill -{name}");
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        self.kill();
    }
}
