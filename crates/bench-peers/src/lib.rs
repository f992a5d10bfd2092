//! Benchmark only (`publish = false`): keyward's token issue and verify against the bare
//! signature primitive of its backend, `jsonwebtoken` and `jwt-simple`, measured interleaved.
//! Everything lives in `benches/peers/`; this library is empty because a package needs a
//! target Cargo can build without the benchmark's dev-dependencies.
//!
//! Run with `cargo bench -p keyward-bench-peers` (aws-lc-rs) or
//! `cargo bench -p keyward-bench-peers --no-default-features --features rust-crypto`.
