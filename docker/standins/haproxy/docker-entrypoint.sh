#!/bin/sh
# Entrypoint of the HAProxy stand-in, as the official haproxy image's: options alone run haproxy
# with them; haproxy runs in master-worker mode in the foreground (-W -db), so it is PID 1, logs to
# the container and reloads its workers on SIGUSR2; anything else runs as given.
set -e

if [ "${1#-}" != "$1" ]; then
  set -- haproxy "$@"
fi

if [ "$1" = haproxy ]; then
  shift
  set -- haproxy -W -db "$@"
fi

exec "$@"
