#!/usr/bin/env bash
# Entrypoint of the PostgreSQL stand-in, with the official postgres image's behaviour (see the
# Dockerfile for the contract). As root it hands $PGDATA and the socket directory to the user
# postgres and runs itself again as that user; on a first start (no PG_VERSION in $PGDATA) it makes
# the cluster, the user's password, the database and runs /docker-entrypoint-initdb.d once, with a
# server that listens on the socket only; then it execs the command, so postgres is PID 1.
set -Eeuo pipefail

die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Sets $1 from itself or from the file named by ${1}_FILE (a Docker secret), else to $2; both set
# is an error.
file_env() {
  local var="$1" file_var="${1}_FILE" value="${2:-}"
  if [ -n "${!var:-}" ] && [ -n "${!file_var:-}" ]; then
    die "both $var and $file_var are set (only one is allowed)"
  fi
  if [ -n "${!var:-}" ]; then
    value="${!var}"
  elif [ -n "${!file_var:-}" ]; then
    value="$(<"${!file_var}")"
  fi
  export "$var=$value"
  unset "$file_var"
}

# The settings, with the official image's defaults.
setup_env() {
  file_env POSTGRES_PASSWORD
  file_env POSTGRES_USER postgres
  file_env POSTGRES_DB "$POSTGRES_USER"
  file_env POSTGRES_INITDB_ARGS
  : "${POSTGRES_HOST_AUTH_METHOD:=scram-sha-256}"
  export POSTGRES_HOST_AUTH_METHOD
}

# $PGDATA and the socket directory, owned by postgres when we are root (a fresh named volume is
# root's); mode 700 for the data directory, as postgres requires.
create_dirs() {
  mkdir -p "$PGDATA" /var/run/postgresql
  chmod 00700 "$PGDATA" || :
  chmod 03775 /var/run/postgresql || :
  if [ "$(id -u)" = 0 ]; then
    find "$PGDATA" ! -user postgres -exec chown postgres: '{}' +
    find /var/run/postgresql ! -user postgres -exec chown postgres: '{}' +
  fi
}

# Refuses to make a cluster that nobody could log in to over the network.
require_password() {
  if [ -z "$POSTGRES_PASSWORD" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != trust ]; then
    die "the database is uninitialized and no superuser password is set: set POSTGRES_PASSWORD
       (or POSTGRES_PASSWORD_FILE) to a non-empty value, or POSTGRES_HOST_AUTH_METHOD=trust to allow
       every connection without a password (not recommended)"
  fi
}

# initdb as $POSTGRES_USER with its password, then host connections from anywhere with
# $POSTGRES_HOST_AUTH_METHOD (local ones stay trusted, as in the official image).
init_cluster() {
  # word splitting of POSTGRES_INITDB_ARGS is intended (several options); the password goes
  # through a pipe, never a file, and the pipe must be made on initdb's own command line
  # shellcheck disable=SC2086
  if [ -n "$POSTGRES_PASSWORD" ]; then
    initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") $POSTGRES_INITDB_ARGS
  else
    initdb --username="$POSTGRES_USER" $POSTGRES_INITDB_ARGS
  fi
  printf '\nhost all all all %s\n' "$POSTGRES_HOST_AUTH_METHOD" >>"$PGDATA/pg_hba.conf"
}

# psql as $POSTGRES_USER over the socket, stopping at the first error.
run_psql() {
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc "$@"
}

# $POSTGRES_DB, unless it is the database initdb made already.
create_database() {
  if [ "$POSTGRES_DB" != postgres ]; then
    run_psql --dbname postgres --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";'
  fi
}

# Runs /docker-entrypoint-initdb.d in name order: *.sh run (or are sourced when not executable),
# *.sql and *.sql.gz go to psql in $POSTGRES_DB; anything else is skipped.
run_init_files() {
  local f
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sh)
        if [ -x "$f" ]; then
          printf '%s: running %s\n' "$0" "$f"
          "$f"
        else
          printf '%s: sourcing %s\n' "$0" "$f"
          # shellcheck disable=SC1090
          . "$f"
        fi
        ;;
      *.sql) printf '%s: running %s\n' "$0" "$f"; run_psql --dbname "$POSTGRES_DB" -f "$f" ;;
      *.sql.gz) printf '%s: running %s\n' "$0" "$f"; gzip -dc "$f" | run_psql --dbname "$POSTGRES_DB" ;;
      */\*) ;; # the directory is empty
      *) printf '%s: ignoring %s\n' "$0" "$f" ;;
    esac
  done
}

# The first start: cluster, database and init files, with a server on the socket only meanwhile.
initialize() {
  require_password
  init_cluster
  pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p 5432" -w start
  create_database
  run_init_files
  pg_ctl -D "$PGDATA" -m fast -w stop
  printf '\nPostgreSQL init process complete; ready for start up.\n\n'
}

# Whether the postgres command only prints something (help, version, a setting) and exits.
wants_help() {
  local arg
  for arg; do
    case "$arg" in
      -'?' | --help | --describe-config | -V | --version | -C) return 0 ;;
    esac
  done
  return 1
}

main() {
  if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ]; then
    set -- postgres "$@"
  fi
  if [ "$1" = postgres ] && ! wants_help "$@"; then
    setup_env
    create_dirs
    if [ "$(id -u)" = 0 ]; then
      exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
    fi
    if [ -s "$PGDATA/PG_VERSION" ]; then
      printf '\nPostgreSQL Database directory appears to contain a database; Skipping initialization\n\n'
    else
      initialize
    fi
    unset POSTGRES_PASSWORD # the server does not need it in its environment
  fi
  exec "$@"
}

main "$@"
