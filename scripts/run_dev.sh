#!/usr/bin/env bash
# Runs Fluxer for development with embedded defaults: a dev HS256 secret, the dev API key
# (admin) and the namespace `chat` (history 100 / 5 min, recovery, presence, join/leave; any
# connected user may subscribe and publish). Prints FLUXER_DEV_TOKEN, a 24 h token for user `dev`.
# Builds first when needed.
#
#   scripts/run_dev.sh [ARGS...]            one node on 127.0.0.1:8000, memory engines, no outside
#                                           service
#   scripts/run_dev.sh --cluster [ARGS...]  a throwaway Redis and PostgreSQL (namespaces) on free
#                                           ports and three clustered nodes on 127.0.0.1:8000, 8001
#                                           and 8002 (Hazelcast on 5701-5703), all with the same dev
#                                           token and API key; Ctrl-C stops the nodes, Redis and
#                                           PostgreSQL
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

require_java_maven
build_relay_if_needed
if [ "${1:-}" = "--cluster" ]; then
  shift
  run_cluster "$@"
else
  exec java ${FLUXER_JAVA_OPTS:-} -cp "$(relay_classpath)" io.fluxer.relay.Main --dev "$@"
fi
