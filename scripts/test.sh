#!/usr/bin/env bash
# The whole test suite, as the README gives it and as .ci/run calls it: unit, integration,
# doc and interop tests of every workspace member; the core crate once per crypto backend.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n==> %s\n' "$*"; }

step "interop environments: Python venvs and Node jose (scripts/interop-env.sh)"
bash scripts/interop-env.sh

# The interop tests are #[ignore]d with the reason, so a plain `cargo test` lists them as
# ignored; here they run (--include-ignored) and fail if an environment is missing. Older
# interop helpers that are not ignored skip on a missing environment unless this is set.
export KEYWARD_REQUIRE_INTEROP=1

step "a throwaway Postgres cluster for the session stores and replicas (scripts/postgres.sh)"
# Postgres tests fail rather than skip here; one cluster serves every test binary (each test
# makes its own database), stopped and removed when this script exits or dies.
export KEYWARD_REQUIRE_POSTGRES=1
eval "$(bash scripts/postgres.sh start --watch $$)"
export KEYWARD_POSTGRES_URL KEYWARD_POSTGRES_DIR
trap 'bash scripts/postgres.sh stop "$KEYWARD_POSTGRES_DIR" >/dev/null 2>&1 || true' EXIT

step "cargo test --workspace (every member; default features: the aws-lc-rs backend)"
cargo test --locked --workspace -- --include-ignored

step "cargo test -p keyward --no-default-features --features rust-crypto"
cargo test --locked -p keyward --no-default-features --features rust-crypto -- --include-ignored

step "cargo test -p keyward --all-features (both backends enabled)"
cargo test --locked -p keyward --all-features -- --include-ignored
