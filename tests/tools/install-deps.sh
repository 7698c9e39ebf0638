#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need, if any is missing.
# usage: install-deps.sh [extra packages...]
set -euo pipefail
# shellcheck source=packages.sh
source "$(dirname "$0")/packages.sh"
packages=(
  cmake ninja-build g++ pkg-config make openssl ca-certificates
  "${library_packages[@]}" protobuf-compiler-grpc protobuf-compiler libcurl4-openssl-dev
  libgtest-dev libgmock-dev
  zstd age     # the interop tests: zstd -d and age -d read our files, we read theirs
  etcd-server etcd-client  # etcd 3.4, the oldest server version tested
  python3 python3-yaml curl  # fake API server and kubelet stand-in in the tests; health checks in the demo
  # The release (make dist, image, test-dist): arm64 cross compiler and the root of its
  # libraries, arm64 binaries under emulation, the image in containerd.
  g++-aarch64-linux-gnu mmdebstrap qemu-user-static containerd runc file
  # The real kubeadm node (make test-node): containerd and runc above, the etcd image's
  # shell, the namespaces' tools.
  bash-static iproute2 util-linux
  "$@"
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}" >&2
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian starts the packaged etcd as a service where systemd runs; tests use their own.
  if command -v systemctl >/dev/null && systemctl is-active --quiet etcd 2>/dev/null; then
    $sudo systemctl disable --now etcd >/dev/null 2>&1 || true
  fi
fi
if ! command -v go >/dev/null && [[ ! -x /usr/local/go/bin/go ]]; then
  # The etcd 3.5-3.7 test servers are built from their Go modules. Debian's Go fetches the
  # toolchain those modules ask for from the Go module proxy (GOTOOLCHAIN=auto).
  echo "install-deps: installing golang-go" >&2
  ${sudo:-} apt-get install -y -qq golang-go >/dev/null
fi
