#!/usr/bin/env bash
# Refreshes the dashboard screenshots in docs/images/dashboard from the browser tests: runs the
# relay's DashboardBrowserTest and DashboardEnginesBrowserTest and control-api's
# DashboardAuditBrowserTest (Debian's Chromium through playwright-core, installed when missing, with
# a throwaway Redis and PostgreSQL as scripts/test.sh starts them) and, with --swarm,
# DashboardSwarmBrowserTest on a local swarm, then copies the screenshots they saved in
# relay/target/dashboard-screenshots.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

require_java_maven
install_node_fixture
SHOTS="$ROOT/relay/target/dashboard-screenshots"
rm -rf "$SHOTS"
cd "$ROOT"
trap 'stop_docker; stop_postgres; stop_redis' EXIT
start_redis FLUXER_TEST_REDIS_URL
export FLUXER_TEST_REDIS_URL
start_postgres FLUXER_TEST_PG_URL
export FLUXER_TEST_PG_URL
mvn -q -B -pl dashboard,relay -am install -Dtest='DashboardBrowserTest,DashboardEnginesBrowserTest' \
  -Dsurefire.failIfNoSpecifiedTests=false
mvn -q -B -pl control-api test -Dtest=DashboardAuditBrowserTest -Dsurefire.failIfNoSpecifiedTests=false
if [ "${1:-}" = "--swarm" ]; then
  start_docker
  build_test_images
  export FLUXER_TEST_DOCKER="unix://$DOCKER_SOCK"
  mvn -q -B -pl control-api test -Dtest=DashboardSwarmBrowserTest -Dsurefire.failIfNoSpecifiedTests=false
fi
mkdir -p "$ROOT/docs/images/dashboard"
cp "$SHOTS"/*.png "$ROOT/docs/images/dashboard/"
log "copied $(ls "$SHOTS"/*.png | wc -l) screenshots to docs/images/dashboard"
