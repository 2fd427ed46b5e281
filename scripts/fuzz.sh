#!/usr/bin/env bash
# Fuzzes Fluxer's parsers of untrusted input with Jazzer (coverage-guided, through its JUnit 5
# integration): each target runs in its own JVM for a bounded time and the script prints, per
# target, the executions and executions per second. A finding (an exception the parser must not
# throw, a failed property, an input slower than the target's @Timeout) fails the run; Jazzer saves
# the input next to the target's seeds (src/test/resources/<package>/<Class>Inputs/<method>/), where
# plain `mvn test` replays it until it is fixed. Minimise it into a plain regression test.
#
# Usage: scripts/fuzz.sh [-t seconds] [target...]
#   -t seconds   fuzzing time per target (default: FLUXER_FUZZ_SECONDS, else 60)
#   target       one of the names below (default: all)
# Environment: FLUXER_MVN_OPTS, extra Maven options (e.g. -o).
# Logs: target/fuzz/<target>.log.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# name module class#method
TARGETS=(
  "decoder relay io.fluxer.relay.protocol.CommandDecoderFuzzTest#decode"
  "protobuf relay io.fluxer.relay.protocol.ProtobufCodecFuzzTest#decode"
  "channel relay io.fluxer.relay.channel.ChannelNameFuzzTest#parseAndResolve"
  "glob relay io.fluxer.relay.channel.GlobFuzzTest#matchesLikeReference"
  "tag-filter relay io.fluxer.relay.channel.TagFilterFuzzTest#parseAndMatch"
  "jwt relay io.fluxer.relay.auth.TokenVerifierFuzzTest#arbitraryToken"
  "jwt-claims relay io.fluxer.relay.auth.TokenVerifierFuzzTest#signedClaims"
  "stackfile control-api io.fluxer.control.stack.StackFileFuzzTest#parse"
  "interpolate control-api io.fluxer.control.stack.StackFileFuzzTest#interpolate"
  "hook-signature control-api io.fluxer.control.api.HookSignatureFuzzTest#parse"
)

usage() {
  echo "usage: scripts/fuzz.sh [-t seconds] [target...]; targets:" >&2
  for t in "${TARGETS[@]}"; do echo "  ${t%% *}" >&2; done
  exit 2
}

seconds="${FLUXER_FUZZ_SECONDS:-60}"
while getopts "t:h" opt; do
  case "$opt" in
    t) seconds="$OPTARG" ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || { log "-t needs a whole number of seconds"; usage; }

selected=()
if [ $# -eq 0 ]; then
  selected=("${TARGETS[@]}")
else
  for want in "$@"; do
    found=""
    for t in "${TARGETS[@]}"; do
      [ "${t%% *}" = "$want" ] && found="$t"
    done
    [ -n "$found" ] || { log "unknown target $want"; usage; }
    selected+=("$found")
  done
fi

require_java_maven
cd "$ROOT"
read -r -a mvn_opts <<< "${FLUXER_MVN_OPTS:-}"
log "building (tests compiled, not run)"
mvn -B -q "${mvn_opts[@]}" -pl relay,control-api -am install -DskipTests
mvn -B -q "${mvn_opts[@]}" -pl relay,control-api test-compile

mkdir -p target/fuzz
failed=()
summary=()
for t in "${selected[@]}"; do
  read -r name module test <<< "$t"
  logfile="target/fuzz/$name.log"
  log "fuzzing $name ($test) for ${seconds}s"
  # surefire:test alone: the classes are compiled above. JUnit's own timeout is off while fuzzing, or
  # it would time the whole run; Jazzer applies the target's @Timeout to each input instead.
  status=0
  JAZZER_FUZZ=1 mvn -B "${mvn_opts[@]}" -pl "$module" surefire:test -Dtest="$test" \
    -Dsurefire.failIfNoSpecifiedTests=false -Djazzer.max_duration="${seconds}s" \
    -Djunit.jupiter.execution.timeout.mode=disabled > "$logfile" 2>&1 || status=$?
  runs=$(grep -oE '^Done [0-9]+ runs' "$logfile" | tail -1 | grep -oE '[0-9]+' || true)
  rate=$(grep -oE 'exec/s: [0-9]+' "$logfile" | tail -1 | grep -oE '[0-9]+' || true)
  line=$(printf '%-12s %12s execs %8s exec/s' "$name" "${runs:-?}" "${rate:-?}")
  if [ "$status" -ne 0 ] || [ -z "$runs" ]; then
    failed+=("$name")
    line="$line  FAILED (see $logfile)"
    grep -E '^(==|java\.|Caused by|\s+at io\.fluxer)|FuzzTestFinding|<<< (FAIL|ERR)' "$logfile" | head -20 >&2 || true
  fi
  summary+=("$line")
done

log "fuzzing summary (${seconds}s per target, load average: $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%s\n' "${summary[@]}" >&2
if [ ${#failed[@]} -gt 0 ]; then
  log "fuzzing found problems in: ${failed[*]}"
  exit 1
fi
