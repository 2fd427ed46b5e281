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

# The Node test fixture (relay/src/test/js: the centrifuge SDK, eventsource for SSE under Node, playwright-core) and Debian's chromium
# for the dashboard's browser tests (never a downloaded browser).
install_node_fixture() {
  ensure_node
  ensure_packages chromium
  log "installing the Node test fixture: centrifuge SDK, eventsource, playwright-core (npm ci)"
  (cd "$ROOT/relay/src/test/js" && npm ci --no-audit --no-fund --loglevel=error)
}

RELAY_JAR="$ROOT/relay/target/fluxer-relay-0.1.0-SNAPSHOT.jar"

# The relay jar and its runtime classpath (relay/target/lib), as `mvn package` leaves them; the
# benchmarks run the relay from there.
relay_classpath() {
  printf '%s' "$RELAY_JAR"
  for j in "$ROOT"/relay/target/lib/*.jar; do printf ':%s' "$j"; done
}

# The distribution `mvn package -pl dist -am` builds: bin/fluxer, bin/fluxer-control, lib/.
DIST_DIR="$ROOT/dist/target/fluxer-0.1.0-SNAPSHOT"

# Builds the distribution (relay, dashboard, control plane and their launchers) when it is missing or
# a pom or source is newer than it.
build_dist_if_needed() {
  local stamp="$DIST_DIR/bin/fluxer"
  if [ -x "$stamp" ] && [ -d "$DIST_DIR/lib" ] && \
     [ -z "$(find "$ROOT/pom.xml" "$ROOT/cluster.xml" "$ROOT/relay/pom.xml" "$ROOT/relay/src/main" \
       "$ROOT/control-api/pom.xml" "$ROOT/control-api/src/main" "$ROOT/dashboard/pom.xml" "$ROOT/dashboard/src/main" \
       "$ROOT/dist/pom.xml" "$ROOT/dist/src" -newer "$stamp" -print -quit)" ]; then
    return 0
  fi
  log "building the distribution (mvn package -pl dist -am)"
  (cd "$ROOT" && mvn -q -B -Dstyle.color=never -DskipTests -pl dist -am package)
  touch "$stamp" # assembly keeps the source file's time: mark when it was built
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
    stop_owned REDIS_PID # died (port taken meanwhile?) or never answered: try another port
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

# Stops the process whose PID is in the variable named $1 (only that process, a child of this
# shell) and clears the variable; with a variable name in $2, also removes the directory it names.
stop_owned() {
  local -n owned_pid="$1"
  if [ -n "$owned_pid" ]; then
    kill "$owned_pid" 2>/dev/null || true
    wait "$owned_pid" 2>/dev/null || true
    owned_pid=""
  fi
  if [ -n "${2:-}" ]; then
    local -n owned_dir="$2"
    if [ -n "$owned_dir" ]; then
      rm -rf "$owned_dir"
      owned_dir=""
    fi
  fi
}

# Stops the Redis of start_redis (only that process) and removes its directory.
stop_redis() {
  stop_owned REDIS_PID REDIS_DIR
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
  if command -v pg_ctlcluster >/dev/null && grep -q '^15 \+main .* online' <<<"$(pg_lsclusters -h 2>/dev/null)"; then
    as_root pg_ctlcluster 15 main stop || true
  fi
}

# The Docker engine the control-api tests drive: its socket, and the dockerd that start_docker
# started (empty when a daemon was already running: that one is left alone), with its directory.
DOCKER_SOCK="/var/run/docker.sock"
# A loopback port nothing listens on (the discard service's): the proxy of the dockerd of start_docker.
DOCKER_NO_PROXY_PORT=9
DOCKERD_PID=""
DOCKER_DIR=""

# The docker CLI binary: Debian's (docker.io, the same release as its dockerd) when installed, even
# if another client comes earlier in PATH; empty when there is none.
docker_bin() {
  if [ -x /usr/bin/docker ]; then echo /usr/bin/docker; else command -v docker || true; fi
}

# The docker CLI, talking to $DOCKER_SOCK.
docker_cli() {
  "$(docker_bin)" -H "unix://$DOCKER_SOCK" "$@"
}

# Whether a Docker daemon answers on $DOCKER_SOCK (within 5 s).
docker_answers() {
  local bin
  bin="$(docker_bin)"
  [ -n "$bin" ] && [ -S "$DOCKER_SOCK" ] && timeout 5 "$bin" -H "unix://$DOCKER_SOCK" info >/dev/null 2>&1
}

# Makes a Docker engine in swarm mode answer on $DOCKER_SOCK: installs Debian's docker.io when
# dockerd is missing, starts dockerd in the background (logging to a file in its own temp dir) when no
# daemon answers, waits for it, and runs `docker swarm init --advertise-addr 127.0.0.1` when the node
# is not in a swarm yet. A daemon that was already running is used and left running; the one started
# here is stopped by stop_docker (e.g. from a trap on EXIT). No public registry is used: the started
# dockerd sends its own HTTP(S) requests through a proxy on a closed loopback port
# ($DOCKER_NO_PROXY_PORT), so a pull from Docker Hub fails at once and swarm tasks run the local
# images (build_test_images) whether or not the machine is online; loopback is never proxied, so
# nodes really pull from the tests' own registry (start_registry). DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1,
# used before, made nodes never pull at all.
start_docker() {
  if [ -z "$(docker_bin)" ] || { ! docker_answers && ! command -v dockerd >/dev/null && [ ! -x /usr/sbin/dockerd ]; }; then
    ensure_packages docker.io
  fi
  if docker_answers; then
    log "using the docker daemon already answering on $DOCKER_SOCK"
  else
    DOCKER_DIR="$(mktemp -d "${TMPDIR:-/tmp}/fluxer-docker.XXXXXX")"
    local dockerd
    dockerd="$(command -v dockerd || echo /usr/sbin/dockerd)"
    local proxy="http://127.0.0.1:$DOCKER_NO_PROXY_PORT"
    local cmd=(env "HTTP_PROXY=$proxy" "HTTPS_PROXY=$proxy" "NO_PROXY=localhost,127.0.0.0/8"
      "$dockerd" --host "unix://$DOCKER_SOCK" --pidfile "$DOCKER_DIR/dockerd.pid")
    # a simple command in the background (no function, no subshell), so that $! is dockerd itself
    if [ "$(id -u)" -eq 0 ]; then
      "${cmd[@]}" </dev/null >"$DOCKER_DIR/dockerd.log" 2>&1 &
    else
      sudo "${cmd[@]}" </dev/null >"$DOCKER_DIR/dockerd.log" 2>&1 &
    fi
    DOCKERD_PID=$!
    local deadline=$((SECONDS + 60))
    until docker_answers; do
      if ! kill -0 "$DOCKERD_PID" 2>/dev/null; then
        log "dockerd exited; see $DOCKER_DIR/dockerd.log:"
        tail -n 20 "$DOCKER_DIR/dockerd.log" >&2
        DOCKERD_PID=""
        return 1
      fi
      if [ "$SECONDS" -ge "$deadline" ]; then
        log "dockerd did not answer within 60 s; see $DOCKER_DIR/dockerd.log"
        stop_docker_process
        return 1
      fi
      sleep 0.2
    done
    log "dockerd $DOCKERD_PID answering on $DOCKER_SOCK (log: $DOCKER_DIR/dockerd.log)"
  fi
  local state deadline=$((SECONDS + 30))
  state="$(docker_cli info --format '{{.Swarm.LocalNodeState}}')"
  while [ "$state" = pending ] && [ "$SECONDS" -lt "$deadline" ]; do # a restarted manager rejoining
    sleep 0.5
    state="$(docker_cli info --format '{{.Swarm.LocalNodeState}}')"
  done
  case "$state" in
    active) ;;
    inactive)
      log "initialising a single-node swarm (advertise 127.0.0.1)"
      docker_cli swarm init --advertise-addr 127.0.0.1 >/dev/null
      ;;
    *)
      log "this docker node's swarm state is '$state'; expected active or inactive"
      return 1
      ;;
  esac
}

# Stops the dockerd of start_docker (only that one; it ends its own containerd) and removes its
# directory. A daemon that was running before start_docker is left alone. The swarm and images stay
# in /var/lib/docker for the next run.
stop_docker() {
  stop_docker_process
  if [ -n "$DOCKER_DIR" ]; then
    rm -rf "$DOCKER_DIR"
    DOCKER_DIR=""
  fi
}

stop_docker_process() {
  if [ -n "$DOCKERD_PID" ]; then
    kill "$DOCKERD_PID" 2>/dev/null || true
    local deadline=$((SECONDS + 30))
    while kill -0 "$DOCKERD_PID" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
      sleep 0.1
    done
    if kill -0 "$DOCKERD_PID" 2>/dev/null; then
      kill -KILL "$DOCKERD_PID" 2>/dev/null || true # did not stop in time
    fi
    wait "$DOCKERD_PID" 2>/dev/null || true
    DOCKERD_PID=""
  fi
}

# The local images the control-api tests run: no registry is reachable, so they are imported from a
# root filesystem made of Debian's busybox-static (~2 MB each; `sh`, `httpd`, `nc`, `wget`, ...).
# fluxer-test/busybox:1 and :2 differ only in /etc/fluxer-test-variant, the env FLUXER_TEST_VARIANT
# and the label io.fluxer.test.variant, so tests can change a service's image. Skips images already
# present. Needs the daemon of start_docker.
build_test_images() {
  local variant missing=()
  for variant in 1 2; do
    docker_cli image inspect "fluxer-test/busybox:$variant" >/dev/null 2>&1 || missing+=("$variant")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  ensure_packages busybox-static
  local busybox=/bin/busybox # busybox-static's: one static binary, so it runs alone in the image
  local dir
  dir="$(mktemp -d "${TMPDIR:-/tmp}/fluxer-images.XXXXXX")"
  for variant in "${missing[@]}"; do
    local rootfs="$dir/rootfs-$variant"
    mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/tmp" "$rootfs/root" "$rootfs/proc" "$rootfs/sys" "$rootfs/dev"
    chmod 1777 "$rootfs/tmp"
    cp "$busybox" "$rootfs/bin/busybox"
    local applet
    for applet in $("$busybox" --list); do
      [ "$applet" = busybox ] || ln -s busybox "$rootfs/bin/$applet"
    done
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$rootfs/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
    printf '%s\n' "$variant" >"$rootfs/etc/fluxer-test-variant"
    tar --numeric-owner --owner=0 --group=0 -C "$rootfs" -cf - . | docker_cli import \
      --change 'ENV PATH=/bin' --change "ENV FLUXER_TEST_VARIANT=$variant" \
      --change "LABEL io.fluxer.test.variant=$variant" --change 'CMD ["sh"]' \
      - "fluxer-test/busybox:$variant" >/dev/null
    log "imported fluxer-test/busybox:$variant"
  done
  rm -rf "$dir"
}

# The throwaway registry of start_registry: its PID and directory, for stop_registry.
REGISTRY_PID=""
REGISTRY_DIR=""

# Starts a throwaway private registry for the control-api tests: Debian's docker-registry (the
# Distribution registry), run here from its own temp dir whatever the package's system service does,
# loopback only (dockerd pulls from 127.0.0.0/8 over plain HTTP), on a free port, with htpasswd
# authentication (bcrypt, from apache2-utils) for one user with a random password. Sets the
# variables named $1, $2 and $3 to its host:port, the user and the password. Stop it with stop_registry.
start_registry() {
  local host_var="$1" user_var="$2" password_var="$3"
  ensure_packages docker-registry apache2-utils
  stop_packaged_registry
  REGISTRY_DIR="$(mktemp -d "${TMPDIR:-/tmp}/fluxer-registry.XXXXXX")"
  chmod 700 "$REGISTRY_DIR"
  local user=fluxer-test password
  password="$(random_hex 24)"
  htpasswd -Bbn "$user" "$password" >"$REGISTRY_DIR/htpasswd" 2>/dev/null
  local attempt port
  for attempt in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 30000))
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      continue # something listens there already
    fi
    printf '%s\n' "version: 0.1" "log:" "  level: warn" "  accesslog:" "    disabled: true" \
      "storage:" "  filesystem:" "    rootdirectory: $REGISTRY_DIR/data" "  delete:" "    enabled: true" \
      "http:" "  addr: 127.0.0.1:$port" "  secret: $(random_hex 24)" \
      "auth:" "  htpasswd:" "    realm: fluxer-test" "    path: $REGISTRY_DIR/htpasswd" >"$REGISTRY_DIR/config.yml"
    /usr/bin/docker-registry serve "$REGISTRY_DIR/config.yml" </dev/null >"$REGISTRY_DIR/registry.log" 2>&1 &
    REGISTRY_PID=$!
    local deadline=$((SECONDS + 15))
    while kill -0 "$REGISTRY_PID" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
      if [ "$(registry_status "$port")" = 401 ]; then # up, and asking for credentials
        printf -v "$host_var" '127.0.0.1:%s' "$port"
        printf -v "$user_var" '%s' "$user"
        printf -v "$password_var" '%s' "$password"
        log "docker-registry $REGISTRY_PID listening on 127.0.0.1:$port (htpasswd user $user)"
        return 0
      fi
      sleep 0.1
    done
    stop_owned REGISTRY_PID # died (port taken meanwhile?) or never answered: try another port
  done
  log "could not start docker-registry; see $REGISTRY_DIR/registry.log"
  return 1
}

# $1 random bytes as hex digits.
random_hex() {
  head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'
}

# The HTTP status of GET /v2/ on the registry at 127.0.0.1:$1, or nothing (in a subshell: it opens fd 3).
registry_status() {
  local line=""
  (exec 3<>"/dev/tcp/127.0.0.1/$1" && printf 'GET /v2/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3 \
    && IFS= read -r -t 2 line <&3 && printf '%s' "$line" | cut -d' ' -f2) 2>/dev/null || true
}

# Stops the registry of start_registry (only that process) and removes its directory, the pushed images with it.
stop_registry() {
  stop_owned REGISTRY_PID REGISTRY_DIR
}

# Debian's docker-registry package may start a system service on port 5000, which the tests do not
# use. Stop that one only (its own service), nothing else.
stop_packaged_registry() {
  if command -v systemctl >/dev/null && systemctl is-active --quiet docker-registry 2>/dev/null; then
    as_root systemctl stop docker-registry || true
  fi
}

# The images scripts/images.sh builds without a registry and scripts/images-check.sh checks: the
# imported bases (Debian bookworm made with debootstrap) and the stand-ins for the official redis
# and postgres images and the haproxy image stack.yml's edge names.
LOCAL_BUILD_BASE="fluxer-local/build-base:17"
LOCAL_RUNTIME_BASE="fluxer-local/runtime-base:bookworm"
LOCAL_REDIS_BASE="fluxer-local/redis-base:bookworm"
LOCAL_POSTGRES_BASE="fluxer-local/postgres-base:bookworm"
LOCAL_REDIS="fluxer-local/redis:7"
LOCAL_POSTGRES="fluxer-local/postgres:15"
LOCAL_HAPROXY_BASE="fluxer-local/haproxy-base:bookworm"
LOCAL_HAPROXY="fluxer-local/haproxy:2.6"

# Seconds (one decimal) since $1, a value of $EPOCHREALTIME.
elapsed_since() {
  awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'
}

# The Maven project's version (the root pom's own <version>, the one after fluxer-parent).
project_version() {
  sed -n '/<artifactId>fluxer-parent<\/artifactId>/,/<version>/s:.*<version>\(.*\)</version>.*:\1:p' \
    "$ROOT/pom.xml" | head -n 1
}
