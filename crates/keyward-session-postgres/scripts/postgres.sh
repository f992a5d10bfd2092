#!/usr/bin/env bash
# A throwaway Postgres cluster for tests.
#
#   postgres.sh start [--watch PID]
#       initdb into a new temporary folder (owned by the `postgres` user when run as root),
#       starts the server on a free loopback port with fsync off, and prints two lines:
#           KEYWARD_POSTGRES_URL=postgres://postgres@127.0.0.1:PORT/postgres
#           KEYWARD_POSTGRES_DIR=/tmp/keyward-pg.XXXXXX
#       With --watch PID, a background watcher stops the server and removes the folder once
#       process PID has exited (the test binary that asked for the cluster).
#   postgres.sh stop DIR
#       stops the server of DIR and removes DIR.
#
# Binaries: initdb and pg_ctl from PATH, else /usr/lib/postgresql/*/bin. When missing and
# run as root with apt-get, installs Debian's `postgresql`; otherwise fails saying how.
set -euo pipefail

log() { printf 'postgres.sh: %s\n' "$*" >&2; }

find_bin() {
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        PG_BIN=$(dirname "$(readlink -f "$(command -v initdb)")")
        return 0
    fi
    local dir
    for dir in /usr/lib/postgresql/*/bin; do
        if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
            PG_BIN=$dir
            return 0
        fi
    done
    return 1
}

ensure_bin() {
    find_bin && return 0
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
        log "initdb/pg_ctl not found: installing Debian's postgresql"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
        find_bin && return 0
    fi
    log "initdb and pg_ctl not found. Install PostgreSQL (Debian: 'apt-get install postgresql'),"
    log "or put its bin folder (e.g. /usr/lib/postgresql/15/bin) on PATH."
    exit 1
}

# Runs a command as the postgres user when we are root (the server refuses to run as root).
as_owner() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' 2>/dev/null \
        || echo $((20000 + RANDOM % 20000))
}

start() {
    local watch=""
    if [[ ${1:-} == "--watch" ]]; then
        watch=${2:?--watch needs a PID}
    fi
    ensure_bin
    local dir
    dir=$(mktemp -d /tmp/keyward-pg.XXXXXX)
    chmod 755 "$dir"
    if [[ $(id -u) -eq 0 ]]; then
        chown postgres: "$dir"
    fi
    as_owner "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-sync \
        --no-instructions >"$dir/initdb.log" 2>&1 \
        || { log "initdb failed:"; cat "$dir/initdb.log" >&2; rm -rf "$dir"; exit 1; }
    local port attempt
    for attempt in 1 2 3 4 5; do
        port=$(free_port)
        if as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
            -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c full_page_writes=off -c max_connections=300" \
            start >/dev/null 2>&1; then
            break
        fi
        log "start on port $port failed (attempt $attempt)"
        port=""
    done
    if [[ -z $port ]]; then
        log "the server did not start; its log:"
        cat "$dir/server.log" >&2 || true
        rm -rf "$dir"
        exit 1
    fi
    if [[ -n $watch ]]; then
        # Detached: stops the cluster once the watched process is gone.
        nohup setsid bash -c "$(declare -f log find_bin as_owner stop)
            while kill -0 $watch 2>/dev/null; do sleep 1; done
            stop $dir" >/dev/null 2>&1 &
    fi
    echo "KEYWARD_POSTGRES_URL=postgres://postgres@127.0.0.1:$port/postgres"
    echo "KEYWARD_POSTGRES_DIR=$dir"
}

stop() {
    local dir=${1:?stop needs the cluster folder}
    [[ $dir == /tmp/keyward-pg.* ]] || { log "refusing to remove $dir"; exit 1; }
    find_bin || true
    if [[ -n ${PG_BIN:-} && -d $dir/data ]]; then
        as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
}

case ${1:-} in
    start) shift; start "$@" ;;
    stop) shift; stop "$@" ;;
    *) log "usage: postgres.sh start [--watch PID] | postgres.sh stop DIR"; exit 2 ;;
esac
