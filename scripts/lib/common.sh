# Shared helpers for scripts/*: sourced, not run.

pulse_root() { cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd; }

# A TCP port on 127.0.0.1 that is free right now (the kernel picks it).
free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();});'
}

# Configure and build the tree into $1 (extra cmake args follow). The full compiler output goes
# to $1.build.log; the terminal gets progress: the configure step, then "[n/N] pct% target" --
# one line rewritten in place on a terminal, a line every 10% otherwise (CI logs) -- and the
# elapsed time. On failure the end of the log is shown.
pulse_build() {
  local dir=$1; shift
  local root; root=$(pulse_root)
  local jobs; jobs=$(nproc)
  local gen=()
  command -v ninja >/dev/null && [ ! -f "$dir/CMakeCache.txt" ] && gen=(-G Ninja)
  local started=$SECONDS
  echo "   configure ($dir)" >&2
  cmake -S "$root" -B "$dir" "${gen[@]}" "$@" >"$dir.configure.log" 2>&1 \
    || { cat "$dir.configure.log" >&2; return 1; }
  local target=()
  [ -n "${PULSE_BUILD_TARGET:-}" ] && target=(--target "$PULSE_BUILD_TARGET")
  local tty=0
  [ -t 2 ] && tty=1
  # The build's own exit status, through the pipe whatever pipefail/errexit the caller set.
  { cmake --build "$dir" -j "$jobs" "${target[@]}" 2>&1 && echo 0 >"$dir.build.status" \
      || echo $? >"$dir.build.status"; } \
    | tee "$dir.build.log" | pulse_build_progress "$tty"
  if [ "$(cat "$dir.build.status")" != 0 ]; then
    tail -n 80 "$dir.build.log" >&2
    echo "build failed: see $dir.build.log" >&2
    return 1
  fi
  echo "   built in $((SECONDS - started)) s ($dir)" >&2
}

# Reads a Ninja/Make build log on stdin and reports its progress on stderr (see pulse_build).
pulse_build_progress() {
  local tty=$1
  awk -v tty="$tty" '
    match($0, /^\[[0-9]+\/[0-9]+\]/) {
      split(substr($0, 2, RLENGTH - 2), nm, "/")
      n = nm[1] + 0; total = nm[2] + 0
      what = substr($0, RLENGTH + 2)
      sub(/^Building CXX object /, "", what); sub(/^Linking CXX (executable|static library) /, "link ", what)
      pct = total ? int(100 * n / total) : 100
      if (tty == 1) {
        line = sprintf("   [%d/%d] %3d%% %s", n, total, pct, what)
        printf "\r%-100.100s", line > "/dev/stderr"
      } else if (pct >= next_pct || n == total) {
        printf "   [%d/%d] %3d%% %s\n", n, total, pct, what > "/dev/stderr"
        next_pct = pct - pct % 10 + 10
      }
      fflush("/dev/stderr")
      seen = 1
    }
    END {
      if (tty == 1 && seen) printf "\r%-100s\r", "" > "/dev/stderr"
      if (!seen) print "   nothing to rebuild" > "/dev/stderr"
    }'
}
