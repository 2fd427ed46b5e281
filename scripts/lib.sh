# Shared helpers for the project's scripts (sourced, not run).

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

log() { printf '[fluxer] %s\n' "$*" >&2; }

# Runs a command as root: directly when we are root, through sudo otherwise.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Installs Debian packages that are missing (apt-get update once, on first need).
ensure_packages() {
  local missing=()
  for p in "$@"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

require_java_maven() {
  command -v java >/dev/null || { log "java 17 is required"; exit 1; }
  command -v mvn >/dev/null || { log "maven is required"; exit 1; }
}

# Node.js and npm, for the official-SDK tests.
ensure_node() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    ensure_packages nodejs npm
  fi
}

RELAY_JAR="$ROOT/relay/target/fluxer-relay-0.1.0-SNAPSHOT.jar"

# Builds the relay jar and its runtime classpath when missing or older than the sources.
build_relay_if_needed() {
  if [ -f "$RELAY_JAR" ] && [ -d "$ROOT/relay/target/lib" ] && \
     [ -z "$(find "$ROOT/pom.xml" "$ROOT/relay/pom.xml" "$ROOT/relay/src/main" -newer "$RELAY_JAR" -print -quit)" ]; then
    return 0
  fi
  log "building the relay (mvn package)"
  (cd "$ROOT" && mvn -q -B -Dstyle.color=never -DskipTests -pl relay -am package)
}

relay_classpath() {
  printf '%s' "$RELAY_JAR"
  for j in "$ROOT"/relay/target/lib/*.jar; do printf ':%s' "$j"; done
}

# The throwaway Redis of start_redis: its PID and directory, for stop_redis.
REDIS_PID=""
REDIS_DIR=""

# Starts a throwaway redis-server for tests: loopback only, no persistence, a free port, its own temp
# dir; installs redis-server first when missing. Sets the variable named $1 to its URL
# (redis://127.0.0.1:<port>). Stop it with stop_redis (e.g. from a trap on EXIT).
start_redis() {
  local var="$1"
  if ! command -v redis-server >/dev/null; then
    ensure_packages redis-server
    stop_packaged_redis
  fi
  REDIS_DIR="$(mktemp -d "${TMPDIR:-/tmp}/fluxer-redis.XXXXXX")"
  local attempt port
  for attempt in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 30000))
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      continue # something listens there already
    fi
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$REDIS_DIR" \
      --daemonize no --logfile "$REDIS_DIR/redis.log" </dev/null >/dev/null 2>&1 &
    REDIS_PID=$!
    local deadline=$((SECONDS + 10))
    while kill -0 "$REDIS_PID" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
      if (redis_answers "$port"); then
        printf -v "$var" 'redis://127.0.0.1:%s' "$port"
        log "redis-server $REDIS_PID listening on 127.0.0.1:$port"
        return 0
      fi
      sleep 0.05
    done
    stop_redis_process # died (port taken meanwhile?) or never answered: try another port
  done
  log "could not start redis-server; see $REDIS_DIR/redis.log"
  return 1
}

# Whether a Redis on 127.0.0.1:$1 answers PING (run in a subshell: it opens fd 3).
redis_answers() {
  local reply=""
  { exec 3<>"/dev/tcp/127.0.0.1/$1" && printf 'PING\r\n' >&3 && IFS= read -r -t 1 reply <&3; } 2>/dev/null || return 1
  [ "${reply%$'\r'}" = "+PONG" ]
}

# Stops the Redis of start_redis (only that process) and removes its directory.
stop_redis() {
  stop_redis_process
  if [ -n "$REDIS_DIR" ]; then
    rm -rf "$REDIS_DIR"
    REDIS_DIR=""
  fi
}

stop_redis_process() {
  if [ -n "$REDIS_PID" ]; then
    kill "$REDIS_PID" 2>/dev/null || true
    wait "$REDIS_PID" 2>/dev/null || true
    REDIS_PID=""
  fi
}

# Right after installing redis-server: Debian's package may start a system service on 6379, which
# the tests do not use. Stop that one only (by its service or its pidfile), nothing else.
stop_packaged_redis() {
  if command -v systemctl >/dev/null && systemctl is-active --quiet redis-server 2>/dev/null; then
    as_root systemctl stop redis-server || true
  elif [ -s /run/redis/redis-server.pid ]; then
    as_root kill "$(cat /run/redis/redis-server.pid)" 2>/dev/null || true
  fi
}

# PostgreSQL 15 server binaries, as Debian's postgresql-15 package installs them.
PG_BIN="/usr/lib/postgresql/15/bin"
# The throwaway PostgreSQL of start_postgres: its postmaster PID and directory, for stop_postgres.
PG_PID=""
PG_DIR=""

# Starts a throwaway PostgreSQL 15 for tests: a new cluster in its own temp dir (superuser postgres,
# trust authentication, no fsync), loopback only, a free port, its socket in that dir; installs
# postgresql-15 first when missing. initdb and postgres refuse to run as root, so as root they run as
# the postgres user. Sets the variable named $1 to its URL
# (postgresql://postgres@127.0.0.1:<port>/postgres). Stop it with stop_postgres.
start_postgres() {
  local var="$1"
  if [ ! -x "$PG_BIN/initdb" ] || [ ! -x "$PG_BIN/pg_ctl" ]; then
    ensure_packages postgresql-15
    stop_packaged_postgres
  fi
  PG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/fluxer-pg.XXXXXX")"
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres:postgres "$PG_DIR"
  fi
  chmod 700 "$PG_DIR"
  if ! pg_as_owner "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C --no-sync \
      >"$PG_DIR/initdb.log" 2>&1; then
    log "initdb failed; see $PG_DIR/initdb.log"
    return 1
  fi
  local attempt port
  for attempt in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 30000))
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      continue # something listens there already
    fi
    if pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w -t 30 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null 2>&1; then
      PG_PID="$(head -n 1 "$PG_DIR/data/postmaster.pid")"
      printf -v "$var" 'postgresql://postgres@127.0.0.1:%s/postgres' "$port"
      log "postgres $PG_PID listening on 127.0.0.1:$port"
      return 0
    fi
    # port taken meanwhile, or it did not come up in time: make sure it is not running, try another port
    pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  done
  log "could not start postgres; see $PG_DIR/postgres.log"
  return 1
}

# Stops the PostgreSQL of start_postgres (only that postmaster, which ends its own children) and
# removes its directory.
stop_postgres() {
  stop_postgres_process
  if [ -n "$PG_DIR" ]; then
    rm -rf "$PG_DIR"
    PG_DIR=""
  fi
}

stop_postgres_process() {
  if [ -n "$PG_PID" ]; then
    kill -INT "$PG_PID" 2>/dev/null || true # fast shutdown: ends sessions, then the server
    local deadline=$((SECONDS + 20))
    while kill -0 "$PG_PID" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
      sleep 0.1
    done
    if kill -0 "$PG_PID" 2>/dev/null; then
      kill -KILL "$PG_PID" 2>/dev/null || true # did not stop in time
    fi
    PG_PID=""
  fi
}

# Runs a command as the owner of the throwaway cluster: the postgres user when we are root.
pg_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Right after installing postgresql-15: Debian's package may create and start a cluster on 5432,
# which the tests do not use. Stop that one only (its own cluster), nothing else.
stop_packaged_postgres() {
  if command -v pg_ctlcluster >/dev/null && pg_lsclusters -h 2>/dev/null | grep -q '^15 \+main .* online'; then
    as_root pg_ctlcluster 15 main stop || true
  fi
}
