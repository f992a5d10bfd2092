//! Rotating an asymmetric signing key with `kid` and a JWKS document.
//!
//! The auth service signs with the newest key and publishes the public half of every key whose
//! tokens may still be alive; API services build their verifier from that document alone and
//! hold no secret. Tokens signed by a key that was never published are refused.
//!
//! Run with `cargo run --example key_rotation`.

use keyward::token::{KeySet, SigningKey, TokenIssuer, TokenVerifier};

fn key(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/keys/{name}", env!("CARGO_MANIFEST_DIR"))).expect("test key")
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let october =
        TokenIssuer::new(SigningKey::from_pem(key("p256-1-private.pem"))?.with_key_id("2026-10"));
    let november =
        TokenIssuer::new(SigningKey::from_pem(key("p256-2-private.pem"))?.with_key_id("2026-11"));
    let old_token = october.issue("alice", &())?;

    // After the rotation: sign with November's key, publish both public keys.
    let published = KeySet::new([november.verifying_key(), october.verifying_key()])?;
    let jwks = published.to_jwks();
    println!("GET /.well-known/jwks.json\n{jwks}\n");

    // An API service: only the document, no secret.
    let api = TokenVerifier::new(KeySet::from_jwks(&jwks)?);
    let new_token = november.issue("bob", &())?;
    println!(
        "token from the old key (kid 2026-10): {}",
        api.verify::<()>(&old_token)?.subject
    );
    println!(
        "token from the new key (kid 2026-11): {}",
        api.verify::<()>(&new_token)?.subject
    );

    // Once every October token has expired, October leaves the document.
    let after = TokenVerifier::new(KeySet::from_jwks(&november.verifier().key_set().to_jwks())?);
    println!(
        "old token after October is retired:   {}",
        after.verify::<()>(&old_token).unwrap_err()
    );

    // A key that was never published cannot mint accepted tokens, whatever kid it claims.
    let rogue =
        TokenIssuer::new(SigningKey::from_pem(key("ed25519-private.pem"))?.with_key_id("2026-11"));
    println!(
        "token from an unpublished key:        {}",
        api.verify::<()>(&rogue.issue("mallory", &())?).unwrap_err()
    );
    Ok(())
}
