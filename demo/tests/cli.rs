//! The operator CLI (`demo/src/bin/keyward.rs`) run as a user runs it: the built binary,
//! standard input, standard output and exit codes.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use keyward::token::{TokenIssuer, TokenVerifier, VerifyingKey};

/// The CLI binary Cargo built for this test (`CARGO_BIN_EXE_keyward`: integration tests of a
/// package with binaries always get them built first, so it is never stale).
fn cli() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_keyward"));
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
            "hash is in no format keyward reads; expected bcrypt, bcrypt-sha256 or argon2",
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

/// `tests/keys/<name>`.
fn key_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/keys")
        .join(name)
}

/// A file under Cargo's scratch directory for integration tests, unique to this test.
fn scratch_file(name: &str, contents: &str) -> PathBuf {
    let path =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-{}-{name}", std::process::id()));
    std::fs::write(&path, contents).unwrap();
    path
}

/// `token` with the character at `index` replaced by a different one, so the change is certain
/// (replacing with a fixed character is a no-op when the token already has it there).
fn tampered_at(token: &str, index: usize) -> String {
    let mut bytes = token.as_bytes().to_vec();
    bytes[index] = if bytes[index] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(bytes).unwrap();
    assert_ne!(tampered, token);
    tampered
}

/// An ES256 access token signed with `tests/keys/<private_key>`.
fn es256_token(private_key: &str, key_id: Option<&str>) -> String {
    let pem = std::fs::read(key_path(private_key)).unwrap();
    let mut issuer = TokenIssuer::from_pem(pem).unwrap();
    if let Some(kid) = key_id {
        issuer = issuer.with_key_id(kid);
    }
    issuer.issue("alice", &()).unwrap()
}

#[test]
fn an_empty_password_is_refused() {
    for input in [&b""[..], b"\n", b"\r\n"] {
        let output = run(with_args(&["hash", "--cost", "4"]), input);
        assert_eq!(output.status.code(), Some(2), "{input:?}");
        assert!(output.stdout.is_empty(), "{}", text(&output.stdout));
        assert!(
            text(&output.stderr).contains("refusing to hash an empty password"),
            "{}",
            text(&output.stderr)
        );
    }
}

#[test]
fn an_out_of_range_ttl_names_the_range() {
    for ttl in ["0", "31622401"] {
        let mut issue = with_args(&["issue", "--sub", "alice", "--ttl", ttl]);
        issue.env("KEYWARD_SECRET", secret());
        let output = run(issue, b"");
        assert_eq!(output.status.code(), Some(2), "--ttl {ttl}");
        let message = text(&output.stderr);
        assert!(
            message.contains("from 1 to 31622400") && message.contains("--ttl"),
            "--ttl {ttl}: {message}"
        );
    }
    let mut longest = with_args(&["issue", "--sub", "alice", "--ttl", "31622400"]);
    longest.env("KEYWARD_SECRET", secret());
    let output = run(longest, b"");
    assert!(output.status.success(), "{}", text(&output.stderr));
}

#[test]
fn every_positional_argument_has_help_text() {
    let help = text(&run(with_args(&["--help"]), b"").stdout);
    let commands: Vec<String> = help
        .split("Commands:")
        .nth(1)
        .expect("--help lists the commands")
        .lines()
        .skip(1)
        .take_while(|line| !line.trim().is_empty())
        .filter_map(|line| line.split_whitespace().next().map(str::to_owned))
        .filter(|name| name != "help")
        .collect();
    assert!(commands.len() >= 6, "{commands:?}");
    let mut positionals = 0;
    for command in &commands {
        let help = text(&run(with_args(&[command, "--help"]), b"").stdout);
        let Some(arguments) = help.split("Arguments:").nth(1) else {
            continue;
        };
        for line in arguments
            .lines()
            .skip(1)
            .take_while(|line| !line.trim().is_empty())
        {
            let line = line.trim();
            let described = line.starts_with('<')
                && line
                    .split_once('>')
                    .is_some_and(|(_, rest)| !rest.trim().is_empty());
            assert!(described, "{command}: positional without help: {line:?}");
            positionals += 1;
        }
    }
    // `verify <HASH>` and `inspect <TOKEN>` at least.
    assert!(positionals >= 2, "{positionals}");
}

#[test]
fn inspect_verifies_with_a_pem_public_key() {
    let token = es256_token("p256-1-private.pem", None);
    let public = key_path("p256-1-public.pem");
    let public = public.to_str().unwrap();

    let verified = run(
        with_args(&["inspect", &token, "--verify", "--key-pem", public]),
        b"",
    );
    assert_eq!(
        verified.status.code(),
        Some(0),
        "{}",
        text(&verified.stderr)
    );
    let shown = text(&verified.stdout);
    assert!(
        shown.contains(r#""alg": "ES256""#) && shown.contains("VERIFIED: signature valid"),
        "{shown}"
    );

    // Signed by another P-256 key.
    let other = es256_token("p256-2-private.pem", None);
    let refused = run(
        with_args(&["inspect", &other, "--verify", "--key-pem", public]),
        b"",
    );
    assert_eq!(refused.status.code(), Some(1));
    assert!(text(&refused.stderr).contains("NOT VALID: token signature is invalid"));

    // The first character of the signature, which carries six whole bits of it.
    let signature_start = token.rfind('.').unwrap() + 1;
    let tampered = tampered_at(&token, signature_start);
    let refused = run(
        with_args(&["inspect", &tampered, "--verify", "--key-pem", public]),
        b"",
    );
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused.stderr));
    assert!(text(&refused.stderr).contains("NOT VALID"));

    // An HS256 token is not accepted by an ES256 key, whatever its header says.
    let secret = secret();
    let mut issue = with_args(&["issue", "--sub", "alice"]);
    issue.env("KEYWARD_SECRET", &secret);
    let hs256 = text(&run(issue, b"").stdout).trim().to_owned();
    let refused = run(
        with_args(&["inspect", &hs256, "--verify", "--key-pem", public]),
        b"",
    );
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        text(&refused.stderr).contains("signed with HS256, but the key is for ES256"),
        "{}",
        text(&refused.stderr)
    );

    // A private key where the public one belongs: said so, with the way out.
    let private = key_path("p256-1-private.pem");
    let wrong = run(
        with_args(&[
            "inspect",
            &token,
            "--verify",
            "--key-pem",
            private.to_str().unwrap(),
        ]),
        b"",
    );
    assert_eq!(wrong.status.code(), Some(2));
    assert!(
        text(&wrong.stderr).contains("-pubout"),
        "{}",
        text(&wrong.stderr)
    );
}

