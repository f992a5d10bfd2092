#!/usr/bin/env bash
# A throwaway Postgres cluster for tests and for running replicas by hand; see the script it
# runs (kept in the keyward-session-postgres crate, whose test helper embeds it):
#   eval "$(scripts/postgres.sh start)"   # sets KEYWARD_POSTGRES_URL and KEYWARD_POSTGRES_DIR
#   scripts/postgres.sh stop "$KEYWARD_POSTGRES_DIR"
exec bash "$(dirname "$0")/../crates/keyward-session-postgres/scripts/postgres.sh" "$@"
