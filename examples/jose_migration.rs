//! Moving an API off the FastAPI tutorial's python-jose tokens: keyward verifies the tokens the
//! Python service already handed out while issuing its own, strictly typed ones.
//!
//! `TUTORIAL_TOKEN` was made once by python-jose 3.5.0 (`tests/interop/python_jose.py` in
//! venv-jose) exactly as the tutorial's `create_access_token` does, with `exp` fixed at
//! 2100-01-01T00:00:00Z so that it never expires here:
//!
//! ```python
//! jwt.encode({"sub": "johndoe", "exp": datetime(2100, 1, 1, tzinfo=timezone.utc)},
//!            SECRET_KEY, algorithm="HS256")   # header {"alg":"HS256","typ":"JWT"}
//! ```
//!
//! `tests/jose_interop.rs` checks that python-jose still makes exactly this string.
//!
//! Run with `cargo run --example jose_migration`.

use keyward::SecretKey;
use keyward::token::{SigningKey, TokenIssuer, TokenVerifier, VerifyingKey};

/// The tutorial's `SECRET_KEY` (`openssl rand -hex 32`), which python-jose uses as text.
const SECRET_KEY: &str = "09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7";

const TUTORIAL_TOKEN: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJqb2huZG9lIiwiZXhwIjo0MTAyNDQ0ODAwfQ.4sh0Q1TUl-n_pM9DffzrC-WTE2hGuun7_RrAC6Ce1Rg";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The old tokens: the text secret's own bytes (not hex-decoded, as python-jose does), and a
    // policy that takes `typ: JWT` and no `iat`, which is all the tutorial's tokens carry.
    let old_key = || VerifyingKey::hs256(SecretKey::from_text(SECRET_KEY));
    let migration = TokenVerifier::new(old_key()?)
        .with_access_token_types(["JWT"])
        .with_optional_iat(true);
    let claims = migration.verify::<()>(TUTORIAL_TOKEN)?;
    println!(
        "migration verifier: python-jose token for {:?}, expires {}, iat {:?}",
        claims.subject, claims.expires_at, claims.issued_at
    );

    // keyward's default policy wants RFC 9068 access tokens (`typ: at+jwt`, with `iat`).
    let Err(refusal) = TokenVerifier::new(old_key()?).verify::<()>(TUTORIAL_TOKEN) else {
        return Err("the default verifier accepted a typ JWT token".into());
    };
    println!("default verifier:   {refusal}");

    // New tokens come from a new issuer with a new random secret, verified strictly.
    let issuer = TokenIssuer::new(SigningKey::hs256(SecretKey::generate()?)?);
    let token = issuer.issue("johndoe", &())?;
    let strict = issuer.verifier();
    let claims = strict.verify::<()>(&token)?;
    println!(
        "strict verifier:    keyward token for {:?} (typ at+jwt, iat {})",
        claims.subject,
        claims
            .issued_at
            .map_or_else(|| "none".into(), |t| t.to_string())
    );

    println!(
        "\nDuring the migration, run both verifiers: the strict one first, then the migration \
         one for old tokens until the last one expires (the tutorial's lifetime is 15 minutes); \
         then drop it and the old secret."
    );
    Ok(())
}
