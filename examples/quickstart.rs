//! keyward in one screen: hash and verify a password, see the 72-byte rule refuse to truncate,
//! and upgrade a stored hash on login.
//!
//! Run with `cargo run --example quickstart`.

use keyward::password::{PasswordError, PasswordHasher};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Cost 12 is the default; the demo uses 10 so it finishes in a blink.
    let hasher = PasswordHasher::with_cost(10)?;

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
    let stronger = PasswordHasher::with_cost(11)?;
    if let Some(upgraded) = stronger.verify_and_update("correct horse battery staple", &hash)? {
        println!("after raising the cost to 11, login returns a new hash to store: {upgraded}");
    }
    Ok(())
}
