#!/usr/bin/env bash
# Runs Fluxer for development with embedded defaults: a dev HS256 secret, the dev API key
# (admin) and the namespace `chat` (history 100 / 5 min, recovery, presence, join/leave,
# user-limited chat:dm#a,b channels, tags filters; any connected user may subscribe and publish). Prints
# FLUXER_DEV_TOKEN, a 24 h token for user `dev`, FLUXER_DEV_API_KEY, the dashboard's URL
# (FLUXER_DEV_DASHBOARD) and its dev admin account (FLUXER_DEV_ADMIN=user:password). Builds the
# distribution first when needed and runs its launchers (dist/target/fluxer-*/bin/fluxer and
# bin/fluxer-control), as the image does.
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
#   scripts/run_dev.sh --cluster-sharded [ARGS...]
#                                           as --cluster, with two throwaway Redis servers and the
#                                           channels sharded over them (engine.redis_mode: sharded)
#   scripts/run_dev.sh --control [ARGS...]  the dev node (127.0.0.1:8000) with the control plane in the
#                                           same JVM: uses $FLUXER_POSTGRES_URL or starts a throwaway
#                                           PostgreSQL, and uses the Docker engine answering on
#                                           /var/run/docker.sock or starts dockerd, in a single-node
#                                           swarm either way (as scripts/test.sh does); Ctrl-C stops
#                                           what it started
#   scripts/run_dev.sh --oidc [ARGS...]     the dev node trusting a local Keycloak (docs/auth.md):
#                                           downloads Keycloak 26.7.3 once with Maven into
#                                           ${XDG_CACHE_HOME:-~/.cache}/fluxer/, starts it on
#                                           127.0.0.1:8180 (or a free port) with the realm
#                                           scripts/keycloak/fluxer-realm.json (users alice, bob,
#                                           carol, dave; dev passwords), writes a config with
#                                           token.issuers, token.ops and dashboard.sso for it (the dev
#                                           token, API key and admin account keep working), and
#                                           prints the sign-in URL, the users and curl commands that
#                                           get their tokens; FLUXER_KEYCLOAK_PORT picks the port,
#                                           FLUXER_KEYCLOAK_TIMEOUT (300 s) bounds the wait for it;
#                                           Ctrl-C stops the relay and Keycloak
#
# Extra arguments go to the relay (e.g. --config my.yaml); FLUXER_* variables override settings
# (e.g. FLUXER_SERVER_PORT=8001); JAVA_OPTS adds JVM options (the launcher passes it on).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NODE_PIDS=()
CERT_DIR=""
SHARDED=0
# --cluster-sharded: the first shard's Redis (start_redis tracks only the last one it started)
SHARD_PID=""
SHARD_DIR=""

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
  stop_owned SHARD_PID SHARD_DIR
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
  local redis_url shard_url pg_url members="127.0.0.1:5701,127.0.0.1:5702,127.0.0.1:5703" i engine_env
  trap stop_cluster EXIT
  trap 'exit 130' INT TERM
  start_redis redis_url
  engine_env=(FLUXER_ENGINE_REDIS_URL="$redis_url")
  if [ "$SHARDED" = 1 ]; then
    SHARD_PID="$REDIS_PID" SHARD_DIR="$REDIS_DIR" REDIS_PID="" REDIS_DIR=""
    start_redis shard_url
    # the order decides where each channel lives: every node lists the shards alike
    engine_env=(FLUXER_ENGINE_REDIS_MODE=sharded FLUXER_ENGINE_REDIS_SHARD_URLS="$redis_url,$shard_url")
    redis_url="$redis_url and $shard_url (sharded)"
  fi
  start_postgres pg_url
  make_cluster_certs
  declare -A names=()
  for i in 0 1 2; do
    # --dev turns the bus's TLS off; these nodes turn it back on with the run's own CA
    FLUXER_CLUSTER_TLS="{\"enabled\":true,\"cert_file\":\"$CERT_DIR/dev-$i.pem\",\"key_file\":\"$CERT_DIR/dev-$i.key\",\"ca_file\":\"$CERT_DIR/ca.pem\"}" \
    FLUXER_SERVER_PORT=$((8000 + i)) FLUXER_SERVER_NODE_NAME="dev-$i" \
    FLUXER_ENGINE_TYPE=redis \
    FLUXER_CLUSTER_PORT=$((5701 + i)) FLUXER_CLUSTER_MEMBERS="$members" FLUXER_POSTGRES_URL="$pg_url" \
      env "${engine_env[@]}" "$DIST_DIR/bin/fluxer" --dev --cluster "$@" > >(sed -u "s/^/[dev-$i] /") 2>&1 &
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

OIDC_RELAY_PID=""
OIDC_DIR=""

stop_oidc() {
  if [ -n "$OIDC_RELAY_PID" ]; then
    kill "$OIDC_RELAY_PID" 2>/dev/null || true
    wait "$OIDC_RELAY_PID" 2>/dev/null || true
    OIDC_RELAY_PID=""
  fi
  stop_keycloak
  if [ -n "$OIDC_DIR" ]; then
    rm -rf "$OIDC_DIR"
    OIDC_DIR=""
  fi
}

