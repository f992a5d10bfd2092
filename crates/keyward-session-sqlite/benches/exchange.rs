//! Refresh exchanges on the SQLite store: a bounded load (sessions exchanging concurrently,
//! each a chain of exchanges), reporting exchanges per second, median and p99 latency.
//!
//! `cargo bench -p keyward-session-sqlite --bench exchange` (set `KEYWARD_BENCH_EXCHANGES`
//! for another count per session).

use keyward_session::testing::exchange_load;
use keyward_session_sqlite::{Durability, SqliteStore};

fn main() {
    // `cargo test --benches` and `cargo bench --no-run` build this; only `cargo bench` runs it.
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
    let dir = std::env::temp_dir().join(format!("keyward-bench-sqlite-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch folder");
    for (label, durability) in [
        ("synchronous=FULL", Durability::Full),
        ("synchronous=NORMAL", Durability::ProcessCrash),
    ] {
        for concurrency in [1, 16] {
            let path = dir.join(format!("{label}-{concurrency}.db"));
            let report = runtime.block_on(async {
                let store = SqliteStore::open_with_durability(&path, durability)
                    .await
                    .expect("open");
                exchange_load(store, concurrency, per_session).await
            });
            println!("sqlite {label}: {report}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
