#!/usr/bin/env bash
# Runs a command with DATABASE_URL pointing at a PostgreSQL: the given one, or a throwaway cluster
# started here and removed afterwards (so an e2e test also runs alone, outside scripts/test).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/scripts/lib/common.sh"
source "$root/scripts/lib/pg.sh"
if [ -z "${DATABASE_URL:-}" ]; then
  pg_throwaway_start
  trap pg_throwaway_stop EXIT
fi
"$@"
