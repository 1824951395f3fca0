#!/usr/bin/env bash
# Keeps the deploy files right without a Docker engine or a cluster: renders the one HAProxy
# template the way scripts/run, the e2e tests and the compose image do and checks it with
# `haproxy -c`; `docker-compose config`; yamllint; Dockerfile lint (npm dockerfile-utils) and the
# shape our images must have; Kubernetes schemas (npm kubernetes-models). Exits non-zero on any
# failure.   tests/e2e/validate-deploy.sh [SOURCE_DIR]
set -uo pipefail
root=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
modules=${PULSE_NODE_MODULES:-$root/tests/node/node_modules}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
ok() { echo "ok - $*"; passed=$((passed + 1)); }
bad() { echo "not ok - $*"; failed=$((failed + 1)); }
run() { # run "what" cmd...: ok when cmd exits 0, else show its output
  local what=$1
  shift
  if "$@" >"$tmp/out" 2>&1; then ok "$what"; else bad "$what"; sed 's/^/    /' "$tmp/out"; fi
}

# --- HAProxy: both renderings of the one template -------------------------------------------
render=$root/deploy/haproxy/render
run "render: scripts/run shape (3 local gateways)" \
  sh -c "'$render' 127.0.0.1:3000 127.0.0.1:3001 127.0.0.1:3101 127.0.0.1:3102 127.0.0.1:3103 >'$tmp/local.cfg'"
run "haproxy -c: local config" haproxy -q -c -f "$tmp/local.cfg"
# The compose/k8s shape uses container host names; init-addr none lets it start before they resolve.
compose_gateways=$(sed -n 's/^ *PULSE_GATEWAYS: *//p' "$root/docker-compose.yml")
compose_lifecycles=$(sed -n 's/^ *PULSE_LIFECYCLE_ADDR: *//p' "$root/docker-compose.yml")
run "render: compose shape ($compose_lifecycles; $compose_gateways)" \
  sh -c "'$render' :3000 $compose_lifecycles $compose_gateways >'$tmp/compose.cfg'"
run "haproxy -c: compose config" haproxy -q -c -f "$tmp/compose.cfg"
if [ "$(grep -c '^    server gw' "$tmp/local.cfg")" = 3 ]; then ok "one server line per gateway"; else bad "one server line per gateway"; fi
lc_lines=$(grep -c '^    server lc' "$tmp/compose.cfg")
lc_listed=$(echo "$compose_lifecycles" | tr ',' '\n' | grep -c .)
if [ "$lc_lines" = "$lc_listed" ] && [ "$lc_lines" -ge 2 ]; then
  ok "one server line per lifecycle replica ($lc_lines)"
else
  bad "lifecycle server lines $lc_lines for $lc_listed listed replicas (compose runs >= 2)"
fi
run "render refuses a call without gateways" sh -c "! '$render' :3000 lifecycle:3001 2>/dev/null"
run "shell syntax of render and entrypoint" sh -n "$render" "$root/deploy/haproxy/entrypoint.sh"

# --- compose ------------------------------------------------------------------------------------
run "docker-compose config" docker-compose -f "$root/docker-compose.yml" config -q
services=$(docker-compose -f "$root/docker-compose.yml" config --services 2>/dev/null | sort | tr '\n' ' ')
listed=$(for g in $compose_gateways; do echo "${g%%:*}"; done | sort | tr '\n' ' ')
defined=$(for s in $services; do case $s in gateway-*) echo "$s" ;; esac; done | sort | tr '\n' ' ')
if [ -n "$defined" ] && [ "$listed" = "$defined" ]; then
  ok "compose: HAProxy lists exactly the gateway services ($defined)"
else
  bad "compose: HAProxy lists '$listed' but the gateway services are '$defined'"
fi
# Several lifecycle replicas: HAProxy balances /api/* over all of them, and every gateway hears
# every replica's PUB socket (whichever is the elected publisher sends).
lc_defined=$(for s in $services; do case $s in lifecycle-*) echo "$s" ;; esac; done | sort | tr '\n' ' ')
lc_api=$(echo "$compose_lifecycles" | tr ',' '\n' | sed 's/:.*//' | sort | tr '\n' ' ')
lc_bus=$(sed -n 's/^ *PULSE_BUS_CONNECT: *//p' "$root/docker-compose.yml" | tr ',' '\n' | sed 's#^tcp://##; s/:.*//' | sort | tr '\n' ' ')
if [ -n "$lc_defined" ] && [ "$lc_api" = "$lc_defined" ] && [ "$lc_bus" = "$lc_defined" ]; then
  ok "compose: HAProxy and the gateways' bus list name exactly the lifecycle services ($lc_defined)"
