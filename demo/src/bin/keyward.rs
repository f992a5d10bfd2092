//! `keyward`, a small command-line tool for operators.
//!
//! ```text
//! cargo run -p keyward-demo --bin keyward -- hash [--cost 12] [--pre-hash]   # password from a prompt or stdin
//! cargo run -p keyward-demo --bin keyward -- verify '<hash>'                  # exit 0 match, 1 mismatch
//! cargo run -p keyward-demo --bin keyward -- gen-secret                       # for KEYWARD_SECRET in .env
//! cargo run -p keyward-demo --bin keyward -- issue --sub alice [--ttl 900] [--claims '{"role":"admin"}']
//! cargo run -p keyward-demo --bin keyward -- inspect '<token>' [--verify [--issuer I] [--audience A]]
//! cargo run -p keyward-demo --bin keyward -- inspect '<token>' --verify --key-pem public.pem   # RS256/ES256/EdDSA
//! cargo run -p keyward-demo --bin keyward -- inspect '<token>' --verify --jwks jwks.json
//! cargo run -p keyward-demo --bin keyward -- calibrate [--argon2-ms 250 --argon2-mib 64]   # bcrypt costs and Argon2id parameters for this machine
//! ```
//!
//! Passwords are read without echo from a terminal, or as one line from standard input when it
//! is piped: reading stops at the first line ending, and a first line longer than the longest
//! password keyward hashes (4096 bytes) is refused without reading further. An empty password is
//! refused. Everything printed from a token or a key set (header, claims, key ids, key types,
//! error messages quoting them) has control characters escaped and long values cut, so a
//! hostile token or JWKS cannot write escape sequences to the terminal. Secrets come from
//! `KEYWARD_SECRET`, never from the command line (where `ps` and shell history would keep
//! them), read as base64 unless `--secret-encoding hex|text` says otherwise. Exit codes: 0 success, 1 refused (wrong
//! password, invalid token), 2 unusable input.

// The doc comments below are clap's --help text, read in a terminal: no Markdown backticks.
#![allow(clippy::doc_markdown)]

use std::io::{BufRead as _, IsTerminal as _, Read as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use keyward::password::{Cost, LongPasswords, PasswordError, PasswordHasher};
use keyward::token::{
    JsonObject, KeyError, KeySet, Lifetime, SigningKey, TokenError, TokenIssuer, TokenPart,
    TokenVerifier, VerifyingKey, dangerous,
};
use keyward::{SecretEncoding, SecretError, SecretKey};
use zeroize::Zeroizing;

#[derive(Parser)]
#[command(
    name = "keyward",
    about = "Hash passwords, make secrets, issue and inspect tokens"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Hash a password read from the terminal (no echo) or from standard input.
    Hash {
        /// bcrypt cost, 4 to 31.
        #[arg(long, default_value_t = 12)]
        cost: u32,
        /// Pre-hash with HMAC-SHA256 (passlib's bcrypt_sha256 v2) so passwords over 72 bytes work.
        #[arg(long)]
        pre_hash: bool,
    },
    /// Check a password (terminal or standard input) against a stored hash.
    Verify {
        /// The stored hash, e.g. '$2b$12$...' (single-quote it in the shell: it contains $).
        hash: String,
    },
    /// Print a fresh random secret for KEYWARD_SECRET.
    GenSecret,
    /// Issue an HS256 access token signed with KEYWARD_SECRET.
    Issue {
        /// The subject (`sub`), usually a user id.
        #[arg(long)]
        sub: String,
        /// Lifetime in seconds, 1 to 31622400 (366 days).
        #[arg(long, value_name = "SECONDS", default_value = "900", value_parser = parse_lifetime)]
        ttl: Lifetime,
        /// Extra claims as a JSON object.
        #[arg(long, default_value = "{}")]
        claims: String,
        /// `iss` to set.
        #[arg(long)]
        issuer: Option<String>,
        /// `aud` to set.
        #[arg(long)]
        audience: Option<String>,
        #[command(flatten)]
        secret: SecretArgs,
    },
    /// Decode a token's header and claims; with --verify, also check its signature and claims.
    Inspect {
        /// The token (header.payload.signature), e.g. from an Authorization: Bearer header.
        token: String,
        /// Verify the token as an access token: with the public key of --key-pem, the keys of
        /// --jwks, or else as HS256 with KEYWARD_SECRET.
        #[arg(long)]
        verify: bool,
        /// With --verify: a PEM public key file (RSA, P-256 or Ed25519; the algorithm, RS256,
        /// ES256 or EdDSA, follows from the key).
        #[arg(
            long,
            value_name = "PATH",
            requires = "verify",
            conflicts_with = "jwks"
        )]
        key_pem: Option<PathBuf>,
        /// With --verify: a JWKS file ({"keys":[...]}); keys keyward cannot use are listed and
        /// skipped.
        #[arg(long, value_name = "PATH", requires = "verify")]
        jwks: Option<PathBuf>,
        /// With --verify: the `iss` the token must carry.
        #[arg(long, requires = "verify")]
        issuer: Option<String>,
        /// With --verify: the `aud` the token must name.
        #[arg(long, requires = "verify")]
        audience: Option<String>,
        #[command(flatten)]
        secret: SecretArgs,
    },
    /// Measure this machine's time per hash for each bcrypt cost.
    Calibrate {
        /// Stop once a hash takes this many milliseconds.
        #[arg(long, default_value_t = 1000)]
        max_ms: u64,
        /// Argon2id: the time one hash may take, in milliseconds.
        #[arg(long, default_value_t = 250)]
        argon2_ms: u64,
        /// Argon2id: the memory one hash may use, in MiB (every concurrent login holds it).
        #[arg(long, default_value_t = 64)]
        argon2_mib: u32,
    },
}

