#!/usr/bin/env bash
# Checks the images scripts/images.sh built, by running them (docs/images.md):
#
#   fluxer      non-root; `fluxer --dev` answers /ready through fluxer-health and turns healthy;
#               the JVM is PID 1 and drains on `docker stop` (/ready 503 during
#               server.shutdown_drain, then the stop message and exit 143); `fluxer-control --help`
#               runs the control plane's launcher; the runtime trusts none of the host's extra CA
#               certificates
#   redis       redis-server as uid 999 answers PING and SET/GET from another container; stops on
#               SIGTERM with exit 0
#   postgres    POSTGRES_PASSWORD_FILE + POSTGRES_USER/POSTGRES_DB: psql with the password over TCP
#               from another container (a wrong one refused), the server as uid 999; restarted on
#               the same volume it skips initialisation and keeps the data
#
#   scripts/images-check.sh [--jdeps] [IMAGE]    IMAGE: the fluxer image (default fluxer:local)
#
#   --jdeps   also runs jdeps (in fluxer-local/build-base:17) over the image's lib/ and checks that
#             the jlinked runtime has every module it finds (about 40 s more)
#
# Everything it creates (containers, a network, a volume, a temp dir) is named fluxer-check-<pid>
# and removed at exit. Exits non-zero at the first failed check.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

IMAGE="fluxer:local"
JDEPS=0
PREFIX="fluxer-check-$$"
NET="$PREFIX-net"
TMP_DIR=""
CONTAINERS=() # created here, removed at exit with their anonymous volumes
VOLUMES=()

die() { log "FAIL: $*"; exit 1; }
pass() { log "ok: $*"; }

# Removes what the checks created (only that), and stops a dockerd started here.
cleanup() {
  local c v
  for c in "${CONTAINERS[@]}"; do docker_cli rm -f -v "$c" >/dev/null 2>&1 || true; done
  for v in "${VOLUMES[@]}"; do docker_cli volume rm "$v" >/dev/null 2>&1 || true; done
  docker_cli network rm "$NET" >/dev/null 2>&1 || true
  if [ -n "$TMP_DIR" ]; then rm -rf "$TMP_DIR"; fi
  stop_docker
}

# Starts a detached container named $1 on the check network; the rest are `docker run` arguments.
run_detached() {
  local name="$1"
  shift
  CONTAINERS+=("$name")
  docker_cli run -d --name "$name" --network "$NET" "$@" >/dev/null
}

# Runs a throwaway container on the check network; the arguments are `docker run` arguments.
run_once() {
  docker_cli run --rm --network "$NET" "$@"
}

# Retries a command every half second until it succeeds or $1 seconds have passed.
wait_until() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.5
  done
}

# The uid the main process (PID 1) of container $1 runs as.
pid1_uid() {
  docker_cli exec "$1" sh -c 'set -- $(grep "^Uid:" /proc/1/status); echo "$2"'
}

# Whether container $1 reports the health status $2.
health_is() {
  [ "$(docker_cli inspect -f '{{.State.Health.Status}}' "$1")" = "$2" ]
}

