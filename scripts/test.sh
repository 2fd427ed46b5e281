#!/usr/bin/env bash
# Runs the whole Fluxer test suite. Installs what the tests need on a fresh Debian machine
# (Node.js and npm for the official-SDK tests, the SDK and playwright-core from npm, chromium for the
# dashboard's browser tests, redis-server for the Redis engine tests, postgresql-15 for the
# PostgreSQL store tests, docker.io and busybox-static for the control-api swarm tests,
# apache2-utils for docker/secrets.sh and htpasswd, docker-registry for the private-registry tests),
# starts a throwaway Redis (FLUXER_TEST_REDIS_URL), a throwaway PostgreSQL (FLUXER_TEST_PG_URL), a
# throwaway registry with htpasswd authentication (FLUXER_TEST_REGISTRY, host:port on loopback, with
# FLUXER_TEST_REGISTRY_USER and FLUXER_TEST_REGISTRY_PASSWORD) and, unless one already answers, a
# Docker engine in a single-node swarm with two small local test images (FLUXER_TEST_DOCKER, the
# engine's socket URI); builds
# Fluxer's images without a registry (scripts/images.sh, a few minutes on a fresh machine) and
# checks them by running them (scripts/images-check.sh), then runs Maven; the stack tests deploy
# stack.yml with those images (FLUXER_TEST_IMAGE, FLUXER_TEST_REDIS_IMAGE, FLUXER_TEST_POSTGRES_IMAGE,
# FLUXER_TEST_HAPROXY_IMAGE).
# Lints the sources (checkstyle.xml, and the dashboard's modules with ESLint, whose pure modules'
# Node unit tests run then too: scripts/dashboard-check.sh) before the tests. Then fuzzes each parser of untrusted input for FLUXER_FUZZ_SECONDS (default 15) with scripts/fuzz.sh;
# a finding fails the run; FLUXER_FUZZ_SECONDS=0 skips the stage.
# Extra arguments go to Maven (e.g. -Dtest=ClientProtocolTest); with them, the fuzz stage is skipped.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

require_java_maven
install_node_fixture

stop_test_services() {
  stop_registry
  stop_docker
  stop_postgres
  stop_redis
}
trap stop_test_services EXIT
trap 'exit 130' INT TERM
start_redis FLUXER_TEST_REDIS_URL
export FLUXER_TEST_REDIS_URL
start_postgres FLUXER_TEST_PG_URL
export FLUXER_TEST_PG_URL
start_docker
build_test_images
export FLUXER_TEST_DOCKER="unix://$DOCKER_SOCK"
start_registry FLUXER_TEST_REGISTRY FLUXER_TEST_REGISTRY_USER FLUXER_TEST_REGISTRY_PASSWORD
export FLUXER_TEST_REGISTRY FLUXER_TEST_REGISTRY_USER FLUXER_TEST_REGISTRY_PASSWORD
ensure_packages apache2-utils openssl # openssl: docker/secrets.sh and the cluster tests' certificates
bash "$ROOT/scripts/images.sh"
bash "$ROOT/scripts/images-check.sh"
export FLUXER_TEST_IMAGE="fluxer:local" FLUXER_TEST_REDIS_IMAGE="$LOCAL_REDIS" \
  FLUXER_TEST_POSTGRES_IMAGE="$LOCAL_POSTGRES" FLUXER_TEST_HAPROXY_IMAGE="$LOCAL_HAPROXY"

cd "$ROOT"
# Lint first (checkstyle.xml: unused and star imports, tabs, trailing spaces, lines over 160, and a
# few mistakes of that kind), over main and test sources of every module: a violation fails the run.
mvn -B -q checkstyle:check
# The dashboard's ESLint and the Node unit tests of its pure modules (a few seconds).
bash "$ROOT/scripts/dashboard-check.sh"
mvn -B test "$@"

# The fuzz stage: 9 targets x 15 s plus a JVM start each keeps it near 4.5 minutes.
fuzz_seconds="${FLUXER_FUZZ_SECONDS:-15}"
if [ $# -gt 0 ] || [ "$fuzz_seconds" = 0 ]; then
  log "fuzz stage skipped (targeted run or FLUXER_FUZZ_SECONDS=0)"
else
  bash "$ROOT/scripts/fuzz.sh" -t "$fuzz_seconds"
fi