#[test]
fn inspect_verifies_with_a_jwks_and_lists_skipped_keys() {
    let public = std::fs::read(key_path("p256-1-public.pem")).unwrap();
    let jwk = VerifyingKey::from_pem(public)
        .unwrap()
        .with_key_id("p256-1")
        .to_jwk()
        .unwrap();
    let jwks = format!(
        r#"{{"keys":[{jwk},{{"kty":"EC","crv":"P-521","kid":"big"}},{{"kty":"RSA","kid":"enc-1","use":"enc","alg":"RSA-OAEP","n":"AQAB","e":"AQAB"}}]}}"#
    );
    let jwks = scratch_file("jwks.json", &jwks);
    let jwks = jwks.to_str().unwrap();

    let token = es256_token("p256-1-private.pem", Some("p256-1"));
    let verified = run(
        with_args(&["inspect", &token, "--verify", "--jwks", jwks]),
        b"",
    );
    assert_eq!(
        verified.status.code(),
        Some(0),
        "{}",
        text(&verified.stderr)
    );
    assert!(text(&verified.stdout).contains("VERIFIED: signature valid"));
    let notes = text(&verified.stderr);
    assert!(
        notes.contains(r#"skipped key 1 (kid "big"): curve "P-521" is not supported"#)
            && notes.contains(r#"skipped key 2 (kid "enc-1"): key is for "enc""#),
        "{notes}"
    );

    let unknown = es256_token("p256-2-private.pem", Some("p256-2"));
    let refused = run(
        with_args(&["inspect", &unknown, "--verify", "--jwks", jwks]),
        b"",
    );
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        text(&refused.stderr).contains(r#"no verification key has the token's key id "p256-2""#),
        "{}",
        text(&refused.stderr)
    );

    // Nothing usable: every key's reason is printed, then the failure.
    let useless = scratch_file(
        "useless-jwks.json",
        r#"{"keys":[{"kty":"EC","crv":"P-521","kid":"big"}]}"#,
    );
    let output = run(
        with_args(&[
            "inspect",
            &token,
            "--verify",
            "--jwks",
            useless.to_str().unwrap(),
        ]),
        b"",
    );
    assert_eq!(output.status.code(), Some(2));
    let message = text(&output.stderr);
    assert!(
        message.contains(r#"skipped key 0 (kid "big")"#) && message.contains("no usable"),
        "{message}"
    );
}

#[test]
fn a_missing_key_file_is_named() {
    let token = es256_token("p256-1-private.pem", None);
    let missing = Path::new(env!("CARGO_TARGET_TMPDIR")).join("no-such-dir/missing-key.pem");
    let missing = missing.to_str().unwrap();
    for flag in ["--key-pem", "--jwks"] {
        let output = run(
            with_args(&["inspect", &token, "--verify", flag, missing]),
            b"",
        );
        assert_eq!(output.status.code(), Some(2), "{flag}");
        let message = text(&output.stderr);
        assert!(
            message.contains(missing) && !message.contains("Os {"),
            "{flag}: {message}"
        );
        // The key is read before the unverified contents are shown.
        assert!(output.stdout.is_empty(), "{flag}");
    }
}

#[test]
fn the_secret_encoding_is_chosen_never_guessed() {
    let hex = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    let mut ambiguous = with_args(&["issue", "--sub", "alice"]);
    ambiguous.env("KEYWARD_SECRET", hex);
    let output = run(ambiguous, b"");
    assert_eq!(output.status.code(), Some(2));
    let message = text(&output.stderr);
    assert!(
        message.contains("all hex digits") && message.contains("--secret-encoding hex"),
        "{message}"
    );

    let mut issue = with_args(&["issue", "--sub", "alice", "--secret-encoding", "hex"]);
    issue.env("KEYWARD_SECRET", hex);
    let output = run(issue, b"");
    assert!(output.status.success(), "{}", text(&output.stderr));
    let token = text(&output.stdout).trim().to_owned();

    let bytes: Vec<u8> = (0..hex.len() / 2)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    let by_hand = TokenVerifier::new(VerifyingKey::hs256(bytes).unwrap());
    assert!(by_hand.verify::<()>(&token).is_ok());

    // The same text as the secret's own bytes is another key.
    let mut as_text = with_args(&["inspect", &token, "--verify", "--secret-encoding", "text"]);
    as_text.env("KEYWARD_SECRET", hex);
    assert_eq!(run(as_text, b"").status.code(), Some(1));
    let mut as_hex = with_args(&["inspect", &token, "--verify", "--secret-encoding", "hex"]);
    as_hex.env("KEYWARD_SECRET", hex);
    assert_eq!(run(as_hex, b"").status.code(), Some(0));
}
