#!/usr/bin/env bash
# Load test of the relay against a bare Vert.x "ceiling" server, on 127.0.0.1 only.
#
#   scripts/bench.sh [--profile] [extra Bench options, e.g. --step-seconds 5 --rates 500,1000]
#   scripts/bench.sh --delta [publications]
#   scripts/bench.sh --encodings [extra Bench options]
#   scripts/bench.sh --only SCENARIOS [extra Bench options]   (e.g. --only channels --one-user)
#   scripts/bench.sh --cluster [extra Bench options]   (e.g. --cluster --cluster-rates 500,1000)
#   scripts/bench.sh --help          (this text)
#
# Builds the relay, bench and the distribution, then for each server in turn (the relay through its
# launcher bin/fluxer with the JVM settings it ships, its embedded dev defaults and one event loop, then io.fluxer.bench.ceiling.CeilingServer with one event loop):
# starts it pinned to CPU $BENCH_SERVER_CPU (0), runs the generator (io.fluxer.bench.Bench all)
# pinned to CPU $BENCH_GENERATOR_CPU (1), and stops the server by its PID. Results go to
# $BENCH_OUT (bench/results): relay.json, ceiling.json, report.md, chart.svg. The ceiling, which has no
# users, skips channels-one-user (the report compares that scenario with the ceiling's channels).
# The generator prints the targets each run met or missed (PASS/FAIL) to stdout.
# --profile afterwards runs the fan-out once more against a fresh relay recorded with JFR and
# writes $BENCH_OUT/relay-profile.md (the .jfr file stays in bench/target/jfr).
#
# Environment: BENCH_RELAY_LABEL (relay; e.g. relay-<rev> to keep runs of several relay revisions
# side by side in one report), BENCH_SERVER_JAVA_OPTS, BENCH_GENERATOR_JAVA_OPTS, BENCH_RELAY_PORT (18000),
# BENCH_CEILING_PORT (18100), BENCH_SERVER_CPU, BENCH_GENERATOR_CPU, BENCH_OUT, and BENCH_RELAY_ENV
# (extra VAR=value settings of the relay, e.g. FLUXER_SERVER_STATS_INTERVAL=0, to try a setting).
# A default run takes about 10 minutes (about 1 of them for the relay's channels-one-user, and a 20 s
# warm-up before each publishing scenario; plus about
# 1 with --profile).
# --delta instead prints the bytes Fossil delta compression saves on three payloads
# (io.fluxer.bench.DeltaSavings, 1,000 publications each by default; no server, a few seconds).
# --encodings instead runs the fan-out twice, each against a fresh relay: subscribers speaking JSON
# (label relay-json), then Protobuf (relay-protobuf); results in $BENCH_OUT (bench/results/encodings).
# About 3 minutes.
# --only runs just the relay (no ceiling), on the given comma-separated scenarios
# (fanout,channels,channels-one-user,idle,storm); results in $BENCH_OUT (bench/results/only).
# --cluster instead starts a throwaway Redis (scripts/lib.sh start_redis, no persistence) and three
# clustered relays the way scripts/run_dev.sh --cluster does (bin/fluxer --dev --cluster with the
# launcher's JVM settings, Redis engines, event bus on mutual TLS from a throwaway CA made for the
# run), all on 127.0.0.1 on free ports, and without PostgreSQL (the dev namespaces come from the
# config); the relays and redis-server pinned to CPU $BENCH_SERVER_CPU, the generator to
# $BENCH_GENERATOR_CPU. It runs the generator's cluster-channels scenario: 5,000 channels
# (--cluster-channels), each with one subscriber connected to one node (channel i on node i mod 3),
# one publisher on node 0 at 1,000 publications/s in all (--cluster-rates; two CPUs carry three
# relays, Redis and the generator), a 20 s warm-up, a 10 s baseline with nothing published, then
# 30 s steps (--step-seconds). It prints, per node, the growth of
# fluxer_node_publications_received_total against the publications of the node's own channels
# (target PASS/FAIL), latency by subscriber on the publishing node or another, and the CPU of each
# node and of redis-server. Results in $BENCH_OUT (bench/results/cluster: $BENCH_RELAY_LABEL or
# cluster .json, report.md). Every process it starts is stopped by its PID at the end, on failure
# and on Ctrl-C. About 2 minutes.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PROFILE=0
DELTA=0
ENCODINGS=0
ONLY=""
CLUSTER=0
if [ "${1:-}" = "--delta" ]; then
  DELTA=1
  shift
