#!/usr/bin/env bash
# `kubectl etcd` from a workstation on a real kubeadm node (tests/node/lib.sh). The
# "workstation" is the plugin run in the node's network namespace only (it reaches the API
# server at NODE_IP, sees none of the node's files) with --host-root an empty directory
# (no certificate anywhere) and a copy of admin.conf as its kubeconfig; kubectl is on its
# PATH. Checked, once with etcd's usual image (bash-static as /bin/sh: kubectl exec in the
# etcd container) and once with an etcd image without a shell (a helper pod on the node,
# with the stand-in image that has a shell):
#   - `kubectl etcd backup` with no other flag writes a snapshot with the MVCC history of
#     a snapshot taken on the node right after it, up to the first one's revision;
#   - `discover` and the live `status` show the member (healthy, the leader);
#   - afterwards no pod of kubectl-etcd is left in any namespace and no file but the
#     snapshot and its .json in the output directory;
#   - the same after a SIGINT mid-backup (exit 130), and after a SIGKILLed run followed by
#     `kubectl etcd cleanup`;
#   - PodSecurity (baseline on kube-system) refusing the helper pod: its message, exit 3.
# usage: remote_test.sh   (environment: see tests/node/run.sh)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
: "${KETCD_BIN:?}" "${NODE_BIN:?}" "${KUBECTL:?}" "${ETCD_DIR:?}" "${ETCD_TAG:?}"

node_use_or_up

k() { node_kubectl "$@"; }
ws_dir=$NODE_WORK/workstation  # removed with the node
mkdir -p "$ws_dir/root" "$ws_dir/out" "$ws_dir/bin"
cp "$NODE_WORK/root/etc-kubernetes/admin.conf" "$ws_dir/kubeconfig"
ln -s "$KUBECTL" "$ws_dir/bin/kubectl"
# The workstation: the node's network, this machine's files, kubectl on PATH.
ws() {
  nsenter --net="$NODE_WORK/ns/net" -- env PATH="$ws_dir/bin:$PATH" \
    "$KETCD_BIN" "$@" --kubeconfig "$ws_dir/kubeconfig" --host-root "$ws_dir/root"
}
# The same in the background, as one process ($! is the plugin's PID).
ws_bg() { exec nsenter --net="$NODE_WORK/ns/net" -- env PATH="$ws_dir/bin:$PATH" \
  "$KETCD_BIN" "$@" --kubeconfig "$ws_dir/kubeconfig" --host-root "$ws_dir/root"; }
no_kubectl_left() { ! pgrep -f "^kubectl --kubeconfig $ws_dir/kubeconfig" >/dev/null; }
# Waits (0.05 s steps, up to 60 s) for $1 to be a non-empty file.
wait_file() {
  local i
  for ((i = 0; i < 1200; i++)); do [[ -s $1 ]] && return 0; sleep 0.05; done
  return 1
}
ours() { k get pods -A -l app.kubernetes.io/managed-by=kubectl-etcd --no-headers 2>/dev/null; }
no_pods_of_ours() { [[ -z $(ours) ]]; }
st() { "$KETCD_BIN" status "$1" -o json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["revision"], d["hash"])'; }

manifest=$NODE_WORK/root/etc-kubernetes/manifests/etcd.yaml
etcd_image() { k get pod "etcd-$NODE_NAME" -n kube-system -o jsonpath='{.spec.containers[0].image}'; }
etcd_phase() { k get pod "etcd-$NODE_NAME" -n kube-system -o jsonpath='{.status.phase}'; }
etcd_on() {
  [[ $(etcd_image) == "$1" && $(etcd_phase) == Running ]] && node_control_plane_ready && k get --raw /readyz >/dev/null
}
use_etcd_image() {
  sed -i "s#image: registry.k8s.io/etcd:.*#image: $1#" "$manifest"
  # After the restore and kill tests the kubelet's crash-loop back-off (up to 300 s) can hold
  # the new etcd and the API server back. (A restarted kubelet would reset it, but then
  # recreates the mirror pods later, and a port-forward meets a Pending etcd pod.)
  node_wait 420 etcd_on "$1" || fail "etcd did not come back on image $1"
}