else
  bad "compose: lifecycle services '$lc_defined', HAProxy lists '$lc_api', gateways subscribe to '$lc_bus'"
fi

# Release hygiene: our images carry the one project version (CMake project(VERSION)).
version=$(sed -n 's/^project([^ ]* VERSION \([0-9.]*\).*/\1/p' "$root/CMakeLists.txt")
untagged=$(grep -o 'image: stellarstream/[^ ]*' "$root/docker-compose.yml" | grep -v ":$version\$" || true)
if [ -n "$version" ] && [ -z "$untagged" ]; then
  ok "compose: stellarstream images tagged $version"
else
  bad "compose: images not tagged with the project version '$version': $untagged"
fi

# --- YAML ---------------------------------------------------------------------------------------
run "yamllint docker-compose.yml deploy/k8s" yamllint -s -c "$root/deploy/yamllint.yml" "$root/docker-compose.yml" "$root/deploy/k8s"

# --- Dockerfiles ----------------------------------------------------------------------------------
for name in lifecycle gateway haproxy; do
  f=$root/deploy/$name/Dockerfile
  run "dockerfile-utils lint deploy/$name/Dockerfile" "$modules/.bin/dockerfile-utils" lint "$f"
  grep -q '^FROM debian:12-slim$' "$f" && ok "$name image runs on debian:12-slim" || bad "$name image runs on debian:12-slim"
  grep -q '^USER ' "$f" && ! grep -q '^USER root' "$f" && ok "$name image runs as a non-root user" || bad "$name image runs as a non-root user"
  grep -q '^HEALTHCHECK ' "$f" && ok "$name image has a HEALTHCHECK" || bad "$name image has a HEALTHCHECK"
  [ -f "$f.dockerignore" ] && ok "$name has its own .dockerignore" || bad "$name has its own .dockerignore"
done
for name in lifecycle gateway; do
  f=$root/deploy/$name/Dockerfile
  grep -q '^FROM debian:12 AS build$' "$f" && ok "$name builds in a debian:12 build stage" || bad "$name builds in a debian:12 build stage"
  grep -q -- "--target pulse-$name" "$f" && ok "$name image builds the pulse-$name target" || bad "$name image builds the pulse-$name target"
done

# Each runtime image must install the Debian package of every shared library the built binary
# loads (when the binaries are given: PULSE_LIFECYCLE_BIN / PULSE_GATEWAY_BIN, as ctest does).
base_packages="libc6 libstdc++6 libgcc-s1 zlib1g"  # already in debian:12-slim
for name in lifecycle gateway; do
  var="PULSE_$(echo "$name" | tr a-z A-Z)_BIN"
  bin=${!var:-}
  [ -n "$bin" ] && [ -x "$bin" ] || continue
  runtime=$(sed -n '/^FROM debian:12-slim/,$p' "$root/deploy/$name/Dockerfile")
  missing=""
  # Direct dependencies only (NEEDED): apt pulls in theirs.
  needed=$(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
  for lib in $(for so in $needed; do ldd "$bin" | awk -v so="$so" '$1 == so && $3 ~ /^\// {print $3}'; done); do
    pkg=$(dpkg -S "$(readlink -f "$lib")" 2>/dev/null | head -n 1 | cut -d: -f1)
    [ -z "$pkg" ] && pkg=$(dpkg -S "$lib" 2>/dev/null | head -n 1 | cut -d: -f1)
    [ -z "$pkg" ] && { missing="$missing $lib(no package)"; continue; }
    case " $base_packages " in *" $pkg "*) continue ;; esac
    grep -qw -- "$pkg" <<<"$runtime" || missing="$missing $pkg"
  done
  if [ -z "$missing" ]; then ok "$name runtime image installs every library pulse-$name loads"; else bad "$name runtime image lacks:$missing"; fi
done

# --- Kubernetes -----------------------------------------------------------------------------------
run "Kubernetes: overlays rendered (and compared with kubectl kustomize when installed), schemas, restricted pods, PDB/HPA/NetworkPolicy/Ingress, dev/prod settings" node "$root/tests/e2e/validate-k8s.mjs" "$root/deploy/k8s" "$modules"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
