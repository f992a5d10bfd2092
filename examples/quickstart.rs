//! keyward in one screen: hash and verify a password, see the 72-byte rule refuse to truncate,
//! upgrade a stored hash on login, then issue and verify a token and watch an expired one fail.
//!
//! Run with `cargo run --example quickstart`.

use std::time::Duration;

use keyward::SecretKey;
use keyward::password::{Cost, PasswordError, PasswordHasher};
use keyward::token::{Claims, FixedClock, KeyError, SigningKey, TokenError, TokenIssuer};
use serde::{Deserialize, Serialize};

/// The app's own claims, carried beside the registered ones.
#[derive(Serialize, Deserialize)]
struct Role {
    role: String,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Cost 12 is the default; the demo uses 10 so it finishes in a blink.
    let hasher = PasswordHasher::new().with_cost(Cost::new(10)?);

    println!("== passwords");
    let hash = hasher.hash("correct horse battery staple")?;
    println!("stored hash:      {hash}");
    hasher.verify("correct horse battery staple", &hash)?;
    println!("right password:   accepted");
    match hasher.verify("Tr0ub4dor&3", &hash) {
        Err(PasswordError::Mismatch) => {
            println!("wrong password:   rejected (PasswordError::Mismatch)");
        }
        other => return Err(format!("unexpected: {other:?}").into()),
    }

    // bcrypt only reads 72 bytes. Elsewhere the rest is silently dropped; keyward says so.
    let long = "🔑".repeat(19); // 19 four-byte characters: 76 bytes
    match hasher.hash(&long) {
        Err(error @ PasswordError::TooLong { .. }) => {
            println!("76-byte password: refused: {error}");
        }
        other => return Err(format!("unexpected: {other:?}").into()),
    }

    // Raising the cost later: the next successful login hands back a stronger hash to store.
    let stronger = PasswordHasher::new().with_cost(Cost::new(11)?);
    if let Some(upgraded) = stronger.verify_and_update("correct horse battery staple", &hash)? {
        println!("after raising the cost to 11, login returns a new hash to store: {upgraded}");
    }

    println!("\n== tokens");
    // In a real service: SecretKey::from_env("KEYWARD_SECRET")?. A fixed clock lets the demo
    // show expiry without waiting 15 minutes.
    let clock = FixedClock::at(chrono::Utc::now());
    let issuer = TokenIssuer::new(SigningKey::hs256(SecretKey::generate()?)?)
        .with_issuer("https://auth.example.com")
        .with_audience("api")
        .with_clock(clock.clone());
    let token = issuer.issue(
        "alice",
        &Role {
            role: "admin".into(),
        },
    )?;
    println!(
        "access token:     {}...{}",
        &token[..24],
        &token[token.len() - 8..]
    );
    let claims: Claims<Role> = issuer.verify(&token)?;
    println!(
        "verified:         sub={} role={} expires {}",
        claims.subject, claims.extra.role, claims.expires_at
    );
    clock.advance(Duration::from_secs(15 * 60));
    match issuer.verify::<Role>(&token) {
        Err(error @ TokenError::Expired { .. }) => println!("15 minutes later: refused: {error}"),
        other => return Err(format!("unexpected: {:?}", other.map(|c| c.subject)).into()),
    }
    match SigningKey::hs256(SecretKey::from_text("your-super-secret-key-here")) {
        Err(error @ TokenError::InvalidKey(KeyError::Weak { .. })) => {
            println!("tutorial's secret: refused: {error}");
        }
        other => return Err(format!("unexpected: {other:?}").into()),
    }
    Ok(())
}
