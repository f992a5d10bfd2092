//! Moving users from a Python stack: hashes made by passlib's `bcrypt` and `bcrypt_sha256`
//! (versions 1 and 2), Django's `bcrypt_sha256$` and Spring's `{bcrypt}` verify as they are, and
//! move to keyward's configured format on the next login.
//!
//! The stored hashes below were made by passlib 1.7.4 on pyca bcrypt 4.0.1 (see
//! `tests/interop/`), all for the password "password" at cost 5.
//!
//! Run with `cargo run --example passlib_migration`.

use keyward::password::{Cost, LongPasswords, PasswordHasher};

const STORED: &[(&str, &str)] = &[
    (
        "passlib bcrypt_sha256 v2",
        "$bcrypt-sha256$v=2,t=2b,r=5$7dyzComAzChruoxR9uNwXu$YQeulCbN2/kfLEh36xme1zrXS/ldwSy",
    ),
    (
        "passlib bcrypt_sha256 v1",
        "$bcrypt-sha256$2b,5$l/FRqmx1OE36CZoBJK9NEu$dVS1XzF/ZyUfXdT/j.RutOkjVKA5bkW",
    ),
    (
        "Django bcrypt_sha256",
        "bcrypt_sha256$$2b$05$.Ibwu/vg3Sug4ragYT6vyeK5E1kiAbhW8/ERg2xvvq.eOi6W3zRDC",
    ),
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Keep passlib's long-password behaviour: pre-hash with HMAC-SHA256 (bcrypt_sha256 v2), so
    // hashes stay readable by the Python side during a gradual migration.
    let hasher = PasswordHasher::new()
        .with_cost(Cost::new(10)?)
        .with_long_passwords(LongPasswords::PreHash);

    for (origin, stored) in STORED {
        hasher.verify("password", stored)?;
        let replacement = hasher.verify_and_update("password", stored)?;
        match replacement {
            Some(new) => println!("{origin:<26} verified; store instead: {new}"),
            None => println!("{origin:<26} verified; already current"),
        }
    }

    // passlib refuses zero-padded rounds, and so does keyward: a typed error, not a mismatch.
    let padded =
        "$bcrypt-sha256$v=2,t=2b,r=05$7dyzComAzChruoxR9uNwXu$YQeulCbN2/kfLEh36xme1zrXS/ldwSy";
    println!(
        "zero-padded rounds:        {}",
        hasher.verify("password", padded).unwrap_err()
    );
    Ok(())
}