# Stops container $1 (docker stop, timeout $2 s) and sets STOP_EXIT and STOP_SECONDS. With $3, a
# command run meanwhile, while the container is stopping, must succeed.
STOP_EXIT=""
STOP_SECONDS=""
stop_timed() {
  local c="$1" timeout="$2" start="$EPOCHREALTIME"
  shift 2
  docker_cli stop -t "$timeout" "$c" >/dev/null &
  local stopper=$! rc=0
  if [ $# -gt 0 ]; then "$@" || rc=$?; fi
  wait "$stopper" || die "docker stop $c failed"
  STOP_SECONDS="$(elapsed_since "$start")"
  STOP_EXIT="$(docker_cli inspect -f '{{.State.ExitCode}}' "$c")"
  return "$rc"
}

# Whether text $2 has a line matching $1. Reads the text whole: `cmd | grep -q` under pipefail fails
# when grep exits at the first match and the command, still writing, gets SIGPIPE.
has_line() {
  grep -q -- "$1" <<<"$2"
}

# Whether the relay in container $1 answers /ready with 503 (draining), within 5 s.
turns_503() {
  wait_until 5 docker_cli exec "$1" sh -c 'fluxer-health 2>&1 | grep -q " 503"'
}

# The fluxer image: user, launchers, size, and that it trusts none of this host's extra CAs.
check_fluxer_static() {
  local uid size
  uid="$(docker_cli run --rm "$IMAGE" id -u)"
  [ "$uid" != 0 ] || die "$IMAGE runs as root"
  pass "$IMAGE runs as $(docker_cli run --rm "$IMAGE" id)"
  has_line '^usage: fluxer-control' "$(docker_cli run --rm "$IMAGE" fluxer-control --help)" ||
    die "fluxer-control --help did not print its usage"
  has_line '^usage: fluxer ' "$(docker_cli run --rm "$IMAGE" --help)" || die "--help did not reach the relay"
  has_line '^fluxer [0-9]' "$(docker_cli run --rm "$IMAGE" fluxer version)" || die "fluxer version printed no version"
  pass "fluxer-control --help, --help (the relay's) and fluxer version run their launchers"
  size="$(docker_cli image inspect -f '{{.Size}}' "$IMAGE")"
  [ "$size" -le 200000000 ] || die "$IMAGE is $((size / 1000000)) MB, over 200 MB"
  pass "$IMAGE is $((size / 1000000)) MB"
  local trusted crt fp
  trusted="$(docker_cli run --rm "$IMAGE" keytool -list -cacerts -storepass changeit 2>/dev/null)"
  while IFS= read -r crt; do
    fp="$(keytool -printcert -file "$crt" 2>/dev/null | sed -n 's/^[[:space:]]*SHA256: //p')"
    [ -n "$fp" ] || continue
    if grep -q "$fp" <<<"$trusted"; then die "the image's Java trusts the host's $crt"; fi
  done < <(find /usr/local/share/ca-certificates -name '*.crt' -type f 2>/dev/null)
  pass "the image's Java trusts $(grep -c 'trustedCertEntry' <<<"$trusted") CAs, none of the host's extra ones"
}

# The relay: healthy through fluxer-health, the JVM as PID 1, a drain on docker stop.
check_fluxer_relay() {
  local c="$PREFIX-relay"
  run_detached "$c" -e FLUXER_SERVER_SHUTDOWN_DRAIN=3s "$IMAGE" --dev
  wait_until 60 docker_cli exec "$c" fluxer-health || die "fluxer-health never answered 0 (logs: docker logs $c)"
  pass "fluxer --dev answers /ready (fluxer-health exits 0)"
  wait_until 60 health_is "$c" healthy || die "docker never reported $c healthy"
  pass "docker inspect: health status healthy"
  has_line '^/opt/java/bin/java ' "$(docker_cli exec "$c" sh -c 'tr "\0" " " </proc/1/cmdline')" ||
    die "PID 1 is not the JVM"
  pass "PID 1 is /opt/java/bin/java, uid $(pid1_uid "$c")"
  stop_timed "$c" 20 turns_503 "$c" || die "/ready did not answer 503 while the relay drained"
  pass "docker stop: /ready answered 503 while draining (server.shutdown_drain 3s)"
  local logs
  logs="$(docker_cli logs "$c" 2>&1)"
  [ "$STOP_EXIT" = 143 ] || die "the relay exited $STOP_EXIT after SIGTERM (expected 143)"
  grep -q '^fluxer: stopped in' <<<"$logs" || die "no stop message in the logs"
  pass "docker stop: $STOP_SECONDS s, exit $STOP_EXIT; $(grep '^fluxer: stop' <<<"$logs" | tr '\n' ';')"
}

# The Redis stand-in: PING, SET/GET from another container, uid 999, a clean stop.
check_redis() {
  local c="$PREFIX-redis"
  run_detached "$c" "$LOCAL_REDIS"
  wait_until 20 run_once "$LOCAL_REDIS" redis-cli -h "$c" PING || die "redis-cli PING got no answer"
  local got
  got="$(run_once "$LOCAL_REDIS" sh -c "redis-cli -h $c SET fluxer-check yes >/dev/null && redis-cli -h $c GET fluxer-check")"
  [ "$got" = yes ] || die "redis GET answered '$got'"
  [ "$(pid1_uid "$c")" = 999 ] || die "redis-server does not run as uid 999"
  pass "$LOCAL_REDIS: PING, SET/GET from another container; redis-server is PID 1 as uid 999"
  stop_timed "$c" 10
  [ "$STOP_EXIT" = 0 ] || die "redis-server exited $STOP_EXIT on SIGTERM"
  has_line 'ready to exit' "$(docker_cli logs "$c" 2>&1)" || die "redis-server did not shut down gracefully"
  pass "$LOCAL_REDIS: docker stop in $STOP_SECONDS s, exit 0, graceful shutdown"
}

# psql as fluxer over TCP from another container to the PostgreSQL container $1 with password $2.
psql_tcp() {
  local c="$1" password="$2"
  shift 2
  run_once -e PGPASSWORD="$password" "$LOCAL_POSTGRES" psql -h "$c" -U fluxer -d fluxer -v ON_ERROR_STOP=1 -Atc "$@"
}

# Starts the PostgreSQL stand-in $1 on the check volume with the password file.
run_postgres() {
  run_detached "$1" -v "$PREFIX-pgdata:/var/lib/postgresql/data" -v "$TMP_DIR/pgpw:/run/secrets/pgpw:ro" \
    -e POSTGRES_PASSWORD_FILE=/run/secrets/pgpw -e POSTGRES_USER=fluxer -e POSTGRES_DB=fluxer "$LOCAL_POSTGRES"
  wait_until 60 psql_tcp "$1" "$PG_PASSWORD" 'SELECT 1' || die "psql never connected to $1 (docker logs $1)"
}

# The PostgreSQL stand-in: password file, TCP with the password, restart on the same volume.
PG_PASSWORD="check-$RANDOM-$RANDOM"
check_postgres() {
  printf '%s\n' "$PG_PASSWORD" >"$TMP_DIR/pgpw"
  chmod 600 "$TMP_DIR/pgpw" # root's only, as a secret: the entrypoint reads it before it drops root
  VOLUMES+=("$PREFIX-pgdata")
  docker_cli volume create "$PREFIX-pgdata" >/dev/null
  local c="$PREFIX-pg1"
  run_postgres "$c"
  psql_tcp "$c" "$PG_PASSWORD" "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('across restarts')" >/dev/null
  if psql_tcp "$c" wrong-password 'SELECT 1' >/dev/null 2>&1; then die "a wrong password was accepted"; fi
  [ "$(pid1_uid "$c")" = 999 ] || die "postgres does not run as uid 999"
  pass "$LOCAL_POSTGRES: psql as fluxer over TCP with the password from POSTGRES_PASSWORD_FILE (a wrong one refused); postgres is PID 1 as uid 999"
  stop_timed "$c" 10
  [ "$STOP_EXIT" = 0 ] || die "postgres exited $STOP_EXIT on SIGINT"
  pass "$LOCAL_POSTGRES: docker stop (SIGINT) in $STOP_SECONDS s, exit 0"
  c="$PREFIX-pg2"
  run_postgres "$c"
  has_line 'Skipping initialization' "$(docker_cli logs "$c" 2>&1)" || die "the restart initialised again"
  [ "$(psql_tcp "$c" "$PG_PASSWORD" 'SELECT v FROM kept')" = "across restarts" ] || die "the data was not kept"
  pass "$LOCAL_POSTGRES: restarted on the same volume, no re-initialisation, data kept"
}

# jdeps over the image's lib/ (in the build base, which has a JDK): every module it finds must be in
# the image's runtime.
check_jdeps() {
  local c="$PREFIX-lib" needed have missing=() m
  CONTAINERS+=("$c")
  docker_cli create --name "$c" "$IMAGE" >/dev/null
  docker_cli cp "$c:/opt/fluxer/lib" "$TMP_DIR/lib"
  chmod -R a+rX "$TMP_DIR/lib"
  # jdeps cannot resolve the modular jars against each other: it reads their classes unpacked
  needed="$(docker_cli run --rm -v "$TMP_DIR/lib:/in:ro" "$LOCAL_BUILD_BASE" sh -c \
    'mkdir /tmp/x && cd /tmp/x && for j in /in/*.jar; do jar xf "$j"; done &&
     find . -name module-info.class -delete &&
     jdeps --ignore-missing-deps -q --multi-release 17 --print-module-deps .')"
  have="$(docker_cli run --rm "$IMAGE" java --list-modules | sed 's/@.*//')"
  for m in ${needed//,/ }; do
    grep -qx "$m" <<<"$have" || missing+=("$m")
  done
  [ ${#missing[@]} -eq 0 ] || die "the image's runtime lacks ${missing[*]} (jdeps: $needed)"
  pass "jdeps over lib/ needs $needed: all in the image's runtime"
}

main() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --jdeps) JDEPS=1 ;;
      -h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; exit 0 ;;
      -*) die "unknown option $1 (see --help)" ;;
      *) IMAGE="$1" ;;
    esac
    shift
  done
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  start_docker
  TMP_DIR="$(mktemp -d "${TMPDIR:-/tmp}/fluxer-check.XXXXXX")"
  docker_cli network create "$NET" >/dev/null
  check_fluxer_static
  check_fluxer_relay
  check_redis
  check_postgres
  if [ "$JDEPS" -eq 1 ]; then check_jdeps; fi
  log "all image checks passed in $SECONDS s"
}

main "$@"
