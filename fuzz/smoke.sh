#!/usr/bin/env bash
# CI's fuzz smoke test: installs cargo-fuzz if it is missing, builds every target, and runs each
# one for SECONDS_EACH seconds (default 20), one at a time, from the saved inputs in
# tests/fuzz-regressions/<target>/. Exits 1 naming the target and the crash file if any target
# crashes. The long runs are fuzz/run.sh (ten minutes per target).
#
#   fuzz/smoke.sh                    # every target, 20 s each
#   SECONDS_EACH=30 fuzz/smoke.sh jwk pem_key
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "smoke: installing cargo-fuzz (RUSTC_BOOTSTRAP=1 cargo install cargo-fuzz --locked)"
    cargo install cargo-fuzz --locked
fi

seconds=${SECONDS_EACH:-20}
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    # Every [[bin]] of fuzz/Cargo.toml, so a new target is smoked without editing this script.
    mapfile -t targets < <(sed -n 's/^name = "\([a-z0-9_]*\)"$/\1/p' Cargo.toml | grep -v '^keyward-fuzz$')
fi

started=$SECONDS
cargo fuzz build --release
echo "smoke: built ${#targets[@]} targets in $((SECONDS - started)) s"

mkdir -p logs
failed=0
for target in "${targets[@]}"; do
    mkdir -p "corpus/$target"
    cp ../tests/fuzz-regressions/"$target"/* "corpus/$target/" 2>/dev/null || true
    log="logs/$target.smoke.log"
    code=0
    cargo fuzz run --release "$target" "corpus/$target" -- -max_total_time="$seconds" \
        -max_len=16384 >"$log" 2>&1 || code=$?
    runs=$(grep -o 'Done [0-9]* runs' "$log" | tail -1 || true)
    if [ "$code" -eq 0 ]; then
        echo "smoke: $target: ${runs:-no summary} in $seconds s; no crash"
    else
        crash=$(grep -o 'Test unit written to [^ ]*' "$log" | sed 's/^Test unit written to //' || true)
        echo "smoke: FAILED $target (exit $code): ${crash:-no crash file}; log: fuzz/$log" >&2
        tail -30 "$log" >&2
        failed=1
    fi
done
echo "smoke: done in $((SECONDS - started)) s"
exit "$failed"
