//! Raising the bcrypt cost without a migration script.
//!
//! Hashes stored at an old cost keep verifying; `verify_and_update` hands back a replacement at
//! the new cost the next time each user logs in, and `None` once the stored hash is current.
//!
//! Run with `cargo run --example rehash_on_login`.

use keyward::password::{Cost, PasswordHash, PasswordHasher};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Last year's setting, and what the database holds because of it.
    let old = PasswordHasher::new().with_cost(Cost::new(8)?);
    let mut stored: PasswordHash = old.hash("correct horse battery staple")?;
    println!("stored: {stored}");

    // This year's setting. Nothing else changes in the app.
    let hasher = PasswordHasher::new().with_cost(Cost::new(10)?);
    println!("needs rehash at cost 10? {}", hasher.needs_rehash(&stored)?);

    for login in 1..=2 {
        match hasher.verify_and_update("correct horse battery staple", &stored)? {
            Some(replacement) => {
                println!("login {login}: password ok, storing {replacement}");
                stored = replacement; // UPDATE users SET password_hash = ? WHERE id = ?
            }
            None => println!("login {login}: password ok, stored hash is current"),
        }
    }
    Ok(())
}
