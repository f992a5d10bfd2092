//! Runs the Python interop scripts inside the virtualenvs that `scripts/interop-env.sh` creates
//! (under `${KEYWARD_INTEROP_DIR:-target/interop}` at the repository root, a relative path
//! taken from there): the core crate's scripts in `tests/interop/`, the demo's own in
//! `demo/tests/interop/`.
//!
//! When a virtualenv is missing the test is skipped with a note, so `cargo test` passes on a
//! machine without Python packages; `scripts/test.sh` sets `KEYWARD_REQUIRE_INTEROP=1`, which
//! turns a missing virtualenv into a failure so CI always runs these tests for real.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::Value;

/// The Python environments of `scripts/interop-env.sh` the demo's tests use.
#[derive(Clone, Copy, Debug)]
pub enum Venv {
    /// pyca bcrypt 5 and PyJWT.
    Modern,
    /// authlib and requests-oauthlib: standard OAuth 2.0 clients.
    OAuth,
}

/// Where a script lives.
#[derive(Clone, Copy, Debug)]
pub enum Scripts {
    /// `tests/interop/`, the core crate's.
    Core,
    /// `demo/tests/interop/`, the demo's.
    Demo,
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("demo/ has a parent")
        .to_path_buf()
}

fn interpreter(venv: Venv) -> Option<PathBuf> {
    let root = repo_root();
    let dir = std::env::var_os("KEYWARD_INTEROP_DIR")
        .map_or_else(|| root.join("target/interop"), |d| root.join(d));
    let name = match venv {
        Venv::Modern => "venv-modern",
        Venv::OAuth => "venv-oauth",
    };
    let python = dir.join(name).join("bin/python");
    if python.exists() {
        return Some(python);
    }
    let required = std::env::var("KEYWARD_REQUIRE_INTEROP").is_ok_and(|v| v == "1");
    assert!(
        !required,
        "{} is missing: run scripts/interop-env.sh",
        python.display()
    );
    eprintln!(
        "skipped: {} is missing (run scripts/interop-env.sh)",
        python.display()
    );
    None
}

/// Sends `request` to the script and returns its JSON answer, or `None` when the virtualenv is
/// absent and interop is not required.
pub fn run_in(venv: Venv, scripts: Scripts, script: &str, request: &Value) -> Option<Value> {
    let python = interpreter(venv)?;
    let folder = match scripts {
        Scripts::Core => repo_root().join("tests/interop"),
        Scripts::Demo => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/interop"),
    };
    let script = folder.join(script);
    let mut child = Command::new(python)
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start python");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(request.to_string().as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{} failed: {}",
        script.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    Some(serde_json::from_slice(&output.stdout).expect("the script answers JSON"))
}

/// A core crate script (`tests/interop/`).
pub fn run(venv: Venv, script: &str, request: &Value) -> Option<Value> {
    run_in(venv, Scripts::Core, script, request)
}

/// Standard base64, the scripts' encoding for raw bytes.
pub fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