# write_oidc_config FILE KEYCLOAK_BASE RELAY_PORT: the relay settings that trust the realm, merged
# over the --dev defaults (the dev HMAC secret, API key and admin account stay).
write_oidc_config() {
  local file="$1" issuer="$2/realms/fluxer" relay_port="$3"
  cat >"$file" <<YAML
# Written by scripts/run_dev.sh --oidc; merged over the --dev defaults. Keys: docs/auth.md.
token:
  issuers:
    - issuer: $issuer
      # no jwks_url: found through $issuer/.well-known/openid-configuration
      audiences: [fluxer]
      roles_claims: [realm_access.roles]
      role_map:
        fluxer-admin: admin
        fluxer-ops: ops
        fluxer-viewer: viewer
  ops:
    audience: fluxer-ops
dashboard:
  sso:
    issuer: $issuer
    client_id: fluxer-dashboard
    public_url: http://127.0.0.1:$relay_port
    label: Keycloak
YAML
}

# print_oidc_summary KEYCLOAK_BASE RELAY_PORT: where to sign in, the users and how to get tokens.
print_oidc_summary() {
  local base="$1" relay_port="$2" token_url="$1/realms/fluxer/protocol/openid-connect/token"
  cat <<EOF

Keycloak (dev only): realm $base/realms/fluxer, admin console $base/admin/ as $KEYCLOAK_ADMIN_USER / $KEYCLOAK_ADMIN_PASSWORD
Dashboard sign-in: http://127.0.0.1:$relay_port/dashboard/ ("Sign in with Keycloak")
Users (user / password   realm role -> Fluxer role):
  alice / alice-dev-password   fluxer-admin  -> admin
  bob   / bob-dev-password     fluxer-ops    -> ops
  carol / carol-dev-password   fluxer-viewer -> viewer
  dave  / dave-dev-password    (none)        -> a client user without a role

# A connection token (aud fluxer) for alice from the front-end client fluxer-web (password grant):
FLUXER_OIDC_TOKEN=\$(curl -fsS $token_url \\
  -d grant_type=password -d client_id=fluxer-web -d username=alice -d password=alice-dev-password \\
  -d scope=openid | jq -r .access_token)
# An ops token (aud fluxer-ops, role fluxer-ops) from fluxer-ops-cli's service account, for the HTTP APIs:
FLUXER_OIDC_OPS_TOKEN=\$(curl -fsS $token_url \\
  -d grant_type=client_credentials -d client_id=fluxer-ops-cli -d client_secret=fluxer-ops-cli-dev-secret \\
  | jq -r .access_token)
curl -s -H "Authorization: Bearer \$FLUXER_OIDC_OPS_TOKEN" http://127.0.0.1:$relay_port/api/v1/stats
# An operator's own ops token: grant_type=password with fluxer-ops-cli, its secret and e.g. bob's password.

EOF
}

run_oidc() {
  local arg
  for arg in "$@"; do
    if [ "$arg" = "--config" ]; then
      log "--oidc passes its own --config to the relay; give other settings as FLUXER_* variables" \
        "(docs/configuration.md#environment-overrides)"
      exit 2
    fi
  done
  ensure_packages curl jq
  local relay_port="${FLUXER_SERVER_PORT:-8000}" kc_base
  trap stop_oidc EXIT
  trap 'exit 130' INT TERM
  ensure_keycloak
  start_keycloak kc_base "$relay_port"
  OIDC_DIR="$(mktemp -d "${TMPDIR:-/tmp}/fluxer-oidc.XXXXXX")"
  local config="$OIDC_DIR/fluxer-oidc.yaml"
  write_oidc_config "$config" "$kc_base" "$relay_port"
  log "relay config for the realm: $config"
  "$DIST_DIR/bin/fluxer" --dev --config "$config" "$@" &
  OIDC_RELAY_PID=$!
  # the relay prints its FLUXER_DEV_* lines once it listens; the summary comes after them
  local deadline=$((SECONDS + 120))
  while kill -0 "$OIDC_RELAY_PID" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ] && \
      ! curl -fs --max-time 2 -o /dev/null "http://127.0.0.1:$relay_port/health"; do
    sleep 0.2
  done
  print_oidc_summary "$kc_base" "$relay_port"
  local status=0 done_pid=""
  wait -n -p done_pid "$OIDC_RELAY_PID" "$KEYCLOAK_PID" || status=$?
  if [ "${done_pid:-}" = "$KEYCLOAK_PID" ]; then
    KEYCLOAK_PID=""
    log "Keycloak stopped with status $status; the relay goes on (Ctrl-C stops it)"
    wait "$OIDC_RELAY_PID" || true
    OIDC_RELAY_PID=""
  else
    OIDC_RELAY_PID=""
    log "the relay stopped with status $status; Keycloak goes on for its tokens (Ctrl-C stops it)." \
      "Start the relay again against it with:"
    log "  $DIST_DIR/bin/fluxer --dev --config $config $*"
    wait "$KEYCLOAK_PID" || true
    KEYCLOAK_PID=""
  fi
}

require_java_maven
build_dist_if_needed
case "${1:-}" in
  --oidc)
    shift
    source "$ROOT/scripts/keycloak/keycloak.sh"
    run_oidc "$@"
    ;;
  --control)
    shift
    run_control "$@"
    ;;
  --cluster)
    shift
    run_cluster "$@"
    ;;
  --cluster-sharded)
    shift
    SHARDED=1
    run_cluster "$@"
    ;;
  *)
    exec "$DIST_DIR/bin/fluxer" --dev "$@"
    ;;
esac
