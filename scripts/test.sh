#!/usr/bin/env bash
# Runs the whole Fluxer test suite. Installs what the tests need on a fresh Debian machine
# (Node.js and npm for the official-SDK tests, the SDK and playwright-core from npm, chromium for the
# dashboard's browser tests, redis-server for the Redis engine tests, postgresql-15 for the
# PostgreSQL store tests, docker.io and busybox-static for the control-api swarm tests), starts a
# throwaway Redis (FLUXER_TEST_REDIS_URL), a throwaway PostgreSQL (FLUXER_TEST_PG_URL) and, unless
# one already answers, a Docker engine in a single-node swarm with two small local test images
# (FLUXER_TEST_DOCKER, the engine's socket URI), then runs Maven.
# Extra arguments go to Maven (e.g. -Dtest=ClientProtocolTest). With FLUXER_TEST_IMAGES=1 it then
# builds the images without a registry (scripts/images.sh, a few minutes on a fresh machine) and
# checks them by running them (scripts/images-check.sh).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

require_java_maven
install_node_fixture

stop_test_services() {
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

cd "$ROOT"
mvn -B test "$@"
if [ "${FLUXER_TEST_IMAGES:-0}" = 1 ]; then
  bash scripts/images.sh
  bash scripts/images-check.sh
fi
