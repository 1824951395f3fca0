# A throwaway PostgreSQL 15 cluster (initdb + pg_ctl into a temp folder, on a free port).
# Sourced by scripts/run and scripts/test. When DATABASE_URL is already set, nothing is started.
#   pg_throwaway_start   -> exports DATABASE_URL, sets PG_THROWAWAY_DIR
#   pg_throwaway_stop    -> stops the cluster and removes its folder

pg_bin_dir() {
  local d
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && { echo "$d"; return 0; }; done
  echo "pg: initdb not found (apt-get install postgresql)" >&2
  return 1
}

# initdb refuses to run as root: as root we run the cluster as the 'postgres' system user.
_pg_as() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_throwaway_start() {
  [ -n "${DATABASE_URL:-}" ] && return 0
  local bin port dir
  bin=$(pg_bin_dir) || return 1
  port=$(free_port)
  dir=$(mktemp -d /tmp/pulse-pg.XXXXXX)
  # Tests trade durability for speed; PG_THROWAWAY_DURABLE=1 (the bench) keeps PostgreSQL's
  # defaults: fsync, synchronous_commit and full_page_writes on.
  local durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  [ "${PG_THROWAWAY_DURABLE:-0}" = 1 ] && durability="-c fsync=on -c synchronous_commit=on -c full_page_writes=on"
  chmod 755 "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir"
  _pg_as "$bin/initdb" -D "$dir/data" -U pulse --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; return 1; }
  _pg_as "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=300 $durability" \
    start >/dev/null 9>&- || { cat "$dir/server.log" >&2; return 1; }  # the server keeps no run lock (fd 9)
  _pg_as "$bin/createdb" -h 127.0.0.1 -p "$port" -U pulse pulse >/dev/null
  PG_THROWAWAY_DIR=$dir
  PG_THROWAWAY_BIN=$bin
  export DATABASE_URL="postgresql://pulse@127.0.0.1:$port/pulse"
  echo "pg: throwaway PostgreSQL at 127.0.0.1:$port (data in $dir)" >&2
}

pg_throwaway_stop() {
  [ -n "${PG_THROWAWAY_DIR:-}" ] || return 0
  _pg_as "$PG_THROWAWAY_BIN/pg_ctl" -D "$PG_THROWAWAY_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$PG_THROWAWAY_DIR"
  PG_THROWAWAY_DIR=
}
