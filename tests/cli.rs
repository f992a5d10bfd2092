//! The operator CLI (`examples/keyward.rs`) run as a user runs it: the built example binary,
//! standard input, standard output and exit codes.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// `cargo test` builds the examples next to the test binaries: `target/<profile>/examples/`.
fn cli() -> Command {
    let deps = std::env::current_exe()
        .unwrap()
        .parent()
        .unwrap()
        .to_path_buf();
    let binary: PathBuf = deps.parent().unwrap().join("examples").join("keyward");
    assert!(
        binary.exists(),
        "{} is missing: run `cargo test`, which builds the examples",
        binary.display()
    );
    let mut command = Command::new(binary);
    command.env_remove("KEYWARD_SECRET");
    command
}

fn run(mut command: Command, stdin: &[u8]) -> Output {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A command that fails before reading its input closes the pipe early; that is not an error.
    let _ = child.stdin.take().unwrap().write_all(stdin);
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn secret() -> String {
    let output = run(with_args(&["gen-secret"]), b"");
    assert!(output.status.success());
    text(&output.stdout).trim().to_owned()
}

fn with_args(args: &[&str]) -> Command {
    let mut command = cli();
    command.args(args);
    command
}

#[test]
fn hash_then_verify_through_stdin() {
    let output = run(
        with_args(&["hash", "--cost", "4"]),
        b"correct horse battery staple\n",
    );
    assert!(output.status.success(), "{}", text(&output.stderr));
    let hash = text(&output.stdout).trim().to_owned();
    assert!(hash.starts_with("$2b$04$") && hash.len() == 60, "{hash}");

    let ok = run(
        with_args(&["verify", &hash]),
        b"correct horse battery staple\n",
    );
    assert_eq!(ok.status.code(), Some(0));
    assert!(text(&ok.stdout).contains("ok"));

    let wrong = run(
        with_args(&["verify", &hash]),
        b"correct horse battery stapler\n",
    );
    assert_eq!(wrong.status.code(), Some(1));
    assert_eq!(
        text(&wrong.stderr).trim(),
        "keyward: password does not match"
    );
}

#[test]
fn only_the_line_ending_is_removed_from_piped_passwords() {
    let hash = text(&run(with_args(&["hash", "--cost", "4"]), b" spaced pass \r\n").stdout)
        .trim()
        .to_owned();
    assert_eq!(
        run(with_args(&["verify", &hash]), b" spaced pass ")
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        run(with_args(&["verify", &hash]), b"spaced pass")
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn over_long_passwords_are_explained_and_pre_hash_accepts_them() {
    let long = "x".repeat(80);
    let refused = run(with_args(&["hash", "--cost", "4"]), long.as_bytes());
    assert_eq!(refused.status.code(), Some(2));
    let message = text(&refused.stderr);
    assert!(
        message.contains("80 bytes long; at most 72") && message.contains("--pre-hash"),
        "{message}"
    );

    let accepted = run(
        with_args(&["hash", "--cost", "4", "--pre-hash"]),
        long.as_bytes(),
    );
    assert!(accepted.status.success());
    let hash = text(&accepted.stdout).trim().to_owned();
    assert!(hash.starts_with("$bcrypt-sha256$v=2,t=2b,r=4$"), "{hash}");
    assert_eq!(
        run(with_args(&["verify", &hash]), long.as_bytes())
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn bad_input_gives_a_message_and_exit_code_2() {
    for (args, expected) in [
        (vec!["verify", "$2b$04$broken"], "hash is malformed"),
        (
            vec!["verify", "plain text"],
            "hash is not in a recognised bcrypt format",
        ),
        (
            vec!["hash", "--cost", "3"],
            "bcrypt cost 3 is outside the allowed range 4..=31",
        ),
        (
            vec!["issue", "--sub", "alice"],
            "environment variable KEYWARD_SECRET is not set",
        ),
        (vec!["inspect", "not-a-token"], "three dot-separated parts"),
    ] {
        let output = run(with_args(&args), b"password\n");
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(
            text(&output.stderr).contains(expected),
            "{args:?}: {}",
            text(&output.stderr)
        );
    }
    let unknown = run(with_args(&["frobnicate"]), b"");
    assert_eq!(unknown.status.code(), Some(2));
}

#[test]
fn generated_secrets_are_fresh_and_usable() {
    let (a, b) = (secret(), secret());
    assert_ne!(a, b);
    assert_eq!(a.len(), 86);
    assert!(keyward::SecretKey::from_base64(&a).unwrap().len() == 64);
}

#[test]
fn issue_then_inspect_with_and_without_verification() {
    let secret = secret();
    let mut issue = with_args(&[
        "issue",
        "--sub",
        "alice",
        "--ttl",
        "300",
        "--claims",
        r#"{"role":"admin"}"#,
        "--audience",
        "api",
    ]);
    issue.env("KEYWARD_SECRET", &secret);
    let output = run(issue, b"");
    assert!(output.status.success(), "{}", text(&output.stderr));
    let token = text(&output.stdout).trim().to_owned();

    let unverified = run(with_args(&["inspect", &token]), b"");
    let shown = text(&unverified.stdout);
    assert!(unverified.status.success());
    assert!(
        shown.contains("NOT VERIFIED")
            && shown.contains(r#""role": "admin""#)
            && shown.contains(r#""typ": "at+jwt""#),
        "{shown}"
    );

    let mut verify = with_args(&["inspect", &token, "--verify", "--audience", "api"]);
    verify.env("KEYWARD_SECRET", &secret);
    let verified = run(verify, b"");
    assert!(verified.status.success(), "{}", text(&verified.stderr));
    assert!(text(&verified.stdout).contains("VERIFIED: signature valid"));

    let mut wrong_key = with_args(&["inspect", &token, "--verify", "--audience", "api"]);
    wrong_key.env("KEYWARD_SECRET", self::secret());
    let refused = run(wrong_key, b"");
    assert_eq!(refused.status.code(), Some(1));
    assert!(text(&refused.stderr).contains("NOT VALID: token signature is invalid"));
}

#[test]
fn calibrate_prints_a_cost_table() {
    let output = run(with_args(&["calibrate", "--max-ms", "30"]), b"");
    assert!(output.status.success());
    let table = text(&output.stdout);
    assert!(table.starts_with("cost   ms per hash\n   4"), "{table}");
}
