# A development Keycloak for scripts/run_dev.sh --oidc (sourced after scripts/lib.sh, not run).
# Dev only: the realm (fluxer-realm.json beside this file) has fixed passwords and client secrets,
# and the bootstrap admin below is printed.

KEYCLOAK_VERSION="26.7.3"
# Downloaded once, outside the repository (the zip is ~177 MB).
KEYCLOAK_HOME="${XDG_CACHE_HOME:-$HOME/.cache}/fluxer/keycloak-$KEYCLOAK_VERSION"
KEYCLOAK_REALM_FILE="$ROOT/scripts/keycloak/fluxer-realm.json"
KEYCLOAK_ADMIN_USER="admin"
KEYCLOAK_ADMIN_PASSWORD="fluxer-dev-keycloak-admin"
# The Keycloak of start_keycloak: its PID (kc.sh, which forwards SIGTERM to its JVM) and directory.
KEYCLOAK_PID=""
KEYCLOAK_DIR=""

# Downloads Keycloak with Maven (org.keycloak:keycloak-quarkus-dist:<version>:zip from Maven Central)
# and unzips it into $KEYCLOAK_HOME, unless it is there already.
ensure_keycloak() {
  [ -x "$KEYCLOAK_HOME/bin/kc.sh" ] && return 0
  ensure_packages unzip
  local parent dl artifact="org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION:zip"
  parent="$(dirname "$KEYCLOAK_HOME")"
  mkdir -p "$parent"
  dl="$(mktemp -d "$parent/.download.XXXXXX")"
  log "downloading Keycloak $KEYCLOAK_VERSION ($artifact, ~177 MB) into $KEYCLOAK_HOME"
  # from an empty directory, so that Maven does not run the goal over this repository's modules
  if ! (cd "$dl" && mvn -q -B -Dstyle.color=never dependency:copy -Dartifact="$artifact" \
      -DoutputDirectory="$dl") >"$dl/mvn.log" 2>&1; then
    log "could not download $artifact with Maven (is Maven Central reachable?):"
    tail -n 20 "$dl/mvn.log" >&2
    rm -rf "$dl"
    return 1
  fi
  if ! unzip -q "$dl/keycloak-quarkus-dist-$KEYCLOAK_VERSION.zip" -d "$dl" || \
     [ ! -x "$dl/keycloak-$KEYCLOAK_VERSION/bin/kc.sh" ]; then
    rm -rf "$dl"
    log "the downloaded Keycloak zip did not unpack into keycloak-$KEYCLOAK_VERSION/bin/kc.sh"
    return 1
  fi
  mv "$dl/keycloak-$KEYCLOAK_VERSION" "$KEYCLOAK_HOME"
  rm -rf "$dl"
}