elif [ "${1:-}" = "--encodings" ]; then
  ENCODINGS=1
  shift
elif [ "${1:-}" = "--only" ]; then
  ONLY="${2:?--only needs scenarios, e.g. --only channels}"
  shift 2
elif [ "${1:-}" = "--cluster" ]; then
  CLUSTER=1
  shift
elif [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
  exit 0
elif [ "${1:-}" = "--profile" ]; then
  PROFILE=1
  shift
fi

DEFAULT_OUT="$ROOT/bench/results"
[ "$ENCODINGS" = 1 ] && DEFAULT_OUT="$ROOT/bench/results/encodings"
[ -n "$ONLY" ] && DEFAULT_OUT="$ROOT/bench/results/only"
[ "$CLUSTER" = 1 ] && DEFAULT_OUT="$ROOT/bench/results/cluster"
OUT="${BENCH_OUT:-$DEFAULT_OUT}"
DEFAULT_LABEL=relay
[ "$CLUSTER" = 1 ] && DEFAULT_LABEL=cluster
RELAY_LABEL="${BENCH_RELAY_LABEL:-$DEFAULT_LABEL}"
RELAY_PORT="${BENCH_RELAY_PORT:-18000}"
CEILING_PORT="${BENCH_CEILING_PORT:-18100}"
SERVER_CPU="${BENCH_SERVER_CPU:-0}"
GENERATOR_CPU="${BENCH_GENERATOR_CPU:-1}"
# No JVM flags of the benchmark's own: the relay runs through its launcher (bin/fluxer) with the
# settings it ships, as a user would start it, and the ceiling with the JVM's defaults. On one core
# the JVM's ergonomics pick SerialGC. BENCH_SERVER_JAVA_OPTS adds flags (JAVA_OPTS of the launcher).
SERVER_JAVA_OPTS="${BENCH_SERVER_JAVA_OPTS:-}"
# The generator's own GC pauses count as publication latency: with ParallelGC on its one core they
# took 60-110 ms; ZGC's stay under a millisecond (docs/benchmarks.md, "Many channels at the
# launcher's defaults").
GENERATOR_JAVA_OPTS="${BENCH_GENERATOR_JAVA_OPTS:--Xms1g -Xmx2g -XX:+UseZGC}"
LOGS="$ROOT/bench/target/logs"
BENCH_JAR="$ROOT/bench/target/fluxer-bench-0.1.0-SNAPSHOT.jar"

require_java_maven
command -v taskset >/dev/null || ensure_packages util-linux
[ "$(nproc)" -ge 2 ] || log "warning: fewer than 2 CPUs; server and generator will share one"

log "building relay and bench (mvn package)"
(cd "$ROOT" && mvn -q -B -Dstyle.color=never -Dmaven.test.skip=true -pl relay,bench -am package)
build_dist_if_needed

bench_classpath() {
  printf '%s' "$BENCH_JAR"
  for j in "$ROOT"/bench/target/lib/*.jar; do printf ':%s' "$j"; done
}

if [ "$DELTA" = 1 ]; then
  java -cp "$(bench_classpath)" io.fluxer.bench.DeltaSavings "$@"
  exit 0
fi

# 10,000 connections need 10,000 descriptors on each side: raise the soft limit to the hard one.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 12000 ]; then
  log "warning: ulimit -n is $(ulimit -n); the 10,000-connection scenarios need more"
fi

mkdir -p "$OUT" "$LOGS"
SERVER_PID=""

# CPU busy on the whole machine over one second, in hundredths of a core (from /proc/stat).
machine_busy() {
  local a b
  a=($(head -1 /proc/stat))
  sleep 1
  b=($(head -1 /proc/stat))
  # user nice system irq softirq steal (ticks of 1/100 s)
  echo $(( (b[1]+b[2]+b[3]+b[6]+b[7]+b[8]) - (a[1]+a[2]+a[3]+a[6]+a[7]+a[8]) ))
}

# Other work on these CPUs (builds, tests) distorts every figure: wait up to
# $BENCH_QUIET_WAIT seconds (300) for the machine to be nearly idle. Steps measured while other
# processes used the CPUs anyway are marked "contended" in the report.
wait_for_quiet() {
  local waited=0 busy
  while busy=$(machine_busy); [ "$busy" -gt 20 ]; do
    if [ "$waited" -ge "${BENCH_QUIET_WAIT:-300}" ]; then
      log "warning: the machine is still busy (${busy}% of a CPU used by others); measuring anyway"
      return 0
    fi
    [ $((waited % 30)) -eq 0 ] && log "waiting for the machine to be quiet (${busy}% of a CPU busy)"
    waited=$((waited + 1))
  done
}

stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -0 "$SERVER_PID" 2>/dev/null && kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}
trap stop_server EXIT

# start_server NAME LOGLINE command...: starts in the background, waits for LOGLINE in its output.
start_server() {
  local name="$1" ready="$2"
  shift 2
  "$@" >"$LOGS/$name.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 300); do
    if grep -q "$ready" "$LOGS/$name.log" 2>/dev/null; then
      log "$name started (pid $SERVER_PID, CPU $SERVER_CPU)"
      return 0
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.2
  done
  log "$name did not start; its log:"
  cat "$LOGS/$name.log" >&2
  exit 1
}

# GC logs (wall-clock stamps) let the generator count the server's GC pauses per step.
start_relay() {
  local name="${1:-relay}"
  GC_LOG="$LOGS/$name-gc.log"
  rm -f "$GC_LOG"
  # The generator opens thousands of connections from 127.0.0.1 and publishes from one connection:
  # the per-address, per-user and per-command limits (docs/configuration.md) are off for benchmarks.
  start_server "$name" "listening on" env FLUXER_SERVER_PORT="$RELAY_PORT" FLUXER_SERVER_INSTANCES=1 ${BENCH_RELAY_ENV:-} \
    FLUXER_SERVER_CONNECTION_RATE=0 FLUXER_CLIENT_LIMITS='{"user_connection_limit":0,"command_rate":0}' \
    JAVA_OPTS="$SERVER_JAVA_OPTS -Xlog:gc:file=$GC_LOG:utctime" taskset -c "$SERVER_CPU" "$DIST_DIR/bin/fluxer" --dev
}

start_ceiling() {
  GC_LOG="$LOGS/ceiling-gc.log"
  rm -f "$GC_LOG"
  start_server ceiling "listening on" taskset -c "$SERVER_CPU" java $SERVER_JAVA_OPTS "-Xlog:gc:file=$GC_LOG:utctime" \
    -cp "$(bench_classpath)" io.fluxer.bench.ceiling.CeilingServer --port "$CEILING_PORT" --instances 1
}

# Which relay was measured: the working tree may differ from the last commit.
REVISION="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
if ! git -C "$ROOT" diff --quiet HEAD -- relay 2>/dev/null; then REVISION="$REVISION+uncommitted relay changes"; fi

# generate LABEL PORT SCENARIOS [options...]
generate() {
  local label="$1" port="$2" scenarios="$3"
  shift 3
  taskset -c "$GENERATOR_CPU" java $GENERATOR_JAVA_OPTS -cp "$(bench_classpath)" io.fluxer.bench.Bench "$scenarios" \
    --label "$label" --url "ws://127.0.0.1:$port/connection/websocket" --server-pid "$SERVER_PID" --server-gc-log "$GC_LOG" \
    --server-info "${SERVER_JAVA_OPTS:-launcher defaults}, 1 event loop, taskset -c $SERVER_CPU; revision $REVISION; generator: java $GENERATOR_JAVA_OPTS, taskset -c $GENERATOR_CPU" \
    --out "$OUT" "$@"
}

# ---- --cluster: three clustered relays and Redis on this machine

CLUSTER_NODES=3
CLUSTER_PIDS=()
CLUSTER_CERTS=""
USED_PORTS=" "

# pick_port VAR: a loopback port nothing listens on and not picked before in this run, into VAR.
pick_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 30000))
    case "$USED_PORTS" in *" $port "*) continue ;; esac
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      continue # something listens there already
    fi
    USED_PORTS="$USED_PORTS$port "
    printf -v "$1" '%s' "$port"
    return 0
  done
  log "no free port found"
  return 1
}

# Stops the relays (SIGTERM, then SIGKILL after 30 s) and Redis this run started, by their PIDs,
# and removes the run's CA.
stop_cluster_bench() {
  local pid
  for pid in "${CLUSTER_PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${CLUSTER_PIDS[@]}"; do
    for _ in $(seq 1 150); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "relay $pid did not stop within 30 s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
  CLUSTER_PIDS=()
  stop_redis
  if [ -n "$CLUSTER_CERTS" ]; then
    rm -rf "$CLUSTER_CERTS"
    CLUSTER_CERTS=""
  fi
}

run_cluster_bench() {
  trap stop_cluster_bench EXIT
  trap 'exit 130' INT TERM
  wait_for_quiet
  local redis_url i members="" http_ports=() hz_ports=() urls="" pids=""
  start_redis redis_url
  taskset -pc "$SERVER_CPU" "$REDIS_PID" >/dev/null
  CLUSTER_CERTS="$(mktemp -d "${TMPDIR:-/tmp}/fluxer-bench-certs.XXXXXX")"
  for i in $(seq 0 $((CLUSTER_NODES - 1))); do
    bash "$ROOT/scripts/cluster-certs.sh" "$CLUSTER_CERTS/ca.pem" "$CLUSTER_CERTS/ca.key" \
      "$CLUSTER_CERTS/bench-$i.pem" "$CLUSTER_CERTS/bench-$i.key" "bench-$i" >/dev/null
    pick_port "http_ports[$i]"
    pick_port "hz_ports[$i]"
    members="$members${members:+,}127.0.0.1:${hz_ports[$i]}"
  done
  for i in $(seq 0 $((CLUSTER_NODES - 1))); do
    # As run_dev.sh --cluster, with the benchmark's limits off (see start_relay) and everything on
    # 127.0.0.1; --dev turns the bus's TLS off, the run's own CA turns it back on.
    env FLUXER_SERVER_HOST=127.0.0.1 FLUXER_SERVER_PORT="${http_ports[$i]}" FLUXER_SERVER_NODE_NAME="bench-$i" \
      FLUXER_SERVER_INSTANCES=1 ${BENCH_RELAY_ENV:-} \
      FLUXER_SERVER_CONNECTION_RATE=0 FLUXER_CLIENT_LIMITS='{"user_connection_limit":0,"command_rate":0}' \
      FLUXER_ENGINE_TYPE=redis FLUXER_ENGINE_REDIS_URL="$redis_url" \
      FLUXER_CLUSTER_PORT="${hz_ports[$i]}" FLUXER_CLUSTER_MEMBERS="$members" \
      FLUXER_CLUSTER_INTERFACE=127.0.0.1 FLUXER_CLUSTER_BUS_HOST=127.0.0.1 \
      FLUXER_CLUSTER_TLS="{\"enabled\":true,\"cert_file\":\"$CLUSTER_CERTS/bench-$i.pem\",\"key_file\":\"$CLUSTER_CERTS/bench-$i.key\",\"ca_file\":\"$CLUSTER_CERTS/ca.pem\"}" \
      JAVA_OPTS="$SERVER_JAVA_OPTS" taskset -c "$SERVER_CPU" "$DIST_DIR/bin/fluxer" --dev --cluster \
      </dev/null >"$LOGS/cluster-node-$i.log" 2>&1 &
    CLUSTER_PIDS+=($!)
  done
  local deadline=$((SECONDS + 240))
  for i in $(seq 0 $((CLUSTER_NODES - 1))); do
    until grep -q "listening on" "$LOGS/cluster-node-$i.log" 2>/dev/null; do
      if ! kill -0 "${CLUSTER_PIDS[$i]}" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
        log "relay bench-$i did not start; its log ($LOGS/cluster-node-$i.log):"
        tail -n 40 "$LOGS/cluster-node-$i.log" >&2
        exit 1
      fi
      sleep 0.5
    done
    urls="$urls${urls:+,}ws://127.0.0.1:${http_ports[$i]}/connection/websocket"
    pids="$pids${pids:+,}${CLUSTER_PIDS[$i]}"
  done
  log "relays ${CLUSTER_PIDS[*]} (bench-0..$((CLUSTER_NODES - 1))) on 127.0.0.1:${http_ports[*]}, Hazelcast" \
    "${hz_ports[*]}, Redis $redis_url (pid $REDIS_PID), all on CPU $SERVER_CPU"
  sleep 5 # let the members see each other and the first heartbeats pass
  taskset -c "$GENERATOR_CPU" java $GENERATOR_JAVA_OPTS -cp "$(bench_classpath)" io.fluxer.bench.Bench cluster-channels \
    --label "$RELAY_LABEL" --nodes "$urls" --server-pid "${CLUSTER_PIDS[0]}" --node-pids "$pids" \
    --redis-pid "$REDIS_PID" --redis-url "$redis_url" --step-seconds 30 \
    --server-info "$CLUSTER_NODES relays (${SERVER_JAVA_OPTS:-launcher defaults}, 1 event loop each, Redis engines, bus TLS) and redis-server $(redis-server --version | grep -o 'v=[^ ]*'), all taskset -c $SERVER_CPU; revision $REVISION; generator: java $GENERATOR_JAVA_OPTS, taskset -c $GENERATOR_CPU" \
    --out "$OUT" "$@"
  stop_cluster_bench
  log "results: $OUT/report.md"
}

if [ "$CLUSTER" = 1 ]; then
  run_cluster_bench "$@"
  exit 0
fi

if [ "$ENCODINGS" = 1 ]; then
  for encoding in json protobuf; do
    wait_for_quiet
    start_relay "relay-$encoding"
    generate "relay-$encoding" "$RELAY_PORT" fanout --encoding "$encoding" "$@"
    stop_server
  done
  log "results: $OUT/report.md"
  exit 0
fi

if [ -n "$ONLY" ]; then
  wait_for_quiet
  start_relay
  generate "$RELAY_LABEL" "$RELAY_PORT" "$ONLY" "$@"
  stop_server
  log "results: $OUT/report.md"
  exit 0
fi

wait_for_quiet
start_relay
generate "$RELAY_LABEL" "$RELAY_PORT" all "$@"
stop_server

wait_for_quiet
start_ceiling
generate ceiling "$CEILING_PORT" idle,storm,fanout,channels "$@"
stop_server

if [ "$PROFILE" = 1 ]; then
  JFR_DIR="$ROOT/bench/target/jfr"
  PROFILE_OUT="$ROOT/bench/target/profile-run"
  mkdir -p "$JFR_DIR" "$PROFILE_OUT"
  wait_for_quiet
  start_relay relay-profiled
  generate "$RELAY_LABEL" "$RELAY_PORT" fanout --out "$PROFILE_OUT" --jfr "$JFR_DIR" "$@"
  stop_server
  java -cp "$(bench_classpath)" io.fluxer.bench.JfrSummary "$JFR_DIR/$RELAY_LABEL-fanout.jfr" 30 \
    "relay $REVISION, fan-out (1,000 subscribers; measured steps only; JFR settings=profile)" >"$OUT/$RELAY_LABEL-profile.md"
  log "profile summary: $OUT/$RELAY_LABEL-profile.md (recording: $JFR_DIR/$RELAY_LABEL-fanout.jfr)"
fi

log "results: $OUT/report.md"
