#!/usr/bin/env bash
# The whole test suite, as the README gives it and as .ci/run calls it: unit, integration,
# doc and Python interop tests, once per crypto backend.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n==> %s\n' "$*"; }

step "interop environments: Python venvs and Node jose (scripts/interop-env.sh)"
bash scripts/interop-env.sh

# Interop tests skip themselves when a virtualenv is missing; here a missing one is a failure.
export KEYWARD_REQUIRE_INTEROP=1

step "cargo test (default features: aws-lc-rs backend)"
cargo test --locked

step "cargo test --no-default-features --features rust-crypto"
cargo test --locked --no-default-features --features rust-crypto

step "cargo test --all-features (both backends enabled)"
cargo test --locked --all-features
