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
