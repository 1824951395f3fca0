# Shared helpers for scripts/*: sourced, not run.

pulse_root() { cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd; }

# A TCP port on 127.0.0.1 that is free right now (the kernel picks it).
free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();});'
}

# Configure and build the tree into $1 (extra cmake args follow). Quiet unless it fails.
pulse_build() {
  local dir=$1; shift
  local root; root=$(pulse_root)
  local jobs; jobs=$(nproc)
  local gen=()
  command -v ninja >/dev/null && gen=(-G Ninja)
  if [ ! -f "$dir/CMakeCache.txt" ]; then
    cmake -S "$root" -B "$dir" "${gen[@]}" "$@" >"$dir.configure.log" 2>&1 \
      || { cat "$dir.configure.log" >&2; return 1; }
  else
    cmake -S "$root" -B "$dir" "$@" >"$dir.configure.log" 2>&1 \
      || { cat "$dir.configure.log" >&2; return 1; }
  fi
  local target=()
  [ -n "${PULSE_BUILD_TARGET:-}" ] && target=(--target "$PULSE_BUILD_TARGET")
  cmake --build "$dir" -j "$jobs" "${target[@]}" >"$dir.build.log" 2>&1 \
    || { tail -n 80 "$dir.build.log" >&2; echo "build failed: see $dir.build.log" >&2; return 1; }
}
