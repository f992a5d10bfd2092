//! `keyward`, a small command-line tool for operators.
//!
//! ```text
//! cargo run --example keyward -- hash [--cost 12] [--pre-hash]   # password from a prompt or stdin
//! cargo run --example keyward -- verify '<hash>'                  # exit 0 match, 1 mismatch
//! cargo run --example keyward -- gen-secret                       # for KEYWARD_SECRET in .env
//! cargo run --example keyward -- issue --sub alice [--ttl 900] [--claims '{"role":"admin"}']
//! cargo run --example keyward -- inspect '<token>' [--verify [--issuer I] [--audience A]]
//! cargo run --example keyward -- calibrate                        # cost table for this machine
//! ```
//!
//! Passwords are read without echo from a terminal, or as one line from standard input when it
//! is piped. Secrets come from `KEYWARD_SECRET`, never from the command line (where `ps` and shell
//! history would keep them). Exit codes: 0 success, 1 refused (wrong password, invalid token),
//! 2 unusable input.

// The doc comments below are clap's --help text, read in a terminal: no Markdown backticks.
#![allow(clippy::doc_markdown)]

use std::io::{IsTerminal as _, Read as _};
use std::process::ExitCode;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use clap::{Parser, Subcommand};
use keyward::SecretKey;
use keyward::password::{Cost, LongPasswords, PasswordError, PasswordHasher};
use keyward::token::TokenIssuer;
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
        /// The stored hash.
        hash: String,
    },
    /// Print a fresh random secret for KEYWARD_SECRET.
    GenSecret,
    /// Issue an HS256 access token signed with KEYWARD_SECRET.
    Issue {
        /// The subject (`sub`), usually a user id.
        #[arg(long)]
        sub: String,
        /// Lifetime in seconds.
        #[arg(long, default_value_t = 900)]
        ttl: u64,
        /// Extra claims as a JSON object.
        #[arg(long, default_value = "{}")]
        claims: String,
        /// `iss` to set.
        #[arg(long)]
        issuer: Option<String>,
        /// `aud` to set.
        #[arg(long)]
        audience: Option<String>,
    },
    /// Decode a token's header and claims; with --verify, also check it with KEYWARD_SECRET.
    Inspect {
        token: String,
        /// Verify the token as an HS256 access token signed with KEYWARD_SECRET.
        #[arg(long)]
        verify: bool,
        /// With --verify: the `iss` the token must carry.
        #[arg(long, requires = "verify")]
        issuer: Option<String>,
        /// With --verify: the `aud` the token must name.
        #[arg(long, requires = "verify")]
        audience: Option<String>,
    },
    /// Measure this machine's time per hash for each bcrypt cost.
    Calibrate {
        /// Stop once a hash takes this many milliseconds.
        #[arg(long, default_value_t = 1000)]
        max_ms: u64,
    },
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
        } => issue(&sub, ttl, &claims, issuer, audience),
        Command::Inspect {
            token,
            verify,
            issuer,
            audience,
        } => inspect(&token, verify, issuer, audience),
        Command::Calibrate { max_ms } => {
            calibrate(max_ms);
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("keyward: {}", failure.message);
            ExitCode::from(if failure.refused { 1 } else { 2 })
        }
    }
}

/// The password: prompted without echo on a terminal, else one line of standard input (the
/// line ending removed, nothing else: spaces are part of passwords).
fn read_password() -> Result<Zeroizing<Vec<u8>>, Failure> {
    if std::io::stdin().is_terminal() {
        let typed = rpassword::prompt_password("Password: ").map_err(unusable)?;
        return Ok(Zeroizing::new(typed.into_bytes()));
    }
    let mut input = Zeroizing::new(Vec::new());
    std::io::stdin().read_to_end(&mut input).map_err(unusable)?;
    let line_end = input
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(input.len());
    let line = input[..line_end]
        .strip_suffix(b"\r")
        .unwrap_or(&input[..line_end]);
    Ok(Zeroizing::new(line.to_vec()))
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

fn secret_from_env() -> Result<SecretKey, Failure> {
    SecretKey::from_env("KEYWARD_SECRET")
        .map_err(|error| unusable(format!("{error} (make one with `keyward gen-secret`)")))
}

fn issue(
    sub: &str,
    ttl: u64,
    claims: &str,
    iss: Option<String>,
    aud: Option<String>,
) -> Result<(), Failure> {
    let extra: serde_json::Value = serde_json::from_str(claims)
        .map_err(|error| unusable(format!("--claims is not JSON: {error}")))?;
    let mut issuer = TokenIssuer::hs256(secret_from_env()?).map_err(unusable)?;
    if let Some(iss) = iss {
        issuer = issuer.with_issuer(iss);
    }
    if let Some(aud) = aud {
        issuer = issuer.with_audience(aud);
    }
    let token = issuer
        .issue_with_ttl(sub, &extra, Duration::from_secs(ttl))
        .map_err(unusable)?;
    println!("{token}");
    Ok(())
}

fn decode_part(part: &str, name: &str) -> Result<serde_json::Value, Failure> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| unusable(format!("the {name} is not base64url")))?;
    serde_json::from_slice(&bytes).map_err(|_| unusable(format!("the {name} is not JSON")))
}

fn inspect(
    token: &str,
    verify: bool,
    iss: Option<String>,
    aud: Option<String>,
) -> Result<(), Failure> {
    let parts: Vec<&str> = token.trim().split('.').collect();
    let [header, payload, _signature] = parts[..] else {
        return Err(unusable("a token has three dot-separated parts"));
    };
    let header = decode_part(header, "header")?;
    let payload = decode_part(payload, "payload")?;
    if !verify {
        println!(
            "*** NOT VERIFIED: anyone can write these values; pass --verify to check the signature ***"
        );
    }
    println!(
        "header: {}",
        serde_json::to_string_pretty(&header).map_err(unusable)?
    );
    println!(
        "claims: {}",
        serde_json::to_string_pretty(&payload).map_err(unusable)?
    );
    if verify {
        let mut verifier = TokenIssuer::hs256(secret_from_env()?)
            .map_err(unusable)?
            .verifier();
        if let Some(iss) = iss {
            verifier = verifier.with_issuer(iss);
        }
        if let Some(aud) = aud {
            verifier = verifier.with_audience(aud);
        }
        match verifier.verify::<()>(token.trim()) {
            Ok(claims) => println!("VERIFIED: signature valid, expires {}", claims.expires_at),
            Err(error) => return Err(refused(format!("NOT VALID: {error}"))),
        }
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
