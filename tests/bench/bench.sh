#!/usr/bin/env bash
# make bench: see bench.py; then, as root, the control plane's downtime on the real
# kubeadm node (tests/node/downtime_bench.sh) and the backup from a workstation against the
# one on the node (tests/node/remote_bench.sh); BENCH_NODE=0 skips both.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# KUBECTL_ETCD: the binary under test; BUILD: the build directory that holds the bench tools.
binary=${1:?usage: bench.sh KUBECTL_ETCD [BUILD]}
build=${2:-$(dirname "$(realpath "$binary")")}
cmake --build "$build" --target ketcd_bench_fill ketcd_bench_drain ketcd_bench_objects >/dev/null
python3 "$here/bench.py" "$binary" "$build"
if [[ ${BENCH_NODE:-1} != 0 ]]; then
  if [[ $(id -u) -eq 0 ]]; then
    "$here/../node/downtime_bench.sh" "$binary" "$build/tests/bench/ketcd_bench_fill"
    "$here/../node/remote_bench.sh" "$binary" "$build/tests/bench/ketcd_bench_fill" "$build/tests/bench/ketcd_bench_drain"
  else
    echo "node downtime: skipped (needs root)"
  fi
fi
