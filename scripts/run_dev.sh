#!/usr/bin/env bash
# Runs Fluxer for development with embedded defaults: a dev HS256 secret, the dev API key
# (admin) and the namespace `chat` (history 100 / 5 min, recovery, presence, join/leave; any
# connected user may subscribe and publish). Prints FLUXER_DEV_TOKEN, a 24 h token for user `dev`,
# FLUXER_DEV_API_KEY, the dashboard's URL (FLUXER_DEV_DASHBOARD) and its dev admin account
# (FLUXER_DEV_ADMIN=user:password). Builds the distribution first when needed and runs its
# launchers (dist/target/fluxer-*/bin/fluxer and bin/fluxer-control), as the image does.
#
#   scripts/run_dev.sh [ARGS...]            one node on 127.0.0.1:8000, memory engines, no outside
#                                           service
#   scripts/run_dev.sh --cluster [ARGS...]  a throwaway Redis and PostgreSQL (namespaces) on free
#                                           ports and three clustered nodes on 127.0.0.1:8000, 8001
#                                           and 8002 (Hazelcast on 5701-5703), all with the same dev
#                                           token and API key; a node that dies leaves the others
#                                           running (try failover by hand: kill one by its PID);
#                                           the event bus between them uses mutual TLS with a
#                                           throwaway CA made for the run (scripts/cluster-certs.sh);
#                                           Ctrl-C stops the nodes, Redis and PostgreSQL
#   scripts/run_dev.sh --control [ARGS...]  the dev node (127.0.0.1:8000) with the control plane in the
#                                           same JVM: uses $FLUXER_POSTGRES_URL or starts a throwaway
#                                           PostgreSQL, and uses the Docker engine answering on
#                                           /var/run/docker.sock or starts dockerd, in a single-node
#                                           swarm either way (as scripts/test.sh does); Ctrl-C stops
#                                           what it started
#
# Extra arguments go to the relay (e.g. --config my.yaml); FLUXER_* variables override settings
# (e.g. FLUXER_SERVER_PORT=8001); JAVA_OPTS adds JVM options (the launcher passes it on).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NODE_PIDS=()
CERT_DIR=""

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
  if [ -n "$CERT_DIR" ]; then
    rm -rf "$CERT_DIR"
    CERT_DIR=""
  fi
}

# make_cluster_certs: a throwaway CA and one certificate per node in $CERT_DIR (removed at the end)
make_cluster_certs() {
  local i
  CERT_DIR="$(mktemp -d "${TMPDIR:-/tmp}/fluxer-dev-certs.XXXXXX")"
  for i in 0 1 2; do
    bash "$ROOT/scripts/cluster-certs.sh" "$CERT_DIR/ca.pem" "$CERT_DIR/ca.key" "$CERT_DIR/dev-$i.pem" \
      "$CERT_DIR/dev-$i.key" "dev-$i" >/dev/null
  done
}

run_cluster() {
  local redis_url pg_url members="127.0.0.1:5701,127.0.0.1:5702,127.0.0.1:5703" i
  trap stop_cluster EXIT
  trap 'exit 130' INT TERM
  start_redis redis_url
  start_postgres pg_url
  make_cluster_certs
  declare -A names=()
  for i in 0 1 2; do
    # --dev turns the bus's TLS off; these nodes turn it back on with the run's own CA
    FLUXER_CLUSTER_TLS="{\"enabled\":true,\"cert_file\":\"$CERT_DIR/dev-$i.pem\",\"key_file\":\"$CERT_DIR/dev-$i.key\",\"ca_file\":\"$CERT_DIR/ca.pem\"}" \
    FLUXER_SERVER_PORT=$((8000 + i)) FLUXER_SERVER_NODE_NAME="dev-$i" \
    FLUXER_ENGINE_TYPE=redis FLUXER_ENGINE_REDIS_URL="$redis_url" \
    FLUXER_CLUSTER_PORT=$((5701 + i)) FLUXER_CLUSTER_MEMBERS="$members" FLUXER_POSTGRES_URL="$pg_url" \
      "$DIST_DIR/bin/fluxer" --dev --cluster "$@" > >(sed -u "s/^/[dev-$i] /") 2>&1 &
    NODE_PIDS+=($!)
    names[$!]="dev-$i"
  done
  log "nodes ${NODE_PIDS[*]} (dev-0, dev-1, dev-2) starting on 127.0.0.1:8000-8002 with Redis $redis_url and" \
    "PostgreSQL $pg_url, event bus TLS from $CERT_DIR; Ctrl-C stops them"
  # A node that stops (killed to try failover) leaves the others running; the cluster goes on until
  # the last one stops or Ctrl-C.
  local left=${#NODE_PIDS[@]} done_pid status
  while [ "$left" -gt 0 ]; do
    status=0
    wait -n -p done_pid "${NODE_PIDS[@]}" || status=$?
    [ -n "${done_pid:-}" ] || break
    left=$((left - 1))
    log "node ${names[$done_pid]} (pid $done_pid) stopped with status $status; $left still running"
    done_pid=""
  done
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
  FLUXER_POSTGRES_URL="$pg_url" "$DIST_DIR/bin/fluxer-control" --relay --dev "$@" &
  CONTROL_PID=$!
  wait "$CONTROL_PID" || true
  CONTROL_PID=""
}

require_java_maven
build_dist_if_needed
case "${1:-}" in
  --control)
    shift
    run_control "$@"
    ;;
  --cluster)
    shift
    run_cluster "$@"
    ;;
  *)
    exec "$DIST_DIR/bin/fluxer" --dev "$@"
    ;;
esac
