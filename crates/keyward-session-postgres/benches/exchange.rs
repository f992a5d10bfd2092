//! Refresh exchanges on the Postgres store: a bounded load (sessions exchanging
//! concurrently, each a chain of exchanges), reporting exchanges per second, median and p99
//! latency, with one store (one replica) and with two stores of their own pools (two
//! replicas) sharing the load.
//!
//! `cargo bench -p keyward-session-postgres --bench exchange`: starts a throwaway cluster
//! (or uses `KEYWARD_POSTGRES_URL`).

use keyward_session::testing::{cutoff_check_load, exchange_load};
use keyward_session_postgres::PostgresStore;
use keyward_session_postgres::testing::TestCluster;

fn main() {
    if !std::env::args().any(|arg| arg == "--bench") {
        return;
    }
    let per_session: usize = std::env::var("KEYWARD_BENCH_EXCHANGES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(200);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let Some(cluster) = TestCluster::shared() else {
        return;
    };
    runtime.block_on(async {
        for concurrency in [1, 16, 32] {
            let url = cluster.fresh_database().await;
            let store = PostgresStore::connect_with_pool_size(&url, 16)
                .await
                .expect("connect");
            let report = exchange_load(store, concurrency, per_session).await;
            println!("postgres, one store: {report}");
        }
        // The per-request cutoff check (a password change on one replica is refused on every
        // other at its next request): what it costs each request.
        for concurrency in [1, 16] {
            let url = cluster.fresh_database().await;
            let store = PostgresStore::connect_with_pool_size(&url, 16)
                .await
                .expect("connect");
            let report = cutoff_check_load(store, concurrency, per_session * 2).await;
            println!("postgres, cutoff checks: {report}");
        }
        for concurrency in [16, 32] {
            let url = cluster.fresh_database().await;
            let (one, two) = (
                PostgresStore::connect_with_pool_size(&url, 8)
                    .await
                    .expect("connect"),
                PostgresStore::connect_with_pool_size(&url, 8)
                    .await
                    .expect("connect"),
            );
            let (a, b) = tokio::join!(
                exchange_load(one, concurrency / 2, per_session),
                exchange_load(two, concurrency / 2, per_session)
            );
            let per_second = a.per_second() + b.per_second();
            println!(
                "postgres, two stores: {concurrency} concurrent sessions: {per_second:.0}/s \
                 (replica 1: {a}; replica 2: {b})"
            );
        }
    });
}
