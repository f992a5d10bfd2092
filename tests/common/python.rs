//! Runs the Python interop scripts in `tests/interop/` inside the virtualenvs that
//! `scripts/interop-env.sh` creates.
//!
//! A missing environment is never a silent pass:
//! - the interop tests are `#[ignore = "needs the interop environments ..."]`, so a plain
//!   `cargo test` lists them as ignored; `scripts/test.sh` builds the environments and runs
//!   them with `--include-ignored`;
//! - [`answer`], which they call, fails the test when its virtualenv is missing: a test that
//!   was asked to run does run.
//!
//! [`run`] is the older form for tests that are not ignored (demo/tests/server.rs): it skips
//! with a note on stderr, unless `KEYWARD_REQUIRE_INTEROP=1` (set by `scripts/test.sh`) makes a
//! missing virtualenv a failure there too.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::Value;

/// The Python environments of `scripts/interop-env.sh`.
#[derive(Clone, Copy, Debug)]
pub enum Venv {
    /// pyca bcrypt 5 and PyJWT.
    Modern,
    /// passlib 1.7.4 on pyca bcrypt 4.0.1.
    Passlib,
    /// python-jose 3.5.0 with its cryptography backend: the token library of the FastAPI
    /// tutorial's OAuth2 with JWT example (fastapi.tiangolo.com/tutorial/security/oauth2-jwt/).
    Jose,
    /// argon2-cffi 25.1.0, pwdlib 0.3.1 and passlib 1.7.4 (Argon2).
    Argon2,
}

/// The virtualenv's interpreter, if `scripts/interop-env.sh` made it.
fn installed(venv: Venv) -> Result<PathBuf, PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::var_os("KEYWARD_INTEROP_DIR")
        .map_or_else(|| root.join("target/interop"), |d| root.join(d));
    let name = match venv {
        Venv::Modern => "venv-modern",
        Venv::Passlib => "venv-passlib",
        Venv::Argon2 => "venv-argon2",
        Venv::Jose => "venv-jose",
    };
    let python = dir.join(name).join("bin/python");
    if python.exists() {
        Ok(python)
    } else {
        Err(python)
    }
}

fn interpreter(venv: Venv) -> Option<PathBuf> {
    let python = match installed(venv) {
        Ok(python) => return Some(python),
        Err(missing) => missing,
    };
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

/// Sends `request` to `tests/interop/<script>` and returns its JSON answer; fails the test
/// when the virtualenv is missing (run `scripts/interop-env.sh`).
pub fn answer(venv: Venv, script: &str, request: &Value) -> Value {
    let python = installed(venv).unwrap_or_else(|missing| {
        panic!(
            "{} is missing: run scripts/interop-env.sh (or scripts/test.sh)",
            missing.display()
        )
    });
    ask(&python, script, request)
}

/// Sends `request` to `tests/interop/<script>` and returns its JSON answer, or `None` when the
/// virtualenv is absent and interop is not required (see the module docs: new tests are
/// `#[ignore]`d and call [`answer`]).
pub fn run(venv: Venv, script: &str, request: &Value) -> Option<Value> {
    let python = interpreter(venv)?;
    Some(ask(&python, script, request))
}

/// Runs `script` under `python` with `request` on its standard input.
fn ask(python: &std::path::Path, script: &str, request: &Value) -> Value {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/interop")
        .join(script);
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
    serde_json::from_slice(&output.stdout).expect("the script answers JSON")
}

/// Standard base64, the scripts' encoding for raw bytes.
pub fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
