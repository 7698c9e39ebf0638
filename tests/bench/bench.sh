#!/usr/bin/env bash
# make bench: see bench.py.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# KUBECTL_ETCD: the binary under test; BUILD: the build directory that holds the bench tools.
binary=${1:?usage: bench.sh KUBECTL_ETCD [BUILD]}
build=${2:-$(dirname "$(realpath "$binary")")}
cmake --build "$build" --target ketcd_bench_fill ketcd_bench_drain >/dev/null
exec python3 "$here/bench.py" "$binary" "$build"