/// How KEYWARD_SECRET is read.
#[derive(Args)]
struct SecretArgs {
    /// How KEYWARD_SECRET is written: base64 (what gen-secret prints), hex (openssl rand -hex
    /// 32), or text (its own bytes, as PyJWT and python-jose use it).
    #[arg(long, value_enum, value_name = "ENCODING", default_value_t = SecretEncodingArg::Base64)]
    secret_encoding: SecretEncodingArg,
}

#[derive(Clone, Copy, ValueEnum)]
enum SecretEncodingArg {
    Base64,
    Hex,
    Text,
}

impl From<SecretEncodingArg> for SecretEncoding {
    fn from(arg: SecretEncodingArg) -> Self {
        match arg {
            SecretEncodingArg::Base64 => SecretEncoding::Base64,
            SecretEncodingArg::Hex => SecretEncoding::Hex,
            SecretEncodingArg::Text => SecretEncoding::Text,
        }
    }
}

/// `--ttl`: whole seconds, in the range `Lifetime` allows (its error names the range).
fn parse_lifetime(text: &str) -> Result<Lifetime, String> {
    let seconds: u64 = text
        .parse()
        .map_err(|_| format!("not a whole number of seconds: {text:?}"))?;
    Lifetime::from_secs(seconds).map_err(|error| error.to_string())
}

/// A failure to report: the message, and whether it is a refusal (exit 1) or bad input (exit 2).
struct Failure {
    message: String,
    refused: bool,
}

fn refused(message: impl Into<String>) -> Failure {
    Failure {
        message: message.into(),
        refused: true,
    }
}

fn unusable(message: impl std::fmt::Display) -> Failure {
    Failure {
        message: message.to_string(),
        refused: false,
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Hash { cost, pre_hash } => hash(cost, pre_hash),
        Command::Verify { hash } => verify(&hash),
        Command::GenSecret => gen_secret(),
        Command::Issue {
            sub,
            ttl,
            claims,
            issuer,
            audience,
            secret,
        } => issue(&sub, ttl, &claims, issuer, audience, &secret),
        Command::Inspect {
            token,
            verify,
            key_pem,
            jwks,
            issuer,
            audience,
            secret,
        } => {
            let keys = match (verify, key_pem, jwks) {
                (false, ..) => None,
                (true, Some(path), _) => Some(KeySource::Pem(path)),
                (true, None, Some(path)) => Some(KeySource::Jwks(path)),
                (true, None, None) => Some(KeySource::Secret(secret.secret_encoding.into())),
            };
            inspect(&token, keys.as_ref(), issuer, audience)
        }
        Command::Calibrate {
            max_ms,
            argon2_ms,
            argon2_mib,
        } => {
            calibrate(max_ms);
            calibrate_argon2(argon2_ms, argon2_mib)
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            // Messages may quote a token's or a key set's values: escaped, like all output.
            eprintln!("keyward: {}", terminal_safe(&failure.message));
            ExitCode::from(if failure.refused { 1 } else { 2 })
        }
    }
}

