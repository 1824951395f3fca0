#!/bin/sh
# Container entry point: render the proxy config from the environment, check it, run HAProxy in
# the foreground (SIGTERM stops it, as in scripts/run).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cfg=/run/pulse-haproxy/haproxy.cfg
# shellcheck disable=SC2086 # PULSE_GATEWAYS is a space-separated list of host:port
"$here/render" "${PULSE_HAPROXY_BIND:-:3000}" "${PULSE_LIFECYCLE_ADDR:?}" ${PULSE_GATEWAYS:?} >"$cfg"
haproxy -q -c -f "$cfg"
exec haproxy -db -f "$cfg"
