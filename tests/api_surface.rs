//! The shapes of the public API that users write against: these fail to compile, not to run,
//! if a re-export or a signature regresses.

use std::sync::Arc;

use keyward::password::Cost;
use keyward::token::{Clock, FixedClock, KeySet, Leeway, Lifetime, SigningKey, TokenInfo};
use keyward::{Claims, PasswordHasher, TokenIssuer, TokenVerifier};

/// DESIGN.md's card promises `use keyward::{PasswordHasher, TokenIssuer, TokenVerifier, Claims}`.
#[test]
fn the_main_types_are_at_the_crate_root() {
    let hasher = PasswordHasher::new().with_cost(Cost::new(4).unwrap());
    let hash = hasher.hash("pw").unwrap();
    hasher.verify("pw", &hash).unwrap();

    let issuer = TokenIssuer::new(SigningKey::hs256([7u8; 32]).unwrap());
    let verifier: TokenVerifier = issuer.verifier();
    let claims: Claims<()> = verifier
        .verify(&issuer.issue("alice", &()).unwrap())
        .unwrap();
    assert_eq!(claims.subject, "alice");
}

/// A chain of `with_*` setters has no `?` in it: every value was checked when it was made.
#[test]
fn builder_chains_do_not_fail_midway() -> Result<(), Box<dyn std::error::Error>> {
    let ttl = Lifetime::from_mins(5)?;
    let leeway = Leeway::from_secs(10)?;
    let issuer = TokenIssuer::new(SigningKey::hs256([7u8; 32])?.with_key_id("k1"))
        .with_issuer("https://auth.example.com")
        .with_audience("api")
        .with_ttl(ttl)
        .with_refresh_ttl(Lifetime::from_days(1)?)
        .with_leeway(leeway);
    let verifier = TokenVerifier::new(issuer.verifying_key())
        .with_issuer("https://auth.example.com")
        .with_audience("api")
        .with_leeway(leeway)
        .with_key_set(KeySet::from(issuer.verifying_key()));
    verifier.verify::<()>(&issuer.issue("alice", &())?)?;
    Ok(())
}

/// A service shares one clock, as `Arc<dyn Clock>`, between the issuer and everything else.
#[test]
fn a_shared_dyn_clock_is_accepted() {
    let clock: Arc<dyn Clock> = Arc::new(FixedClock::at_unix_seconds(1_700_000_000));
    let issuer =
        TokenIssuer::new(SigningKey::hs256([7u8; 32]).unwrap()).with_clock(Arc::clone(&clock));
    let claims = issuer
        .verify::<()>(&issuer.issue("alice", &()).unwrap())
        .unwrap();
    assert_eq!(claims.issued_at, Some(clock.now()));
}

fn never_revoked(_: &TokenInfo<'_>) -> bool {
    false
}

/// A revocation closure needs no type annotation (it was E0282 before).
#[test]
fn a_revocation_closure_needs_no_annotation() {
    let issuer = TokenIssuer::new(SigningKey::hs256([7u8; 32]).unwrap())
        .with_revocation_check(|token: &TokenInfo<'_>| token.subject == "mallory");
    let token = issuer.issue("mallory", &()).unwrap();
    assert!(issuer.verify::<()>(&token).is_err());
    let _ = issuer.verifier().with_revocation_check(never_revoked);
}
