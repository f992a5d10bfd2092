#!/usr/bin/env bash
# Checks that the crate is ready to publish: every documented feature combination builds, the
# lower bounds in Cargo.toml are true, and `cargo publish --dry-run` passes. Called by .ci/run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n==> %s\n' "$*"; }

# Documented combinations (README, "Crypto backend"); no backend at all is a compile_error! by
# design, so it is not listed.
for features in "" "--no-default-features --features aws-lc-rs" \
    "--no-default-features --features rust-crypto" "--all-features"; do
    step "cargo check --lib ${features:-(default features)}"
    cargo check --locked --lib $features
done

step "cargo publish --dry-run (packages the crate and builds it from the package)"
cargo publish --dry-run --locked

# Resolve every direct dependency to the lowest version Cargo.toml allows, then build and test
# with that. Cargo.lock is restored afterwards whatever happens.
step "minimal direct dependency versions: build and test"
cp Cargo.lock target/Cargo.lock.ci-backup
trap 'cp target/Cargo.lock.ci-backup Cargo.lock' EXIT
RUSTC_BOOTSTRAP=1 cargo -Z direct-minimal-versions update
cargo test --lib --tests
