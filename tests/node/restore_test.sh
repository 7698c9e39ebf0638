#!/usr/bin/env bash
# The seed procedure on a real kubeadm node (tests/node/lib.sh): a workload made with the
# real kubectl, `kubectl etcd backup` with no flag, changes after the backup, then
# `kubectl etcd restore FILE --yes` and what kubectl sees afterwards (objects as at the
# backup, later changes gone, the etcd mirror pod and kubeadm-config on the new data dir,
# resourceVersions above the bump, a watch from before answered 410 Expired, the controller
# manager and scheduler back); `--undo` back to the later state; and the same restore done
# by hand as the manual procedure does it (etcdutl + editing the manifest). Prints the
# control plane's downtime of both.
# usage: restore_test.sh   (environment: see tests/node/run.sh)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
: "${KETCD_BIN:?}" "${NODE_BIN:?}" "${KUBECTL:?}" "${ETCD_DIR:?}" "${ETCD_TAG:?}"

node_use_or_up

k() { node_kubectl "$@"; }
absent() { ! node_kubectl get "$@" >/dev/null 2>&1; }
etcd_tool() { node_exec "$KETCD_BIN" "$@"; }

# --- the workload, as a user makes it
k create namespace demo >/dev/null
k -n demo create configmap app-config --from-literal=mode=before >/dev/null
k -n demo create secret generic app-secret --from-literal=password=s3cr3t >/dev/null
k -n demo create deployment web --image=registry.k8s.io/pause:3.10.2 --replicas=2 >/dev/null
k apply -f - >/dev/null <<'YAML'
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
YAML
node_wait 30 k get widgets -n demo
k apply -f - >/dev/null <<'YAML'
apiVersion: example.com/v1
kind: Widget
metadata: {name: gear, namespace: demo}
spec: {teeth: 12}
YAML
before_rv=$(k get configmap app-config -n demo -o jsonpath='{.metadata.resourceVersion}')

