#!/usr/bin/env bash
# Runs a chaos test with a PostgreSQL cluster of its own (never the shared DATABASE_URL: one of the
# faults stops the database). Exports PULSE_CHAOS_PG_DIR / PULSE_CHAOS_PG_BIN so the test can stop
# and start it, and removes the cluster afterwards.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/scripts/lib/common.sh"
source "$root/scripts/lib/pg.sh"
unset DATABASE_URL
pg_throwaway_start 2>/dev/null
trap pg_throwaway_stop EXIT
export PULSE_CHAOS_PG_DIR=$PG_THROWAWAY_DIR PULSE_CHAOS_PG_BIN=$PG_THROWAWAY_BIN
"$@"
