#!/usr/bin/env bash
# The dashboard's own checks, without a browser: ESLint over its modules (dashboard/eslint.config.mjs)
# and the Node unit tests of its pure modules (dashboard/src/test/js/*.test.mjs, node --test). Uses the
# Node fixture scripts/test.sh installs (relay/src/test/js/node_modules). Exit code non-zero on any
# lint error or failed test.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODULES="$ROOT/relay/src/test/js/node_modules"
[ -x "$MODULES/.bin/eslint" ] || { echo "dashboard-check: $MODULES has no eslint (run npm ci in relay/src/test/js)" >&2; exit 1; }
cd "$ROOT/dashboard"
# the config imports @eslint/js and globals: ES modules resolve them from a node_modules beside it
ln -sfn "$MODULES" node_modules
"$MODULES/.bin/eslint" --max-warnings 0 \
  src/main/resources/META-INF/fluxer-dashboard/js src/test/js
node --test src/test/js/
