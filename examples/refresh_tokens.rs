//! Access and refresh tokens: a short-lived access token for API calls and a longer-lived
//! refresh token for getting new ones. Each has its own `typ`, so neither is accepted in place of
//! the other, and the pair is returned as an OAuth2 token response.
//!
//! Run with `cargo run --example refresh_tokens`.

use std::time::Duration;

use keyward::SecretKey;
use keyward::token::{FixedClock, Lifetime, SigningKey, TokenIssuer};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let clock = FixedClock::at(chrono::Utc::now());
    let issuer = TokenIssuer::new(SigningKey::hs256(SecretKey::generate()?)?)
        .with_ttl(Lifetime::from_mins(15)?)
        .with_refresh_ttl(Lifetime::from_days(7)?)
        .with_clock(clock.clone());

    // POST /token
    let response = issuer.issue_response("alice", &())?;
    println!(
        "POST /token ->\n{}\n",
        serde_json::to_string_pretty(&response)?
    );
    let refresh = response
        .refresh_token
        .clone()
        .expect("issued with a refresh token");

    // The refresh token is no access token, and the other way round.
    println!(
        "refresh token used as access token: {}",
        issuer.verify::<()>(&refresh).unwrap_err()
    );
    println!(
        "access token used as refresh token: {}",
        issuer
            .verify_refresh::<()>(&response.access_token)
            .unwrap_err()
    );

    // 20 minutes later the access token has expired; the refresh token gets a new one.
    clock.advance(Duration::from_secs(20 * 60));
    println!(
        "access token after 20 minutes:      {}",
        issuer.verify::<()>(&response.access_token).unwrap_err()
    );
    let subject = issuer.verify_refresh::<()>(&refresh)?.subject;
    let renewed = issuer.issue(&subject, &())?;
    println!(
        "POST /token/refresh -> new access token for {}",
        issuer.verify::<()>(&renewed)?.subject
    );
    Ok(())
}
