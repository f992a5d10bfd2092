#![allow(missing_docs)] // criterion_group! generates undocumented items
//! A request through the `BearerAuth` layer against the same request to a handler that
//! verifies the token itself: what the layer adds (the target is at most 5 %).
//!
//! Both routers answer the token's subject, both read the header with `parse_bearer`, and
//! both run on one current-thread runtime; each is measured with an EdDSA key (what the
//! example servers publish) and HS256 (the cheapest verification, so the layer's share is
//! largest). On a shared machine the two sequential measurements see different loads, so
//! `through_layer_paired` also runs them interleaved, one request of each per iteration, and
//! prints both medians and the median ratio of the pairs.

use std::hint::black_box;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use axum::routing::get;
use criterion::{Criterion, criterion_group, criterion_main};
use keyward::token::{SigningKey, TokenIssuer, TokenVerifier, parse_bearer};
use keyward_tower::{BearerAuth, BearerClaims};
use tower::ServiceExt as _;

fn through_layer(verifier: TokenVerifier) -> Router {
    async fn handler(BearerClaims(claims): BearerClaims) -> String {
        claims.subject
    }
    let auth = BearerAuth::<()>::new(verifier);
    Router::new()
        .route("/", get(handler))
        .route_layer(auth.clone())
        .with_state(auth)
}

async fn once(app: &Router, authorization: &str) {
    let request = Request::get("/")
        .header(header::AUTHORIZATION, authorization)
        .body(Body::empty())
        .expect("a request");
    let response = app.clone().oneshot(request).await.expect("infallible");
    assert_eq!(response.status(), StatusCode::OK);
    black_box(response);
}

fn by_hand(verifier: TokenVerifier) -> Router {
    async fn handler(
        axum::extract::State(verifier): axum::extract::State<TokenVerifier>,
        headers: HeaderMap,
    ) -> Result<String, StatusCode> {
        let values = headers
            .get_all(header::AUTHORIZATION)
            .iter()
            .map(axum::http::HeaderValue::as_bytes);
        let token = parse_bearer(values)
            .ok()
            .flatten()
            .ok_or(StatusCode::UNAUTHORIZED)?;
        let claims = verifier
            .verify::<()>(token)
            .map_err(|_| StatusCode::UNAUTHORIZED)?;
        Ok(claims.subject)
    }
    Router::new().route("/", get(handler)).with_state(verifier)
}

/// Prints the medians of the paired samples (per request) and their ratio.
#[allow(clippy::cast_precision_loss)] // iteration counts are far below 2^52
fn report_pairs(name: &str, pairs: &[(Duration, Duration, u64)]) {
    let per_request = |pick: fn(&(Duration, Duration, u64)) -> Duration| {
        let mut values: Vec<f64> = pairs
            .iter()
            .map(|pair| pick(pair).as_secs_f64() * 1e6 / pair.2 as f64)
            .collect();
        values.sort_by(f64::total_cmp);
        values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
    };
    let hand = per_request(|pair| pair.0);
    let layer = per_request(|pair| pair.1);
    let mut ratios: Vec<f64> = pairs
        .iter()
        .map(|pair| pair.1.as_secs_f64() / pair.0.as_secs_f64())
        .collect();
    ratios.sort_by(f64::total_cmp);
    let ratio = ratios.get(ratios.len() / 2).copied().unwrap_or(f64::NAN);
    println!(
        "{name} paired: handler_verifies median {hand:.2} us, through_layer median {layer:.2} us, median ratio {ratio:.4} ({} samples)",
        pairs.len()
    );
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    let eddsa = TokenIssuer::new(
        SigningKey::from_pem(
            std::fs::read("../../tests/keys/ed25519-private.pem").expect("the test key"),
        )
        .expect("a key"),
    );
    let hs256 = TokenIssuer::new(SigningKey::hs256([5u8; 32]).expect("a key"));
    for (name, issuer) in [("eddsa", eddsa), ("hs256", hs256)] {
        let authorization = format!("Bearer {}", issuer.issue("alice", &()).expect("a token"));
        let mut group = c.benchmark_group(format!("request_{name}"));
        let (by_hand, layered) = (by_hand(issuer.verifier()), through_layer(issuer.verifier()));
        for (kind, app) in [("handler_verifies", &by_hand), ("through_layer", &layered)] {
            group.bench_function(kind, |b| {
                b.to_async(&runtime).iter(|| once(app, &authorization));
            });
        }
        // Interleaved: each iteration sends one request to each router, so both see the same
        // load; criterion times the layer's share, and the per-sample pairs (warm-up samples
        // included) give the ratio.
        let pairs = Mutex::new(Vec::new());
        group.bench_function("through_layer_paired", |b| {
            b.to_async(&runtime).iter_custom(|iters| {
                let (by_hand, layered, authorization, pairs) =
                    (&by_hand, &layered, &authorization, &pairs);
                async move {
                    let (mut hand, mut layer) = (Duration::ZERO, Duration::ZERO);
                    for iteration in 0..iters {
                        // Alternate which goes first, so neither gets the warmer caches.
                        let order = if iteration % 2 == 0 {
                            [(by_hand, &mut hand), (layered, &mut layer)]
                        } else {
                            [(layered, &mut layer), (by_hand, &mut hand)]
                        };
                        for (app, total) in order {
                            let start = Instant::now();
                            once(app, authorization).await;
                            *total += start.elapsed();
                        }
                    }
                    pairs
                        .lock()
                        .expect("not poisoned")
                        .push((hand, layer, iters));
                    layer
                }
            });
        });
        report_pairs(name, &pairs.into_inner().expect("not poisoned"));
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
