#!/usr/bin/env bash
# Makes a throwaway etcd PKI laid out like kubeadm's /etc/kubernetes/pki/etcd:
#   ca.crt ca.key                    the etcd CA
#   server.crt server.key            serving cert (SANs: 127.0.0.1, localhost, ::1 and $EXTRA_SANS)
#   peer.crt peer.key                peer cert (same SANs)
#   healthcheck-client.crt/.key      client cert (clientAuth only)
#   admin.crt admin.key              client cert CN=kubernetes-admin, O=system:masters (an API
#                                    server's super-user when this CA is its --client-ca-file)
#   other-ca.crt other-client.crt/.key  an unrelated CA and a client cert it signed
# usage: gen-certs.sh DIR [NODE_NAME]
set -euo pipefail
dir=${1:?usage: gen-certs.sh DIR [NODE_NAME]}
node=${2:-node1}
mkdir -p "$dir"
cd "$dir"
[[ -f ca.crt && -f healthcheck-client.crt ]] && exit 0

sans="IP:127.0.0.1,DNS:localhost,IP:::1,DNS:${node}${EXTRA_SANS:+,$EXTRA_SANS}"
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 -out "$1" 2>/dev/null; chmod 600 "$1"; }
ca() { # name cn
  key "$1.key"
  openssl req -x509 -new -key "$1.key" -out "$1.crt" -days 3650 -subj "/CN=$2" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
}
leaf() { # name cn ca eku [sans]
  key "$1.key"
  openssl req -new -key "$1.key" -subj "/CN=$2" -out "$1.csr" 2>/dev/null
  {
    echo "basicConstraints=CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$4"
    [[ -n ${5:-} ]] && echo "subjectAltName=$5"
  } >"$1.ext"
  openssl x509 -req -in "$1.csr" -CA "$3.crt" -CAkey "$3.key" -CAcreateserial -days 365 \
    -extfile "$1.ext" -out "$1.crt" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}
ca ca etcd-ca
leaf server "$node" ca serverAuth,clientAuth "$sans"
leaf peer "$node" ca serverAuth,clientAuth "$sans"
leaf healthcheck-client kube-etcd-healthcheck-client ca clientAuth
leaf admin "kubernetes-admin/O=system:masters" ca clientAuth
ca other-ca other-ca
leaf other-client intruder other-ca clientAuth
rm -f ./*.srl
