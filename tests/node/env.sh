# The parts of the real node, built once outside the repository and exported for
# tests/node/lib.sh: NODE_BIN (kubelet, kubeadm, ... of tests/node/build-kube-node.sh),
# KUBECTL (tests/tools/build-kube-tools.sh), ETCD_DIR and ETCD_TAG (the etcd the node runs,
# NODE_ETCD minor version, default 3.7; tests/tools/etcd-versions.sh).
# shellcheck shell=bash
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export KUBE_VERSION=${KUBE_VERSION:-v1.37.2}
cache=${KETCD_CACHE:-$HOME/.cache/kubectl-etcd}
"$repo/tests/tools/install-deps.sh" >&2
export PATH=$PATH:/usr/local/go/bin
export NODE_BIN=$cache/kube-node-$KUBE_VERSION
[[ -x $NODE_BIN/kube-node ]] || "$repo/tests/node/build-kube-node.sh" "$NODE_BIN" "$KUBE_VERSION" >&2
export KUBECTL=$("$repo/tests/tools/build-kube-tools.sh")/kubectl
minor=${NODE_ETCD:-3.7}
dir=$("$repo/tests/tools/etcd-versions.sh" | tr , '\n' | awk -F= -v m="$minor" '$1 == m {print $2}')
[[ -n $dir ]] || { echo "test-node: no etcd $minor" >&2; exit 1; }
export ETCD_DIR=$dir
full=$("$ETCD_DIR/etcd" --version | awk '/etcd Version/ {print $3}')
export ETCD_TAG=$full-0

