# Helpers for scripts/run: start processes in the background, wait until they are healthy, stop
# them all on exit, and keep a second run from starting. Sourced, not run. Needs common.sh.
#
#   stack_lock FILE              -> take the run lock or explain who holds it (exit 1)
#   stack_port_free NAME PORT    -> fail with a clear message when PORT is taken on 127.0.0.1
#   stack_start NAME LOG CMD...  -> start CMD, stderr+stdout to LOG and to our stderr, prefixed
#   stack_wait_http NAME URL SECONDS -> wait for a 200 from URL while NAME is alive
#   stack_watch                  -> block until a signal or until a started process dies
#   stack_stop_all               -> SIGTERM every started process (newest first), SIGKILL stragglers

STACK_NAMES=()
STACK_PIDS=()

stack_say() { echo "run: $*" >&2; }

# A flock on FILE held for the life of this shell (fd 9). flock releases it when we die, even on
# SIGKILL, so a stale file never blocks the next run; the pid inside is only for the message.
stack_lock() {
  local file=$1
  mkdir -p "$(dirname "$file")"
  exec 9>>"$file"
  if ! flock -n 9; then
    local holder
    holder=$(cat "$file" 2>/dev/null || true)
    stack_say "scripts/run is already running (${holder:-unknown pid}); stop it with Ctrl-C or 'kill ${holder%% *}' first."
    exit 1
  fi
  : >"$file"
  echo "$$ since $(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$file"
}

# True when something accepts connections on 127.0.0.1:PORT (bash's /dev/tcp, no extra tools).
stack_port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

stack_port_free() {
  local name=$1 port=$2
  if stack_port_open "$port"; then
    stack_say "port $port ($name) is already in use by another program; pick another one with the environment variable shown in 'scripts/run --help'."
    exit 1
  fi
}

# stack_start NAME LOG CMD... : CMD's output goes to LOG and, prefixed with [NAME], to stderr.
# The pid recorded is CMD's own (not the tee's), so signals reach the service itself.
stack_start() {
  local name=$1 log=$2
  shift 2
  : >"$log"
  # Neither the service nor its log prefixer keeps the run lock's descriptor (fd 9): a process
  # still exiting after scripts/run has stopped must not make the next run look "already running".
  "$@" 9>&- > >(stack_prefix "$name" "$log" 9>&-) 2>&1 &
  STACK_PIDS+=($!)
  STACK_NAMES+=("$name")
}

stack_prefix() {
  local name=$1 log=$2
  # Our own traps stop the services; the prefixer must outlive them to show their last lines.
  trap '' INT TERM
  tee -a "$log" | sed -u "s/^/[$name] /" >&2
}

stack_pid_of() {
  local i
  for i in "${!STACK_NAMES[@]}"; do
    [ "${STACK_NAMES[$i]}" = "$1" ] && { echo "${STACK_PIDS[$i]}"; return 0; }
  done
  return 1
}

# stack_wait_http NAME URL SECONDS: polls URL until it answers 200; fails early if NAME exits.
stack_wait_http() {
  local name=$1 url=$2 seconds=$3 pid deadline
  pid=$(stack_pid_of "$name")
  deadline=$((SECONDS + seconds))
  while ((SECONDS < deadline)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      wait "$pid" 2>/dev/null
      stack_say "$name exited (status $?) before it became healthy; its output is above."
      return 1
    fi
    curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null && return 0
    sleep 0.2
  done
  stack_say "$name did not answer 200 on $url within ${seconds}s."
  return 1
}

# Blocks until SIGINT/SIGTERM (the trap set by the caller runs) or until a started process dies,
# which it reports. Sleeping in a background job and waiting on it lets traps run at once.
stack_watch() {
  local i
  while true; do
    for i in "${!STACK_PIDS[@]}"; do
      if ! kill -0 "${STACK_PIDS[$i]}" 2>/dev/null; then
        wait "${STACK_PIDS[$i]}" 2>/dev/null
        stack_say "${STACK_NAMES[$i]} exited unexpectedly (status $?); stopping the rest."
        return 1
      fi
    done
    # Without the run lock's descriptor: this sleep outlives a SIGTERMed run by up to 1 s, and
    # must not make an immediate next run look "already running".
    sleep 1 9>&- &
    wait $! 2>/dev/null || true
  done
}

# SIGTERM newest first (HAProxy, gateways, then the lifecycle), each given up to 10 s, then SIGKILL.
stack_stop_all() {
  local i pid name deadline
  for ((i = ${#STACK_PIDS[@]} - 1; i >= 0; i--)); do
    pid=${STACK_PIDS[$i]}
    name=${STACK_NAMES[$i]}
    kill -0 "$pid" 2>/dev/null || continue
    kill -TERM "$pid" 2>/dev/null || true
    deadline=$((SECONDS + 10))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      stack_say "$name did not stop within 10s; killing it."
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
  STACK_PIDS=()
  STACK_NAMES=()
}
