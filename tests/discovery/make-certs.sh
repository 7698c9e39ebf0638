#!/usr/bin/env bash
# Certificates for the fake API server tests: ca.crt, server.crt/.key (SANs 127.0.0.1,
# kubernetes.test), client.crt/.key (CN test-admin), other-ca.crt (signed nothing).
# usage: make-certs.sh DIR
set -euo pipefail
dir=${1:?usage: make-certs.sh DIR}
mkdir -p "$dir"
cd "$dir"
[[ -f client.crt ]] && exit 0
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 -out "$1" 2>/dev/null; }
ca() {
  key "$1.key"
  openssl req -x509 -new -key "$1.key" -out "$1.crt" -days 30 -subj "/CN=$2" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
}
leaf() {  # name cn eku [sans]
  key "$1.key"
  openssl req -new -key "$1.key" -subj "/CN=$2" -out "$1.csr" 2>/dev/null
  { echo "basicConstraints=CA:FALSE"; echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$3"; [[ -n ${4:-} ]] && echo "subjectAltName=$4"; } >"$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 -extfile "$1.ext" \
    -out "$1.crt" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}
ca ca kubernetes
leaf server kube-apiserver serverAuth "IP:127.0.0.1,DNS:kubernetes.test"
leaf client test-admin clientAuth
ca other-ca other
