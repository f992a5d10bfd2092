//! Moving from bcrypt to Argon2id without a migration script, and reading what Python stored.
//!
//! Switch the algorithm; every stored bcrypt hash keeps verifying, and `verify_and_update`
//! hands back an Argon2id replacement the next time each user logs in. Hashes from pwdlib or
//! argon2-cffi (FastAPI's tutorial), passlib and Django verify as they are.
//!
//! Run with `cargo run --example argon2_migration`.

use keyward::password::{Argon2Params, Cost, PasswordAlgorithm, PasswordHash, PasswordHasher};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // What the database holds: a bcrypt hash from last year's setup.
    let old = PasswordHasher::new().with_cost(Cost::new(10)?);
    let mut stored: PasswordHash = old.hash("correct horse battery staple")?;
    println!("stored (bcrypt):  {stored}");

    // This year's setting: Argon2id at its default (64 MiB, t=3, p=4; pwdlib's default too).
    let hasher = PasswordHasher::new()
        .with_algorithm(PasswordAlgorithm::Argon2id)
        .with_argon2_params(Argon2Params::DEFAULT);
    println!("needs rehash? {}", hasher.needs_rehash(&stored)?);

    for login in 1..=2 {
        match hasher.verify_and_update("correct horse battery staple", &stored)? {
            Some(replacement) => {
                println!("login {login}: password ok, storing {replacement}");
                stored = replacement; // UPDATE users SET password_hash = ? WHERE id = ?
            }
            None => println!("login {login}: password ok, stored hash is current"),
        }
    }

    // A user who signed up under the FastAPI app (pwdlib / argon2-cffi): already current.
    let from_pwdlib = "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$gduXp+Z6iReEolmbyHn5V8s1EtJzmEvZfYoY/Fn/AeI";
    hasher.verify("password", from_pwdlib)?;
    println!(
        "pwdlib hash verifies; needs rehash? {}",
        hasher.needs_rehash(from_pwdlib)?
    );

    // A Django user: `argon2$argon2id$...` verifies and moves to the plain PHC string.
    let from_django = "argon2$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";
    if let Some(replacement) = hasher.verify_and_update("password", from_django)? {
        println!("django hash verifies; replaced by {replacement}");
    }

    // Unknown user: the same work as a failed check against a current hash.
    let error = hasher.dummy_verify("guess");
    println!("unknown user: {error}");
    Ok(())
}
