#!/usr/bin/env bash
# Builds Fluxer's images locally, without a registry (docs/images.md):
#
#   fluxer-local/build-base:17          JDK 17 with jmods, Maven, the host's extra CA certificates
#                                       (local only: it trusts this machine's proxy CA)
#   fluxer-local/runtime-base:bookworm  minimal Debian bookworm (bash, coreutils), no JRE
#   fluxer-local/redis:7                Debian's redis-server, honouring the official redis image's contract
#   fluxer-local/postgres:15            Debian's postgresql-15, honouring the official postgres image's contract
#   fluxer-local/haproxy:2.6            Debian's haproxy, honouring the official haproxy image's contract
#                                       (stack.yml's optional edge)
#   fluxer:<version>, fluxer:local      docker/Dockerfile built on the two bases above
#
# The bases are root filesystems made with debootstrap --variant=minbase from Debian's packages
# plus a chroot install of each one's package list, imported with `docker import`. Each root
# filesystem is cached as $FLUXER_IMAGES_CACHE/rootfs-<sha256 of its key>.tar (default
# /var/cache/fluxer-images), the key being the suite, variant, mirrors, package list and the
# recipe below; an image whose label io.fluxer.rootfs.key matches is not imported again. Only a
# fresh machine pays for debootstrap; docker's build cache does the rest.
#
#   scripts/images.sh [--no-fluxer] [--no-standins] [--refresh] [--image NAME] [--tag TAG]...
#
#   --no-fluxer    bases and stand-ins only
#   --no-standins  no Redis, PostgreSQL and HAProxy stand-ins (nor their bases)
#   --refresh      make the root filesystems again (new package versions, security updates)
#   --image NAME   the fluxer image's name (default $FLUXER_IMAGE, else fluxer)
#   --tag TAG      a tag for it, repeatable (default $FLUXER_IMAGE_TAG, space-separated, else
#                  "<maven version> local")
#
# Runs as root (debootstrap, chroot, mount) on Debian 12; installs debootstrap and docker.io when
# missing and starts dockerd when none answers (stopped again at the end). Environment:
# FLUXER_DEBIAN_MIRROR, FLUXER_DEBIAN_SECURITY_MIRROR, FLUXER_IMAGES_CACHE, DOCKER_BUILDKIT (1 by
# default: BuildKit works offline with local base images; 0 selects the classic builder).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SUITE="bookworm"
VARIANT="minbase"
MIRROR="${FLUXER_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SECURITY_MIRROR="${FLUXER_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
CACHE_DIR="${FLUXER_IMAGES_CACHE:-/var/cache/fluxer-images}"
ROOTFS_PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
export DOCKER_BUILDKIT="${DOCKER_BUILDKIT:-1}"

BUILD_FLUXER=1
BUILD_STANDINS=1
REFRESH=0
FLUXER_IMAGE="${FLUXER_IMAGE:-fluxer}"
FLUXER_TAGS=()
WORK_DIR=""   # scratch space for root filesystems, removed at exit
MOUNTED_PROC="" # the chroot's /proc mounted while installing, undone at exit
STEPS=()      # "seconds<TAB>what" of every step, for the summary

usage() {
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

# Reads the command line into the settings above.
parse_args() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --no-fluxer) BUILD_FLUXER=0 ;;
      --no-standins) BUILD_STANDINS=0 ;;
      --refresh) REFRESH=1 ;;
      --image) [ $# -ge 2 ] || die "--image needs a name"; FLUXER_IMAGE="$2"; shift ;;
      --tag) [ $# -ge 2 ] || die "--tag needs a tag"; FLUXER_TAGS+=("$2"); shift ;;
      -h|--help) usage; exit 0 ;;
      *) die "unknown argument: $1 (see --help)" ;;
    esac
    shift
  done
  if [ ${#FLUXER_TAGS[@]} -eq 0 ]; then
    read -r -a FLUXER_TAGS <<<"${FLUXER_IMAGE_TAG:-$(project_version) local}"
  fi
}

die() { log "error: $*"; exit 1; }

# Runs a step (a command), logging how long it took and keeping that for the summary.
timed() {
  local what="$1" start="$EPOCHREALTIME"
  shift
  log "$what ..."
  "$@" || die "$what failed"
  local took
  took="$(elapsed_since "$start")"
  STEPS+=("$took"$'\t'"$what")
  log "$what: done in ${took} s"
}

# Unmounts what the chroots left mounted, removes the scratch space, stops a dockerd started here.
cleanup() {
  if [ -n "$MOUNTED_PROC" ]; then
    umount "$MOUNTED_PROC" 2>/dev/null || umount -l "$MOUNTED_PROC" 2>/dev/null || true
    MOUNTED_PROC=""
  fi
  if [ -n "$WORK_DIR" ]; then
    rm -rf --one-file-system "$WORK_DIR"
  fi
  stop_docker
}

# ---- root filesystems ------------------------------------------------------------------------

# Runs a command inside the root filesystem $1 with a clean environment.
chroot_run() {
  local dir="$1"
  shift
  chroot "$dir" /usr/bin/env -i PATH="$ROOTFS_PATH" HOME=/root LANG=C.UTF-8 \
    DEBIAN_FRONTEND=noninteractive "$@"
}

# Runs a command (on the host) while the root filesystem $1 has /proc mounted, as Java needs: its
# post-install steps fail silently without it, and the java launcher finds its home through it.
with_proc() {
  local dir="$1"
  shift
  mount -t proc proc "$dir/proc" || die "cannot mount /proc in $dir"
  MOUNTED_PROC="$dir/proc"
  local rc=0
  "$@" || rc=$?
  umount "$dir/proc" || die "cannot unmount $dir/proc"
  MOUNTED_PROC=""
  return "$rc"
}

# Installs Debian packages into the root filesystem $1 as on a booted system: /proc mounted, the
# host's DNS resolver, and a policy-rc.d that keeps the packages' services from starting. Undoes
# all three afterwards.
chroot_install() {
  local dir="$1"
  shift
  cp -L /etc/resolv.conf "$dir/etc/resolv.conf" || die "cannot copy /etc/resolv.conf into $dir"
  printf '#!/bin/sh\nexit 101\n' >"$dir/usr/sbin/policy-rc.d" && chmod 755 "$dir/usr/sbin/policy-rc.d" ||
    die "cannot write $dir/usr/sbin/policy-rc.d"
  local rc=0
  with_proc "$dir" chroot_run "$dir" apt-get update -qq &&
    with_proc "$dir" chroot_run "$dir" apt-get install -y -qq --no-install-recommends "$@" >/dev/null || rc=$?
  rm -f "$dir/usr/sbin/policy-rc.d" "$dir/etc/resolv.conf"
  [ "$rc" -eq 0 ] || die "installing $* into $dir failed"
}

# Makes a freshly debootstrapped tree a container base: bookworm-updates and the security archive
# in its sources, no recommends and no translations for apt, and dpkg told not to unpack docs, man
# pages and translations (as Debian's slim images do) for whatever is installed later.
configure_minbase() {
  local dir="$1"
  cat >"$dir/etc/apt/sources.list" <<SOURCES
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb $SECURITY_MIRROR $SUITE-security main
SOURCES
  cat >"$dir/etc/apt/apt.conf.d/90fluxer-slim" <<'APT'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Acquire::Languages "none";
APT
  cat >"$dir/etc/dpkg/dpkg.cfg.d/90fluxer-slim" <<'DPKG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/groff/*
DPKG
}

# Removes from the root filesystem $1 what an image does not need: apt's lists and caches, docs
# (but each package's copyright), man pages, translations, logs, and this host's resolver and name.
clean_rootfs() {
  local dir="$1"
  rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/* "$dir"/var/cache/debconf/*-old \
    "$dir"/var/lib/dpkg/*-old "$dir"/usr/share/info/* "$dir"/usr/share/locale/* \
    "$dir"/usr/share/lintian "$dir"/usr/share/groff "$dir"/usr/share/man/*
  mkdir -p "$dir/usr/share/man/man1" # update-alternatives wants it for its slave links
  find "$dir/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
  find "$dir/usr/share/doc" -mindepth 1 -type d -empty -delete
  find "$dir/var/log" -type f -delete
  rm -f "$dir/etc/resolv.conf" "$dir/etc/hostname"
}

# The key of the minbase tree, and of every root filesystem made from it.
minbase_key() {
  printf 'suite=%s\nvariant=%s\nmirror=%s\nsecurity=%s\n' "$SUITE" "$VARIANT" "$MIRROR" "$SECURITY_MIRROR"
  declare -f configure_minbase clean_rootfs
}

sha256_of() { sha256sum | cut -c1-64; }

# Writes a tar of the root filesystem $1 to the cache file $2 (atomically: a partial file never
# has the final name). Extra arguments are tar exclusions.
save_rootfs() {
  local dir="$1" file="$2"
  shift 2
  mkdir -p "$CACHE_DIR" &&
    tar --numeric-owner -C "$dir" "$@" -cf "$file.partial" . &&
    mv "$file.partial" "$file"
}

# Runs debootstrap into $1, its output kept in a log that is shown when it fails.
run_debootstrap() {
  local dir="$1" logf="$WORK_DIR/debootstrap.log"
  debootstrap --variant="$VARIANT" "$SUITE" "$dir" "$MIRROR" >"$logf" 2>&1 ||
    { tail -n 20 "$logf" >&2; die "debootstrap failed (log above)"; }
}

# Sets MINBASE_TAR to the cached minbase tree (debootstrap --variant=minbase, configured and
# cleaned), making it first when it is not cached (or with --refresh, once per run).
MINBASE_TAR=""
ensure_minbase() {
  [ -z "$MINBASE_TAR" ] || return 0
  MINBASE_TAR="$CACHE_DIR/minbase-$(minbase_key | sha256_of).tar"
  if [ -f "$MINBASE_TAR" ] && [ "$REFRESH" -eq 0 ]; then
    log "cached: $MINBASE_TAR"
    return 0
  fi
  ensure_packages debootstrap
  local dir="$WORK_DIR/minbase"
  rm -rf --one-file-system "$dir"
  timed "debootstrap --variant=$VARIANT $SUITE" run_debootstrap "$dir"
  configure_minbase "$dir"
  clean_rootfs "$dir"
  timed "save $MINBASE_TAR" save_rootfs "$dir" "$MINBASE_TAR"
  rm -rf --one-file-system "$dir"
}

# ---- the bases: package lists and recipes ----------------------------------------------------

# The Debian packages of base $1 (build, runtime, redis, postgres, haproxy).
base_packages() {
  case "$1" in
    # bookworm has no openjdk-17-jmods: its jdk-headless package holds the jmods jlink needs;
    # binutils: jlink --strip-debug runs objcopy (the Temurin JDK images have it for that too)
    build) echo "openjdk-17-jdk-headless maven ca-certificates ca-certificates-java binutils" ;;
    runtime) echo "" ;; # minbase has bash and coreutils: all the launchers and fluxer-health use
    redis) echo "redis-server" ;;
    postgres) echo "postgresql-15" ;;
    haproxy) echo "haproxy" ;;
  esac
}

# The image name of base $1.
base_image() {
  case "$1" in
    build) echo "$LOCAL_BUILD_BASE" ;;
    runtime) echo "$LOCAL_RUNTIME_BASE" ;;
    redis) echo "$LOCAL_REDIS_BASE" ;;
    postgres) echo "$LOCAL_POSTGRES_BASE" ;;
    haproxy) echo "$LOCAL_HAPROXY_BASE" ;;
  esac
}

# The host's extra CA certificates (the HTTPS proxy's), which the build base trusts.
host_ca_certs() {
  find /usr/local/share/ca-certificates -name '*.crt' -type f 2>/dev/null | sort
}

# Before the install, build base: the host's CA certificates where update-ca-certificates and
# ca-certificates-java (run by the install) pick them up, for the system and Java's cacerts.
prepare_build() {
  local dir="$1" crt
  mkdir -p "$dir/usr/local/share/ca-certificates/host"
  while IFS= read -r crt; do
    cp "$crt" "$dir/usr/local/share/ca-certificates/host/"
  done < <(host_ca_certs)
}

# After the install, build base: Java runs, jlink has the jmods, and Java's cacerts holds each of
# the host's certificates.
finish_build() {
  local dir="$1" crt
  with_proc "$dir" chroot_run "$dir" java -version >/dev/null 2>&1 || die "java does not run in the build base"
  [ -f "$dir/usr/lib/jvm/java-17-openjdk-amd64/jmods/java.base.jmod" ] || die "the build base has no jmods"
  while IFS= read -r crt; do
    with_proc "$dir" chroot_run "$dir" keytool -list -cacerts -storepass changeit -alias "debian:$(basename "$crt" .crt).pem" \
      >/dev/null 2>&1 || die "Java's cacerts in the build base lacks $crt"
  done < <(host_ca_certs)
}

# Adds the system user and group $2 with the id $3 (the official image's) to the root filesystem
# $1, before the package that would make it with a random id.
add_system_user() {
  chroot_run "$1" groupadd --system --gid "$3" "$2"
  chroot_run "$1" useradd --system --uid "$3" --gid "$2" --home-dir "$4" --no-create-home --shell "$5" "$2"
}

# Before the install, Redis base: the redis user with the official image's id.
prepare_redis() { add_system_user "$1" redis 999 /var/lib/redis /usr/sbin/nologin; }

# Before the install, PostgreSQL base: the postgres user with the official image's id, and no
# cluster made by the package (the entrypoint makes one in $PGDATA).
prepare_postgres() {
  add_system_user "$1" postgres 999 /var/lib/postgresql /bin/bash
  mkdir -p "$1/etc/postgresql-common/createcluster.d"
  echo 'create_main_cluster = false' >"$1/etc/postgresql-common/createcluster.d/fluxer.conf"
}

# After the install, PostgreSQL base: no private key in the image (ssl-cert's snake-oil pair, made
# at install time; the stand-in does not turn TLS on).
finish_postgres() {
  rm -f "$1/etc/ssl/private/ssl-cert-snakeoil.key" "$1/etc/ssl/certs/ssl-cert-snakeoil.pem"
}

# The key of base $1: minbase's, its package list, its recipe (and for the build base the host's
# CA certificates).
base_key() {
  local name="$1" hook
  minbase_key
  printf 'packages=%s\n' "$(base_packages "$name")"
  for hook in "prepare_$name" "finish_$name"; do
    if declare -F "$hook" >/dev/null; then declare -f "$hook"; fi
  done
  declare -f with_proc chroot_install add_system_user
  if [ "$name" = build ]; then
    host_ca_certs | xargs -r cat
  fi
}

# Sets BASE_TAR to base $1's cached root filesystem, making it from the minbase tree first when it
# is not cached: unpack, prepare, install the package list in a chroot, finish, clean, save.
BASE_TAR=""
ensure_base_rootfs() {
  local name="$1" key="$2" packages
  BASE_TAR="$CACHE_DIR/rootfs-$key.tar"
  if [ -f "$BASE_TAR" ] && [ "$REFRESH" -eq 0 ]; then
    log "cached: $BASE_TAR ($name)"
    return 0
  fi
  ensure_minbase
  local dir="$WORK_DIR/$name"
  rm -rf --one-file-system "$dir"
  mkdir -p "$dir"
  tar --numeric-owner -C "$dir" -xf "$MINBASE_TAR"
  if declare -F "prepare_$name" >/dev/null; then "prepare_$name" "$dir"; fi
  packages="$(base_packages "$name")"
  if [ -n "$packages" ]; then
    # word splitting of the package list is intended
    # shellcheck disable=SC2086
    timed "chroot install ($name): $packages" chroot_install "$dir" $packages
  fi
  if declare -F "finish_$name" >/dev/null; then "finish_$name" "$dir"; fi
  clean_rootfs "$dir"
  # device nodes stay out: the engine gives every container its own /dev
  timed "save $BASE_TAR ($name)" save_rootfs "$dir" "$BASE_TAR" \
    --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*'
  rm -rf --one-file-system "$dir"
}

# The `docker import --change` options of base $1.
base_changes() {
  local name="$1" key="$2"
  printf '%s\n' "ENV PATH=$ROOTFS_PATH" "ENV LANG=C.UTF-8" 'CMD ["bash"]' \
    "LABEL io.fluxer.rootfs.key=$key" "LABEL io.fluxer.rootfs.packages=\"$(base_packages "$name")\"" \
    "LABEL org.opencontainers.image.description=\"Debian $SUITE ($VARIANT) made with debootstrap by scripts/images.sh\""
  if [ "$name" = build ]; then
    printf '%s\n' "ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64" \
      'LABEL io.fluxer.local-only="true: trusts the CA certificates of the machine that built it"'
  fi
}

# Imports base $1 unless an image with its name and key exists already.
ensure_base() {
  local name="$1" image key
  image="$(base_image "$name")"
  key="$(base_key "$name" | sha256_of)"
  if [ "$REFRESH" -eq 0 ] && [ "$(docker_cli image inspect -f '{{index .Config.Labels "io.fluxer.rootfs.key"}}' \
      "$image" 2>/dev/null)" = "$key" ]; then
    log "up to date: $image"
    return 0
  fi
  ensure_base_rootfs "$name" "$key"
  local changes=() change
  while IFS= read -r change; do
    changes+=(--change "$change")
  done < <(base_changes "$name" "$key")
  timed "docker import $image" docker_cli import "${changes[@]}" "$BASE_TAR" "$image" >/dev/null
}

# ---- images built from Dockerfiles -----------------------------------------------------------

# The Redis and PostgreSQL stand-ins, from docker/standins/* on their imported bases.
build_standins() {
  timed "docker build $LOCAL_REDIS" docker_cli build -q --build-arg "BASE_IMAGE=$LOCAL_REDIS_BASE" \
    -t "$LOCAL_REDIS" "$ROOT/docker/standins/redis" >/dev/null
  timed "docker build $LOCAL_POSTGRES" docker_cli build -q --build-arg "BASE_IMAGE=$LOCAL_POSTGRES_BASE" \
    -t "$LOCAL_POSTGRES" "$ROOT/docker/standins/postgres" >/dev/null
  timed "docker build $LOCAL_HAPROXY" docker_cli build -q --build-arg "BASE_IMAGE=$LOCAL_HAPROXY_BASE" \
    -t "$LOCAL_HAPROXY" "$ROOT/docker/standins/haproxy" >/dev/null
}

# The fluxer image from docker/Dockerfile on the local bases, with every configured tag.
build_fluxer() {
  local args=() tag source
  for tag in "${FLUXER_TAGS[@]}"; do
    args+=(-t "$FLUXER_IMAGE:$tag")
  done
  if [ "$DOCKER_BUILDKIT" = 1 ]; then
    args+=(--progress=plain)
  fi
  source="$(git -C "$ROOT" remote get-url origin 2>/dev/null || echo unknown)"
  timed "docker build ${FLUXER_IMAGE} (docker/Dockerfile)" docker_cli build -f "$ROOT/docker/Dockerfile" \
    --build-arg "BUILD_IMAGE=$LOCAL_BUILD_BASE" --build-arg "RUNTIME_IMAGE=$LOCAL_RUNTIME_BASE" \
    --build-arg "FLUXER_VERSION=$(project_version)" \
    --build-arg "FLUXER_REVISION=$(git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo unknown)" \
    --build-arg "FLUXER_SOURCE=$source" "${args[@]}" "$ROOT"
}

# ---- summary ---------------------------------------------------------------------------------

# The names this run makes or checks, one a line.
run_images() {
  local tag
  printf '%s\n' "$LOCAL_BUILD_BASE" "$LOCAL_RUNTIME_BASE"
  if [ "$BUILD_STANDINS" -eq 1 ]; then
    printf '%s\n' "$LOCAL_REDIS_BASE" "$LOCAL_POSTGRES_BASE" "$LOCAL_HAPROXY_BASE" "$LOCAL_REDIS" "$LOCAL_POSTGRES" \
      "$LOCAL_HAPROXY"
  fi
  if [ "$BUILD_FLUXER" -eq 1 ]; then
    for tag in "${FLUXER_TAGS[@]}"; do printf '%s\n' "$FLUXER_IMAGE:$tag"; done
  fi
}

# The ids the names of run_images point at before this run (re)tags them.
REPLACED=()
remember_images() {
  local image id
  while IFS= read -r image; do
    if id="$(docker_cli image inspect -f '{{.Id}}' "$image" 2>/dev/null)"; then REPLACED+=("$id"); fi
  done < <(run_images)
}

# Removes the images this run replaced, once no tag points at them (an image a container still uses
# cannot be removed and stays), so that repeated runs do not fill the disk with untagged images.
remove_replaced() {
  local id
  for id in "${REPLACED[@]}"; do
    if [ "$(docker_cli image inspect -f '{{len .RepoTags}}' "$id" 2>/dev/null)" = 0 ] &&
        docker_cli rmi "$id" >/dev/null 2>&1; then
      log "removed the replaced, now untagged image ${id#sha256:}"
    fi
  done
}

# Prints each image made or checked here with its size, then each step's time and the total.
print_summary() {
  local image step
  printf '\nimages:\n'
  while IFS= read -r image; do
    printf '  %-38s %s\n' "$image" "$(docker_cli image inspect -f '{{.Size}}' "$image" |
      awk '{ printf "%.1f MB", $1 / 1000000 }')"
  done < <(run_images)
  printf 'steps:\n'
  for step in "${STEPS[@]}"; do
    printf '  %7s s  %s\n' "${step%%$'\t'*}" "${step#*$'\t'}"
  done
  printf 'total: %s s\n' "$SECONDS"
}

main() {
  parse_args "$@"
  [ "$(id -u)" -eq 0 ] || die "run as root: debootstrap, chroot and mount need it"
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  WORK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/fluxer-images.XXXXXX")"
  start_docker
  remember_images
  local bases=(build runtime) base
  if [ "$BUILD_STANDINS" -eq 1 ]; then bases+=(redis postgres haproxy); fi
  for base in "${bases[@]}"; do
    ensure_base "$base"
  done
  if [ "$BUILD_STANDINS" -eq 1 ]; then build_standins; fi
  if [ "$BUILD_FLUXER" -eq 1 ]; then build_fluxer; fi
  remove_replaced
  print_summary
}

main "$@"
