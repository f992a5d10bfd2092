//! Loading the signing secret from the environment instead of the source code.
//!
//! The FastAPI tutorial's OAuth2 with JWT example (fastapi.tiangolo.com/tutorial/security/oauth2-jwt/)
//! writes `SECRET_KEY = "..."` in the source, and blog posts that copy it ship
//! `SECRET_KEY = "your-super-secret-key-here"  # TODO: Move to .env`. Here the secret comes from
//! `KEYWARD_SECRET` (base64, at least 32 bytes); when it is absent, the example prints a freshly
//! generated one to put in your `.env` file. (A secret shared with python-jose or PyJWT services,
//! such as the tutorial's `openssl rand -hex 32` string, is read with `SecretEncoding::Text`:
//! they sign with the string's bytes.)
//!
//! Run with `cargo run --example secret_from_env`, then again with the printed line exported:
//! `KEYWARD_SECRET=... cargo run --example secret_from_env`.

use keyward::token::{SigningKey, TokenIssuer};
use keyward::{SecretEncoding, SecretError, SecretKey};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    match SecretKey::from_env("KEYWARD_SECRET", SecretEncoding::Base64) {
        Ok(secret) => {
            let issuer = TokenIssuer::new(SigningKey::hs256(secret)?);
            let token = issuer.issue("alice", &())?;
            println!(
                "signed with KEYWARD_SECRET; token verifies for {}",
                issuer.verify::<()>(&token)?.subject
            );
        }
        Err(SecretError::NotSet { name }) => {
            let fresh = SecretKey::generate()?;
            println!(
                "{name} is not set. Add this line to your .env file (and keep it out of git):\n"
            );
            println!("{name}={}", fresh.expose_base64().as_str());
        }
        Err(error) => {
            // Too short, not base64 or not unicode: say which, never print the value.
            eprintln!("cannot use KEYWARD_SECRET: {error}");
            std::process::exit(1);
        }
    }
    Ok(())
}