# One remote backup, then a node backup right after it. The cluster writes all the time
# (leases, the helper pod's events and deletion; the controller manager and the scheduler,
# two of the writers, are paused), so the node's snapshot may be a few revisions ahead: up
# to the remote one's revision R, the MVCC history (etcd's "key" bucket) must be the same:
# the same keys (each a revision, whose value never changes) and the same values of the
# newest ones. etcd's snapshot hash (status) is printed too but differs by anything after
# R, and even at the same revision by the lease and meta buckets alone (event leases
# granted, the consistent index advanced by raft entries that make no revision). A retry
# covers a compaction between the two backups.
bbolt=$("$here/../tools/build-bbolt.sh")
# usage: key_bucket FILE R   (the key bucket's keys of revisions <= R, and the newest 20 values)
key_bucket() {
  local f=$1 max=$2 k keys
  keys=$("$bbolt" keys --format hex "$f" key | while read -r k; do
    if (( 16#${k:0:16} <= max )); then echo "$k"; fi
  done)
  sha256sum <<<"$keys"
  for k in $(tail -20 <<<"$keys"); do
    "$bbolt" get --parse-format hex --format hex "$f" key "$k" | sha256sum
  done
}
same_as_on_node() {
  local label=$1 i out rs ns
  for i in 1 2 3 4 5 6 7 8 9 10; do
    rm -f "$ws_dir/out"/*
    out=$(ws backup "$ws_dir/out/remote.db" 2>&1) || { fail "$label: backup: $out"; return 1; }
    node_exec "$KETCD_BIN" backup /var/lib/backups/node.db --force >/dev/null 2>&1 || { fail "$label: node backup"; return 1; }
    rs=$(st "$ws_dir/out/remote.db")
    ns=$(st "$NODE_WORK/root/var-lib/backups/node.db")
    if [[ ${ns% *} -ge ${rs% *} ]] &&
      [[ $(key_bucket "$ws_dir/out/remote.db" "${rs% *}") == "$(key_bucket "$NODE_WORK/root/var-lib/backups/node.db" "${rs% *}")" ]]; then
      pass "$label: remote backup with no flag has the node backup's MVCC history up to its revision ${rs% *} (try $i; node at ${ns% *}; hash ${rs#* } vs ${ns#* })"
      echo "$out" | grep '^remote:' | sed 's/^/  /'
      return 0
    fi
    echo "  try $i: remote at revision ${rs% *}, node at ${ns% *}: histories differ up to ${rs% *}"
  done
  fail "$label: remote and node backups never had the same history"
}

pause_writers() {
  local p
  for p in $(_node_pids); do
    grep -qE '^(kube-controller-manager|kube-scheduler)' "/proc/$p/cmdline" 2>/dev/null && kill -"$1" "$p"
  done
  return 0
}

# SIGINT mid-backup: exit 130, nothing of ours left. A large enough database makes the
# stream last: 200 MB of values written through etcdctl on the node.
interrupt_backup() {
  local label=$1 pid rc=0
  rm -f "$ws_dir/out"/*
  ws_bg backup "$ws_dir/out/int.db" >"$ws_dir/int.log" 2>&1 &
  pid=$!
  wait_file "$ws_dir/out/int.db.part" || fail "$label: no int.db.part appeared: $(cat "$ws_dir/int.log")"
  kill -INT "$pid" || true
  wait "$pid" || rc=$?
  check "$label: SIGINT mid-backup exits 130 (got $rc)" test "$rc" = 130
  check "$label: after SIGINT no pod of ours" node_wait 30 no_pods_of_ours
  check "$label: after SIGINT no file left ($(ls "$ws_dir/out"))" test -z "$(ls -A "$ws_dir/out")"
  check "$label: after SIGINT no kubectl left" no_kubectl_left
}

# SIGKILL while the helper pod runs (or, with exec, mid-stream), then cleanup.
kill_then_cleanup() {
  local label=$1 helper=$2 pid
  rm -f "$ws_dir/out"/*
  ws_bg backup "$ws_dir/out/killed.db" >"$ws_dir/kill.log" 2>&1 &
  pid=$!
  if [[ $helper == yes ]]; then
    local i
    for ((i = 0; i < 600; i++)); do [[ -n $(ours) ]] && break; sleep 0.1; done
  else
    wait_file "$ws_dir/out/killed.db.part" || true
  fi
  kill -KILL "$pid" || true
  wait "$pid" 2>/dev/null || true
  [[ $helper == yes ]] && check "$label: the killed run left its helper pod" test -n "$(ours)"
  check "$label: no kubectl left after SIGKILL" node_wait 10 no_kubectl_left
  local out
  out=$(ws cleanup 2>&1) || fail "$label: cleanup: $out"
  echo "$out" | sed 's/^/  /'
  check "$label: after cleanup no pod of ours" node_wait 30 no_pods_of_ours
  rm -f "$ws_dir/out"/*
}

discover_shows_member() {
  local out
  out=$(ws discover -o json 2>"$ws_dir/discover.err") || { fail "$1: discover: $out $(cat "$ws_dir/discover.err")"; return; }
  check "$1: discover shows member $NODE_NAME through the remote path" \
    python3 -c 'import json,sys; d=json.loads(sys.argv[1]); ms=d["etcd"]["members"]; assert any(m["name"]=="'"$NODE_NAME"'" for m in ms), ms; assert any(s["source"]=="remote" and s["outcome"]=="used" for s in d["steps"])' "$out"
}

# The live status from the workstation: the member's row, healthy, exit 0.
status_shows_member() {
  local out
  out=$(ws status -o json 2>"$ws_dir/status.err") || { fail "$1: status: $out $(cat "$ws_dir/status.err")"; return; }
  check "$1: status shows member $NODE_NAME healthy through the remote path" \
    python3 -c 'import json,sys; d=json.loads(sys.argv[1]); ms=d["members"]; assert d["healthy"], d; assert [m["name"] for m in ms]==["'"$NODE_NAME"'"], ms; assert ms[0]["health"]=="healthy" and ms[0]["isLeader"], ms' "$out"
}

mkdir -p "$NODE_WORK/root/var-lib/backups"
# 200 MB in etcd (keys outside /registry, invisible to Kubernetes) so a stream takes long enough to interrupt.
head -c 1000000 /dev/zero | tr '\0' x >"$NODE_WORK/value"
node_exec bash -c 'p=/etc/kubernetes/pki/etcd
  for i in $(seq 1 200); do "$0" --endpoints https://127.0.0.1:2379 --cacert $p/ca.crt --cert $p/healthcheck-client.crt \
    --key $p/healthcheck-client.key put "/ketcd-remote-test/$i" <"$1" >/dev/null || exit 1; done' \
  "$ETCD_DIR/etcdctl" "$NODE_WORK/value" ||
  fail "filling etcd"

# --- etcd's usual image: kubectl exec in the etcd container
echo "== etcd image with a shell ($(etcd_image))"
pause_writers STOP
same_as_on_node "exec path"
pause_writers CONT
check "exec path: no pod of ours" no_pods_of_ours
check "exec path: only the snapshot and its .json written" test "$(ls "$ws_dir/out" | tr '\n' ' ')" = "remote.db remote.db.json "
check "exec path: the host root is still empty" test -z "$(ls -A "$ws_dir/root")"
discover_shows_member "exec path"
status_shows_member "exec path"
# Remote against on-node backup time of the database filled above.
t0=$(date +%s.%N); ws backup "$ws_dir/out/timed.db" >/dev/null 2>&1 || fail "timed remote backup"
t1=$(date +%s.%N); node_exec "$KETCD_BIN" backup /var/lib/backups/timed.db --force >/dev/null 2>&1 || fail "timed node backup"
t2=$(date +%s.%N)
echo "time: remote backup $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}')s, on-node backup" \
  "$(awk -v a="$t1" -v b="$t2" 'BEGIN{printf "%.2f", b-a}')s ($(du -m "$ws_dir/out/timed.db" | cut -f1) MB)"
rm -f "$ws_dir/out"/* "$NODE_WORK/root/var-lib/backups/timed.db"*
interrupt_backup "exec path"
kill_then_cleanup "exec path" no

# --- etcd without a shell: a helper pod with the stand-in image
img=$NODE_WORK/images
"$here/build-node-image.py" "$img/etcd-noshell.tar" "registry.k8s.io/etcd:$ETCD_TAG-noshell" \
  --file "$ETCD_DIR/etcd=/usr/local/bin/etcd" --libs-of /usr/local/bin/etcd
# The stand-in for the images with a shell a real node has (kube-proxy, the CNI's).
"$here/build-node-image.py" "$img/kube-proxy.tar" "registry.k8s.io/kube-proxy:$KUBE_VERSION" \
  --file /bin/bash-static=/bin/sh
for t in etcd-noshell kube-proxy; do
  node_exec ctr --address /run/containerd/containerd.sock -n k8s.io image import "$img/$t.tar" >/dev/null ||
    fail "import $t"
done
orig_image=$(etcd_image)
use_etcd_image "registry.k8s.io/etcd:$ETCD_TAG-noshell"
echo "== etcd image without a shell ($(etcd_image))"
pause_writers STOP
same_as_on_node "helper-pod path"
pause_writers CONT
check "helper-pod path: the helper pod was used" grep -q "helper pod" <<<"$(ws backup "$ws_dir/out/again.db" 2>&1)"
check "helper-pod path: no pod of ours" node_wait 30 no_pods_of_ours
rm -f "$ws_dir/out"/*
# PodSecurity refusing the helper pod: the API server's message, exit 3, nothing left.
k label namespace kube-system pod-security.kubernetes.io/enforce=baseline --overwrite >/dev/null
rc=0
out=$(ws backup "$ws_dir/out/refused.db" 2>&1) || rc=$?
k label namespace kube-system pod-security.kubernetes.io/enforce- >/dev/null
check "helper-pod path: PodSecurity's refusal shown, exit 3 (got $rc: $(grep error: <<<"$out"))" \
  bash -c '[[ $0 == 3 ]] && grep -q "refused the helper pod.*violates PodSecurity" <<<"$1"' "$rc" "$out"
check "helper-pod path: no pod of ours, no file after the refusal" bash -c "[[ -z \$(ls -A '$ws_dir/out') ]]"
discover_shows_member "helper-pod path"
status_shows_member "helper-pod path"
check "helper-pod path: no pod of ours after discover" node_wait 30 no_pods_of_ours
interrupt_backup "helper-pod path"
kill_then_cleanup "helper-pod path" yes
use_etcd_image "$orig_image"

node_exec "$ETCD_DIR/etcdctl" --endpoints https://127.0.0.1:2379 --cacert /etc/kubernetes/pki/etcd/ca.crt \
  --cert /etc/kubernetes/pki/etcd/healthcheck-client.crt --key /etc/kubernetes/pki/etcd/healthcheck-client.key \
  del --prefix /ketcd-remote-test/ >/dev/null || true
finish "remote test"
