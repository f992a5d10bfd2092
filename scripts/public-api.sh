#!/usr/bin/env bash
# The public API of the `keyward` crate, kept in api/keyward.txt so that every API change shows
# in a diff. Builds rustdoc's JSON (a nightly-only output, unlocked on the stable toolchain with
# RUSTC_BOOTSTRAP=1, as cargo-public-api does), lists it with scripts/public_api.py, and
# compares the list with the committed one.
#
#   scripts/public-api.sh          fail, showing the diff, when api/keyward.txt is stale
#   scripts/public-api.sh --bless  rewrite api/keyward.txt
#
# Needs only the Rust toolchain and python3 (standard library).
set -euo pipefail
cd "$(dirname "$0")/.."

RUSTC_BOOTSTRAP=1 cargo rustdoc --quiet -p keyward --lib --all-features \
    -- -Z unstable-options --output-format json
target_dir=$(cargo metadata --format-version 1 --no-deps \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
current=$(mktemp)
trap 'rm -f "$current"' EXIT
python3 scripts/public_api.py "$target_dir/doc/keyward.json" > "$current"

if [[ "${1:-}" == "--bless" ]]; then
    mkdir -p api
    cp "$current" api/keyward.txt
    echo "api/keyward.txt updated ($(wc -l < api/keyward.txt) items)"
    exit 0
fi
if ! diff -u api/keyward.txt "$current"; then
    echo >&2
    echo "The public API changed: review the diff above, then run scripts/public-api.sh --bless" >&2
    echo "and commit api/keyward.txt (with a CHANGELOG line for anything removed or changed)." >&2
    exit 1
fi
echo "public API unchanged ($(wc -l < api/keyward.txt) items)"
