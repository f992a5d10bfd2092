//! Runs the Node `jose` interop script, `tests/interop/node/jose.mjs`, against the package tree
//! that `scripts/interop-env.sh` installs with `npm ci` (into
//! `${KEYWARD_INTEROP_DIR:-target/interop}/node`).
//!
//! As with the Python virtualenvs (`python.rs`), a missing environment is never a silent pass:
//! the tests that use it are `#[ignore]`d with the reason, `scripts/test.sh` runs them with
//! `--include-ignored`, and [`answer`] fails the test when `node` or the installed tree is
//! missing.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::Value;

/// Sends `request` to `tests/interop/node/jose.mjs` and returns its JSON answer; fails the
/// test when Node or the installed `jose` is missing (run `scripts/interop-env.sh`).
pub fn answer(request: &Value) -> Value {
    answer_script("jose.mjs", request)
}

/// As [`answer`], with another script of `tests/interop/node/` (`dpop.mjs`).
pub fn answer_script(name: &str, request: &Value) -> Value {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let tree = std::env::var_os("KEYWARD_INTEROP_DIR")
        .map_or_else(|| root.join("target/interop"), |d| root.join(d))
        .join("node");
    assert!(
        tree.join("node_modules/jose/package.json").exists(),
        "{}/node_modules/jose is missing: run scripts/interop-env.sh (or scripts/test.sh)",
        tree.display()
    );
    let script = root.join("tests/interop/node").join(name);
    let mut child = Command::new("node")
        .arg(&script)
        .env("KEYWARD_NODE_DIR", &tree)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("start node (run scripts/interop-env.sh): {error}"));
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
