# A real single-node kubeadm control plane for the node tests: containerd and runc
# (Debian's), a kubelet, and the control plane that kubeadm itself lays out and starts as
# static pods, all from the binaries tests/node/build-kube-node.sh builds and the images
# made from them here (never pulled).
#
# The node lives in a network namespace and a mount namespace of its own, both kept open
# by bind mounts under $NODE_WORK/ns: its /etc/kubernetes, /var/lib, /var/log and /run are
# directories of $NODE_WORK, its only address is NODE_IP on its own loopback, and the
# kernel settings the kubelet adjusts are files of $NODE_WORK bound over /proc/sys. Every
# command of a test that acts "on the node" runs in there (node_exec). node_down kills
# whatever runs in either namespace, removes the kubelet's cgroups and unmounts it all: the
# machine is left as it was.
#
# Needs: root, NODE_BIN (the directory of kubelet, kubeadm, ...), KUBECTL, ETCD_DIR (etcd,
# etcdctl, etcdutl of the etcd to run), ETCD_TAG (its image tag, e.g. 3.6.16-0).
# shellcheck shell=bash

NODE_IP=${NODE_IP:-192.0.2.10}   # TEST-NET-1: routed nowhere, only on the node's own lo
NODE_NAME=node1
KUBE_VERSION=${KUBE_VERSION:-v1.37.2}
PAUSE_TAG=3.10.2
NODE_WORK=${NODE_WORK:-}

# A test's outcome: PASS/FAIL lines, the number of failures, and the exit status at the end.
failures=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
# usage: finish NAME   (last line of a test: prints the count, fails when there were failures)
finish() { echo "$1: $failures failure(s)"; [[ $failures -eq 0 ]]; }

node_log() { echo "node: $*" >&2; }
node_fail() { echo "node: FAIL: $*" >&2; return 1; }

node_exec() {
  nsenter --mount="$NODE_WORK/ns/mnt" --net="$NODE_WORK/ns/net" -- "$@"
}

node_kubectl() {
  node_exec "$KUBECTL" --kubeconfig /etc/kubernetes/admin.conf "$@"
}

