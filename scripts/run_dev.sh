#!/usr/bin/env bash
# Runs Fluxer for development with embedded defaults: a dev HS256 secret, the dev API key
# (admin) and the namespace `chat` (history 100 / 5 min, recovery, presence, join/leave; any
# connected user may subscribe and publish). Prints FLUXER_DEV_TOKEN, a 24 h token for user `dev`,
# FLUXER_DEV_API_KEY, the dashboard's URL (FLUXER_DEV_DASHBOARD) and its dev admin account
# (FLUXER_DEV_ADMIN=user:password). Builds first when needed.
#
#   scripts/run_dev.sh [ARGS...]            one node on 127.0.0.1:8000, memory engines, no outside
#                                           service
#   scripts/run_dev.sh --cluster [ARGS...]  a throwaway Redis and PostgreSQL (namespaces) on free
#                                           ports and three clustered nodes on 127.0.0.1:8000, 8001
#                                           and 8002 (Hazelcast on 5701-5703), all with the same dev
#                                           token and API key; Ctrl-C stops the nodes, Redis and
#                                           PostgreSQL
#   scripts/run_dev.sh --control [ARGS...]  the dev node (127.0.0.1:8000) with the control plane in the
#                                           same JVM: uses $FLUXER_POSTGRES_URL or starts a throwaway
#                                           PostgreSQL, and uses the Docker engine answering on
#                                           /var/run/docker.sock or starts dockerd, in a single-node
#                                           swarm either way (as scripts/test.sh does); Ctrl-C stops
#                                           what it started
#
# Extra arguments go to the relay (e.g. --config my.yaml); FLUXER_* variables override settings
# (e.g. FLUXER_SERVER_PORT=8001); FLUXER_JAVA_OPTS adds JVM options.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# What Hazelcast needs on JDK 17 (see docs/clustering.md).
HAZELCAST_JAVA_OPTS="--add-modules java.se --add-exports java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens java.management/sun.management=ALL-UNNAMED
  --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED"

NODE_PIDS=()

stop_cluster() {
  local pid
  for pid in "${NODE_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true # SIGTERM: each node closes its clients with 3001 and leaves
  done
  for pid in "${NODE_PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  NODE_PIDS=()
  stop_redis
  stop_postgres
}

run_cluster() {
  local redis_url pg_url members="127.0.0.1:5701,127.0.0.1:5702,127.0.0.1:5703" i
  trap stop_cluster EXIT
  trap 'exit 130' INT TERM
  start_redis redis_url
  start_postgres pg_url
  for i in 0 1 2; do
    FLUXER_SERVER_PORT=$((8000 + i)) FLUXER_SERVER_NODE_NAME="dev-$i" \
    FLUXER_ENGINE_TYPE=redis FLUXER_ENGINE_REDIS_URL="$redis_url" \
    FLUXER_CLUSTER_PORT=$((5701 + i)) FLUXER_CLUSTER_MEMBERS="$members" FLUXER_POSTGRES_URL="$pg_url" \
      java $HAZELCAST_JAVA_OPTS ${FLUXER_JAVA_OPTS:-} -cp "$(relay_classpath)" io.fluxer.relay.Main --dev --cluster "$@" \
      > >(sed -u "s/^/[dev-$i] /") 2>&1 &
    NODE_PIDS+=($!)
  done
  log "nodes ${NODE_PIDS[*]} starting on 127.0.0.1:8000-8002 with Redis $redis_url and PostgreSQL" \
    "$pg_url; Ctrl-C stops them"
  # The cluster lives as long as every node does.
  wait -n "${NODE_PIDS[@]}" || true
  log "a node stopped; stopping the others"
}

CONTROL_PID=""

stop_control() {
  if [ -n "$CONTROL_PID" ]; then
    kill "$CONTROL_PID" 2>/dev/null || true
    wait "$CONTROL_PID" 2>/dev/null || true
    CONTROL_PID=""
  fi
  stop_docker
  stop_postgres
}

run_control() {
  local pg_url="${FLUXER_POSTGRES_URL:-}"
  trap stop_control EXIT
  trap 'exit 130' INT TERM
  if [ -z "$pg_url" ]; then
    start_postgres pg_url
  else
    log "using PostgreSQL at $pg_url (FLUXER_POSTGRES_URL)"
  fi
  start_docker
  build_test_images # fluxer-test/busybox:1 and :2, for the example stack in docs/control-api.md
  FLUXER_POSTGRES_URL="$pg_url" \
    java ${FLUXER_JAVA_OPTS:-} -cp "$(control_classpath)" io.fluxer.control.ControlMain --relay --dev "$@" &
  CONTROL_PID=$!
  wait "$CONTROL_PID" || true
  CONTROL_PID=""
}

require_java_maven
if [ "${1:-}" = "--control" ]; then
  shift
  build_control_if_needed
  run_control "$@"
  exit 0
fi
build_relay_if_needed
if [ "${1:-}" = "--cluster" ]; then
  shift
  run_cluster "$@"
else
  exec java ${FLUXER_JAVA_OPTS:-} -cp "$(relay_classpath)" io.fluxer.relay.Main --dev "$@"
fi