# --- backup with no flag, in a directory of the node's
mkdir -p "$NODE_WORK/root/var-lib/backups"
out=$(node_exec bash -c 'cd /var/lib/backups && "$0" backup' "$KETCD_BIN" 2>&1) || fail "backup: $out"
snap=$(cd "$NODE_WORK/root/var-lib/backups" && ls ./*.db 2>/dev/null | head -1)
check "kubectl etcd backup with no flag wrote ${snap:-nothing}" test -n "$snap"
snap=/var/lib/backups/${snap#./}

# --- changes after the backup
k -n demo patch configmap app-config --type merge -p '{"data":{"mode":"after"}}' >/dev/null
k -n demo delete secret app-secret >/dev/null
k -n demo create configmap later --from-literal=x=1 >/dev/null
k delete widget gear -n demo >/dev/null
late_rv=$(k get configmap later -n demo -o jsonpath='{.metadata.resourceVersion}')

# --- a downtime probe: kubectl get, as often as it can, in the node
downtime_start() {
  node_exec bash -c 'while :; do
      if "$0" --kubeconfig /etc/kubernetes/admin.conf --request-timeout=2s get --raw /api/v1/namespaces/kube-system >/dev/null 2>&1
      then echo "up $(date +%s.%N)"; else echo "down $(date +%s.%N)"; fi; sleep 0.1; done' "$KUBECTL" \
    >"$NODE_WORK/probe.log" 2>/dev/null &
  probe_pid=$!
}
# Seconds from the first failed probe to the first good one after it.
downtime_stop() {
  kill "$probe_pid" 2>/dev/null; wait "$probe_pid" 2>/dev/null || true
  awk '$1 == "down" && !d {d = $2} $1 == "up" && d && !u {u = $2} END {if (d && u) printf "%.1f", u - d; else print "?"}' \
    "$NODE_WORK/probe.log"
}

# --- kubectl etcd restore FILE --yes
downtime_start
t0=$(date +%s.%N)
if out=$(etcd_tool restore "$snap" --yes 2>&1); then pass "kubectl etcd restore --yes"; else fail "restore --yes: $out"; fi
t1=$(date +%s.%N)
node_wait 120 node_control_plane_healthy || fail "control plane not healthy after the restore"
ours=$(downtime_stop)
echo "downtime: kubectl etcd restore --yes: ${ours}s (command ran $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')s)"

check "configmap as at the backup" test "$(k get configmap app-config -n demo -o jsonpath='{.data.mode}')" = before
check "secret deleted after the backup is back" \
  test "$(k get secret app-secret -n demo -o jsonpath='{.data.password}' | base64 -d)" = s3cr3t
check "object created after the backup is gone" absent configmap later -n demo
check "custom resource is back" test "$(k get widget gear -n demo -o jsonpath='{.spec.teeth}')" = 12
check "deployment is there" test "$(k get deployment web -n demo -o jsonpath='{.spec.replicas}')" = 2
etcd_data_dir() {
  k get pod "etcd-$NODE_NAME" -n kube-system -o jsonpath='{.spec.volumes[?(@.name=="etcd-data")].hostPath.path}'
}
on_restored_dir() { [[ $(etcd_data_dir) == /var/lib/etcd-restored-* ]]; }
# The kubelet replaces the mirror pod (the snapshot's copy names the old manifest) once it
# sees that its hash differs from the static pod's.
node_wait 60 on_restored_dir || true
data_dir=$(etcd_data_dir)
check "etcd mirror pod on the new data dir ($data_dir)" on_restored_dir
kubeadm_dir=$(k get configmap kubeadm-config -n kube-system -o jsonpath='{.data.ClusterConfiguration}' | awk '/dataDir:/ {print $2}')
check "kubeadm-config's etcd.local.dataDir updated ($kubeadm_dir)" test "$kubeadm_dir" = "$data_dir"
k -n demo create configmap after-restore --from-literal=y=1 >/dev/null
new_rv=$(k get configmap after-restore -n demo -o jsonpath='{.metadata.resourceVersion}')
check "new resourceVersion $new_rv above the bump (was $late_rv)" test "$new_rv" -gt 1000000000
watch=$(k get --raw "/api/v1/namespaces/demo/configmaps?watch=1&resourceVersion=$before_rv&timeoutSeconds=3" 2>&1 || true)
check "a watch from before the restore gets 410 Expired" grep -q '"code":410' <<<"$watch"
check "controller manager and scheduler healthy" node_wait 60 node_control_plane_healthy
# Both work against the restored API server again: they renew their leader leases.
restored_at=$(date -u +%s)
lease_renewed() {
  local t
  t=$(k get lease "$1" -n kube-system -o jsonpath='{.spec.renewTime}') || return 1
  (($(date -u -d "$t" +%s) > restored_at))
}
check "controller manager renews its lease after the restore" node_wait 60 lease_renewed kube-controller-manager
check "scheduler renews its lease after the restore" node_wait 60 lease_renewed kube-scheduler
check "their mirror pods are back" node_wait 120 node_control_plane_ready

# --- undo: back to the data from before the restore
if out=$(etcd_tool restore --undo --yes 2>&1); then pass "restore --undo"; else fail "undo: $out"; fi
node_wait 120 node_control_plane_healthy || fail "control plane not healthy after undo"
check "after undo: the later configmap is back" test "$(k get configmap later -n demo -o jsonpath='{.data.x}')" = 1
check "after undo: configmap as changed" test "$(k get configmap app-config -n demo -o jsonpath='{.data.mode}')" = after

# --- the manual procedure, for comparison: stop the API server, etcdutl snapshot restore,
# edit the manifest's hostPath, put the API server back.
manual() {
  local m=/etc/kubernetes/manifests
  node_exec bash -euc '
    m=$1 etcdutl=$2 snap=$3 kubectl=$4
    mkdir -p /etc/kubernetes/manual
    mv $m/kube-apiserver.yaml /etc/kubernetes/manual/
    while "$kubectl" --kubeconfig /etc/kubernetes/admin.conf --request-timeout=1s get --raw /livez >/dev/null 2>&1; do sleep 0.2; done
    "$etcdutl" snapshot restore "$snap" --data-dir /var/lib/etcd-manual >/dev/null 2>&1
    sed -i "s#path: /var/lib/etcd\$#path: /var/lib/etcd-manual#" $m/etcd.yaml
    sed -i "s#path: /var/lib/etcd-restored-[0-9a-f]*\$#path: /var/lib/etcd-manual#" $m/etcd.yaml
    mv /etc/kubernetes/manual/kube-apiserver.yaml $m/' bash "$m" "$ETCD_DIR/etcdutl" "$snap" "$KUBECTL"
}
downtime_start
manual || fail "manual procedure"
node_wait 180 k get configmap app-config -n demo || fail "API server not back after the manual restore"
theirs=$(downtime_stop)
echo "downtime: manual procedure (etcdutl + manifest edit): ${theirs}s"
check "manual restore: configmap as at the backup" \
  test "$(k get configmap app-config -n demo -o jsonpath='{.data.mode}')" = before

finish "node restore test"
