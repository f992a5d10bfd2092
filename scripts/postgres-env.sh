#!/usr/bin/env bash
# Make sure the Postgres server binaries are installed for the tests that start a throwaway
# cluster themselves (demo/tests/replicas.rs, demo/tests/common/postgres.rs, scripts/load.py
# sessions). Nothing is started here: each test run does `initdb` into a temporary folder
# (as the `postgres` user when run as root), listens on a free loopback port with fsync off,
# and stops and removes the cluster afterwards.
#
# Debian's postgresql package puts the binaries in /usr/lib/postgresql/<major>/bin; set
# KEYWARD_PG_BINDIR to use others. Missing binaries are installed with apt-get when this runs
# as root; otherwise this fails and says how to install them.
set -euo pipefail

found() {
    if [[ -n ${KEYWARD_PG_BINDIR:-} ]]; then
        [[ -x $KEYWARD_PG_BINDIR/initdb && -x $KEYWARD_PG_BINDIR/pg_ctl ]]
    else
        compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null
    fi
}

if found; then
    echo "postgres-env: $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | tail -1) ${KEYWARD_PG_BINDIR:-}"
    exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
    echo "postgres-env: the Postgres server binaries are missing; install them with" >&2
    echo "  sudo apt-get install postgresql   (or set KEYWARD_PG_BINDIR)" >&2
    exit 1
fi

echo "postgres-env: installing postgresql with apt-get"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends postgresql >/dev/null
found || { echo "postgres-env: postgresql installed, but no initdb found" >&2; exit 1; }
echo "postgres-env: $(ls -d /usr/lib/postgresql/*/bin | tail -1)"
