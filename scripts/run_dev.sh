#!/usr/bin/env bash
# Runs one Fluxer relay node for development on 127.0.0.1:8000 with embedded defaults:
# memory engines, a dev HS256 secret, and the namespace `chat` (history 100 / 5 min, recovery,
# presence, join/leave; any connected user may subscribe and publish). Prints FLUXER_DEV_TOKEN,
# a 24 h token for user `dev`. Builds first when needed. Extra arguments go to the relay
# (e.g. --config my.yaml); FLUXER_* variables override settings (e.g. FLUXER_SERVER_PORT=8001).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

require_java_maven
build_relay_if_needed
exec java ${FLUXER_JAVA_OPTS:-} -cp "$(relay_classpath)" io.fluxer.relay.Main --dev "$@"
