//! `SecretKey`: loading from the environment with typed errors, generating, and never printing.
//!
//! Environment variables are process-wide, so each `from_env` case runs this test binary again
//! as a child process with the variable set (`CHILD` below), instead of mutating the
//! environment of the threads running other tests.

use keyward::{SecretEncoding, SecretError, SecretKey};
use std::process::Command;

const VAR: &str = "KEYWARD_TEST_SECRET";

/// Runs `child_reports_from_env` in a fresh process with `VAR` set to `value` and returns what
/// it printed: the `Debug` of `SecretKey::from_env(VAR, SecretEncoding::Base64)`'s result.
fn from_env_in_child(value: Option<&[u8]>) -> String {
    from_env_in_child_as(value, "base64")
}

/// As `from_env_in_child`, reading the variable as `encoding` (`base64`, `hex` or `text`).
fn from_env_in_child_as(value: Option<&[u8]>, encoding: &str) -> String {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args([
            "--exact",
            "secret::child_reports_from_env",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("KEYWARD_TEST_CHILD", encoding);
    command.env_remove(VAR);
    if let Some(value) = value {
        use std::os::unix::ffi::OsStrExt as _;
        command.env(VAR, std::ffi::OsStr::from_bytes(value));
    }
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    // libtest prints "test child_reports_from_env ... " on the same line before the output.
    let found = stdout
        .lines()
        .find_map(|line| line.split_once("RESULT ").map(|(_, result)| result));
    found
        .unwrap_or_else(|| panic!("no RESULT in {stdout:?}"))
        .to_owned()
}

/// Only does something inside the child process started by `from_env_in_child`.
#[test]
fn child_reports_from_env() {
    if let Ok(encoding) = std::env::var("KEYWARD_TEST_CHILD") {
        let encoding = match encoding.as_str() {
            "hex" => SecretEncoding::Hex,
            "text" => SecretEncoding::Text,
            _ => SecretEncoding::Base64,
        };
        match SecretKey::from_env(VAR, encoding) {
            Ok(key) => println!(
                "RESULT Ok({} bytes, first {})",
                key.len(),
                key.expose_secret()[0]
            ),
            Err(error) => println!("RESULT {error:?}"),
        }
    }
}

#[test]
fn a_missing_variable_is_not_set() {
    assert_eq!(
        from_env_in_child(None),
        format!("NotSet {{ name: \"{VAR}\" }}")
    );
}

#[test]
fn base64_in_either_alphabet_with_or_without_padding_loads() {
    // 0xfb bytes make "+/" (standard) and "-_" (URL-safe) appear in the encodings.
    for encoded in [
        "+/v7".repeat(16),
        "-_v7".repeat(16),
        format!("  {}\n", "+/v7".repeat(16)),
    ] {
        assert_eq!(
            from_env_in_child(Some(encoded.as_bytes())),
            "Ok(48 bytes, first 251)",
            "{encoded:?}"
        );
    }
    let padded = format!("{}AA==", "+/v7".repeat(10)); // 31 bytes
    assert_eq!(
        from_env_in_child(Some(padded.as_bytes())),
        "TooShort { len: 31, min: 32 }"
    );
}

#[test]
fn short_bad_and_non_unicode_values_are_typed_errors() {
    assert_eq!(
        // Not "AAAA": text of hex digits only is refused as ambiguous before its length counts.
        from_env_in_child(Some(b"AAAz")),
        "TooShort { len: 3, min: 32 }"
    );
    assert_eq!(from_env_in_child(Some(b"")), "TooShort { len: 0, min: 32 }");
    assert_eq!(
        from_env_in_child(Some(b"your-super-secret-key-here!")),
        "InvalidEncoding { expected: Base64 }"
    );
    assert_eq!(
        from_env_in_child(Some(b"\xff\xfe")),
        format!("NotUnicode {{ name: \"{VAR}\" }}")
    );
}

#[test]
fn errors_name_the_variable_never_the_value() {
    let text = SecretError::TooShort { len: 3, min: 32 }.to_string();
    assert_eq!(
        text,
        "secret is 3 bytes long; at least 32 bytes are required"
    );
    assert_eq!(
        SecretError::InvalidEncoding {
            expected: SecretEncoding::Hex
        }
        .to_string(),
        "secret is not valid hex"
    );
}

/// The seed tutorial's `SECRET_KEY` (`openssl rand -hex 32`) is 64 hex digits. python-jose signs
/// with the text's 64 bytes; read as base64 it would silently be 48 other bytes. keyward never
/// guesses: base64 refuses it as ambiguous, and hex and text each give what they say.
#[test]
fn a_hex_secret_is_never_silently_read_as_base64() {
    const TUTORIAL: &str = "09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7";
    assert_eq!(
        from_env_in_child_as(Some(TUTORIAL.as_bytes()), "base64"),
        "AmbiguousEncoding"
    );
    assert_eq!(
        from_env_in_child_as(Some(TUTORIAL.as_bytes()), "hex"),
        "Ok(32 bytes, first 9)"
    );
    assert_eq!(
        from_env_in_child_as(Some(TUTORIAL.as_bytes()), "text"),
        "Ok(64 bytes, first 48)"
    );
    assert_eq!(
        SecretKey::from_text(TUTORIAL).expose_secret(),
        TUTORIAL.as_bytes()
    );
    assert_eq!(
        SecretKey::from_hex(&TUTORIAL.to_uppercase()).unwrap(),
        SecretKey::from_hex(TUTORIAL).unwrap()
    );
    assert_eq!(
        SecretKey::from_base64(TUTORIAL),
        Err(SecretError::AmbiguousEncoding)
    );
    for odd in ["abc", "0g", "00 11"] {
        assert_eq!(
            SecretKey::from_hex(odd),
            Err(SecretError::InvalidEncoding {
                expected: SecretEncoding::Hex
            }),
            "{odd}"
        );
    }
}

#[test]
fn generated_secrets_are_64_random_bytes_and_round_trip_through_base64() {
    let a = SecretKey::generate().unwrap();
    let b = SecretKey::generate().unwrap();
    assert_eq!(a.len(), 64);
    assert_ne!(a, b);
    let text = a.expose_base64();
    assert_eq!(text.len(), 86);
    assert!(
        text.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    );
    assert_eq!(SecretKey::from_base64(&text).unwrap(), a);
}

#[test]
fn debug_is_redacted() {
    let key = SecretKey::from(*b"super-secret-value-that-must-not-print");
    assert_eq!(format!("{key:?}"), "SecretKey([REDACTED])");
    assert_eq!(format!("{key:#?}"), "SecretKey([REDACTED])");
}
