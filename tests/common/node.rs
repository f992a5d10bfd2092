//! Runs the Node `jose` interop script, `tests/interop/node/jose.mjs`, against the package tree
//! that `scripts/interop-env.sh` installs with `npm ci` (into
//! `${KEYWARD_INTEROP_DIR:-target/interop}/node`).
//!
//! As with the Python virtualenvs (`python.rs`): when `node` or the installed tree is missing the
//! test is skipped with a note, and `KEYWARD_REQUIRE_INTEROP=1` (set by `scripts/test.sh`) turns
//! that into a failure.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::Value;

fn skip_or_fail(what: &str) -> Option<()> {
    let required = std::env::var("KEYWARD_REQUIRE_INTEROP").is_ok_and(|v| v == "1");
    assert!(!required, "{what}: run scripts/interop-env.sh");
    eprintln!("skipped: {what} (run scripts/interop-env.sh)");
    None
}

/// The directory holding `node_modules/jose`, if it was installed.
fn installed_tree() -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::var_os("KEYWARD_INTEROP_DIR")
        .map_or_else(|| root.join("target/interop"), |d| root.join(d))
        .join("node");
    if dir.join("node_modules/jose/package.json").exists() {
        return Some(dir);
    }
    skip_or_fail(&format!("{}/node_modules/jose is missing", dir.display()))?;
    None
}

/// Sends `request` to `tests/interop/node/jose.mjs` and returns its JSON answer, or `None`
/// when Node or the installed `jose` is absent and interop is not required.
pub fn run(request: &Value) -> Option<Value> {
    run_script("jose.mjs", request)
}

/// As [`run`], with another script of `tests/interop/node/` (`dpop.mjs`).
pub fn run_script(name: &str, request: &Value) -> Option<Value> {
    let tree = installed_tree()?;
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/interop/node")
        .join(name);
    let child = Command::new("node")
        .arg(&script)
        .env("KEYWARD_NODE_DIR", &tree)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            skip_or_fail("node is not on PATH")?;
            return None;
        }
        Err(error) => panic!("start node: {error}"),
    };
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
