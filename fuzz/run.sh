#!/usr/bin/env bash
# Runs every fuzz target (or those named) for SECONDS each (default 600), two at a time on a
# 2-core machine, and reports executions and crashes. Needs cargo-fuzz, which this toolchain
# runs with RUSTC_BOOTSTRAP=1:  RUSTC_BOOTSTRAP=1 cargo install cargo-fuzz
#
#   fuzz/run.sh                  # all targets, 10 minutes each
#   SECONDS_EACH=60 fuzz/run.sh claims jwks
#
# Every target runs for its whole budget even when another one fails; the script then exits 1
# if any target found a crash (or its fuzzer failed), naming the target and the crash file.
# Crash inputs land in fuzz/artifacts/<target>/; copy each into tests/fuzz-regressions/<target>/
# once fixed, so every CI run replays it (tests/fuzz_regressions.rs).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
export RUSTC_BOOTSTRAP=1
seconds=${SECONDS_EACH:-600}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(verify_hs256 verify_es256 password_hash jwks claims bearer pem_key jwk jws_header remote_jwks differential)

cargo fuzz build --release
mkdir -p logs
# Each target's verdict ("ok" or what went wrong) goes to logs/<target>.status, read at the end:
# the targets run in background jobs, whose variables the script cannot see.
run_one() {
    local target=$1
    local log="logs/$target.log" status="logs/$target.status" marker="logs/$target.started"
    rm -f "$status"
    touch "$marker"
    mkdir -p "corpus/$target"
    # Seed the corpus with the saved regression inputs, if any.
    cp ../tests/fuzz-regressions/"$target"/* "corpus/$target/" 2>/dev/null || true
    local code=0
    cargo fuzz run --release "$target" "corpus/$target" -- -max_total_time="$seconds" -max_len=16384 \
        >"$log" 2>&1 || code=$?
    local runs
    runs=$(grep -o 'Done [0-9]* runs' "$log" | tail -1 || true)
    # Crash files of this run: the one libFuzzer names, else any written since the run started
    # (older files in artifacts/ are from earlier runs). Slow-unit reports are not crashes.
    local crashes
    crashes=$(grep -o 'Test unit written to [^ ]*' "$log" | sed 's/^Test unit written to //' \
        | grep -v '/slow-unit-' || true)
    if [ -z "$crashes" ] && [ -d "artifacts/$target" ]; then
        crashes=$(find "artifacts/$target" -type f -newer "$marker" ! -name 'slow-unit-*' | sort)
    fi
    if [ "$code" -eq 0 ] && [ -z "$crashes" ]; then
        echo "$target: ${runs:-no summary} in ${seconds} s; no crash"
        echo ok >"$status"
    elif [ -n "$crashes" ]; then
        echo "$target: CRASH after ${runs:-an unknown number of runs}; crash file(s):" $crashes "(log: fuzz/$log)"
        echo "crash: $(echo $crashes)" >"$status"
    else
        echo "$target: FAILED: cargo fuzz exited with $code and left no crash file (log: fuzz/$log)"
        echo "failed: exit $code" >"$status"
    fi
    rm -f "$marker"
}
for ((i = 0; i < ${#targets[@]}; i += 2)); do
    run_one "${targets[i]}" &
    if ((i + 1 < ${#targets[@]})); then run_one "${targets[i + 1]}" & fi
    wait
done

failed=0
for target in "${targets[@]}"; do
    verdict=$(cat "logs/$target.status" 2>/dev/null || echo "failed: no verdict (see fuzz/logs/$target.log)")
    if [ "$verdict" != ok ]; then
        echo "FAILED $target: $verdict" >&2
        failed=1
    fi
done
exit "$failed"
