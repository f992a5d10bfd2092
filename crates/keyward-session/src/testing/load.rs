//! A bounded load of refresh exchanges, for the stores' benchmarks.

use std::time::{Duration, Instant};

use futures_util::future::join_all;

use super::{Harness, client, unique};
use crate::SessionStore;

/// What a load run measured.
#[derive(Debug, Clone)]
pub struct LoadReport {
    /// Operations done (exchanges, or cutoff checks).
    pub exchanges: usize,
    /// Concurrent sessions exchanging.
    pub concurrency: usize,
    /// Wall time of the run.
    pub elapsed: Duration,
    /// Median latency of one exchange.
    pub median: Duration,
    /// 99th-percentile latency of one exchange.
    pub p99: Duration,
}

impl LoadReport {
    /// Exchanges per second.
    pub fn per_second(&self) -> f64 {
        #[allow(clippy::cast_precision_loss)]
        let exchanges = self.exchanges as f64;
        exchanges / self.elapsed.as_secs_f64().max(f64::EPSILON)
    }
}

impl std::fmt::Display for LoadReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} operations, {} concurrent: {:.0}/s, median {:.2} ms, p99 {:.2} ms",
            self.exchanges,
            self.concurrency,
            self.per_second(),
            self.median.as_secs_f64() * 1e3,
            self.p99.as_secs_f64() * 1e3
        )
    }
}

/// Starts `concurrency` sessions on `store` and exchanges each one's refresh token
/// `per_session` times in a chain (each exchange presents the previous successor), all
/// sessions at once. Every exchange must rotate.
///
/// # Panics
///
/// When an exchange fails.
pub async fn exchange_load<S: SessionStore + Clone + 'static>(
    store: S,
    concurrency: usize,
    per_session: usize,
) -> LoadReport {
    let h = Harness::new(store);
    let account = h.account(&unique("load"), "a password").await;
    let mut tokens = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        let started = h.sessions.start(&account, &client()).await.expect("start");
        tokens.push(started.refresh_token().clone());
    }
    let began = Instant::now();
    let chains = tokens.into_iter().map(|mut token| {
        let sessions = h.sessions.clone();
        async move {
            let mut latencies = Vec::with_capacity(per_session);
            for _ in 0..per_session {
                let one = Instant::now();
                let rotated = sessions
                    .exchange(token.expose_secret())
                    .await
                    .expect("exchange");
                latencies.push(one.elapsed());
                token = rotated.refresh_token().clone();
            }
            latencies
        }
    });
    let latencies: Vec<Duration> = join_all(chains).await.into_iter().flatten().collect();
    report(latencies, concurrency, began.elapsed())
}

/// Checks `concurrency × per_task` access tokens against their account's cutoff
/// ([`Sessions::is_access_voided`](crate::Sessions::is_access_voided), the per-request check)
/// from `concurrency` tasks at once, and reports it like an exchange load.
///
/// # Panics
///
/// When a check fails.
pub async fn cutoff_check_load<S: SessionStore + Clone + 'static>(
    store: S,
    concurrency: usize,
    per_task: usize,
) -> LoadReport {
    let h = Harness::new(store);
    let account = h.account(&unique("cutoff"), "a password").await;
    h.sessions
        .end_all_sessions(account.name())
        .await
        .expect("cutoff");
    let issued = h.sessions.now() + chrono::TimeDelta::seconds(5);
    let began = Instant::now();
    let tasks = (0..concurrency).map(|_| {
        let (sessions, name) = (h.sessions.clone(), account.name().clone());
        async move {
            let mut latencies = Vec::with_capacity(per_task);
            for _ in 0..per_task {
                let one = Instant::now();
                let voided = sessions
                    .is_access_voided(name.as_str(), Some(issued))
                    .await
                    .expect("check");
                assert!(!voided);
                latencies.push(one.elapsed());
            }
            latencies
        }
    });
    let latencies: Vec<Duration> = join_all(tasks).await.into_iter().flatten().collect();
    report(latencies, concurrency, began.elapsed())
}

fn report(mut latencies: Vec<Duration>, concurrency: usize, elapsed: Duration) -> LoadReport {
    latencies.sort_unstable();
    let at = |fraction: f64| {
        #[allow(
            clippy::cast_precision_loss,
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss
        )]
        let index = ((latencies.len() as f64 - 1.0) * fraction).round() as usize;
        latencies.get(index).copied().unwrap_or_default()
    };
    LoadReport {
        exchanges: latencies.len(),
        concurrency,
        elapsed,
        median: at(0.5),
        p99: at(0.99),
    }
}