/// The most bytes of a piped password line: the longest password keyward hashes at all (with
/// pre-hashing), so anything longer would be refused anyway.
const MAX_PASSWORD_LINE: usize = PasswordHasher::MAX_PRE_HASHED_PASSWORD_BYTES;

/// The password: prompted without echo on a terminal, else the first line of standard input
/// (the line ending removed, nothing else: spaces are part of passwords). Reading stops at the
/// first `\n`, or after `MAX_PASSWORD_LINE` bytes and a line ending, so `yes | keyward hash` or
/// an endless stream of NUL bytes is answered at once with bounded memory.
fn read_password() -> Result<Zeroizing<Vec<u8>>, Failure> {
    if std::io::stdin().is_terminal() {
        let typed = rpassword::prompt_password("Password: ").map_err(unusable)?;
        return Ok(Zeroizing::new(typed.into_bytes()));
    }
    read_password_line(&mut std::io::stdin().lock())
}

/// The first line of `input`, read no further than `MAX_PASSWORD_LINE` bytes plus `\r\n`.
fn read_password_line(input: &mut impl std::io::BufRead) -> Result<Zeroizing<Vec<u8>>, Failure> {
    // Room for the longest line and its "\r\n", allocated once: no reallocation leaves an
    // unwiped copy of the password behind.
    let limit = MAX_PASSWORD_LINE + 2;
    let mut line = Zeroizing::new(Vec::with_capacity(limit + 1));
    input
        .take(u64::try_from(limit).unwrap_or(u64::MAX))
        .read_until(b'\n', &mut line)
        .map_err(|error| unusable(format!("standard input: {error}")))?;
    let ended = line.last() == Some(&b'\n');
    if ended {
        line.pop();
        if line.last() == Some(&b'\r') {
            line.pop();
        }
    }
    if line.len() > MAX_PASSWORD_LINE {
        return Err(unusable(format!(
            "standard input: the password line is longer than {MAX_PASSWORD_LINE} bytes, the \
             longest password keyward hashes; nothing more was read"
        )));
    }
    Ok(line)
}

fn hash(cost: u32, pre_hash: bool) -> Result<(), Failure> {
    let policy = if pre_hash {
        LongPasswords::PreHash
    } else {
        LongPasswords::Reject
    };
    let hasher = PasswordHasher::new()
        .with_cost(Cost::new(cost).map_err(unusable)?)
        .with_long_passwords(policy);
    let password = read_password()?;
    if password.is_empty() {
        return Err(unusable(
            "refusing to hash an empty password (nothing was typed, or standard input was empty)",
        ));
    }
    let hash = hasher.hash(&*password).map_err(|error| match error {
        PasswordError::TooLong { .. } => {
            unusable(format!("{error} (use --pre-hash for longer passwords)"))
        }
        other => unusable(other),
    })?;
    println!("{hash}");
    Ok(())
}

fn verify(stored: &str) -> Result<(), Failure> {
    let password = read_password()?;
    match PasswordHasher::new().verify(&*password, stored) {
        Ok(()) => {
            println!("ok: password matches");
            Ok(())
        }
        Err(
            error @ (PasswordError::Mismatch
            | PasswordError::TooLong { .. }
            | PasswordError::ContainsNul),
        ) => Err(refused(error.to_string())),
        Err(error) => Err(unusable(error)),
    }
}

fn gen_secret() -> Result<(), Failure> {
    let secret = SecretKey::generate().map_err(unusable)?;
    println!("{}", secret.expose_base64().as_str());
    Ok(())
}

fn secret_from_env(encoding: SecretEncoding) -> Result<SecretKey, Failure> {
    SecretKey::from_env("KEYWARD_SECRET", encoding).map_err(|error| {
        let hint = match error {
            SecretError::NotSet { .. } | SecretError::TooShort { .. } => {
                "make one with `keyward gen-secret`"
            }
            SecretError::AmbiguousEncoding => {
                "if it is hex, pass --secret-encoding hex; if its characters are the secret, \
                 --secret-encoding text"
            }
            SecretError::InvalidEncoding { .. } => {
                "pass --secret-encoding base64, hex or text to say how KEYWARD_SECRET is written"
            }
            _ => "",
        };
        // NotSet and NotUnicode name the variable themselves; the decoding errors do not.
        let name = match error {
            SecretError::NotSet { .. } | SecretError::NotUnicode { .. } => "",
            _ => "KEYWARD_SECRET: ",
        };
        if hint.is_empty() {
            unusable(format!("{name}{error}"))
        } else {
            unusable(format!("{name}{error} ({hint})"))
        }
    })
}