# Waits up to $1 seconds for "${@:2}" to succeed.
node_wait() {
  local seconds=$1 i
  shift
  for ((i = 0; i < seconds * 4; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.25
  done
  return 1
}

# Directories made on the host only to serve as mount points (removed by node_down).
_node_mountpoints=(/etc/kubernetes)
_node_made_mountpoints=()
_node_cgroups_before=
_node_sysctls=(vm/overcommit_memory vm/panic_on_oom kernel/panic kernel/panic_on_oops
  kernel/keys/root_maxkeys kernel/keys/root_maxbytes)

_node_namespaces() {
  mkdir -p "$NODE_WORK/ns" "$NODE_WORK/root"/{etc-kubernetes,var-lib,var-log} "$NODE_WORK/sysctl"
  mount --bind "$NODE_WORK/ns" "$NODE_WORK/ns"
  mount --make-private "$NODE_WORK/ns"
  touch "$NODE_WORK/ns/mnt" "$NODE_WORK/ns/net"
  local p s setup=""
  for p in "${_node_mountpoints[@]}"; do
    [[ -e $p ]] || { mkdir "$p"; _node_made_mountpoints+=("$p"); }
  done
  for s in "${_node_sysctls[@]}"; do
    cat "/proc/sys/$s" >"$NODE_WORK/sysctl/${s//\//.}"
    setup+="mount --bind $NODE_WORK/sysctl/${s//\//.} /proc/sys/$s && "
  done
  unshare --mount="$NODE_WORK/ns/mnt" --net="$NODE_WORK/ns/net" --propagation private bash -euc "
    mount --bind $NODE_WORK/root/etc-kubernetes /etc/kubernetes
    mount --bind $NODE_WORK/root/var-lib /var/lib
    mount --bind $NODE_WORK/root/var-log /var/log
    mount -t tmpfs -o mode=755 tmpfs /run
    $setup true
    ip link set lo up
    ip addr add $NODE_IP/32 dev lo"
}

_node_containerd() {
  mkdir -p "$NODE_WORK/cni/bin" "$NODE_WORK/cni/net.d"
  cat >"$NODE_WORK/containerd.toml" <<TOML
version = 2
root = "/var/lib/containerd"
state = "/run/containerd"
[grpc]
  address = "/run/containerd/containerd.sock"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "registry.k8s.io/pause:$PAUSE_TAG"
  # This machine refuses to lower oom_score_adj, even for root.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$NODE_WORK/cni/bin"
    conf_dir = "$NODE_WORK/cni/net.d"
TOML
  node_exec containerd --config "$NODE_WORK/containerd.toml" >"$NODE_WORK/containerd.log" 2>&1 &
  node_wait 30 node_exec ctr --address /run/containerd/containerd.sock version ||
    { tail -20 "$NODE_WORK/containerd.log" >&2; node_fail "containerd did not start"; }
}

# The images kubeadm's manifests name, made from the local binaries and imported.
_node_images() {
  local img=$NODE_WORK/images mk="$(dirname "${BASH_SOURCE[0]}")/build-node-image.py"
  mkdir -p "$img"
  local cp_files=(--file "$NODE_BIN/kube-node=/usr/local/bin/kube-node")
  "$mk" "$img/pause.tar" "registry.k8s.io/pause:$PAUSE_TAG" \
    --file "$NODE_BIN/kube-node=/pause" --link "/pause=/kube-node-pause" --entrypoint /pause
  local c
  for c in kube-apiserver kube-controller-manager kube-scheduler; do
    "$mk" "$img/$c.tar" "registry.k8s.io/$c:$KUBE_VERSION" "${cp_files[@]}" \
      --link "kube-node=/usr/local/bin/$c"
  done
  # Shaped like registry.k8s.io/etcd: the etcd binaries, bash-static as /bin/sh, no
  # coreutils.
  "$mk" "$img/etcd.tar" "registry.k8s.io/etcd:$ETCD_TAG" \
    --file "$ETCD_DIR/etcd=/usr/local/bin/etcd" --file "$ETCD_DIR/etcdctl=/usr/local/bin/etcdctl" \
    --file "$ETCD_DIR/etcdutl=/usr/local/bin/etcdutl" --file /bin/bash-static=/bin/sh \
    --libs-of /usr/local/bin/etcd --libs-of /usr/local/bin/etcdctl
  local t
  for t in "$img"/*.tar; do
    node_exec ctr --address /run/containerd/containerd.sock -n k8s.io image import "$t" \
      >>"$NODE_WORK/import.log" 2>&1 || { cat "$NODE_WORK/import.log" >&2; node_fail "import $t"; }
  done
}

_node_kubeadm_config() {
  cat >"$NODE_WORK/kubeadm.yaml" <<YAML
apiVersion: kubeadm.k8s.io/v1beta4
kind: InitConfiguration
localAPIEndpoint:
  advertiseAddress: $NODE_IP
  bindPort: 6443
nodeRegistration:
  name: $NODE_NAME
  criSocket: unix:///run/containerd/containerd.sock
  imagePullPolicy: Never
  ignorePreflightErrors: [all]
  kubeletExtraArgs:
  - name: node-ip
    value: $NODE_IP
---
apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
kubernetesVersion: $KUBE_VERSION
clusterName: ketcd-node
etcd:
  local:
    imageTag: $ETCD_TAG
---
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
# The disk of a test machine may be fuller than a node's: no eviction, no image GC.
evictionHard:
  memory.available: 50Mi
  nodefs.available: 1%
  imagefs.available: 1%
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
YAML
}

# The kubelet as kubeadm's systemd drop-in runs it (this machine's PID 1 is not systemd).
node_start_kubelet() {
  node_exec bash -c '
    source /var/lib/kubelet/kubeadm-flags.env
    exec "$0" --bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf \
      --kubeconfig=/etc/kubernetes/kubelet.conf --config=/var/lib/kubelet/config.yaml \
      $KUBELET_KUBEADM_ARGS' "$NODE_BIN/kubelet" >>"$NODE_WORK/kubelet.log" 2>&1 &
  NODE_KUBELET_PID=$!
}

# Stops the node's kubelet (also one another script of the test started); its pods keep
# running, as on a node whose kubelet restarts.
node_stop_kubelet() {
  local pid i
  for pid in $(pgrep -f "^$NODE_BIN/kubelet " || true); do
    kill "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
  done
  if [[ -n ${NODE_KUBELET_PID:-} ]]; then wait "$NODE_KUBELET_PID" 2>/dev/null || true; fi
  NODE_KUBELET_PID=
}

_node_kubeadm() {
  local kubeadm=(node_exec "$NODE_BIN/kubeadm")
  local cfg=$NODE_WORK/kubeadm.yaml phase
  for phase in "certs all" "kubeconfig all" "etcd local" "control-plane all" "kubelet-start"; do
    # shellcheck disable=SC2086
    "${kubeadm[@]}" init phase $phase --config "$cfg" >>"$NODE_WORK/kubeadm.log" 2>&1 ||
      { tail -30 "$NODE_WORK/kubeadm.log" >&2; node_fail "kubeadm init phase $phase"; return 1; }
  done
  node_start_kubelet
  # kubeadm's wait-control-plane phase takes no --config (it would look for the API server
  # on the default route's address): wait for it here.
  node_wait 180 node_kubectl get --raw /livez ||
    { tail -30 "$NODE_WORK/kubelet.log" >&2; node_fail "the API server did not start"; return 1; }
  for phase in "upload-config all" "mark-control-plane" "bootstrap-token" "kubelet-finalize all"; do
    # shellcheck disable=SC2086
    "${kubeadm[@]}" init phase $phase --config "$cfg" >>"$NODE_WORK/kubeadm.log" 2>&1 ||
      { tail -30 "$NODE_WORK/kubeadm.log" >&2; tail -30 "$NODE_WORK/kubelet.log" >&2
        node_fail "kubeadm init phase $phase"; return 1; }
  done
}

# The control plane answers and its four static pods are Running as the API server sees them.
node_control_plane_ready() {
  local c out
  out=$(node_kubectl get pods -n kube-system --no-headers 2>/dev/null) || return 1
  for c in etcd kube-apiserver kube-controller-manager kube-scheduler; do
    grep -qE "^$c-$NODE_NAME +1/1 +Running" <<<"$out" || return 1
  done
}

# The control plane works: the API server answers, and the controller manager and the
# scheduler report healthy on their own ports (their mirror pods come back later: the
# kubelet recreates them on its next sync).
node_control_plane_healthy() {
  node_kubectl get --raw /livez >/dev/null 2>&1 &&
    node_exec curl -ksf https://127.0.0.1:10257/healthz >/dev/null 2>&1 &&
    node_exec curl -ksf https://127.0.0.1:10259/healthz >/dev/null 2>&1
}

node_up() {
  [[ $(id -u) -eq 0 ]] || { node_fail "needs root"; return 1; }
  NODE_WORK=$(mktemp -d /tmp/ketcd-node.XXXXXX)
  _node_cgroups_before=$(printf '%s\n' /sys/fs/cgroup/*/*/)
  node_log "work dir $NODE_WORK (Kubernetes $KUBE_VERSION, etcd $ETCD_TAG)"
  _node_namespaces && _node_containerd && _node_images && _node_kubeadm_config && _node_kubeadm &&
    node_wait 180 node_control_plane_ready ||
    { node_kubectl get pods -A >&2 || true; node_fail "the control plane did not come up"; }
}

# A test script runs on the node run.sh started (NODE_WORK exported), or on one of its own.
node_use_or_up() {
  if [[ -n $NODE_WORK && -e $NODE_WORK/ns/mnt ]]; then
    node_log "on the node in $NODE_WORK"
  else
    trap node_down EXIT
    node_up
  fi
}

# PIDs of every process in the node's namespaces (containers have mount namespaces of
# their own but share the node's network: hostNetwork static pods).
_node_pids() {
  local mnt net p
  mnt=$(stat -L -c %i "$NODE_WORK/ns/mnt" 2>/dev/null) || return 0
  net=$(stat -L -c %i "$NODE_WORK/ns/net" 2>/dev/null) || return 0
  for p in /proc/[0-9]*; do
    if [[ $(stat -L -c %i "$p/ns/mnt" 2>/dev/null) == "$mnt" || $(stat -L -c %i "$p/ns/net" 2>/dev/null) == "$net" ]]; then
      echo "${p#/proc/}"
    fi
  done
}

node_down() {
  local -
  set +e
  [[ -n $NODE_WORK && -d $NODE_WORK ]] || return 0
  node_stop_kubelet
  local i pids
  for i in 1 2 3 4 5; do
    pids=$(_node_pids)
    [[ -z $pids ]] && break
    # shellcheck disable=SC2086
    kill -9 $pids 2>/dev/null || true
    sleep 0.2
  done
  # The cgroups the kubelet (cgroupfs driver) and containerd made, deepest first.
  local d
  for d in /sys/fs/cgroup/*/*/; do
    grep -qxF "$d" <<<"$_node_cgroups_before" || find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
  done
  umount "$NODE_WORK/ns/mnt" "$NODE_WORK/ns/net" 2>/dev/null || true
  umount "$NODE_WORK/ns" 2>/dev/null || true
  grep -o " $NODE_WORK/[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  local p
  for p in "${_node_made_mountpoints[@]}"; do rmdir "$p" 2>/dev/null || true; done
  _node_made_mountpoints=()
  if [[ -n ${KETCD_NODE_KEEP:-} ]]; then node_log "kept $NODE_WORK"; else rm -rf "$NODE_WORK"; fi
  NODE_WORK=${NODE_WORK:-}
}