# Whether something accepts TCP connections on 127.0.0.1:$1.
port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Starts Keycloak in dev mode on 127.0.0.1 (port $FLUXER_KEYCLOAK_PORT, default 8180, or a free one
# when that is taken), with an in-memory database (dev-mem: every run imports the realm afresh) and
# the realm `fluxer` imported from fluxer-realm.json; its issuer is pinned to
# http://127.0.0.1:<port>/realms/fluxer whatever host name a browser uses. The dashboard client's
# redirect URIs are for the relay on port $2 (default 8000). Waits until the realm's discovery
# document answers, at most $FLUXER_KEYCLOAK_TIMEOUT seconds (default 300: the first boot builds
# Keycloak's Quarkus application, about a minute on two cores). Sets the variable named $1 to the
# base URL (http://127.0.0.1:<port>). Stop it with stop_keycloak.
start_keycloak() {
  local var="$1" relay_port="${2:-8000}"
  local port="${FLUXER_KEYCLOAK_PORT:-8180}" timeout="${FLUXER_KEYCLOAK_TIMEOUT:-300}" attempt
  if port_in_use "$port"; then
    if [ -n "${FLUXER_KEYCLOAK_PORT:-}" ]; then
      log "port $port (FLUXER_KEYCLOAK_PORT) is in use; choose another one"
      return 1
    fi
    for attempt in $(seq 1 20); do
      port=$((20000 + RANDOM % 30000))
      port_in_use "$port" || break
    done
    log "port 8180 is in use: Keycloak gets $port"
  fi
  KEYCLOAK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/fluxer-keycloak.XXXXXX")"
  mkdir -p "$KEYCLOAK_HOME/data/import"
  rm -f "$KEYCLOAK_HOME"/data/import/*.json
  # the realm as committed, plus redirect URIs for a relay on another port than 8000
  jq --arg port "$relay_port" '
    if $port == "8000" then . else
      .clients |= map(if .clientId == "fluxer-dashboard" then
        .redirectUris += ["http://127.0.0.1:\($port)/dashboard/sso/callback",
                          "http://localhost:\($port)/dashboard/sso/callback"]
        | .webOrigins += ["http://127.0.0.1:\($port)", "http://localhost:\($port)"]
        | .rootUrl = "http://127.0.0.1:\($port)"
      else . end)
    end' "$KEYCLOAK_REALM_FILE" >"$KEYCLOAK_HOME/data/import/fluxer-realm.json"
  local base="http://127.0.0.1:$port"
  local discovery="$base/realms/fluxer/.well-known/openid-configuration"
  # JAVA_OPTS is the relay's (the launcher passes it on); Keycloak keeps its own defaults.
  env -u JAVA_OPTS -u JAVA_OPTS_APPEND \
    KC_BOOTSTRAP_ADMIN_USERNAME="$KEYCLOAK_ADMIN_USER" KC_BOOTSTRAP_ADMIN_PASSWORD="$KEYCLOAK_ADMIN_PASSWORD" \
    "$KEYCLOAK_HOME/bin/kc.sh" start-dev --http-host 127.0.0.1 --http-port "$port" --hostname "$base" \
    --db dev-mem --import-realm </dev/null >"$KEYCLOAK_DIR/keycloak.log" 2>&1 &
  KEYCLOAK_PID=$!
  log "Keycloak $KEYCLOAK_VERSION (pid $KEYCLOAK_PID) starting on $base, log $KEYCLOAK_DIR/keycloak.log;" \
    "waiting for $discovery (at most $timeout s)"
  local started=$SECONDS deadline=$((SECONDS + timeout)) next_note=$((SECONDS + 30)) issuer
  while :; do
    if ! kill -0 "$KEYCLOAK_PID" 2>/dev/null; then
      local status=0
      wait "$KEYCLOAK_PID" || status=$?
      KEYCLOAK_PID=""
      log "Keycloak exited with status $status before it answered; the end of its log:"
      tail -n 30 "$KEYCLOAK_DIR/keycloak.log" >&2
      return 1
    fi
    if issuer="$(curl -fsS --max-time 2 "$discovery" 2>/dev/null | jq -r '.issuer // empty' 2>/dev/null)" && \
       [ -n "$issuer" ]; then
      break
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "Keycloak did not answer $discovery within $timeout s (FLUXER_KEYCLOAK_TIMEOUT); the end of its log:"
      tail -n 30 "$KEYCLOAK_DIR/keycloak.log" >&2
      return 1
    fi
    if [ "$SECONDS" -ge "$next_note" ]; then
      log "still waiting for Keycloak ($((SECONDS - started)) s)"
      next_note=$((SECONDS + 30))
    fi
    sleep 0.5
  done
  if [ "$issuer" != "$base/realms/fluxer" ]; then
    log "Keycloak's discovery document names the issuer '$issuer', expected '$base/realms/fluxer'"
    return 1
  fi
  log "Keycloak answered after $((SECONDS - started)) s; realm fluxer imported"
  printf -v "$var" '%s' "$base"
}

# Stops the Keycloak of start_keycloak (only that process: kc.sh passes SIGTERM on to its JVM) and
# removes its directory (the log).
stop_keycloak() {
  if [ -n "$KEYCLOAK_PID" ]; then
    kill "$KEYCLOAK_PID" 2>/dev/null || true
    local deadline=$((SECONDS + 30))
    while kill -0 "$KEYCLOAK_PID" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
      sleep 0.1
    done
    if kill -0 "$KEYCLOAK_PID" 2>/dev/null; then
      log "Keycloak (pid $KEYCLOAK_PID) did not stop within 30 s; killing it and its JVM"
      local child
      for child in $(ps -o pid= --ppid "$KEYCLOAK_PID" 2>/dev/null); do
        kill -KILL "$child" 2>/dev/null || true
      done
      kill -KILL "$KEYCLOAK_PID" 2>/dev/null || true
    fi
    wait "$KEYCLOAK_PID" 2>/dev/null || true
    KEYCLOAK_PID=""
  fi
  if [ -n "$KEYCLOAK_DIR" ]; then
    rm -rf "$KEYCLOAK_DIR"
    KEYCLOAK_DIR=""
  fi
}
