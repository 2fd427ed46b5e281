#!/bin/sh
# The image's entrypoint: runs its arguments, the relay (`fluxer`) by default. Arguments that start
# with "-" are the relay's (`docker run IMAGE --dev`); any other command runs as given
# (`docker run IMAGE fluxer-control --cluster`). exec: the command, and the JVM it execs, is PID 1.
set -eu
if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ]; then
  set -- fluxer "$@"
fi
exec "$@"