fn issue(
    sub: &str,
    ttl: Lifetime,
    claims: &str,
    iss: Option<String>,
    aud: Option<String>,
    secret: &SecretArgs,
) -> Result<(), Failure> {
    // The library's rule for claims: a JSON object with no member name twice at any depth (a
    // token with `{"a":1,"a":2}` in it is refused by every keyward verifier).
    let extra = JsonObject::parse(claims).map_err(|error| match error {
        TokenError::InvalidExtraClaims(reason) => unusable(format!(
            "--claims is not a JSON object keyward accepts: {reason}"
        )),
        other => unusable(other),
    })?;
    let mut issuer = TokenIssuer::new(
        SigningKey::hs256(secret_from_env(secret.secret_encoding.into())?).map_err(unusable)?,
    );
    if let Some(iss) = iss {
        issuer = issuer.with_issuer(iss);
    }
    if let Some(aud) = aud {
        issuer = issuer.with_audience(aud);
    }
    let token = issuer.issue_with_ttl(sub, &extra, ttl).map_err(unusable)?;
    println!("{token}");
    Ok(())
}

/// Where `inspect --verify` finds the keys to check a token with.
enum KeySource {
    /// A PEM public key file; the algorithm follows from the key.
    Pem(PathBuf),
    /// A JWKS file.
    Jwks(PathBuf),
    /// HS256 with KEYWARD_SECRET, read in this encoding.
    Secret(SecretEncoding),
}

/// A file's contents; an error names the path ("keys/pub.pem: No such file or directory").
fn read_file(path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|error| unusable(format!("{}: {error}", path.display())))
}

fn verifier_for(keys: &KeySource) -> Result<TokenVerifier, Failure> {
    match keys {
        KeySource::Pem(path) => {
            let key = VerifyingKey::from_pem(read_file(path)?).map_err(|error| {
                let hint = match &error {
                    TokenError::InvalidKey(KeyError::WrongPemType { found, .. })
                        if found.contains("PRIVATE") =>
                    {
                        " (give the public key: openssl pkey -in KEY.pem -pubout)"
                    }
                    _ => "",
                };
                unusable(format!("{}: {error}{hint}", path.display()))
            })?;
            Ok(TokenVerifier::new(key))
        }
        KeySource::Jwks(path) => {
            let bytes = read_file(path)?;
            let json = std::str::from_utf8(&bytes)
                .map_err(|_| unusable(format!("{}: not UTF-8 text", path.display())))?;
            match KeySet::from_jwks(json) {
                Ok(set) => {
                    for skipped in set.skipped() {
                        let skipped = terminal_safe(&skipped.to_string());
                        eprintln!("keyward: {}: skipped {skipped}", path.display());
                    }
                    Ok(TokenVerifier::new(set))
                }
                Err(TokenError::InvalidKey(KeyError::NoUsableKey(skipped))) => {
                    for skipped in &skipped {
                        let skipped = terminal_safe(&skipped.to_string());
                        eprintln!("keyward: {}: skipped {skipped}", path.display());
                    }
                    Err(unusable(format!(
                        "{}: no usable signing key ({} skipped)",
                        path.display(),
                        skipped.len()
                    )))
                }
                Err(error) => Err(unusable(format!("{}: {error}", path.display()))),
            }
        }
        KeySource::Secret(encoding) => {
            let key = VerifyingKey::hs256(secret_from_env(*encoding)?).map_err(unusable)?;
            Ok(TokenVerifier::new(key))
        }
    }
}

