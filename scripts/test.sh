#!/usr/bin/env bash
# The whole test suite, as the README gives it and as .ci/run calls it: unit, integration,
# doc and interop tests of every workspace member; the core crate once per crypto backend.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n==> %s\n' "$*"; }

step "interop environments: Python venvs and Node jose (scripts/interop-env.sh)"
bash scripts/interop-env.sh

# Interop tests skip themselves when a virtualenv is missing; here a missing one is a failure.
export KEYWARD_REQUIRE_INTEROP=1

step "cargo test --workspace (every member; default features: the aws-lc-rs backend)"
cargo test --locked --workspace

step "cargo test -p keyward --no-default-features --features rust-crypto"
cargo test --locked -p keyward --no-default-features --features rust-crypto

step "cargo test -p keyward --all-features (both backends enabled)"
cargo test --locked -p keyward --all-features
