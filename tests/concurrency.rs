//! One `TokenIssuer`, `TokenVerifier` and `PasswordHasher` shared by many threads at once: no
//! errors, no lost or crossed results.

use std::collections::HashSet;
use std::sync::Arc;
use std::thread;

use keyward::password::{Cost, PasswordHasher};
use keyward::token::{SigningKey, TokenIssuer, TokenVerifier};

const THREADS: usize = 8;
const PER_THREAD: usize = 200;

#[test]
fn tokens_issued_and_verified_from_many_threads() {
    let issuer = Arc::new(
        TokenIssuer::new(SigningKey::hs256(*b"concurrency-secret-0123456789abc").unwrap())
            .with_audience("api"),
    );
    let verifier: TokenVerifier = issuer.verifier();
    let results: Vec<Vec<(String, String)>> = thread::scope(|scope| {
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let (issuer, verifier) = (Arc::clone(&issuer), verifier.clone());
                scope.spawn(move || {
                    (0..PER_THREAD)
                        .map(|i| {
                            let subject = format!("user-{t}-{i}");
                            let token = issuer.issue(&subject, &()).unwrap();
                            // Alternate the issuer's own verify and the shared verify-only half.
                            let claims = if i % 2 == 0 {
                                issuer.verify::<()>(&token)
                            } else {
                                verifier.verify::<()>(&token)
                            };
                            let claims = claims.unwrap();
                            assert_eq!(claims.subject, subject);
                            (claims.subject, claims.token_id.unwrap())
                        })
                        .collect()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let all: Vec<(String, String)> = results.into_iter().flatten().collect();
    assert_eq!(all.len(), THREADS * PER_THREAD);
    let subjects: HashSet<&String> = all.iter().map(|(s, _)| s).collect();
    let ids: HashSet<&String> = all.iter().map(|(_, id)| id).collect();
    assert_eq!(subjects.len(), THREADS * PER_THREAD);
    assert_eq!(
        ids.len(),
        THREADS * PER_THREAD,
        "token ids must be unique across threads"
    );
}

#[test]
fn passwords_hashed_and_verified_from_many_threads() {
    let hasher = PasswordHasher::new().with_cost(Cost::new(4).unwrap());
    let outcomes: Vec<(String, bool, bool)> = thread::scope(|scope| {
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                scope.spawn(move || {
                    (0..20)
                        .map(|i| {
                            let password = format!("password {t} {i}");
                            let hash = hasher.hash(&password).unwrap();
                            let right = hasher.verify(&password, &hash).is_ok();
                            let wrong = hasher.verify(format!("{password}!"), &hash).is_ok();
                            (hash.into_string(), right, wrong)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert_eq!(outcomes.len(), THREADS * 20);
    assert!(outcomes.iter().all(|(_, right, wrong)| *right && !*wrong));
    let distinct: HashSet<&String> = outcomes.iter().map(|(hash, _, _)| hash).collect();
    assert_eq!(
        distinct.len(),
        outcomes.len(),
        "every hash has its own salt"
    );
}
