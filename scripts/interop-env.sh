#!/usr/bin/env bash
# Create the Python virtualenvs used by the interop tests (tests/interop/).
#
#   venv-modern   pyca bcrypt 5 + PyJWT[crypto]   (tests/interop/requirements-modern.txt)
#   venv-passlib  passlib 1.7.4 + bcrypt 4.0.1    (tests/interop/requirements-passlib.txt)
#
# They live under ${KEYWARD_INTEROP_DIR:-target/interop} (a relative path is
# taken from the repo root). Idempotent: a venv whose stamp file matches the
# hash of its requirements file and the python3 version is left alone; any
# other venv is deleted and rebuilt. Needs only python3 and PyPI.
set -euo pipefail

# Work from the repo root whatever the caller's cwd.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)

dir=${KEYWARD_INTEROP_DIR:-target/interop}
case $dir in /*) ;; *) dir="$root/$dir" ;; esac
mkdir -p "$dir"

# Never prompt (CI has no stdin), never nag about pip's own version.
export PIP_NO_INPUT=1 PIP_DISABLE_PIP_VERSION_CHECK=1

pyver=$(python3 -c 'import sys; print(sys.version.split()[0])')

# make_venv NAME REQUIREMENTS_FILE
make_venv() {
    local name=$1 req=$2 venv="$dir/$1"
    local stamp="$venv/.keyward-stamp"
    # The stamp ties the venv to the exact pins and interpreter it was built from.
    local want
    want="$(sha256sum "$req" | cut -d' ' -f1) python-$pyver"

    if [[ -x $venv/bin/python && -f $stamp && $(<"$stamp") == "$want" ]]; then
        echo "interop-env: $name is up to date ($venv)"
        return
    fi

    echo "interop-env: creating $name in $venv (python $pyver, pins from ${req#"$root"/})"
    rm -rf "$venv"
    python3 -m venv "$venv"
    # Wheels only: no surprise source builds of bcrypt/cryptography (Rust, OpenSSL).
    "$venv/bin/pip" install -q --disable-pip-version-check --no-input \
        --only-binary=:all: -r "$req" </dev/null

    # Every installed package must be pinned in the requirements file, so a new
    # transitive dependency cannot slip in unpinned. Compare case-insensitively
    # with extras such as [crypto] stripped.
    local pinned installed
    pinned=$(grep -v '^\s*\(#\|$\)' "$req" | sed 's/\[[^]]*\]//' | tr 'A-Z' 'a-z' | sort)
    installed=$("$venv/bin/pip" freeze --disable-pip-version-check | tr 'A-Z' 'a-z' | sort)
    if [[ $pinned != "$installed" ]]; then
        echo "interop-env: $name does not match ${req#"$root"/}:" >&2
        diff <(echo "$pinned") <(echo "$installed") >&2 || true
        exit 1
    fi

    # Written last, so a failed install is retried on the next run.
    echo "$want" >"$stamp"
    echo "interop-env: $name ready"
}

make_venv venv-modern "$root/tests/interop/requirements-modern.txt"
make_venv venv-passlib "$root/tests/interop/requirements-passlib.txt"

echo "interop-env: interpreters:"
echo "  modern:  $dir/venv-modern/bin/python"
echo "  passlib: $dir/venv-passlib/bin/python"
