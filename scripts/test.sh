#!/usr/bin/env bash
# Runs the whole Fluxer test suite. Installs what the tests need on a fresh Debian machine
# (Node.js and npm for the official-SDK tests, the SDK itself from npm), then runs Maven.
# Extra arguments go to Maven (e.g. -Dtest=ClientProtocolTest).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

require_java_maven
ensure_node
log "installing the centrifuge SDK test fixture (npm ci)"
(cd "$ROOT/relay/src/test/js" && npm ci --no-audit --no-fund --loglevel=error)

cd "$ROOT"
mvn -B test "$@"
