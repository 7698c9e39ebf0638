#!/usr/bin/env bash
# make demo: a local TLS etcd laid out like a kubeadm control-plane node under a
# scratch root, then the main job with no connection flags at all:
#   backup (found through etc/kubernetes/manifests/etcd.yaml), status, restore,
#   and a real etcd started on the restored data dir to show the keys came back.
# usage: demo.sh path/to/kubectl-etcd
set -euo pipefail
bin=$(realpath "${1:?usage: demo.sh KUBECTL_ETCD}")
here=$(cd "$(dirname "$0")" && pwd)
root=$(mktemp -d /tmp/kubectl-etcd-demo.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$root"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
step() { printf '\n\033[1m$ %s\033[0m\n' "$*" >&2; }
kubectl_etcd() { step "kubectl etcd $*"; "$bin" "$@"; }

client=$(free_port); peer=$(free_port); metrics=$(free_port)
pki=$root/etc/kubernetes/pki/etcd
mkdir -p "$root/etc/kubernetes/manifests" "$root/var/lib/etcd" "$root/backups"
chmod 700 "$root/var/lib/etcd"
"$here/gen-certs.sh" "$pki" cp1 >/dev/null

# The manifest kubeadm 1.35 writes, with this demo's ports. Paths are container paths;
# the hostPath volumes map them to the host (here: under $root, given as --host-root).
cat >"$root/etc/kubernetes/manifests/etcd.yaml" <<YAML
apiVersion: v1
kind: Pod
metadata:
  annotations:
    kubeadm.kubernetes.io/etcd.advertise-client-urls: https://127.0.0.1:$client
  labels:
    component: etcd
    tier: control-plane
  name: etcd
  namespace: kube-system
spec:
  containers:
  - command:
    - etcd
    - --advertise-client-urls=https://127.0.0.1:$client
    - --cert-file=/etc/kubernetes/pki/etcd/server.crt
    - --client-cert-auth=true
    - --data-dir=/var/lib/etcd
    - --initial-advertise-peer-urls=http://127.0.0.1:$peer
    - --initial-cluster=cp1=http://127.0.0.1:$peer
    - --key-file=/etc/kubernetes/pki/etcd/server.key
    - --listen-client-urls=https://127.0.0.1:$client
    - --listen-metrics-urls=http://127.0.0.1:$metrics
    - --listen-peer-urls=http://127.0.0.1:$peer
    - --name=cp1
    - --snapshot-count=10000
    - --trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt
    image: registry.k8s.io/etcd:3.6.8-0
    name: etcd
    volumeMounts:
    - mountPath: /var/lib/etcd
      name: etcd-data
    - mountPath: /etc/kubernetes/pki/etcd
      name: etcd-certs
  hostNetwork: true
  volumes:
  - hostPath:
      path: /etc/kubernetes/pki/etcd
      type: DirectoryOrCreate
    name: etcd-certs
  - hostPath:
      path: /var/lib/etcd
      type: DirectoryOrCreate
    name: etcd-data
status: {}
YAML

# What kubelet would run, with the host paths under $root.
etcd_flags=(--name=cp1 --data-dir="$root/var/lib/etcd"
  --listen-client-urls="https://127.0.0.1:$client" --advertise-client-urls="https://127.0.0.1:$client"
  --listen-peer-urls="http://127.0.0.1:$peer" --initial-advertise-peer-urls="http://127.0.0.1:$peer"
  --initial-cluster="cp1=http://127.0.0.1:$peer" --listen-metrics-urls="http://127.0.0.1:$metrics"
  --cert-file="$pki/server.crt" --key-file="$pki/server.key" --client-cert-auth --trusted-ca-file="$pki/ca.crt")
/usr/bin/etcd --logger=zap "${etcd_flags[@]}" >"$root/etcd.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$metrics/health" >/dev/null 2>&1 && break
  sleep 0.1
done
etcdctl() {
  ETCDCTL_API=3 /usr/bin/etcdctl --endpoints="https://127.0.0.1:$client" --cacert="$pki/ca.crt" \
    --cert="$pki/healthcheck-client.crt" --key="$pki/healthcheck-client.key" "$@"
}
for ns in default kube-system demo; do
  for i in 1 2 3; do
    etcdctl put "/registry/configmaps/$ns/config-$i" "value $i in $ns" >/dev/null
  done
done
etcdctl put /registry/namespaces/demo '{"kind":"Namespace"}' >/dev/null
echo "demo: etcd $(/usr/bin/etcd --version | head -1 | awk '{print $3}') with TLS and client-cert auth at https://127.0.0.1:$client," \
     "laid out like a kubeadm node under $root" >&2

kubectl_etcd discover --host-root "$root"
kubectl_etcd backup "$root/backups/etcd.db" --host-root "$root"
kubectl_etcd status "$root/backups/etcd.db"
kubectl_etcd status "$root/backups/etcd.db" --keys
kubectl_etcd restore "$root/backups/etcd.db" --data-dir "$root/var/lib/etcd-restored" --name cp1 \
  --initial-cluster "cp1=http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer"

# Prove the restore: stop the original, start etcd on the restored dir, read the keys.
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true
step "etcd --data-dir $root/var/lib/etcd-restored ...; etcdctl get --prefix /registry --keys-only"
restored_flags=("${etcd_flags[@]}")
restored_flags[1]=--data-dir="$root/var/lib/etcd-restored"
/usr/bin/etcd --logger=zap "${restored_flags[@]}" >"$root/etcd-restored.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$metrics/health" >/dev/null 2>&1 && break
  sleep 0.1
done
keys=$(etcdctl get --prefix /registry --keys-only | grep -c /registry)
etcdctl get --prefix /registry --keys-only | grep /registry
if [[ $keys -ne 10 ]]; then
  echo "demo: FAILED: the restored etcd serves $keys keys, expected 10" >&2
  exit 1
fi
echo -e "\ndemo: OK: backup, status and restore; the restored etcd serves all 10 keys" >&2
