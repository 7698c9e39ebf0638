#!/usr/bin/env bash
# make bench: see bench.py.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(dirname "$(realpath "${1:?usage: bench.sh KUBECTL_ETCD}")")
cmake --build "$build" --target ketcd_bench_fill ketcd_bench_drain >/dev/null
exec python3 "$here/bench.py" "$1"
