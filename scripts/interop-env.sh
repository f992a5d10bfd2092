#!/usr/bin/env bash
# Create the Python virtualenvs and the Node package tree used by the interop
# tests (tests/interop/).
#
#   venv-modern   pyca bcrypt 5 + PyJWT[crypto]   (tests/interop/requirements-modern.txt)
#   venv-passlib  passlib 1.7.4 + bcrypt 4.0.1    (tests/interop/requirements-passlib.txt)
#   venv-jose     python-jose[cryptography] 3.5.0 (tests/interop/requirements-jose.txt)
#   venv-oauth    authlib 1.9.6 + requests-oauthlib 2.0.0, the OAuth 2.0 clients of the
#                 login server's tests (demo/tests/interop/requirements-oauth.txt)
#   node          Node jose 6                      (tests/interop/node/package-lock.json)
#
# They live under ${KEYWARD_INTEROP_DIR:-target/interop} (a relative path is
# taken from the repo root). Idempotent: an environment whose stamp file
# matches the hash of its pins and the interpreter's version is left alone;
# any other is deleted and rebuilt. Needs only python3 and PyPI, node and npm
# and the npm registry. Without node the Node step is skipped with a note
# (an error when KEYWARD_REQUIRE_INTEROP=1).
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

# make_node: `npm ci` of tests/interop/node's package-lock.json into $dir/node.
make_node() {
    local src="$root/tests/interop/node" dest="$dir/node"
    local stamp="$dest/.keyward-stamp"
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        if [[ ${KEYWARD_REQUIRE_INTEROP:-} == 1 ]]; then
            echo "interop-env: node and npm are needed for the Node jose tests" >&2
            exit 1
        fi
        echo "interop-env: node or npm not found: skipping the Node jose tests' install"
        return
    fi
    local want
    want="$(cat "$src/package.json" "$src/package-lock.json" | sha256sum | cut -d' ' -f1) node-$(node --version)"

    if [[ -d $dest/node_modules && -f $stamp && $(<"$stamp") == "$want" ]]; then
        echo "interop-env: node is up to date ($dest)"
        return
    fi

    echo "interop-env: installing node packages in $dest (node $(node --version), pins from ${src#"$root"/}/package-lock.json)"
    rm -rf "$dest"
    mkdir -p "$dest"
    cp "$src/package.json" "$src/package-lock.json" "$dest/"
    # `npm ci` installs exactly the lock file and fails if package.json disagrees with it.
    # No install scripts, no audit or funding requests: the registry's tarballs only.
    (cd "$dest" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error </dev/null)

    echo "$want" >"$stamp"
    echo "interop-env: node ready"
}

make_venv venv-modern "$root/tests/interop/requirements-modern.txt"
make_venv venv-passlib "$root/tests/interop/requirements-passlib.txt"
make_venv venv-argon2 "$root/tests/interop/requirements-argon2.txt"
make_venv venv-jose "$root/tests/interop/requirements-jose.txt"
make_venv venv-oauth "$root/demo/tests/interop/requirements-oauth.txt"
make_node

echo "interop-env: interpreters:"
echo "  modern:  $dir/venv-modern/bin/python"
echo "  passlib: $dir/venv-passlib/bin/python"
echo "  argon2:  $dir/venv-argon2/bin/python"
echo "  jose:    $dir/venv-jose/bin/python"
echo "  oauth:   $dir/venv-oauth/bin/python"
echo "  node:    $(command -v node || echo missing) with $dir/node/node_modules"