fn inspect(
    token: &str,
    keys: Option<&KeySource>,
    iss: Option<String>,
    aud: Option<String>,
) -> Result<(), Failure> {
    let token = token.trim();
    // Load the keys first: a missing key file is reported before anything is printed.
    let verifier = keys.map(verifier_for).transpose()?;
    let seen =
        dangerous::decode_unverified::<serde_json::Value>(token).map_err(|error| match error {
            TokenError::Malformed(TokenPart::Structure) => {
                unusable(format!("{error} (a token has three dot-separated parts)"))
            }
            other => unusable(other),
        })?;
    let mut header = serde_json::Map::new();
    header.insert("alg".into(), seen.header.algorithm.into());
    if let Some(typ) = seen.header.typ {
        header.insert("typ".into(), typ.into());
    }
    if let Some(kid) = seen.header.kid {
        header.insert("kid".into(), kid.into());
    }
    if verifier.is_none() {
        println!(
            "*** NOT VERIFIED: anyone can write these values; pass --verify to check the signature ***"
        );
    }
    println!(
        "header: {}",
        terminal_safe(&serde_json::to_string_pretty(&header).map_err(unusable)?)
    );
    println!(
        "claims: {}",
        terminal_safe(&serde_json::to_string_pretty(&seen.claims).map_err(unusable)?)
    );
    if let Some(mut verifier) = verifier {
        if let Some(iss) = iss {
            verifier = verifier.with_issuer(iss);
        }
        if let Some(aud) = aud {
            verifier = verifier.with_audience(aud);
        }
        match verifier.verify::<()>(token) {
            Ok(claims) => println!("VERIFIED: signature valid, expires {}", claims.expires_at),
            Err(error @ TokenError::WrongAlgorithm { .. })
                if matches!(keys, Some(KeySource::Secret(_))) =>
            {
                return Err(refused(format!(
                    "NOT VALID: {error} (KEYWARD_SECRET checks HS256 tokens; pass --key-pem or \
                     --jwks for others)"
                )));
            }
            Err(error) => return Err(refused(format!("NOT VALID: {error}"))),
        }
    }
    Ok(())
}

/// The most characters printed of one line taken from a token or a key set; the rest is
/// replaced by a count.
const MAX_PRINTED_LINE: usize = 240;

/// `text` made safe to print to a terminal: every control character (C0, DEL, C1: the escape
/// sequences' introducers) and every bidirectional-formatting character (which can make text
/// read in another order than it is) is written as `\u{..}`; each line is cut after
/// `MAX_PRINTED_LINE` characters. Line breaks between lines are kept.
fn terminal_safe(text: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(text.len().min(64 * 1024));
    for (index, line) in text.split('\n').enumerate() {
        if index > 0 {
            out.push('\n');
        }
        let mut chars = line.chars();
        for c in chars.by_ref().take(MAX_PRINTED_LINE) {
            if c.is_control() || is_bidi_control(c) {
                let _ = write!(out, "{}", c.escape_unicode());
            } else {
                out.push(c);
            }
        }
        let rest = chars.count();
        if rest > 0 {
            let _ = write!(out, "... ({rest} more characters)");
        }
    }
    out
}

/// Unicode's bidirectional formatting characters (UAX #9 §2): marks, embeddings, overrides
/// and isolates. A "Trojan Source" trick (CVE-2021-42574) for terminals as much as code.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn calibrate_argon2(target_ms: u64, memory_mib: u32) -> Result<(), Failure> {
    let calibration = PasswordHasher::calibrate_argon2(
        Duration::from_millis(target_ms),
        memory_mib.saturating_mul(1024),
    )
    .map_err(unusable)?;
    println!();
    println!("argon2id at {memory_mib} MiB, 1 lane");
    println!("   t   ms per hash");
    for (iterations, took) in calibration.timings() {
        println!("{iterations:>4}   {:>11.1}", took.as_secs_f64() * 1000.0);
    }
    let params = calibration.params();
    if calibration.is_within_target() {
        println!("argon2id parameters under {target_ms} ms: {params}");
    } else {
        println!(
            "argon2id parameters under {target_ms} ms: none; OWASP's fewest passes at this memory: {params}"
        );
    }
    Ok(())
}

fn calibrate(max_ms: u64) {
    let calibration = PasswordHasher::calibrate(Duration::from_millis(max_ms));
    println!("cost   ms per hash");
    for (cost, took) in calibration.timings() {
        println!("{:>4}   {:>11.1}", cost.get(), took.as_secs_f64() * 1000.0);
    }
    for target_ms in [100, 250, 1000].into_iter().filter(|&t| t <= max_ms) {
        let best = calibration
            .timings()
            .iter()
            .filter(|(_, took)| took.as_millis() < u128::from(target_ms))
            .map(|(cost, _)| cost.get())
            .max();
        match best {
            Some(cost) => println!("highest cost under {target_ms} ms: {cost}"),
            None => println!("highest cost under {target_ms} ms: none (even cost 4 is slower)"),
        }
    }
}
