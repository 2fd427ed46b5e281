#!/usr/bin/env bash
# Writes the nine secret files stack.yml reads (FLUXER_SECRETS_DIR), each new and random, readable by
# the owner only:
#   jwt_key               HMAC key of connection tokens and dashboard sessions (48 random bytes, base64)
#   api_key               the admin API key (X-API-Key), 32 random bytes in hex
#   control_key           the control plane's sealing key: base64 of 32 random bytes
#   postgres_password     PostgreSQL's password for user fluxer (read by the server and the clients)
#   dashboard_admin_hash  bcrypt hash of the dashboard's admin password; the password itself is
#                         written to dashboard_admin_password beside it, for you to keep or remove
#   cluster_signing_key   the cluster's own secret (cluster.signing_key): relays seal control requests
#                         with it, and the Hazelcast cluster name derives from it (base64 of 32 bytes)
#   cluster_ca            the cluster CA's certificate: the event bus accepts only its certificates
#   cluster_cert          the members' certificate from that CA (relays and control plane), and
#   cluster_key           its private key (made by scripts/cluster-certs.sh with openssl)
# plus cluster_ca_key, the CA's private key: stack.yml does not deploy it; keep it to make new
# member certificates (docs/deploy.md), or remove it.
# Files that already exist are kept, so running it again never changes a deployed secret.
#
#   docker/secrets.sh [DIR]        DIR defaults to ./secrets
#
# The bcrypt hash comes from htpasswd (Debian: apache2-utils) or mkpasswd (Debian: whois); the
# certificates from openssl.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dir="${1:-./secrets}"
umask 077
mkdir -p "$dir"

random_b64() { head -c "$1" /dev/urandom | base64 -w0; }
random_hex() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# write NAME VALUE: creates $dir/NAME holding VALUE (no trailing newline) unless it exists
write() {
  if [ -e "$dir/$1" ]; then
    echo "kept    $dir/$1"
  else
    printf '%s' "$2" >"$dir/$1"
    echo "created $dir/$1"
  fi
}

bcrypt() {
  if command -v htpasswd >/dev/null; then
    htpasswd -nbBC 12 admin "$1" | cut -d: -f2 | tr -d '\n'
  elif command -v mkpasswd >/dev/null; then
    mkpasswd -m bcrypt -R 12 "$1"
  else
    echo "secrets.sh: need htpasswd (apt-get install apache2-utils) or mkpasswd (apt-get install whois)" >&2
    return 1
  fi
}

write jwt_key "$(random_b64 48)"
write api_key "$(random_hex 32)"
write control_key "$(random_b64 32)"
write postgres_password "$(random_hex 24)"
if [ ! -e "$dir/dashboard_admin_hash" ]; then
  password="$(random_hex 12)"
  hash="$(bcrypt "$password")"
  write dashboard_admin_password "$password"
  write dashboard_admin_hash "$hash"
else
  echo "kept    $dir/dashboard_admin_hash"
fi
write cluster_signing_key "$(random_b64 32)"
if [ ! -e "$dir/cluster_cert" ]; then
  bash "$here/../scripts/cluster-certs.sh" "$dir/cluster_ca" "$dir/cluster_ca_key" "$dir/cluster_cert" \
    "$dir/cluster_key" fluxer-cluster-member >/dev/null
  echo "created $dir/cluster_ca, cluster_cert, cluster_key (and the CA's key, cluster_ca_key: not deployed)"
else
  echo "kept    $dir/cluster_ca, cluster_cert, cluster_key"
fi
