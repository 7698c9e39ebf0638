#!/usr/bin/env bash
# `make test-node`: the real kubeadm node tests. Builds what they need once, outside the
# repository (the Kubernetes binaries: tests/node/build-kube-node.sh; kubectl:
# tests/tools/build-kube-tools.sh; etcd: tests/tools/etcd-versions.sh), then starts the node and runs each test
# on one node, one after the other.
#   usage: run.sh KUBECTL_ETCD_BINARY KUBECTL_ETCD_TEST_HOOKS_BINARY
# Environment: KUBE_VERSION (default v1.37.2), NODE_ETCD (default 3.7: the etcd minor
# version the node runs), KETCD_NODE_KEEP=1 keeps a failed node's work dir.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
[[ $(id -u) -eq 0 ]] || { echo "test-node: needs root (namespaces, containerd, kubelet)" >&2; exit 1; }
export KETCD_BIN=$(realpath "${1:?usage: run.sh KUBECTL_ETCD KUBECTL_ETCD_TEST_HOOKS}")
export KETCD_HOOKS_BIN=$(realpath "${2:?usage: run.sh KUBECTL_ETCD KUBECTL_ETCD_TEST_HOOKS}")

source "$here/env.sh"
source "$here/lib.sh"
trap node_down EXIT
echo "== the node (Kubernetes $KUBE_VERSION, etcd $full)"
start=$SECONDS
node_up
echo "node up in $((SECONDS - start))s"
export NODE_WORK
status=0
# The workstation test first (NODE_REMOTE=0 leaves it out): it switches etcd's image,
# which the kubelet is slow to show on the mirror pod after many restores.
tests=(restore_test.sh kill_test.sh)
if [[ ${NODE_REMOTE:-1} != 0 ]]; then tests=(remote_test.sh "${tests[@]}"); fi
for t in "${tests[@]}"; do
  echo "== $t"
  start=$SECONDS
  # A kubelet fresh from a restart (no crash-loop back-off carried over from the test
  # before) and the control plane Running.
  node_stop_kubelet
  node_start_kubelet
  node_wait 300 node_control_plane_ready || echo "warning: the control plane is not Running before $t" >&2
  "$here/$t" || status=1
  echo "$t: $((SECONDS - start))s"
done
exit $status
