#!/usr/bin/env bash
# Makes the certificates of the cluster's event bus (mutual TLS, cluster.tls.*) with openssl: a CA of
# the cluster's own, and a member certificate it signs, usable as server and as client. Files that
# already exist are kept, so running it again never replaces a deployed CA or certificate; a new
# member certificate from an existing CA needs that CA's key.
#
#   scripts/cluster-certs.sh CA_CERT CA_KEY CERT KEY [NAME]
#
# CA_CERT/CA_KEY: the CA (P-256, 10 years), made when CA_CERT does not exist. CERT/KEY: the member's
# certificate (P-256, 5 years, subject CN=NAME, default fluxer-cluster-member) and PKCS#8 key. Every
# file is PEM and readable by its owner only. Used by docker/secrets.sh, scripts/run_dev.sh --cluster
# and the cluster tests. Keep CA_KEY off the cluster: only CA_CERT, CERT and KEY go to the members.
set -euo pipefail
if [ $# -lt 4 ] || [ $# -gt 5 ]; then
  echo "usage: $0 CA_CERT CA_KEY CERT KEY [NAME]" >&2
  exit 2
fi
ca_cert="$1" ca_key="$2" cert="$3" key="$4" name="${5:-fluxer-cluster-member}"
command -v openssl >/dev/null || { echo "cluster-certs.sh: openssl is required (apt-get install openssl)" >&2; exit 1; }
umask 077

if [ ! -e "$ca_cert" ]; then
  # the CA's own name is random: two clusters' CAs never look alike
  openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -sha256 -days 3650 \
    -subj "/CN=fluxer cluster CA $(openssl rand -hex 8)" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$ca_key" -out "$ca_cert" 2>/dev/null
  echo "created $ca_cert (and its key $ca_key)"
fi

if [ ! -e "$cert" ]; then
  [ -e "$ca_key" ] || { echo "cluster-certs.sh: $ca_key (the CA's key) is needed to sign $cert" >&2; exit 1; }
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -sha256 -subj "/CN=$name" \
    -keyout "$key" -out "$work/req.csr" 2>/dev/null
  printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature,keyAgreement" \
    "extendedKeyUsage=serverAuth,clientAuth" >"$work/ext"
  openssl x509 -req -in "$work/req.csr" -CA "$ca_cert" -CAkey "$ca_key" -set_serial "0x$(openssl rand -hex 16)" \
    -sha256 -days 1825 -extfile "$work/ext" -out "$cert" 2>/dev/null
  echo "created $cert (and its key $key)"
fi
