#!/usr/bin/env bash
# Runs every fuzz target (or those named) for SECONDS each (default 600), two at a time on a
# 2-core machine, and reports executions and crashes. Needs cargo-fuzz, which this toolchain
# runs with RUSTC_BOOTSTRAP=1:  RUSTC_BOOTSTRAP=1 cargo install cargo-fuzz
#
#   fuzz/run.sh                  # all targets, 10 minutes each
#   SECONDS_EACH=60 fuzz/run.sh claims jwks
#
# Crash inputs land in fuzz/artifacts/<target>/; copy each into tests/fuzz-regressions/<target>/
# once fixed, so every CI run replays it (tests/fuzz_regressions.rs).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
export RUSTC_BOOTSTRAP=1
seconds=${SECONDS_EACH:-600}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(verify_hs256 verify_es256 password_hash jwks claims)

cargo fuzz build --release
mkdir -p logs
run_one() {
    local target=$1
    mkdir -p "corpus/$target"
    # Seed the corpus with the saved regression inputs, if any.
    cp ../tests/fuzz-regressions/"$target"/* "corpus/$target/" 2>/dev/null || true
    cargo fuzz run --release "$target" "corpus/$target" -- -max_total_time="$seconds" -max_len=16384 \
        >"logs/$target.log" 2>&1 || true
    local runs
    runs=$(grep -o 'Done [0-9]* runs' "logs/$target.log" | tail -1 || true)
    local crashes
    crashes=$(ls "artifacts/$target" 2>/dev/null | wc -l)
    echo "$target: ${runs:-no summary} in ${seconds} s; crash files: $crashes"
}
for ((i = 0; i < ${#targets[@]}; i += 2)); do
    run_one "${targets[i]}" &
    if ((i + 1 < ${#targets[@]})); then run_one "${targets[i + 1]}" & fi
    wait
done
