#!/usr/bin/env bash
# The container image as a cluster gets it: the archive of `make image` imported into
# Debian's containerd (`ctr image import`, a containerd of the test's own on a private
# socket), then `ctr run` prints the version and checks a snapshot that the real etcdctl
# saved, mounted read-only into the container; for this machine's architecture and,
# under qemu user-mode emulation, for arm64.
# usage: image_test.sh dist/kubectl-etcd_vX_image.tar
set -euo pipefail
image_tar=$(realpath "${1:?usage: image_test.sh IMAGE_TAR}")
[[ $(id -u) -eq 0 ]] || { echo "image_test: needs root (containerd)" >&2; exit 1; }
source "$(dirname "$0")/lib.sh"
command -v containerd >/dev/null && command -v runc >/dev/null ||
  "$repo/tests/tools/install-deps.sh" containerd runc

work=$(mktemp -d)
containerd_pid=
cleanup() {
  stop_etcd
  unemulate
  if [[ -n $containerd_pid ]]; then
    kill "$containerd_pid" 2>/dev/null || true
    wait "$containerd_pid" 2>/dev/null || true
  fi
  # The cgroups of the containers (containerd names them after its namespace).
  find /sys/fs/cgroup/*/ketcd-test -depth -type d -exec rmdir {} + 2>/dev/null || true
  # Snapshot mounts of containers that did not finish.
  grep -o " $work/[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

cat >"$work/config.toml" <<TOML
version = 2
root = "$work/root"
state = "$work/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$work/containerd.sock"
[ttrpc]
  address = "$work/containerd.sock.ttrpc"
TOML
containerd --config "$work/config.toml" >"$work/containerd.log" 2>&1 &
containerd_pid=$!
ctr() { command ctr --address "$work/containerd.sock" --namespace ketcd-test "$@"; }
for i in $(seq 100); do ctr version >/dev/null 2>&1 && break; sleep 0.1; done
ctr version >/dev/null 2>&1 || { cat "$work/containerd.log" >&2; fail "containerd did not start"; }

ctr image import --all-platforms "$image_tar" >"$work/import.log" 2>&1 ||
  { cat "$work/import.log" >&2; fail "ctr image import"; }
ref=$(ctr image ls -q | head -1)
[[ $ref == *:v* ]] || fail "the imported image has no name:tag ($ref)"
platforms=$(ctr image ls | awk -v r="$ref" '$1 == r {print $(NF-1)}')
[[ $platforms == *linux/amd64* && $platforms == *linux/arm64* ]] || fail "image platforms: $platforms"
pass "ctr image import: $ref ($platforms)"

# A snapshot saved by the real etcdctl from a real TLS etcd.
start_etcd "$work/host"
put_keys "$work/host"
pki=$work/host/etc/kubernetes/pki/etcd
mkdir -p "$work/snapshots"
"$(dirname "$(etcd_bin)")/etcdctl" --endpoints "$ETCD_URL" --cacert "$pki/ca.crt" \
  --cert "$pki/healthcheck-client.crt" --key "$pki/healthcheck-client.key" \
  snapshot save "$work/snapshots/etcd.db" >"$work/save.log" 2>&1 || { cat "$work/save.log" >&2; fail "etcdctl snapshot save"; }
stop_etcd

for arch in $(dpkg --print-architecture) arm64; do
  [[ $arch == "$(dpkg --print-architecture)" ]] || emulate "$arch"
  out=$(ctr run --rm --platform "linux/$arch" "$ref" "version-$arch" kubectl-etcd version 2>&1) ||
    fail "ctr run ($arch) version: $out"
  [[ $out == "kubectl-etcd v"* ]] || fail "ctr run ($arch) printed '$out'"
  out=$(ctr run --rm --platform "linux/$arch" \
    --mount "type=bind,src=$work/snapshots,dst=/snapshots,options=rbind:ro" \
    "$ref" "status-$arch" kubectl-etcd status /snapshots/etcd.db -o json 2>&1) ||
    fail "ctr run ($arch) status: $out"
  grep -q '"ok": true' <<<"$out" || fail "status in the container ($arch): $out"
  pass "ctr run ($arch): version, status of a mounted snapshot"
  unemulate
done
