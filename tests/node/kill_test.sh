#!/usr/bin/env bash
# The node restore killed at every step on a real kubeadm node (tests/node/lib.sh): the
# run is SIGKILLed once its journal records the step as in progress
# (kubectl-etcd-test-hooks, KETCD_TEST_KILL_AT), a new restore is refused (exit 5), and
# `--undo` (even steps) or `--resume` (odd steps) brings the node back: the API server on
# the old data or the snapshot's, and in the end the controller manager and scheduler.
# Each step starts from the state the one before left (old data or a snapshot's), with a
# change of its own written just before it, which `--undo` must bring back.
# usage: kill_test.sh   (environment: see tests/node/run.sh)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
: "${KETCD_BIN:?}" "${KETCD_HOOKS_BIN:?}" "${NODE_BIN:?}" "${KUBECTL:?}" "${ETCD_DIR:?}" "${ETCD_TAG:?}"
steps=(stop-control-plane wait-apiserver-stopped restore-data patch-definition wait-etcd
  start-control-plane wait-apiserver update-kubeadm-config)

node_use_or_up

k() { node_kubectl "$@"; }
mode() { k get configmap app-config -n kill -o jsonpath='{.data.mode}' 2>/dev/null; }
k create namespace kill >/dev/null
k -n kill create configmap app-config --from-literal=mode=snapshot >/dev/null
mkdir -p "$NODE_WORK/root/var-lib/backups"
node_exec "$KETCD_BIN" backup /var/lib/backups/kill.db >/dev/null 2>&1 || { fail "backup"; exit 1; }

# Waits until the API server is back and shows `want`. The controller manager and the
# scheduler are checked once at the end: each stop of the API server can make them exit
# (their leases cannot be renewed), and after a few in a row the kubelet holds each restart
# back for up to five minutes (its crash-loop back-off), as it would on any node.
back_with() {
  node_wait 120 node_kubectl get --raw /livez && node_wait 30 test "$(mode)" = "$1"
}

for i in "${!steps[@]}"; do
  step=${steps[$i]}
  # Each step starts with a kubelet fresh from a restart: its crash-loop back-off (which
  # grows with every stop of the API server before, up to five minutes) would otherwise
  # decide how long the next recovery takes.
  node_stop_kubelet
  node_start_kubelet
  node_wait 180 node_control_plane_healthy || true
  if ! k -n kill patch configmap app-config --type merge -p "{\"data\":{\"mode\":\"old-$i\"}}" >/dev/null; then
    fail "$step: the API server did not come back before the step"
    continue
  fi
  out=$(node_exec env KETCD_TEST_KILL_AT="$step" "$KETCD_HOOKS_BIN" restore /var/lib/backups/kill.db --yes 2>&1) && rc=0 || rc=$?
  if [[ $rc -ne 137 ]]; then fail "$step: the run was not killed (exit $rc): $out"; continue; fi
  out=$(node_exec "$KETCD_BIN" restore /var/lib/backups/kill.db --yes 2>&1) && rc=0 || rc=$?
  [[ $rc -eq 5 ]] || fail "$step: a new restore after the kill exited $rc, not 5: $out"
  if ((i % 2 == 0)); then
    way=undo want=old-$i
  else
    way=resume want=snapshot
  fi
  if out=$(node_exec "$KETCD_BIN" restore "--$way" --yes 2>&1) && back_with "$want"; then
    pass "killed at $step, --$way: control plane back, data $want"
  else
    fail "killed at $step, --$way: mode '$(mode)', want $want: $out"
    node_kubectl get pods -n kube-system >&2 || true
  fi
done

if node_wait 330 node_control_plane_healthy; then
  pass "after all the kills: controller manager and scheduler healthy"
else
  fail "after all the kills: controller manager or scheduler not healthy within the kubelet's back-off"
  node_kubectl get pods -n kube-system >&2 || true
fi

finish "node kill test"
