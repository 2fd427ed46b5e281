#!/bin/sh
# Entrypoint of the Redis stand-in, with the official redis image's behaviour: options (or a config
# file) alone run redis-server with them; as root, redis-server runs as the user redis after the
# working directory is handed to it; protected mode is off unless a given config file sets it, so
# other containers can connect; anything else runs as given. exec: the server is PID 1.
set -eu

if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
  set -- redis-server "$@"
fi

if [ "$1" = redis-server ] && [ "$(id -u)" = 0 ]; then
  find . ! -user redis -exec chown redis '{}' +
  exec setpriv --reuid=redis --regid=redis --init-groups "$0" "$@"
fi

# the official image's umask for the files the server writes (dump.rdb, appendonly files)
if [ "$(umask)" = 0022 ]; then
  umask 0077
fi

case "${2:-}" in
  -v | --version | -h | --help | --test-memory) ;; # redis-server reads these only as its first argument
  *) protected_mode=1 ;;
esac
if [ "$1" = redis-server ] && [ -n "${protected_mode:-}" ]; then
  shift
  config=""
  if [ "$#" -gt 0 ] && [ -f "$1" ]; then
    config="$1"
    shift
  fi
  if [ -n "$config" ] && grep -q '^protected-mode' "$config"; then
    set -- "$config" "$@" # the config file decides
  elif [ -n "$config" ]; then
    set -- "$config" --protected-mode no "$@"
  else
    set -- --protected-mode no "$@"
  fi
  set -- redis-server "$@"
fi

exec "$@"
